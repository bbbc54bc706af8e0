import BigInt

/// `units.*`, `semver.*`, `uuid.*`, `bits.*` and the `is_*` type checks.
enum ScalarBuiltins {
    static let s = BuiltinType.string
    static let n = BuiltinType.number
    static let b = BuiltinType.boolean

    static func typeCheck(_ name: String, _ test: @escaping @Sendable (Value) -> Bool) -> Builtin {
        Builtin(name, [.any], b) { a, _ in .bool(test(a[0])) }
    }

    static func bigInt(_ a: [Value], _ i: Int) throws -> BigInt {
        guard case .number(let number) = a[i] else { throw BuiltinError.operand(i, mustBe: .number, got: a[i]) }
        switch number {
        case .int(let v): return BigInt(v)
        case .big(let v): return v
        case .float: throw BuiltinError.type("operand \(i + 1) must be integer number but got floating-point number")
        }
    }

    static func bits(_ name: String, _ op: @escaping @Sendable (BigInt, BigInt) -> BigInt) -> Builtin {
        Builtin(name, [n, n], n) { a, _ in .number(.integer(op(try bigInt(a, 0), try bigInt(a, 1)))) }
    }

    static func shift(_ a: [Value], left: Bool) throws -> Value {
        let value = try bigInt(a, 0), amount = try bigInt(a, 1)
        guard amount >= 0 else { throw BuiltinError.type("operand 2 must be an unsigned integer number but got a negative integer") }
        guard let count = Int(exactly: amount), count < 1 << 20 else {
            throw BuiltinError.builtin("shift amount too large")
        }
        return .number(.integer(left ? value << count : value >> count))
    }

    static func semver(_ a: [Value], _ i: Int) throws -> SemanticVersion {
        let text = try a.string(i)
        guard let version = SemanticVersion(text) else {
            throw BuiltinError.builtin("operand \(i + 1): string \(GoTime.quote(text)) is not a valid SemVer")
        }
        return version
    }

    static func number(literal: String) throws -> Value {
        guard let number = Number(text: literal) else { throw BuiltinError.builtin("could not parse amount to a number") }
        return .number(number)
    }

    // MARK: UUID

