import BigInt

/// The builtins the evaluator itself relies on: operators, aggregates, types,
/// arrays, objects, sets, `walk`, `sprintf`. The large families live in `Builtins/`.
enum CoreBuiltins {
    static let numberOrSet = BuiltinType.anyOf([.number, .set(.any)])
    static let collection = BuiltinType.anyOf([.string, .array(.any), .object(.any, .any), .set(.any)])
    static let arrayOrSet = BuiltinType.anyOf([.set(.any), .array(.any)])
    static let anyObject = BuiltinType.object(.any, .any)

    static let all: [Builtin] = comparison + arithmetic + aggregates + types + collections + formatting + graphAndNetwork

    static func compareOp(_ name: String, _ test: @escaping @Sendable (Int) -> Bool) -> Builtin {
        Builtin(name, [.any, .any], .boolean) { a, _ in .bool(test(Value.compare(a[0], a[1]))) }
    }

    static let comparison: [Builtin] = [
        Builtin("equal", [.any, .any], .boolean) { a, _ in .bool(a[0] == a[1]) },
        Builtin("neq", [.any, .any], .boolean) { a, _ in .bool(a[0] != a[1]) },
        compareOp("lt") { $0 < 0 }, compareOp("lte") { $0 <= 0 },
        compareOp("gt") { $0 > 0 }, compareOp("gte") { $0 >= 0 },
    ]

    static let arithmetic: [Builtin] = [
        Builtin("plus", [.number, .number], .number) { a, _ in .number(try a.number(0) + a.number(1)) },
        Builtin("mul", [.number, .number], .number) { a, _ in .number(try a.number(0) * a.number(1)) },
        Builtin("minus", [numberOrSet, numberOrSet], numberOrSet) { a, _ in
            switch (a[0], a[1]) {
            case (.number(let x), .number(let y)): return .number(x - y)
            case (.set(let x), .set(let y)): return .set(x.subtracting(y))
            case (.number, _): throw BuiltinError.operand(1, mustBe: .number, got: a[1])
            case (.set, _): throw BuiltinError.operand(1, mustBe: .set(.any), got: a[1])
            default: throw BuiltinError.operand(0, mustBe: numberOrSet, got: a[0])
            }
        },
        Builtin("div", [.number, .number], .number) { a, _ in
            guard let q = Number.divide(try a.number(0), try a.number(1)) else { throw BuiltinError.builtin("divide by zero") }
            return .number(q)
        },
        Builtin("rem", [.number, .number], .number) { a, _ in
            let x = try a.number(0), y = try a.number(1)
            guard let bx = x.bigValue, let by = y.bigValue else {
                throw BuiltinError.builtin("modulo on floating-point number")
            }
            if by == 0 { throw BuiltinError.builtin("modulo by zero") }
            if case .int(let ix) = x, case .int(let iy) = y, iy != -1 { return .number(.int(ix % iy)) }
            return .number(.integer(bx % by))
        },
        Builtin("and", [.set(.any), .set(.any)], .set(.any)) { a, _ in .set(try a.set(0).intersection(a.set(1))) },
        Builtin("or", [.set(.any), .set(.any)], .set(.any)) { a, _ in .set(try a.set(0).union(a.set(1))) },
        Builtin("abs", [.number], .number) { a, _ in
            let n = try a.number(0)
            return .number(Number.compare(n, .int(0)) < 0 ? -n : n)
        },
        Builtin("round", [.number], .number) { a, _ in
            let n = try a.number(0)
            if case .float(let d) = n { return .number(.real(d.rounded(.toNearestOrAwayFromZero))) }
            return .number(n)
        },
        Builtin("ceil", [.number], .number) { a, _ in
            let n = try a.number(0)
            if case .float(let d) = n { return .number(.real(d.rounded(.up))) }
            return .number(n)
        },
        Builtin("floor", [.number], .number) { a, _ in
            let n = try a.number(0)
            if case .float(let d) = n { return .number(.real(d.rounded(.down))) }
            return .number(n)
        },
        Builtin("numbers.range", [.number, .number], .array(.number)) { a, _ in
            let x = try a.number(0), y = try a.number(1)
            guard let lo = x.bigValue else { throw BuiltinError.type("operand 1 must be integer number but got floating-point number") }
            guard let hi = y.bigValue else { throw BuiltinError.type("operand 2 must be integer number but got floating-point number") }
            return .array(try rangeValues(lo, hi, step: 1))
        },
        Builtin("numbers.range_step", [.number, .number, .number], .array(.number)) { a, _ in
            let x = try a.number(0), y = try a.number(1), s = try a.number(2)
            guard let lo = x.bigValue else { throw BuiltinError.type("operand 1 must be integer number but got floating-point number") }
            guard let hi = y.bigValue else { throw BuiltinError.type("operand 2 must be integer number but got floating-point number") }
            guard let step = s.bigValue else { throw BuiltinError.type("operand 3 must be integer number but got floating-point number") }
            if step <= 0 { throw BuiltinError.builtin("step must be a positive integer") }
            return .array(try rangeValues(lo, hi, step: step))
        },
    ]

