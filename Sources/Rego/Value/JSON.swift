/// JSON reading and writing for `Value`, keeping number text exact.
public enum JSON {
    /// A JSON syntax error with the byte offset where it was found.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        /// What was wrong.
        public var message: String
        /// Byte offset into the input.
        public var offset: Int
        public var description: String { "invalid JSON at offset \(offset): \(message)" }
    }

    /// Parses one JSON document (surrounding whitespace allowed).
    public static func parse(_ text: String) throws -> Value {
        var copy = text
        return try copy.withUTF8 { buf in
            var p = Parser(bytes: buf)
            p.skipWhitespace()
            let v = try p.parseValue(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count { throw SyntaxError(message: "trailing characters", offset: p.pos) }
            return v
        }
    }

    /// Parses JSON bytes.
    public static func parse(bytes: [UInt8]) throws -> Value {
        try bytes.withUnsafeBufferPointer { buf in
            var p = Parser(bytes: buf)
            p.skipWhitespace()
            let v = try p.parseValue(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count { throw SyntaxError(message: "trailing characters", offset: p.pos) }
            return v
        }
    }

    /// Serialises a value compactly: sets as sorted arrays, object keys in Rego order,
    /// non-string keys written as their JSON text.
    public static func serialize(_ value: Value, sortKeys: Bool = true) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    /// Serialises with indentation (two spaces per level, like `opa eval`'s output).
    public static func serializePretty(_ value: Value, indent: String = "  ") -> String {
        var out = ""
        writePretty(value, level: 0, indent: indent, into: &out)
        return out
    }

    static func write(_ value: Value, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.description
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                write(v, into: &out)
            }
            out += "]"
        case .set(let s):
            out += "["
            for (i, v) in s.elements.enumerated() {
                if i > 0 { out += "," }
                write(v, into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in objectEntriesForJSON(o).enumerated() {
                if i > 0 { out += "," }
                writeString(k, into: &out)
                out += ":"
                write(v, into: &out)
            }
            out += "}"
        }
    }

    static func objectEntriesForJSON(_ o: ObjectValue) -> [(String, Value)] {
        var entries: [(String, Value)] = []
        var allStrings = true
        for (k, v) in o.entries {
            if case .string(let s) = k { entries.append((s, v)) } else {
                allStrings = false
                entries.append((serialize(k), v))
            }
        }
        if !allStrings { entries.sort { $0.0 < $1.0 } }
        return entries
    }

    static func writePretty(_ value: Value, level: Int, indent: String, into out: inout String) {
        let pad = String(repeating: indent, count: level + 1)
        let closePad = String(repeating: indent, count: level)
        switch value {
        case .array(let a) where !a.isEmpty:
            out += "[\n"
            for (i, v) in a.enumerated() {
                out += pad
                writePretty(v, level: level + 1, indent: indent, into: &out)
                out += i + 1 < a.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .set(let s) where !s.isEmpty:
            writePretty(.array(s.elements), level: level, indent: indent, into: &out)
        case .object(let o) where !o.isEmpty:
            out += "{\n"
            let entries = objectEntriesForJSON(o)
            for (i, (k, v)) in entries.enumerated() {
                out += pad
                writeString(k, into: &out)
                out += ": "
                writePretty(v, level: level + 1, indent: indent, into: &out)
                out += i + 1 < entries.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        default:
            write(value, into: &out)
        }
    }

    /// Writes a JSON string literal, escaping like Go's encoder (`<`, `>`, `&` kept literal).
    public static func writeString(_ s: String, into out: inout String) {
        out += "\""
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { needsEscape = true; break }
        if !needsEscape {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }

    /// Maximum nesting accepted by the parser.
    public static let maxDepth = 1000

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var pos = 0

        mutating func skipWhitespace() {
            while pos < bytes.count {
                let b = bytes[pos]
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1 } else { break }
            }
        }

        func fail(_ m: String) -> SyntaxError { SyntaxError(message: m, offset: pos) }

        mutating func parseValue(depth: Int) throws -> Value {
            guard depth < JSON.maxDepth else { throw fail("nesting too deep") }
            guard pos < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                pos += 1
                var pairs: [(Value, Value)] = []
                skipWhitespace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(ObjectValue()) }
                while true {
                    skipWhitespace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected object key") }
                    let k = try parseString()
                    skipWhitespace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    pos += 1
                    skipWhitespace()
                    let v = try parseValue(depth: depth + 1)
                    pairs.append((.string(k), v))
                    skipWhitespace()
                    guard pos < bytes.count else { throw fail("unexpected end of input") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
                    throw fail("expected ',' or '}'")
                }
                return .object(ObjectValue(pairs))
            case UInt8(ascii: "["):
                pos += 1
                var items: [Value] = []
                skipWhitespace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array([]) }
                while true {
                    skipWhitespace()
                    items.append(try parseValue(depth: depth + 1))
                    skipWhitespace()
                    guard pos < bytes.count else { throw fail("unexpected end of input") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
                    throw fail("expected ',' or ']'")
                }
                return .array(items)
            case UInt8(ascii: "\""):
                return .string(try parseString())
            case UInt8(ascii: "t"):
                try expectWord("true"); return .bool(true)
            case UInt8(ascii: "f"):
                try expectWord("false"); return .bool(false)
            case UInt8(ascii: "n"):
                try expectWord("null"); return .null
            default:
                return .number(try parseNumber())
            }
        }

        mutating func expectWord(_ w: StaticString) throws {
            let n = w.utf8CodeUnitCount
            guard pos + n <= bytes.count else { throw fail("invalid literal") }
            for i in 0..<n where bytes[pos + i] != w.utf8Start[i] { throw fail("invalid literal") }
            pos += n
        }

        mutating func parseNumber() throws -> Number {
            let start = pos
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            var digits = 0
            while pos < bytes.count, (0x30...0x39).contains(bytes[pos]) { pos += 1; digits += 1 }
            guard digits > 0 else { throw fail("invalid number") }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                pos += 1
                var frac = 0
                while pos < bytes.count, (0x30...0x39).contains(bytes[pos]) { pos += 1; frac += 1 }
                guard frac > 0 else { throw fail("invalid number") }
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                var ed = 0
                while pos < bytes.count, (0x30...0x39).contains(bytes[pos]) { pos += 1; ed += 1 }
                guard ed > 0 else { throw fail("invalid number") }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
            guard let n = Number(text: text) else { throw SyntaxError(message: "invalid number", offset: start) }
            return n
        }

        mutating func parseString() throws -> String {
            pos += 1  // opening quote
            let start = pos
            // Fast path: no escapes.
            while pos < bytes.count {
                let b = bytes[pos]
                if b == UInt8(ascii: "\"") {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                    pos += 1
                    return s
                }
                if b == UInt8(ascii: "\\") || b < 0x20 { break }
                pos += 1
            }
            var buf = Array(bytes[start..<pos])
            while pos < bytes.count {
                let b = bytes[pos]
                if b == UInt8(ascii: "\"") { pos += 1; return String(decoding: buf, as: UTF8.self) }
                if b < 0x20 { throw fail("control character in string") }
                if b == UInt8(ascii: "\\") {
                    pos += 1
                    guard pos < bytes.count else { break }
                    let e = bytes[pos]
                    pos += 1
                    switch e {
                    case UInt8(ascii: "\""): buf.append(0x22)
                    case UInt8(ascii: "\\"): buf.append(0x5C)
                    case UInt8(ascii: "/"): buf.append(0x2F)
                    case UInt8(ascii: "b"): buf.append(0x08)
                    case UInt8(ascii: "f"): buf.append(0x0C)
                    case UInt8(ascii: "n"): buf.append(0x0A)
                    case UInt8(ascii: "r"): buf.append(0x0D)
                    case UInt8(ascii: "t"): buf.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code), pos + 1 < bytes.count,
                            bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
                        {
                            pos += 2
                            let low = try hex4()
                            if (0xDC00..<0xE000).contains(low) {
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                code = 0xFFFD
                            }
                        }
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        buf.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default:
                        throw fail("invalid escape")
                    }
                    continue
                }
                buf.append(b)
                pos += 1
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard pos + 4 <= bytes.count else { throw fail("invalid unicode escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[pos]
                let d: UInt32
                switch b {
                case 0x30...0x39: d = UInt32(b - 0x30)
                case 0x41...0x46: d = UInt32(b - 0x41 + 10)
                case 0x61...0x66: d = UInt32(b - 0x61 + 10)
                default: throw fail("invalid unicode escape")
                }
                v = v * 16 + d
                pos += 1
            }
            return v
        }
    }
}

extension Value: CustomStringConvertible {
    /// The compact JSON text (sets written as Rego set literals).
    public var description: String {
        switch self {
        case .set(let s):
            if s.isEmpty { return "set()" }
            return "{" + s.elements.map(\.description).joined(separator: ", ") + "}"
        case .array(let a):
            return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.entries.map { "\($0.0.description): \($0.1.description)" }.joined(separator: ", ") + "}"
        default:
            return JSON.serialize(self)
        }
    }
}