    static func parseUUID(_ text: String) -> [UInt8]? {
        var t = Substring(text)
        switch t.count {
        case 36: break
        case 38:
            guard t.first == "{", t.last == "}" else { return nil }
            t = t.dropFirst().dropLast()
        case 45:
            guard t.lowercased().hasPrefix("urn:uuid:") else { return nil }
            t = t.dropFirst(9)
        case 32: break
        default: return nil
        }
        let chars = Array(t.utf8)
        if chars.count == 36 {
            for i in [8, 13, 18, 23] where chars[i] != UInt8(ascii: "-") { return nil }
        }
        let digits = chars.count == 36 ? chars.enumerated().filter { ![8, 13, 18, 23].contains($0.offset) }.map(\.element) : chars
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 32, by: 2) {
            guard let h = EncodingBuiltins.hexDigit(digits[i]), let l = EncodingBuiltins.hexDigit(digits[i + 1]) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    static func describeUUID(_ u: [UInt8]) -> Value {
        let version = Int(u[6] >> 4)
        let variant: String
        switch u[8] {
        case 0xC0...0xDF: variant = "Microsoft"
        case 0xE0...0xFF: variant = "Future"
        case 0x80...0xBF: variant = "RFC4122"
        default: variant = "Reserved"
        }
        var fields: [(Value, Value)] = [("version", .int(version)), ("variant", .string(variant))]
        if version == 1 || version == 2 {
            var t = Int64(u[0]) << 24 | Int64(u[1]) << 16 | Int64(u[2]) << 8 | Int64(u[3])
            t |= (Int64(u[4]) << 8 | Int64(u[5])) << 32
            t |= ((Int64(u[6]) << 8 | Int64(u[7])) & 0xFFF) << 48
            let sinceUnix = t - 122_192_928_000_000_000
            let nanos = (sinceUnix / 10_000_000) * 1_000_000_000 + (sinceUnix % 10_000_000) * 100
            fields.append(("time", .number(.int(Int(nanos)))))
            fields.append(("clocksequence", .int(Int((UInt16(u[8]) << 8 | UInt16(u[9])) & 0x3FFF))))
            let node = u[10...].map { byte -> String in
                let h = String(byte, radix: 16)
                return h.count == 1 ? "0" + h : h
            }.joined(separator: "-")
            fields.append(("nodeid", .string(node)))
            let mac = (u[10] & 0x02 != 0 ? "local" : "global") + ":" + (u[10] & 0x01 != 0 ? "multicast" : "unicast")
            fields.append(("macvariables", .string(mac)))
            if version == 2 {
                let domain: String
                switch u[9] {
                case 0: domain = "Person"
                case 1: domain = "Group"
                case 2: domain = "Org"
                default: domain = "Domain\(u[9])"
                }
                fields.append(("domain", .string(domain)))
                let id = Int(u[0]) << 24 | Int(u[1]) << 16 | Int(u[2]) << 8 | Int(u[3])
                fields.append(("id", .int(id)))
            }
        }
        return .object(ObjectValue(fields))
    }

    static func formatUUID(_ u: [UInt8]) -> String {
        let hex = u.map { byte -> String in
            let h = String(byte, radix: 16)
            return h.count == 1 ? "0" + h : h
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }

    static let all: [Builtin] = [
        typeCheck("is_string") { if case .string = $0 { return true }; return false },
        typeCheck("is_number") { if case .number = $0 { return true }; return false },
        typeCheck("is_boolean") { if case .bool = $0 { return true }; return false },
        typeCheck("is_array") { if case .array = $0 { return true }; return false },
        typeCheck("is_set") { if case .set = $0 { return true }; return false },
        typeCheck("is_object") { if case .object = $0 { return true }; return false },
        typeCheck("is_null") { if case .null = $0 { return true }; return false },

        bits("bits.and") { $0 & $1 },
        bits("bits.or") { $0 | $1 },
        bits("bits.xor") { $0 ^ $1 },
        Builtin("bits.negate", [n], n) { a, _ in .number(.integer(~(try bigInt(a, 0)))) },
        Builtin("bits.lsh", [n, n], n) { a, _ in try shift(a, left: true) },
        Builtin("bits.rsh", [n, n], n) { a, _ in try shift(a, left: false) },

        Builtin("units.parse", [s], n) { a, _ in
            do {
                return try number(literal: try Units.parse(try a.string(0)).literal)
            } catch let failure as Units.Failure {
                throw BuiltinError.builtin(failure.description)
            }
        },
        Builtin("units.parse_bytes", [s], n) { a, _ in
            do {
                return .number(.integer(try Units.parseBytes(try a.string(0))))
            } catch let failure as Units.Failure {
                throw BuiltinError.builtin(failure.description)
            }
        },

        Builtin("semver.is_valid", [.any], b) { a, _ in
            guard case .string(let text) = a[0] else { return .false }
            return .bool(SemanticVersion(text) != nil)
        },
        Builtin("semver.compare", [s, s], n) { a, _ in
            .int(SemanticVersion.compare(try semver(a, 0), try semver(a, 1)))
        },

        Builtin("uuid.parse", [s], .object(.string, .any)) { a, _ in
            guard let bytes = parseUUID(try a.string(0)) else { return nil }
            return describeUUID(bytes)
        },
        Builtin("rand.intn", [s, n], n, nondeterministic: true) { a, context in
            let bound = try a.int(1)
            let key = "rand.intn:" + (try a.string(0)) + ":" + String(bound)
            if let cached = context.cache[key] as? Int { return .int(cached) }
            let value = bound == 0 ? 0 : Int.random(in: 0..<abs(bound))
            context.cache[key] = value
            return .int(value)
        },
        Builtin("uuid.rfc4122", [s], s, nondeterministic: true) { a, context in
            let key = "uuid.rfc4122:" + (try a.string(0))
            if let cached = context.cache[key] as? String { return .string(cached) }
            var generator = SystemRandomNumberGenerator()
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes[6] = (bytes[6] & 0x0F) | 0x40
            bytes[8] = (bytes[8] & 0x3F) | 0x80
            let text = formatUUID(bytes)
            context.cache[key] = text
            return .string(text)
        },
    ]
}
