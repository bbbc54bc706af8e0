/// A token of Rego source.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case ident
        case number
        case string      // text holds the decoded value
        case rawString   // text holds the raw value
        case template    // text holds the raw inner source; raw flag tells the quoting
        case punct
        case eof
    }

    var kind: Kind
    var text: String
    var row: Int
    var col: Int
    /// Whether whitespace or a comment precedes the token.
    var spaceBefore: Bool
    /// Whether a newline precedes the token.
    var newlineBefore: Bool
    /// For templates: whether it was a raw (backquoted) template.
    var rawTemplate = false
    /// For templates: row and column where the content starts.
    var contentRow = 0
    var contentCol = 0

    func isPunct(_ p: String) -> Bool { kind == .punct && text == p }
    func isIdent(_ p: String) -> Bool { kind == .ident && text == p }
}

/// Splits Rego source into tokens.
struct Lexer {
    let file: String
    let bytes: [UInt8]
    var pos = 0
    var row = 1
    var col = 1
    /// Comments seen so far: position of the `#` and the text after it.
    var comments: [(row: Int, col: Int, text: String)] = []

    init(file: String, source: String, startRow: Int = 1, startCol: Int = 1) {
        self.file = file
        self.bytes = Array(source.utf8)
        self.row = startRow
        self.col = startCol
    }

    func error(_ message: String, _ r: Int, _ c: Int) -> RegoError {
        RegoError(code: RegoError.Code.parse, message: message, location: Location(file: file, row: r, col: c))
    }

    mutating func advance() {
        if bytes[pos] == 0x0A { row += 1; col = 1 } else if bytes[pos] & 0xC0 != 0x80 { col += 1 }
        pos += 1
    }