    static func rangeValues(_ lo: BigInt, _ hi: BigInt, step: BigInt) throws -> [Value] {
        let span = (hi - lo).magnitude / step.magnitude
        if span > 10_000_000 { throw BuiltinError.builtin("range too large") }
        var out: [Value] = []
        var cur = lo
        if lo <= hi {
            while cur <= hi { out.append(.number(.integer(cur))); cur += step }
        } else {
            while cur >= hi { out.append(.number(.integer(cur))); cur -= step }
        }
        return out
    }

    static func elements(_ v: Value) -> [Value]? {
        switch v {
        case .array(let a): return a
        case .set(let s): return s.elements
        default: return nil
        }
    }

    static let aggregates: [Builtin] = [
        Builtin("count", [collection], .number) { a, _ in
            switch a[0] {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .array(let x): return .int(x.count)
            case .set(let x): return .int(x.count)
            case .object(let x): return .int(x.count)
            default: throw BuiltinError.operand(0, mustBe: collection, got: a[0])
            }
        },
        Builtin("sum", [arrayOrSet], .number) { a, _ in
            var total = Number.int(0)
            for v in elements(a[0])! {
                guard case .number(let n) = v else { throw BuiltinError.type("operand 1 must be one of {set, array} containing numbers") }
                total = total + n
            }
            return .number(total)
        },
        Builtin("product", [arrayOrSet], .number) { a, _ in
            var total = Number.int(1)
            for v in elements(a[0])! {
                guard case .number(let n) = v else { throw BuiltinError.type("operand 1 must be one of {set, array} containing numbers") }
                total = total * n
            }
            return .number(total)
        },
        Builtin("max", [arrayOrSet], .any) { a, _ in elements(a[0])!.max { Value.compare($0, $1) < 0 } },
        Builtin("min", [arrayOrSet], .any) { a, _ in elements(a[0])!.min { Value.compare($0, $1) < 0 } },
        Builtin("sort", [arrayOrSet], .array(.any)) { a, _ in
            .array(elements(a[0])!.sorted { Value.compare($0, $1) < 0 })
        },
        Builtin("all", [arrayOrSet], .boolean) { a, _ in .bool(elements(a[0])!.allSatisfy { $0 == .true }) },
        Builtin("any", [arrayOrSet], .boolean) { a, _ in .bool(elements(a[0])!.contains { $0 == .true }) },
    ]

    static func isType(_ name: String, _ test: @escaping @Sendable (Value) -> Bool) -> Builtin {
        Builtin(name, [.any], .boolean) { a, _ in .bool(test(a[0])) }
    }

