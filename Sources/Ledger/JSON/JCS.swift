/// RFC 8785 JSON Canonicalization Scheme.
///
/// Parses I-JSON (RFC 7493: UTF-8, no duplicate member names, no lone
/// surrogates, numbers that fit a double) and writes the canonical form: no
/// insignificant whitespace, members sorted by the UTF-16 code units of their
/// names, strings with only the escapes ECMAScript's `JSON.stringify` uses,
/// numbers as ECMAScript's `Number.prototype.toString` writes them.
public enum JCS {
    /// Deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 512

    /// The canonical form of the JSON text `json`; throws `invalidJSON` naming the byte offset of the problem.
    public static func canonicalize(_ json: [UInt8]) throws -> [UInt8] {
        try json.withUnsafeBufferPointer { try canonicalize($0) }
    }

    /// The canonical form of the JSON text in `json`.
    public static func canonicalize(_ json: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        var canonicalizer = Canonicalizer()
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        try canonicalizer.canonicalize(json, into: &out)
        return out
    }

    /// A reusable RFC 8785 canonicaliser: it writes canonical bytes straight
    /// into a caller's buffer and keeps its working storage (member names and
    /// positions, a scratch buffer) between calls, so canonicalising a stream
    /// of records allocates nothing per record once warm.
    ///
    /// Objects whose members already arrive in canonical order are written
    /// in place; only an out-of-order object is re-emitted, sorted, from the
    /// scratch buffer. Output is byte-identical either way.
    public struct Canonicalizer: Sendable {
        fileprivate var storage = Storage()

        /// A canonicaliser with empty working storage.
        public init() {}

        /// Appends the canonical form of the JSON text `json` to `out`; throws
        /// `invalidJSON` naming the byte offset of the problem (`out` then holds
        /// a partial result the caller should discard).
        public mutating func canonicalize(_ json: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws {
            var sink = ArraySink(bytes: [])
            swap(&sink.bytes, &out)
            defer { swap(&sink.bytes, &out) }
            try run(json, into: &sink)
        }

        /// Whether the JSON text `json` is exactly its own canonical form.
        ///
        /// Runs the same parser as `canonicalize`, but instead of writing the
        /// canonical bytes it compares each one with the input at the same
        /// offset, so `true` means the canonical form equals `json` byte for
        /// byte. Throws `invalidJSON` exactly where `canonicalize` would.
        public mutating func isCanonical(_ json: UnsafeBufferPointer<UInt8>) throws -> Bool {
            var sink = CheckSink(input: json)
            do {
                try run(json, into: &sink)
            } catch is NotCanonical {
                return false
            }
            return !sink.abandoned && sink.count == json.count
        }

        private mutating func run<S: ByteSink>(_ json: UnsafeBufferPointer<UInt8>, into out: inout S) throws {
            var parser = Parser(input: json, storage: storage)
            storage = Storage()
            defer { storage = parser.takeStorage() }
            parser.skipWhitespace()
            try parser.value(into: &out, depth: 0)
            parser.skipWhitespace()
            guard parser.position == json.count else { throw parser.error("unexpected data after the JSON value") }
        }
    }

    /// Thrown inside the parser when a `CheckSink` has seen a difference (never escapes `isCanonical`).
    fileprivate struct NotCanonical: Error {}

    /// Where the parser writes canonical bytes.
    fileprivate protocol ByteSink {
        /// Bytes written so far.
        var count: Int { get }
        /// Whether writing can stop: the result is already known not to be wanted.
        var abandoned: Bool { get }
        mutating func append(_ byte: UInt8)
        mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
        /// Told as soon as an object's members are found out of order.
        mutating func noteUnsorted()
        /// Re-emits the members written since `bodyStart` (in input order) in the order of `members`.
        mutating func emitSorted(_ members: ArraySlice<Member>, bodyStart: Int, scratch: inout [UInt8])
    }

