/// A compiled glob pattern with gobwas/glob syntax, as OPA's `glob.match` reads it.
///
/// `*` matches any run of non-delimiter characters, `**` any run at all, `?` one
/// non-delimiter character, `[abc]`, `[a-z]`, `[!..]` one character of (not of) a set,
/// `{a,b}` any of the alternatives, `\` escapes. Matching is delegated to the
/// linear-time ``RegularExpression`` engine.
public struct Glob: Sendable {
    /// Why a glob pattern could not be compiled.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was wrong.
        public let description: String
    }

    let expression: RegularExpression

    /// Compiles `pattern` with the given delimiter characters.
    public init(_ pattern: String, delimiters: [Unicode.Scalar]) throws(ParseError) {
        let scalars = Array(pattern.unicodeScalars)
        var index = 0
        var translated = "(?s)\\A"
        try Glob.translate(scalars, &index, delimiters: delimiters, inTerms: false, into: &translated)
        if index < scalars.count {
            throw ParseError(description: "unexpected '\(scalars[index])' in glob pattern")
        }
        translated += "\\z"
        do {
            expression = try RegularExpression(translated)
        } catch {
            throw ParseError(description: "invalid glob pattern")
        }
    }

    /// Whether `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool {
        expression.matches(text)
    }

    /// Escapes the glob metacharacters in `text`, like gobwas/glob's `QuoteMeta`.
    public static func quoteMeta(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if "*?\\[]{}".unicodeScalars.contains(c) { out.append("\\") }
            out.append(c)
        }
        return String(out)
    }

    private static func literal(_ c: Unicode.Scalar) -> String {
        if c.isASCII && !RegularExpression.isWord(c) && c != " " {
            return "\\x{\(String(c.value, radix: 16))}"
        }
        return String(c)
    }

    private static func notDelimiters(_ delimiters: [Unicode.Scalar]) -> String {
        if delimiters.isEmpty { return "." }
        return "[^" + delimiters.map { "\\x{\(String($0.value, radix: 16))}" }.joined() + "]"
    }

    private static func translate(
        _ s: [Unicode.Scalar], _ i: inout Int, delimiters: [Unicode.Scalar], inTerms: Bool, into out: inout String
    ) throws(ParseError) {
        while i < s.count {
            let c = s[i]
            switch c {
            case "*":
                if i + 1 < s.count && s[i + 1] == "*" {
                    out += ".*"
                    i += 2
                } else {
                    out += notDelimiters(delimiters) + "*"
                    i += 1
                }
            case "?":
                out += notDelimiters(delimiters)
                i += 1
            case "\\":
                guard i + 1 < s.count else {
                    throw ParseError(description: "unexpected end of input after escape")
                }
                out += literal(s[i + 1])
                i += 2
            case "[":
                i += 1
                var negate = false
                if i < s.count && s[i] == "!" { negate = true; i += 1 }
                var body = ""
                var closed = false
                while i < s.count {
                    let d = s[i]
                    if d == "]" { closed = true; i += 1; break }
                    if i + 2 < s.count && s[i + 1] == "-" && s[i + 2] != "]" {
                        if s[i + 2].value < d.value {
                            throw ParseError(description: "invalid range in glob pattern")
                        }
                        body += "\\x{\(String(d.value, radix: 16))}-\\x{\(String(s[i + 2].value, radix: 16))}"
                        i += 3
                    } else {
                        body += "\\x{\(String(d.value, radix: 16))}"
                        i += 1
                    }
                }
                if !closed || body.isEmpty {
                    throw ParseError(description: "unexpected end of input in glob character class")
                }
                out += "[" + (negate ? "^" : "") + body + "]"
            case "{":
                i += 1
                out += "(?:"
                while true {
                    try translate(s, &i, delimiters: delimiters, inTerms: true, into: &out)
                    guard i < s.count else {
                        throw ParseError(description: "unexpected end of input in glob alternatives")
                    }
                    if s[i] == "," { out += "|"; i += 1; continue }
                    // s[i] == "}"
                    i += 1
                    break
                }
                out += ")"
            case ",", "}":
                if inTerms { return }
                out += literal(c)
                i += 1
            default:
                out += literal(c)
                i += 1
            }
        }
    }
}