    static let types: [Builtin] = [
        Builtin("type_name", [.any], .string) { a, _ in .string(a[0].typeName) },
        isType("is_number") { if case .number = $0 { return true }; return false },
        isType("is_string") { if case .string = $0 { return true }; return false },
        isType("is_boolean") { if case .bool = $0 { return true }; return false },
        isType("is_array") { if case .array = $0 { return true }; return false },
        isType("is_set") { if case .set = $0 { return true }; return false },
        isType("is_object") { if case .object = $0 { return true }; return false },
        isType("is_null") { if case .null = $0 { return true }; return false },
        Builtin("to_number", [.anyOf([.null, .boolean, .number, .string])], .number) { a, _ in
            switch a[0] {
            case .null: return .int(0)
            case .bool(let b): return .int(b ? 1 : 0)
            case .number: return a[0]
            case .string(let s):
                let t = s
                if let n = Number(text: t) { return .number(n) }
                if let d = Double(t), d.isFinite, !t.lowercased().contains("n"), !t.lowercased().contains("i") {
                    return .number(.real(d))
                }
                let lower = t.lowercased().trimmingPrefix("-").trimmingPrefix("+")
                if ["nan", "inf", "infinity"].contains(String(lower)) {
                    throw BuiltinError.type("operand 1 must be a finite number but got \(t)")
                }
                throw BuiltinError.builtin("strconv.ParseFloat: parsing \(Value.string(s).description): invalid syntax")
            default: return nil
            }
        },
    ]

    static let collections: [Builtin] = [
        Builtin("array.concat", [.array(.any), .array(.any)], .array(.any)) { a, _ in .array(try a.array(0) + a.array(1)) },
        Builtin("array.slice", [.array(.any), .number, .number], .array(.any)) { a, _ in
            let arr = try a.array(0)
            var lo = try a.int(1), hi = try a.int(2)
            lo = max(0, lo); hi = min(arr.count, hi)
            if lo >= hi { return .array([]) }
            return .array(Array(arr[lo..<hi]))
        },
        Builtin("array.reverse", [.array(.any)], .array(.any)) { a, _ in .array(try a.array(0).reversed()) },
        Builtin("intersection", [.set(.set(.any))], .set(.any)) { a, _ in
            let sets = try a.set(0).elements
            guard var acc = sets.first?.setValue else { return .set(SetValue()) }
            for s in sets.dropFirst() {
                guard let x = s.setValue else { throw BuiltinError.type("operand 1 must be set of sets") }
                acc = acc.intersection(x)
            }
            return .set(acc)
        },
        Builtin("union", [.set(.set(.any))], .set(.any)) { a, _ in
            var acc = SetValue()
            for s in try a.set(0).elements {
                guard let x = s.setValue else { throw BuiltinError.type("operand 1 must be set of sets") }
                acc = acc.union(x)
            }
            return .set(acc)
        },
        Builtin("object.get", [anyObject, .any, .any], .any) { a, _ in
            let o = try a.object(0)
            if case .array(let path) = a[1] {
                var cur = Value.object(o)
                for k in path {
                    guard let next = cur[k], !(cur.setValue != nil) || true else { return a[2] }
                    if case .set = cur { return a[2] }
                    cur = next
                }
                return cur
            }
            return o[a[1]] ?? a[2]
        },
        Builtin("object.keys", [anyObject], .set(.any)) { a, _ in .set(SetValue(sortedUnique: try a.object(0).keys)) },
        Builtin("object.remove", [anyObject, .anyOf([.object(.any, .any), .set(.any), .array(.any)])], anyObject) { a, _ in
            var o = try a.object(0)
            let keys: [Value]
            switch a[1] {
            case .object(let k): keys = k.keys
            case .set(let s): keys = s.elements
            case .array(let arr): keys = arr
            default: throw BuiltinError.operand(1, mustBe: .anyOf([.object(.any, .any), .set(.any), .array(.any)]), got: a[1])
            }
            for k in keys { o.remove(k) }
            return .object(o)
        },
        Builtin("object.filter", [anyObject, .anyOf([.object(.any, .any), .set(.any), .array(.any)])], anyObject) { a, _ in
            let o = try a.object(0)
            let keys: [Value]
            switch a[1] {
            case .object(let k): keys = k.keys
            case .set(let s): keys = s.elements
            case .array(let arr): keys = arr
            default: throw BuiltinError.operand(1, mustBe: .anyOf([.object(.any, .any), .set(.any), .array(.any)]), got: a[1])
            }
            var out = ObjectValue()
            for k in keys { if let v = o[k] { out.set(k, v) } }
            return .object(out)
        },
        Builtin("object.union", [anyObject, anyObject], anyObject) { a, _ in
            .object(mergeObjects(try a.object(0), try a.object(1)))
        },
        Builtin("object.union_n", [.array(anyObject)], anyObject) { a, _ in
            var acc = ObjectValue()
            for v in try a.array(0) {
                guard let o = v.objectValue else { throw BuiltinError.type("operand 1 must be array of objects") }
                acc = mergeObjects(acc, o)
            }
            return .object(acc)
        },
        Builtin("object.subset", [.anyOf([.object(.any, .any), .set(.any), .array(.any)]), .anyOf([.object(.any, .any), .set(.any), .array(.any)])], .boolean) { a, _ in
            .bool(isSubset(a[0], a[1]))
        },
        Builtin(relation: "walk", [.any], .array(.any)) { a, _ in
            var out: [Value] = []
            walk(a[0], path: [], into: &out)
            return out
        },
    ]