    static let puncts3: [String] = []
    static let puncts2: Set<String> = [":=", "==", "!=", "<=", ">="]

    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        while true {
            var space = false
            var newline = false
            // whitespace and comments
            while pos < bytes.count {
                let b = bytes[pos]
                if b == 0x20 || b == 0x09 || b == 0x0D { space = true; advance() } else if b == 0x0A {
                    space = true; newline = true; advance()
                } else if b == UInt8(ascii: "#") {
                    space = true
                    let (r, c, start) = (row, col, pos + 1)
                    while pos < bytes.count, bytes[pos] != 0x0A { advance() }
                    var end = pos
                    if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                    comments.append((r, c, String(decoding: bytes[min(start, end)..<end], as: UTF8.self)))
                } else { break }
            }
            let r = row, c = col
            guard pos < bytes.count else {
                tokens.append(Token(kind: .eof, text: "", row: r, col: c, spaceBefore: space, newlineBefore: true))
                return tokens
            }
            let b = bytes[pos]
            if isIdentStart(b) {
                let start = pos
                while pos < bytes.count, isIdentPart(bytes[pos]) { advance() }
                tokens.append(Token(kind: .ident, text: text(start, pos), row: r, col: c, spaceBefore: space, newlineBefore: newline))
            } else if isDigit(b) || (b == UInt8(ascii: ".") && pos + 1 < bytes.count && isDigit(bytes[pos + 1]) && !(tokens.last.map { !space && ($0.kind == .ident || $0.isPunct("]") || $0.isPunct(")")) } ?? false)) {
                let start = pos
                while pos < bytes.count, isDigit(bytes[pos]) { advance() }
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "."), pos + 1 < bytes.count, isDigit(bytes[pos + 1]) {
                    advance()
                    while pos < bytes.count, isDigit(bytes[pos]) { advance() }
                }
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
                    var look = pos + 1
                    if look < bytes.count, bytes[look] == UInt8(ascii: "+") || bytes[look] == UInt8(ascii: "-") { look += 1 }
                    if look < bytes.count, isDigit(bytes[look]) {
                        while pos < look { advance() }
                        while pos < bytes.count, isDigit(bytes[pos]) { advance() }
                    }
                }
                if pos < bytes.count, isIdentStart(bytes[pos]) {
                    throw error("illegal number format", r, c)
                }
                var t = text(start, pos)
                if t.hasPrefix(".") { t = "0" + t }
                tokens.append(Token(kind: .number, text: t, row: r, col: c, spaceBefore: space, newlineBefore: newline))
            } else if b == UInt8(ascii: "\"") {
                let s = try lexString(r, c)
                tokens.append(Token(kind: .string, text: s, row: r, col: c, spaceBefore: space, newlineBefore: newline))
            } else if b == UInt8(ascii: "`") {
                advance()
                let start = pos
                while pos < bytes.count, bytes[pos] != UInt8(ascii: "`") { advance() }
                guard pos < bytes.count else { throw error("non-terminated raw string", r, c) }
                let s = text(start, pos)
                advance()
                tokens.append(Token(kind: .rawString, text: s, row: r, col: c, spaceBefore: space, newlineBefore: newline))
            } else if b == UInt8(ascii: "$"), pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "\"") || bytes[pos + 1] == UInt8(ascii: "`") {
                let raw = bytes[pos + 1] == UInt8(ascii: "`")
                advance(); advance()
                let cr = row, cc = col
                let start = pos
                var depth = 0
                let close = raw ? UInt8(ascii: "`") : UInt8(ascii: "\"")
                while pos < bytes.count {
                    let ch = bytes[pos]
                    if ch == UInt8(ascii: "\\"), pos + 1 < bytes.count {
                        advance(); advance(); continue
                    }
                    if depth == 0 && ch == close { break }
                    if ch == UInt8(ascii: "{") { depth += 1 } else if ch == UInt8(ascii: "}"), depth > 0 { depth -= 1 } else if depth > 0, ch == UInt8(ascii: "\"") {
                        // a string inside an embedded expression
                        advance()
                        while pos < bytes.count, bytes[pos] != UInt8(ascii: "\"") {
                            if bytes[pos] == UInt8(ascii: "\\") { advance() }
                            if pos < bytes.count { advance() }
                        }
                    } else if !raw, ch == 0x0A, depth == 0 {
                        throw error("non-terminated string", r, c)
                    }
                    if pos < bytes.count { advance() }
                }
                guard pos < bytes.count else { throw error("non-terminated string", r, c) }
                let s = text(start, pos)
                advance()
                var tok = Token(kind: .template, text: s, row: r, col: c, spaceBefore: space, newlineBefore: newline)
                tok.rawTemplate = raw; tok.contentRow = cr; tok.contentCol = cc
                tokens.append(tok)
            } else {
                var p = ""
                if pos + 1 < bytes.count {
                    let two = text(pos, pos + 2)
                    if Lexer.puncts2.contains(two) { p = two }
                }
                if p.isEmpty {
                    let one = Character(Unicode.Scalar(b))
                    guard "()[]{},;.:=<>+-*/%&|!".contains(one) else {
                        throw error("illegal token", r, c)
                    }
                    p = String(one)
                }
                for _ in 0..<p.utf8.count { advance() }
                tokens.append(Token(kind: .punct, text: p, row: r, col: c, spaceBefore: space, newlineBefore: newline))
            }
        }
    }

    func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }
    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    func isIdentStart(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
    func isIdentPart(_ b: UInt8) -> Bool { isIdentStart(b) || isDigit(b) }

    mutating func lexString(_ r: Int, _ c: Int) throws -> String {
        advance()
        var buf: [UInt8] = []
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") { advance(); return String(decoding: buf, as: UTF8.self) }
            if b == 0x0A { throw error("non-terminated string", r, c) }
            if b == UInt8(ascii: "\\") {
                advance()
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                advance()
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
                    var code = try hex4(r, c)
                    if (0xD800..<0xDC00).contains(code), pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                        advance(); advance()
                        let low = try hex4(r, c)
                        code = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                    }
                    buf.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                default:
                    throw error("invalid escape sequence", r, c)
                }
                continue
            }
            buf.append(b)
            advance()
        }
        throw error("non-terminated string", r, c)
    }

    mutating func hex4(_ r: Int, _ c: Int) throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw error("invalid escape sequence", r, c) }
            let b = bytes[pos]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("invalid escape sequence", r, c)
            }
            v = v * 16 + d
            advance()
        }
        return v
    }
}
