/// `base64.*`, `base64url.*`, `hex.*` and `urlquery.*`.
enum EncodingBuiltins {
    static let s = BuiltinType.string
    static let b = BuiltinType.boolean

    static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Base64 text of `bytes`.
    static func base64(_ bytes: [UInt8], url: Bool = false, pad: Bool = true) -> String {
        let alphabet = url ? urlAlphabet : standardAlphabet
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)]]
            if pad { out += Array("==".utf8) }
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)]]
            if pad { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64 like Go's `base64.StdEncoding`/`URLEncoding` (`pad`) or the raw variants; the error names the byte.
    static func decodeBase64(_ text: String, url: Bool = false, pad: Bool = true) -> Result<[UInt8], BuiltinError> {
        let alphabet = url ? urlAlphabet : standardAlphabet
        var table = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = i }
        let input = Array(text.utf8).filter { $0 != 10 && $0 != 13 }
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        var index = 0
        func fail(_ at: Int) -> Result<[UInt8], BuiltinError> {
            .failure(.builtin("illegal base64 data at input byte \(at)"))
        }
        while index < input.count {
            let c = input[index]
            if c == UInt8(ascii: "=") {
                guard pad else { return fail(index) }
                // Padding must complete a quantum and end the input.
                let quantum = index % 4
                guard quantum >= 2 else { return fail(index) }
                let needed = 4 - quantum
                guard index + needed == input.count, input[index...].allSatisfy({ $0 == UInt8(ascii: "=") }) else {
                    return fail(index + (input[index...].firstIndex { $0 != UInt8(ascii: "=") } ?? input.count) - index)
                }
                break
            }
            let v = table[Int(c)]
            guard v >= 0 else { return fail(index) }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
            index += 1
        }
        let dataCount = input.prefix { $0 != UInt8(ascii: "=") }.count
        if dataCount % 4 == 1 { return fail(dataCount - 1) }
        if pad && input.count % 4 != 0 { return fail(input.count - (input.count % 4 == 0 ? 0 : 0)) }
        return .success(out)
    }

    static func utf8String(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// Go's `url.QueryEscape`.
    static func queryEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 65...90, 97...122, 48...57, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return out
    }

    /// Go's `url.QueryUnescape`.
    static func queryUnescape(_ text: String) throws -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "%"):
                guard i + 2 < bytes.count, let h = hexDigit(bytes[i + 1]), let l = hexDigit(bytes[i + 2]) else {
                    let end = min(bytes.count, i + 3)
                    throw BuiltinError.builtin("invalid URL escape \(GoTime.quote(utf8String(Array(bytes[i..<end]))))")
                }
                out.append(h << 4 | l)
                i += 3
            case UInt8(ascii: "+"):
                out.append(32); i += 1
            default:
                out.append(bytes[i]); i += 1
            }
        }
        return utf8String(out)
    }

    static func resultOrThrow(_ r: Result<[UInt8], BuiltinError>) throws -> [UInt8] {
        switch r {
        case .success(let v): return v
        case .failure(let e): throw e
        }
    }

    static let all: [Builtin] = [
        Builtin("base64.encode", [s], s) { a, _ in .string(base64(Array(try a.string(0).utf8))) },
        Builtin("base64.decode", [s], s) { a, _ in .string(utf8String(try resultOrThrow(decodeBase64(try a.string(0))))) },
        Builtin("base64.is_valid", [s], b) { a, _ in
            if case .success = decodeBase64(try a.string(0)) { return .true }
            return .false
        },
        Builtin("base64url.encode", [s], s) { a, _ in .string(base64(Array(try a.string(0).utf8), url: true)) },
        Builtin("base64url.encode_no_pad", [s], s) { a, _ in
            .string(base64(Array(try a.string(0).utf8), url: true, pad: false))
        },
        Builtin("base64url.decode", [s], s) { a, _ in
            var input = try a.string(0)
            if !input.hasSuffix("=") {
                switch input.utf8.count % 4 {
                case 0: break
                case 2: input += "=="
                case 3: input += "="
                default: throw BuiltinError.builtin("illegal base64url string: \(input)")
                }
            }
            return .string(utf8String(try resultOrThrow(decodeBase64(input, url: true))))
        },
        Builtin("hex.encode", [s], s) { a, _ in
            let digits = Array("0123456789abcdef".unicodeScalars)
            var out = String.UnicodeScalarView()
            for byte in try a.string(0).utf8 { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
            return .string(String(out))
        },
        Builtin("hex.decode", [s], s) { a, _ in
            let bytes = Array(try a.string(0).utf8)
            var out: [UInt8] = []
            var i = 0
            while i + 1 < bytes.count {
                guard let h = hexDigit(bytes[i]) else {
                    throw BuiltinError.builtin("encoding/hex: invalid byte: U+00\(String(bytes[i], radix: 16, uppercase: true)) \(quoteRune(bytes[i]))")
                }
                guard let l = hexDigit(bytes[i + 1]) else {
                    throw BuiltinError.builtin("encoding/hex: invalid byte: U+00\(String(bytes[i + 1], radix: 16, uppercase: true)) \(quoteRune(bytes[i + 1]))")
                }
                out.append(h << 4 | l)
                i += 2
            }
            if bytes.count % 2 == 1 {
                if hexDigit(bytes[bytes.count - 1]) == nil {
                    throw BuiltinError.builtin("encoding/hex: invalid byte: U+00\(String(bytes[bytes.count - 1], radix: 16, uppercase: true)) \(quoteRune(bytes[bytes.count - 1]))")
                }
                throw BuiltinError.builtin("encoding/hex: odd length hex string")
            }
            return .string(utf8String(out))
        },
        Builtin("urlquery.encode", [s], s) { a, _ in .string(queryEscape(try a.string(0))) },
        Builtin("urlquery.decode", [s], s) { a, _ in .string(try queryUnescape(try a.string(0))) },
        Builtin("urlquery.encode_object", [.object(.string, .anyOf([.string, .array(.string), .set(.string)]))], s) { a, _ in
            var parts: [String] = []
            for (k, v) in try a.object(0).entries {
                guard case .string(let key) = k else { continue }
                var values: [Value] = []
                switch v {
                case .string: values = [v]
                case .array(let items): values = items
                case .set(let set): values = set.elements
                default: throw BuiltinError.type("operand 1 must be one of {string, array, set} but got \(v.typeName)")
                }
                for item in values {
                    guard case .string(let text) = item else {
                        throw BuiltinError.type("operand 1 must be string but got \(item.typeName)")
                    }
                    parts.append(queryEscape(key) + "=" + queryEscape(text))
                }
            }
            return .string(parts.joined(separator: "&"))
        },
        Builtin("urlquery.decode_object", [s], .object(.string, .array(.string))) { a, _ in
            var table: [String: [Value]] = [:]
            var order: [String] = []
            for part in try a.string(0).split(separator: "&", omittingEmptySubsequences: true) {
                if part.contains(";") { throw BuiltinError.builtin("invalid semicolon separator in query") }
                let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = try queryUnescape(String(pieces[0]))
                let value = pieces.count > 1 ? try queryUnescape(String(pieces[1])) : ""
                if table[key] == nil { order.append(key) }
                table[key, default: []].append(.string(value))
            }
            return .object(ObjectValue(order.map { (Value.string($0), Value.array(table[$0]!)) }))
        },
    ]

    static func quoteRune(_ byte: UInt8) -> String {
        "'" + String(Unicode.Scalar(byte)) + "'"
    }
}