    static func walk(_ v: Value, path: [Value], into out: inout [Value]) {
        out.append(.array([.array(path), v]))
        switch v {
        case .array(let arr):
            for (i, e) in arr.enumerated() { walk(e, path: path + [.int(i)], into: &out) }
        case .set(let s):
            for e in s.elements { walk(e, path: path + [e], into: &out) }
        case .object(let o):
            for (k, e) in o.entries { walk(e, path: path + [k], into: &out) }
        default: break
        }
    }

    static func mergeObjects(_ a: ObjectValue, _ b: ObjectValue) -> ObjectValue {
        var out = a
        for (k, v) in b.entries {
            if let existing = out[k], case .object(let eo) = existing, case .object(let vo) = v {
                out.set(k, .object(mergeObjects(eo, vo)))
            } else {
                out.set(k, v)
            }
        }
        return out
    }

    static func isSubset(_ sup: Value, _ sub: Value) -> Bool {
        switch (sup, sub) {
        case (.object(let a), .object(let b)):
            for (k, v) in b.entries {
                guard let av = a[k] else { return false }
                if case .object = av, case .object = v { if !isSubset(av, v) { return false } } else if av != v { return false }
            }
            return true
        case (.set(let a), .set(let b)): return b.elements.allSatisfy(a.contains)
        case (.array(let a), .array(let b)):
            if b.isEmpty { return true }
            if b.count > a.count { return false }
            for start in 0...(a.count - b.count) where Array(a[start..<(start + b.count)]) == b { return true }
            return false
        case (.array(let a), .set(let b)): return b.elements.allSatisfy(a.contains)
        default: return false
        }
    }

