import BigInt

/// `time.*`: instants as Unix nanoseconds, Go layouts, civil dates and durations.
enum TimeBuiltins {
    static let s = BuiltinType.string
    static let n = BuiltinType.number
    static let timeOperand = BuiltinType.anyOf([.number, .array(.any)])

    static func nanoseconds(_ value: Value, operand: Int) throws -> Int64 {
        guard case .number(let number) = value else {
            throw BuiltinError.operand(operand, mustBe: .number, got: value)
        }
        switch number {
        case .int(let i): return Int64(i)
        case .big: throw BuiltinError.builtin("timestamp too big")
        case .float(let d):
            guard d.isFinite, d < 9.223372036854775e18, d > -9.223372036854775e18 else {
                throw BuiltinError.builtin("timestamp too big")
            }
            return Int64(d)
        }
    }

    /// Reads `ns` or `[ns, zone]` or `[ns, zone, layout]`.
    static func instant(_ value: Value, operand: Int) throws -> (GoTime, String?) {
        switch value {
        case .number:
            return (GoTime(unixNanoseconds: try nanoseconds(value, operand: operand)), nil)
        case .array(let items):
            guard items.count == 2 || items.count == 3 else {
                throw BuiltinError.builtin("array should have 2 or 3 elements")
            }
            let ns = try nanoseconds(items[0], operand: operand)
            guard case .string(let zone) = items[1] else {
                throw BuiltinError.builtin("timezone argument must be a string")
            }
            var layout: String? = nil
            if items.count == 3 {
                guard case .string(let l) = items[2] else { throw BuiltinError.builtin("format argument must be a string") }
                layout = l
            }
            do {
                return (try GoTime(unixNanoseconds: ns).inZone(zone), layout)
            } catch {
                throw BuiltinError.builtin(error.description)
            }
        default:
            throw BuiltinError.operand(operand, mustBe: "one of {number, array}", got: value)
        }
    }

    static func result(_ time: GoTime) throws -> Value {
        guard let ns = time.unixNanoseconds else { throw BuiltinError.builtin("time outside of valid range") }
        return .number(.int(Int(ns)))
    }

    static func layout(_ name: String) -> String {
        GoTime.namedLayouts[name] ?? name
    }

    static let all: [Builtin] = [
        Builtin("time.now_ns", [], n, nondeterministic: true) { _, context in
            .number(.int(Int(context.nowNanoseconds)))
        },
        Builtin("time.parse_ns", [s, s], n) { a, _ in
            do {
                return try result(try GoTime.parse(layout: layout(try a.string(0)), value: try a.string(1)))
            } catch let failure as GoTime.Failure {
                throw BuiltinError.builtin(failure.description)
            }
        },
        Builtin("time.parse_rfc3339_ns", [s], n) { a, _ in
            do {
                return try result(try GoTime.parse(layout: "2006-01-02T15:04:05Z07:00", value: try a.string(0)))
            } catch let failure as GoTime.Failure {
                throw BuiltinError.builtin(failure.description)
            }
        },
        // OPA's test helper. The module does no I/O and the clock is frozen for one evaluation
        // (`time.now_ns` is the same before and after), so the pause itself is not observable:
        // the duration is validated and the call succeeds with null.
        Builtin("test.sleep", [s], .null, nondeterministic: true) { a, _ in
            do {
                _ = try GoTime.parseDuration(try a.string(0))
                return .null
            } catch let failure as GoTime.Failure {
                throw BuiltinError.builtin(failure.description)
            }
        },
        Builtin("time.parse_duration_ns", [s], n) { a, _ in
            do {
                return .number(.int(Int(try GoTime.parseDuration(try a.string(0)))))
            } catch let failure as GoTime.Failure {
                throw BuiltinError.builtin(failure.description)
            }
        },
        Builtin("time.date", [timeOperand], .array(n), checkOperands: false) { a, _ in
            let (t, _) = try instant(a[0], operand: 0)
            let d = t.date
            return .array([.number(.int(Int(d.year))), .number(.int(Int(d.month))), .number(.int(Int(d.day)))])
        },
        Builtin("time.clock", [timeOperand], .array(n), checkOperands: false) { a, _ in
            let (t, _) = try instant(a[0], operand: 0)
            let c = t.clock
            return .array([.number(.int(Int(c.hour))), .number(.int(Int(c.minute))), .number(.int(Int(c.second)))])
        },
        Builtin("time.weekday", [timeOperand], s, checkOperands: false) { a, _ in
            let (t, _) = try instant(a[0], operand: 0)
            return .string(t.weekdayName)
        },
        Builtin("time.format", [timeOperand], s, checkOperands: false) { a, _ in
            let (t, layoutName) = try instant(a[0], operand: 0)
            return .string(t.format(layout(layoutName ?? "RFC3339Nano")))
        },
        Builtin("time.add_date", [n, n, n, n], n) { a, _ in
            let t = GoTime(unixNanoseconds: try nanoseconds(a[0], operand: 0))
            let moved = t.addingDate(years: Int64(try a.int(1)), months: Int64(try a.int(2)), days: Int64(try a.int(3)))
            return try result(moved)
        },
        Builtin("time.diff", [timeOperand, timeOperand], .array(n), checkOperands: false) { a, _ in
            var (t1, _) = try instant(a[0], operand: 0)
            var (t2, _) = try instant(a[1], operand: 1)
            t2.offset = t1.offset
            t2.zoneName = t1.zoneName
            if (t1.seconds, t1.nanoseconds) > (t2.seconds, t2.nanoseconds) { swap(&t1, &t2) }
            let (y1, m1, d1) = t1.date, (y2, m2, d2) = t2.date
            let (h1, mi1, s1) = t1.clock, (h2, mi2, s2) = t2.clock
            var year = y2 - y1, month = m2 - m1, day = d2 - d1
            var hour = h2 - h1, minute = mi2 - mi1, second = s2 - s1
            if second < 0 { second += 60; minute -= 1 }
            if minute < 0 { minute += 60; hour -= 1 }
            if hour < 0 { hour += 24; day -= 1 }
            if day < 0 {
                // Days in t1's month: day 32 of it normalises into the next month.
                let overflow = GoTime.civil(days: GoTime.days(year: y1, month: m1, day: 32)).day
                day += 32 - overflow
                month -= 1
            }
            if month < 0 { month += 12; year -= 1 }
            return .array([year, month, day, hour, minute, second].map { .number(.int(Int($0))) })
        },
    ]
}