    /// Writes into a byte array.
    fileprivate struct ArraySink: ByteSink {
        var bytes: [UInt8]
        var count: Int { bytes.count }
        var abandoned: Bool { false }

        @inline(__always) mutating func append(_ byte: UInt8) { bytes.append(byte) }
        @inline(__always) mutating func append(contentsOf other: UnsafeBufferPointer<UInt8>) {
            bytes.append(contentsOf: other)
        }

        func noteUnsorted() {}

        mutating func emitSorted(_ members: ArraySlice<Member>, bodyStart: Int, scratch: inout [UInt8]) {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: bytes[bodyStart...])
            bytes.removeSubrange(bodyStart...)
            for (i, member) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: scratch[(member.outStart - bodyStart)..<(member.outEnd - bodyStart)])
            }
        }
    }

    /// Compares what would be written with the input at the same offset.
    fileprivate struct CheckSink: ByteSink {
        let input: UnsafeBufferPointer<UInt8>
        var count = 0
        var abandoned = false

        init(input: UnsafeBufferPointer<UInt8>) {
            self.input = input
        }

        @inline(__always) mutating func append(_ byte: UInt8) {
            if count >= input.count || input[count] != byte { abandoned = true }
            count += 1
        }

        @inline(__always) mutating func append(contentsOf other: UnsafeBufferPointer<UInt8>) {
            defer { count += other.count }
            guard !abandoned, count + other.count <= input.count else {
                abandoned = true
                return
            }
            // Copies of the input at the same offset (the usual case) are equal by position.
            if other.isEmpty || other.baseAddress == input.baseAddress! + count { return }
            for i in 0..<other.count where input[count + i] != other[i] {
                abandoned = true
                return
            }
        }

        mutating func noteUnsorted() {
            abandoned = true
        }

        mutating func emitSorted(_ members: ArraySlice<Member>, bodyStart: Int, scratch: inout [UInt8]) {
            abandoned = true
        }
    }

    /// A member of an object being written: its unescaped name (in `names`) and its bytes in the output.
    fileprivate struct Member: Sendable {
        var nameStart: Int
        var nameEnd: Int
        var outStart: Int
        var outEnd: Int
    }

    /// Working storage kept across records.
    fileprivate struct Storage: Sendable {
        /// Unescaped member names of the objects being parsed (a stack).
        var names: [UInt8] = []
        /// Members of the objects being parsed (a stack).
        var members: [Member] = []
        /// Unescaped string contents, and the copy of an object's members while it is re-sorted.
        var scratch: [UInt8] = []
    }

    /// The canonical form of a value built in code; throws `invalidJSON` for a non-finite number or a lone surrogate.
    public static func canonicalize(_ value: JSONValue) throws -> [UInt8] {
        var out: [UInt8] = []
        try write(value, into: &out, depth: 0)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], depth: Int) throws {
        guard depth <= maximumDepth else { throw LedgerError(.invalidJSON, "JSON nested deeper than \(maximumDepth)") }
        switch value {
        case .null: out.append(contentsOf: [0x6e, 0x75, 0x6c, 0x6c])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .number(let d):
            guard d.isFinite else { throw LedgerError(.invalidJSON, "JSON numbers must be finite") }
            NumberFormatting.write(d, into: &out)
        case .string(let s): writeString(Array(s.utf8), into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(item, into: &out, depth: depth + 1)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            let sorted = members.map { (Array($0.key.utf16), $0.key, $0.value) }
                .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            out.append(UInt8(ascii: "{"))
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(Array(member.1.utf8), into: &out)
                out.append(UInt8(ascii: ":"))
                try write(member.2, into: &out, depth: depth + 1)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes already-validated UTF-8 `bytes` as a canonical JSON string.
    static func writeString(_ bytes: [UInt8], into out: inout [UInt8]) {
        var sink = ArraySink(bytes: [])
        swap(&sink.bytes, &out)
        bytes.withUnsafeBufferPointer { writeString($0, into: &sink) }
        swap(&sink.bytes, &out)
    }

    /// Writes already-validated UTF-8 `bytes` as a canonical JSON string.
    fileprivate static func writeString<S: ByteSink>(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout S) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes { escape(byte, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    fileprivate static func escape<S: ByteSink>(_ byte: UInt8, into out: inout S) {
        switch byte {
        case UInt8(ascii: "\""): out.append(0x5c); out.append(byte)
        case UInt8(ascii: "\\"): out.append(0x5c); out.append(byte)
        case 0x08: out.append(0x5c); out.append(UInt8(ascii: "b"))
        case 0x09: out.append(0x5c); out.append(UInt8(ascii: "t"))
        case 0x0a: out.append(0x5c); out.append(UInt8(ascii: "n"))
        case 0x0c: out.append(0x5c); out.append(UInt8(ascii: "f"))
        case 0x0d: out.append(0x5c); out.append(UInt8(ascii: "r"))
        case 0..<0x20:
            out.append(0x5c); out.append(UInt8(ascii: "u")); out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "0"))
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xf)])
        default: out.append(byte)
        }
    }

    private struct Parser {
        let input: UnsafeBufferPointer<UInt8>
        var position = 0
        var names: [UInt8]
        var members: [Member]
        var scratch: [UInt8]

        init(input: UnsafeBufferPointer<UInt8>, storage: Storage) {
            self.input = input
            self.names = storage.names
            self.members = storage.members
            self.scratch = storage.scratch
        }

        /// Hands the working storage back, emptied but with its capacity.
        mutating func takeStorage() -> Storage {
            var storage = Storage()
            swap(&storage.names, &names)
            swap(&storage.members, &members)
            swap(&storage.scratch, &scratch)
            storage.names.removeAll(keepingCapacity: true)
            storage.members.removeAll(keepingCapacity: true)
            storage.scratch.removeAll(keepingCapacity: true)
            return storage
        }

        func error(_ message: String) -> LedgerError {
            LedgerError(.invalidJSON, "invalid JSON at byte \(position): \(message)")
        }

        @inline(__always)
        mutating func skipWhitespace() {
            while position < input.count {
                switch input[position] {
                case 0x20, 0x09, 0x0a, 0x0d: position += 1
                default: return
                }
            }
        }

        mutating func value<S: ByteSink>(into out: inout S, depth: Int) throws {
            guard position < input.count else { throw error("unexpected end of input") }
            switch input[position] {
            case UInt8(ascii: "{"): try object(into: &out, depth: depth + 1)
            case UInt8(ascii: "["): try array(into: &out, depth: depth + 1)
            case UInt8(ascii: "\""): try stringValue(into: &out)
            case UInt8(ascii: "t"): try literal("true", into: &out)
            case UInt8(ascii: "f"): try literal("false", into: &out)
            case UInt8(ascii: "n"): try literal("null", into: &out)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(into: &out)
            default: throw error("unexpected character")
            }
        }

        mutating func literal<S: ByteSink>(_ word: StaticString, into out: inout S) throws {
            let count = word.utf8CodeUnitCount
            guard position + count <= input.count else { throw error("unexpected end of input") }
            let bytes = UnsafeBufferPointer(start: word.utf8Start, count: count)
            for i in 0..<count where input[position + i] != bytes[i] { throw error("unknown literal") }
            out.append(contentsOf: bytes)
            position += count
        }

        mutating func array<S: ByteSink>(into out: inout S, depth: Int) throws {
            guard depth <= JCS.maximumDepth else { throw error("nested deeper than \(JCS.maximumDepth)") }
            position += 1
            out.append(UInt8(ascii: "["))
            skipWhitespace()
            if position < input.count, input[position] == UInt8(ascii: "]") {
                position += 1
                out.append(UInt8(ascii: "]"))
                return
            }
            while true {
                skipWhitespace()
                try value(into: &out, depth: depth)
                if out.abandoned { throw NotCanonical() }
                skipWhitespace()
                guard position < input.count else { throw error("unterminated array") }
                let c = input[position]
                position += 1
                if c == UInt8(ascii: ",") {
                    out.append(c)
                } else if c == UInt8(ascii: "]") {
                    out.append(c)
                    return
                } else {
                    position -= 1
                    throw error("expected ',' or ']'")
                }
            }
        }

        mutating func object<S: ByteSink>(into out: inout S, depth: Int) throws {
            guard depth <= JCS.maximumDepth else { throw error("nested deeper than \(JCS.maximumDepth)") }
            position += 1
            skipWhitespace()
            out.append(UInt8(ascii: "{"))
            if position < input.count, input[position] == UInt8(ascii: "}") {
                position += 1
                out.append(UInt8(ascii: "}"))
                return
            }
            // Members are written in input order straight into `out`; if their
            // names turn out not to be in UTF-16 order they are re-emitted sorted.
            let memberBase = members.count
            let nameBase = names.count
            let bodyStart = out.count
            var sorted = true
            while true {
                skipWhitespace()
                guard position < input.count, input[position] == UInt8(ascii: "\"") else {
                    throw error("expected a member name")
                }
                if members.count > memberBase { out.append(UInt8(ascii: ",")) }
                let nameStart = names.count
                let outStart = out.count
                if let end = plainStringEnd() {
                    // Printable ASCII without escapes: the name is its own canonical form.
                    names.append(contentsOf: UnsafeBufferPointer(rebasing: input[(position + 1)..<end]))
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: input[position...end]))
                    position = end + 1
                } else {
                    try string(into: \.names)
                    names.withUnsafeBufferPointer { writeString(UnsafeBufferPointer(rebasing: $0[nameStart...]), into: &out) }
                }
                skipWhitespace()
                guard position < input.count, input[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                out.append(UInt8(ascii: ":"))
                skipWhitespace()
                try value(into: &out, depth: depth)
                if out.abandoned { throw NotCanonical() }
                if sorted, let last = members.last, members.count > memberBase,
                    !JCS.precedes(names, last.nameStart..<last.nameEnd, nameStart..<names.count)
                {
                    sorted = false
                    out.noteUnsorted()
                    if out.abandoned { throw NotCanonical() }
                }
                members.append(Member(nameStart: nameStart, nameEnd: names.count, outStart: outStart, outEnd: out.count))
                skipWhitespace()
                guard position < input.count else { throw error("unterminated object") }
                let c = input[position]
                position += 1
                if c == UInt8(ascii: "}") { break }
                guard c == UInt8(ascii: ",") else {
                    position -= 1
                    throw error("expected ',' or '}'")
                }
            }
            if !sorted {
                try sortMembers(from: memberBase)
                out.emitSorted(members[memberBase...], bodyStart: bodyStart, scratch: &scratch)
            }
            out.append(UInt8(ascii: "}"))
            members.removeSubrange(memberBase...)
            names.removeSubrange(nameBase...)
        }

        /// If the string token at `position` is printable ASCII without escapes, the index of its closing quote.
        @inline(__always)
        func plainStringEnd() -> Int? {
            var end = position + 1
            while end < input.count {
                let c = input[end]
                if c == UInt8(ascii: "\"") { return end }
                if c < 0x20 || c >= 0x80 || c == UInt8(ascii: "\\") { return nil }
                end += 1
            }
            return nil
        }

        /// Sorts the members from `memberBase` on by name; throws on a duplicate name.
        mutating func sortMembers(from memberBase: Int) throws {
            let allNames = names
            members[memberBase...].sort {
                JCS.precedes(allNames, $0.nameStart..<$0.nameEnd, $1.nameStart..<$1.nameEnd)
            }
            for i in (memberBase + 1)..<members.count {
                let a = members[i - 1], b = members[i]
                if allNames[a.nameStart..<a.nameEnd].elementsEqual(allNames[b.nameStart..<b.nameEnd]) {
                    throw error("duplicate member name")
                }
            }
        }

        /// Reads a string value and writes it in canonical form. A string
        /// without escapes is copied as is once its UTF-8 is validated (its
        /// canonical form is itself); one with escapes is decoded and re-escaped.
        mutating func stringValue<S: ByteSink>(into out: inout S) throws {
            let start = position
            var end = position + 1
            while end < input.count {
                let c = input[end]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
                if c >= 0x80 {
                    position = end
                    try validateMultibyte()
                    end = position
                } else {
                    end += 1
                }
            }
            if end < input.count && input[end] == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: input[start...end]))
                position = end + 1
                return
            }
            position = start
            scratch.removeAll(keepingCapacity: true)
            try string(into: \.scratch)
            scratch.withUnsafeBufferPointer { JCS.writeString($0, into: &out) }
        }

        /// Reads a string token into one of the working buffers (moved out while it is written).
        mutating func string(into buffer: WritableKeyPath<Parser, [UInt8]>) throws {
            var local: [UInt8] = []
            swap(&local, &self[keyPath: buffer])
            defer { swap(&local, &self[keyPath: buffer]) }
            try string(into: &local)
        }

        /// Reads a string token, writing its unescaped, validated UTF-8 into `raw`.
        mutating func string(into raw: inout [UInt8]) throws {
            position += 1
            while true {
                guard position < input.count else { throw error("unterminated string") }
                let c = input[position]
                switch c {
                case UInt8(ascii: "\""):
                    position += 1
                    return
                case UInt8(ascii: "\\"):
                    try escapeSequence(into: &raw)
                case 0..<0x20:
                    throw error("unescaped control character in string")
                case 0x20..<0x80:
                    raw.append(c)
                    position += 1
                default:
                    try multibyte(into: &raw)
                }
            }
        }

        mutating func multibyte(into raw: inout [UInt8]) throws {
            let start = position
            try validateMultibyte()
            raw.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<position]))
        }

        /// Checks one multi-byte UTF-8 sequence at `position` (no overlongs, no surrogates) and moves past it.
        mutating func validateMultibyte() throws {
            let c = input[position]
            let length: Int
            var scalar: UInt32
            switch c {
            case 0xc2...0xdf: length = 2; scalar = UInt32(c & 0x1f)
            case 0xe0...0xef: length = 3; scalar = UInt32(c & 0x0f)
            case 0xf0...0xf4: length = 4; scalar = UInt32(c & 0x07)
            default: throw error("invalid UTF-8")
            }
            guard position + length <= input.count else { throw error("truncated UTF-8") }
            for i in 1..<length {
                let next = input[position + i]
                guard next & 0xc0 == 0x80 else { throw error("invalid UTF-8") }
                scalar = scalar << 6 | UInt32(next & 0x3f)
            }
            switch length {
            case 3 where scalar < 0x800 || (0xd800...0xdfff).contains(scalar): throw error("invalid UTF-8")
            case 4 where scalar < 0x10000 || scalar > 0x10ffff: throw error("invalid UTF-8")
            default: break
            }
            position += length
        }

        mutating func hex4() throws -> UInt32 {
            guard position + 4 <= input.count else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for i in 0..<4 {
                let c = input[position + i]
                let digit: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | digit
            }
            position += 4
            return value
        }

        mutating func escapeSequence(into raw: inout [UInt8]) throws {
            guard position + 1 < input.count else { throw error("unterminated escape") }
            let c = input[position + 1]
            position += 2
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): raw.append(c)
            case UInt8(ascii: "b"): raw.append(0x08)
            case UInt8(ascii: "f"): raw.append(0x0c)
            case UInt8(ascii: "n"): raw.append(0x0a)
            case UInt8(ascii: "r"): raw.append(0x0d)
            case UInt8(ascii: "t"): raw.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xd800...0xdbff).contains(scalar) {
                    guard position + 1 < input.count, input[position] == UInt8(ascii: "\\"),
                        input[position + 1] == UInt8(ascii: "u")
                    else { throw error("lone surrogate in \\u escape") }
                    position += 2
                    let low = try hex4()
                    guard (0xdc00...0xdfff).contains(low) else { throw error("lone surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                } else if (0xdc00...0xdfff).contains(scalar) {
                    throw error("lone surrogate in \\u escape")
                }
                appendUTF8(scalar, into: &raw)
            default:
                position -= 1
                throw error("invalid escape")
            }
        }

        func appendUTF8(_ scalar: UInt32, into raw: inout [UInt8]) {
            switch scalar {
            case 0..<0x80: raw.append(UInt8(scalar))
            case 0x80..<0x800:
                raw.append(UInt8(0xc0 | scalar >> 6))
                raw.append(UInt8(0x80 | scalar & 0x3f))
            case 0x800..<0x10000:
                raw.append(UInt8(0xe0 | scalar >> 12))
                raw.append(UInt8(0x80 | scalar >> 6 & 0x3f))
                raw.append(UInt8(0x80 | scalar & 0x3f))
            default:
                raw.append(UInt8(0xf0 | scalar >> 18))
                raw.append(UInt8(0x80 | scalar >> 12 & 0x3f))
                raw.append(UInt8(0x80 | scalar >> 6 & 0x3f))
                raw.append(UInt8(0x80 | scalar & 0x3f))
            }
        }

        mutating func number<S: ByteSink>(into out: inout S) throws {
            let start = position
            var isInteger = true
            if input[position] == UInt8(ascii: "-") { position += 1 }
            guard position < input.count else { throw error("truncated number") }
            let first = input[position]
            let integerStart = position
            if first == UInt8(ascii: "0") {
                position += 1
            } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(first) {
                while position < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[position]) {
                    position += 1
                }
            } else {
                throw error("invalid number")
            }
            let integerDigits = position - integerStart
            var fraction = position..<position
            if position < input.count, input[position] == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                let digits = position
                while position < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[position]) {
                    position += 1
                }
                guard position > digits else { throw error("invalid number") }
                fraction = digits..<position
            }
            var hasExponent = false
            if position < input.count, input[position] | 0x20 == UInt8(ascii: "e") {
                hasExponent = true
                isInteger = false
                position += 1
                if position < input.count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                    position += 1
                }
                let digits = position
                while position < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[position]) {
                    position += 1
                }
                guard position > digits else { throw error("invalid number") }
            }
            let token = UnsafeBufferPointer(rebasing: input[start..<position])
            // Integers of up to 15 digits are exact doubles and print as written (except -0).
            let digitCount = token.count - (token[0] == UInt8(ascii: "-") ? 1 : 0)
            if isInteger && digitCount <= 15 {
                if token.count == 2 && token[0] == UInt8(ascii: "-") && token[1] == UInt8(ascii: "0") {
                    out.append(UInt8(ascii: "0"))
                } else {
                    out.append(contentsOf: token)
                }
                return
            }
            // A plain decimal of at most 15 significant digits, no trailing zero
            // and no exponent form is already canonical: such decimals map to
            // distinct doubles (DBL_DIG = 15), so the shortest round-trip digits
            // are its own, and ECMAScript writes them positionally while the
            // decimal exponent is above -6.
            if !hasExponent, !fraction.isEmpty, input[fraction.upperBound - 1] != UInt8(ascii: "0") {
                let significant: Int
                var leadingZeros = 0
                if integerDigits == 1 && first == UInt8(ascii: "0") {
                    while input[fraction.lowerBound + leadingZeros] == UInt8(ascii: "0") { leadingZeros += 1 }
                    significant = fraction.count - leadingZeros
                } else {
                    significant = integerDigits + fraction.count
                }
                if significant <= 15 && leadingZeros < 6 {
                    out.append(contentsOf: token)
                    return
                }
            }
            guard let value = Double(String(decoding: token, as: UTF8.self)), value.isFinite else {
                position = start
                throw error("number out of the range of a double")
            }
            var formatted: [UInt8] = []
            NumberFormatting.write(value, into: &formatted)
            formatted.withUnsafeBufferPointer { out.append(contentsOf: $0) }
        }
    }

    /// Whether the UTF-8 name at `a` in `names` sorts before the one at `b` by UTF-16 code units.
    static func precedes(_ names: [UInt8], _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        names.withUnsafeBufferPointer { buffer in
            var i = 0
            let count = min(a.count, b.count)
            while i < count {
                let x = buffer[a.lowerBound + i], y = buffer[b.lowerBound + i]
                if x != y {
                    if x >= 0xee || y >= 0xee { return precedes(Array(buffer[a]), Array(buffer[b])) }
                    return x < y
                }
                i += 1
            }
            return a.count < b.count
        }
    }

    /// Whether UTF-8 name `a` sorts before `b` by UTF-16 code units (RFC 8785 §3.2.3).
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        // UTF-8 byte order is code point order; it differs from UTF-16 order only
        // when one side is a supplementary scalar and the other is U+E000...U+FFFF.
        var i = 0
        while i < a.count && i < b.count {
            if a[i] != b[i] {
                if a[i] >= 0xee || b[i] >= 0xee {
                    return String(decoding: a[i...], as: UTF8.self).utf16
                        .lexicographicallyPrecedes(String(decoding: b[i...], as: UTF8.self).utf16)
                }
                return a[i] < b[i]
            }
            i += 1
        }
        return a.count < b.count
    }
}

/// ECMAScript `Number.prototype.toString` for finite doubles (RFC 8785 §3.2.2.3).
enum NumberFormatting {
    static func write(_ value: Double, into out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            out.append(contentsOf: String(Int64(value)).utf8)
            return
        }
        // Swift's description gives the shortest digits that round-trip, choosing
        // the closest when several do — the digits ECMAScript asks for.
        let text = Array(abs(value).description.utf8)
        var digits: [UInt8] = []
        var pointPosition = -1
        var exponent = 0
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: ".") {
                pointPosition = digits.count
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                digits.append(c)
            }
            i += 1
        }
        if pointPosition < 0 { pointPosition = digits.count }
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == UInt8(ascii: "0") { leading += 1 }
        digits.removeFirst(leading)
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        // value = 0.d1d2…dk × 10^n
        let k = digits.count
        let n = pointPosition - leading + exponent
        if value < 0 { out.append(UInt8(ascii: "-")) }
        if k <= n && n <= 21 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            out.append(contentsOf: digits[0..<n])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: digits)
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            let e = n - 1
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            out.append(contentsOf: String(abs(e)).utf8)
        }
    }
}
