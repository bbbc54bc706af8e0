/// `regex.*` and `glob.*`, backed by the linear-time ``RegularExpression`` engine.
enum PatternBuiltins {
    static let s = BuiltinType.string
    static let n = BuiltinType.number
    static let b = BuiltinType.boolean

    static func compile(_ pattern: String) throws -> RegularExpression {
        do {
            return try RegularExpression.cached(pattern)
        } catch {
            throw BuiltinError.builtin(error.description)
        }
    }

    static let all: [Builtin] = [
        Builtin("regex.match", [s, s], b) { a, _ in
            .bool(try compile(try a.string(0)).matches(try a.string(1)))
        },
        Builtin("re_match", [s, s], b) { a, _ in
            .bool(try compile(try a.string(0)).matches(try a.string(1)))
        },
        Builtin("regex.is_valid", [s], b, checkOperands: false) { a, _ in
            guard case .string(let pattern) = a[0] else { return .false }
            return .bool((try? RegularExpression.cached(pattern)) != nil)
        },
        Builtin("regex.split", [s, s], .array(s)) { a, _ in
            .array(try compile(try a.string(0)).split(try a.string(1)).map(Value.string))
        },
        Builtin("regex.find_n", [s, s, n], .array(s)) { a, _ in
            let re = try compile(try a.string(0))
            return .array(re.findAll(in: try a.string(1), limit: try a.int(2)).map(Value.string))
        },
        Builtin("regex.find_all_string_submatch_n", [s, s, n], .array(.array(s))) { a, _ in
            let re = try compile(try a.string(0))
            let found = re.findAllSubmatches(in: try a.string(1), limit: try a.int(2))
            return .array(found.map { .array($0.map(Value.string)) })
        },
        Builtin("regex.replace", [s, s, s], s) { a, _ in
            let re = try compile(try a.string(1))
            return .string(re.replaceAll(in: try a.string(0), with: try a.string(2)))
        },
        Builtin("regex.template_match", [s, s, s, s], b) { a, _ in
            let template = try a.string(0), value = try a.string(1)
            guard let open = try a.string(2).unicodeScalars.first, let close = try a.string(3).unicodeScalars.first else {
                throw BuiltinError.builtin("delimiters must not be empty")
            }
            let pattern = try templatePattern(template, open: open, close: close)
            return .bool(try compile(pattern).matches(value))
        },
        Builtin("glob.match", [s, .anyOf([.array(s), .null]), s], b, checkOperands: false) { a, _ in
            let pattern = try a.string(0)
            var delimiters: [Unicode.Scalar]
            switch a[1] {
            case .null: delimiters = []
            case .array(let items):
                delimiters = []
                for item in items {
                    guard case .string(let d) = item else {
                        throw BuiltinError.type("operand 2 must be array of strings but got array containing \(item.typeName)")
                    }
                    delimiters.append(contentsOf: d.unicodeScalars.prefix(1))
                }
                if delimiters.isEmpty { delimiters = ["."] }
            default:
                throw BuiltinError.operand(1, mustBe: "one of {array, null}", got: a[1])
            }
            let text = try a.string(2)
            do {
                return .bool(try Glob(pattern, delimiters: delimiters).matches(text))
            } catch {
                throw BuiltinError.builtin("\(error)")
            }
        },
        Builtin("glob.quote_meta", [s], s) { a, _ in .string(Glob.quoteMeta(try a.string(0))) },
    ]

    /// Builds the regex for `regex.template_match`: text outside delimiters is literal, inside is a pattern.
    static func templatePattern(_ template: String, open: Unicode.Scalar, close: Unicode.Scalar) throws -> String {
        let chars = Array(template.unicodeScalars)
        var out = "^"
        var literal = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            if chars[i] == open {
                var depth = 0
                var j = i
                while j < chars.count {
                    if chars[j] == open { depth += 1 } else if chars[j] == close {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    j += 1
                }
                guard j < chars.count else {
                    throw BuiltinError.builtin("unbalanced braces in \(GoTime.quote(template))")
                }
                out += RegularExpression.quoteMeta(String(literal))
                literal = String.UnicodeScalarView()
                out += "(" + StringBuiltins.string(chars[(i + 1)..<j]) + ")"
                i = j + 1
            } else {
                literal.append(chars[i])
                i += 1
            }
        }
        out += RegularExpression.quoteMeta(String(literal)) + "$"
        return out
    }
}