    static let formatting: [Builtin] = [
        Builtin("sprintf", [.string, .array(.any)], .string) { a, _ in
            .string(try Sprintf.format(try a.string(0), try a.array(1)))
        },
        Builtin("format_int", [.number, .number], .string) { a, _ in
            let n = try a.number(0)
            let base = try a.number(1)
            guard let b = base.intValue, [2, 8, 10, 16].contains(b) else {
                throw BuiltinError.type("operand 2 must be one of {2, 8, 10, 16}")
            }
            let whole: BigInt
            switch n {
            case .float(let d): whole = BigInt(d.rounded(.towardZero))
            default: whole = n.bigValue!
            }
            return .string(String(whole, radix: b))
        },
        Builtin("concat", [.string, .anyOf([.set(.string), .array(.string)])], .string) { a, _ in
            let sep = try a.string(0)
            guard let items = elements(a[1]) else { throw BuiltinError.operand(1, mustBe: .anyOf([.set(.string), .array(.string)]), got: a[1]) }
            var parts: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw BuiltinError.operand(1, mustBe: "one of {set[string], array[string]}", got: a[1]) }
                parts.append(s)
            }
            return .string(parts.joined(separator: sep))
        },
    ]
}

/// Go-style `fmt.Sprintf` over Rego values, as OPA's `sprintf` does it.
public enum Sprintf {
    /// Formats `args` by `format`.
    public static func format(_ format: String, _ args: [Value]) throws -> String {
        var out = ""
        var argIndex = 0
        let chars = Array(format.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c != "%" { out.unicodeScalars.append(c); i += 1; continue }
            i += 1
            guard i < chars.count else { out += "%!(NOVERB)"; break }
            if chars[i] == "%" { out += "%"; i += 1; continue }
            var flags = ""
            while i < chars.count, "+-# 0".unicodeScalars.contains(chars[i]) { flags.unicodeScalars.append(chars[i]); i += 1 }
            var width: Int? = nil
            while i < chars.count, let d = Int(String(chars[i])), chars[i].isASCII { width = (width ?? 0) * 10 + d; i += 1 }
            var precision: Int? = nil
            if i < chars.count, chars[i] == "." {
                i += 1; precision = 0
                while i < chars.count, let d = Int(String(chars[i])), chars[i].isASCII { precision = precision! * 10 + d; i += 1 }
            }
            guard i < chars.count else { out += "%!(NOVERB)"; break }
            let verb = chars[i]
            i += 1
            guard argIndex < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[argIndex]
            argIndex += 1
            var piece = render(arg, verb: verb, flags: flags, precision: precision)
            if let width, piece.count < width {
                let pad = String(repeating: flags.contains("0") && !flags.contains("-") ? "0" : " ", count: width - piece.count)
                if flags.contains("-") { piece += pad } else if pad.first == "0", piece.hasPrefix("-") {
                    piece = "-" + pad + piece.dropFirst()
                } else { piece = pad + piece }
            }
            out += piece
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { goTypeName($0) + "=" + plain($0) }.joined(separator: ", ") + ")"
        }
        return out
    }

    static func goTypeName(_ v: Value) -> String {
        switch v {
        case .string: return "string"
        case .number(let n): return n.isInteger ? "*big.Int" : "*big.Float"
        case .bool: return "bool"
        default: return "ast.Value"
        }
    }

    /// The `%v` rendering: strings bare, everything else as Rego text.
    static func plain(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return v.description
    }

    static func render(_ v: Value, verb: Unicode.Scalar, flags: String, precision: Int?) -> String {
        switch verb {
        case "v", "s":
            var s = plain(v)
            if let precision, verb == "s", case .string = v { s = String(s.prefix(precision)) }
            return s
        case "q":
            if case .string(let s) = v {
                var out = ""
                JSON.writeString(s, into: &out)
                return out
            }
            return "%!q(" + goTypeName(v) + "=" + plain(v) + ")"
        case "d":
            if case .number(let n) = v, let b = n.bigValue {
                let s = b.description
                return flags.contains("+") && b >= 0 ? "+" + s : s
            }
            return "%!d(" + goTypeName(v) + "=" + plain(v) + ")"
        case "t":
            if case .bool(let b) = v { return b ? "true" : "false" }
            return "%!t(" + goTypeName(v) + "=" + plain(v) + ")"
        case "x", "X":
            var s: String
            switch v {
            case .number(let n) where n.isInteger: s = String(n.bigValue!, radix: 16)
            case .string(let str): s = str.utf8.map { String(format2hex($0)) }.joined()
            default: return "%!x(" + goTypeName(v) + "=" + plain(v) + ")"
            }
            if verb == "X" { s = s.uppercased() }
            return s
        case "o":
            if case .number(let n) = v, let b = n.bigValue { return String(b, radix: 8) }
            return "%!o(" + goTypeName(v) + "=" + plain(v) + ")"
        case "b":
            if case .number(let n) = v, let b = n.bigValue { return String(b, radix: 2) }
            return "%!b(" + goTypeName(v) + "=" + plain(v) + ")"
        case "f", "F", "e", "g":
            guard case .number(let n) = v else { return "%!\(verb)(" + goTypeName(v) + "=" + plain(v) + ")" }
            let d = n.doubleValue
            switch verb {
            case "e": return formatExp(d, precision ?? 6)
            case "g":
                if let precision { return trimmedG(d, precision) }
                return n.isInteger ? n.description : Number.formatDouble(d)
            default:
                return fixed(d, precision ?? 6, integer: n)
            }
        default:
            return "%!\(verb)(" + goTypeName(v) + "=" + plain(v) + ")"
        }
    }

    static func format2hex(_ b: UInt8) -> String {
        let h = String(b, radix: 16)
        return h.count == 1 ? "0" + h : h
    }

    /// Fixed-point formatting with round-half-even on the decimal expansion.
    static func fixed(_ d: Double, _ precision: Int, integer: Number) -> String {
        if let b = integer.bigValue {
            return precision > 0 ? b.description + "." + String(repeating: "0", count: precision) : b.description
        }
        let negative = d < 0
        let scaled = (abs(d) * pow10(precision)).rounded(.toNearestOrEven)
        var digits = scaled < 1e300 ? BigInt(scaled).description : String(Int(scaled))
        if precision > 0 {
            if digits.count <= precision { digits = String(repeating: "0", count: precision - digits.count + 1) + digits }
            let idx = digits.index(digits.endIndex, offsetBy: -precision)
            digits = digits[..<idx] + "." + digits[idx...]
        }
        return (negative && scaled != 0 ? "-" : "") + digits
    }

    static func pow10(_ p: Int) -> Double {
        var r = 1.0
        for _ in 0..<p { r *= 10 }
        return r
    }

    static func formatExp(_ d: Double, _ precision: Int) -> String {
        if d == 0 { return "0." + String(repeating: "0", count: precision) + "e+00" }
        var exp = Int(floor(log10(abs(d))))
        var mant = d / pow(10.0, Double(exp))
        let scaled = (abs(mant) * pow10(precision)).rounded(.toNearestOrEven)
        if scaled >= pow10(precision + 1) { exp += 1; mant = d / pow(10.0, Double(exp)) }
        let m = fixed(mant, precision, integer: .float(mant == mant.rounded() ? mant + 0.5 : mant))
        let es = abs(exp) < 10 ? "0\(abs(exp))" : "\(abs(exp))"
        return m + "e" + (exp < 0 ? "-" : "+") + es
    }

    static func trimmedG(_ d: Double, _ precision: Int) -> String {
        let p = max(precision, 1)
        let exp = d == 0 ? 0 : Int(floor(log10(abs(d))))
        if exp < -4 || exp >= p {
            var s = formatExp(d, p - 1)
            if let r = s.range(of: "e"), s[..<r.lowerBound].contains(".") {
                var m = String(s[..<r.lowerBound])
                while m.hasSuffix("0") { m.removeLast() }
                if m.hasSuffix(".") { m.removeLast() }
                s = m + s[r.lowerBound...]
            }
            return s
        }
        var s = fixed(d, max(0, p - 1 - exp), integer: .float(d == d.rounded() ? d + 0.25 : d))
        if d == d.rounded() { s = fixed(d, max(0, p - 1 - exp), integer: .float(d)) }
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
