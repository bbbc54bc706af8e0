/// `strings.*` and the classic string builtins (`contains`, `indexof`, `split`, `trim*`, ...).
enum StringBuiltins {
    static let s = BuiltinType.string
    static let n = BuiltinType.number
    static let b = BuiltinType.boolean
    static let stringsLike = BuiltinType.anyOf([.string, .set(.string), .array(.string)])

    static let all: [Builtin] = [
        Builtin("strings.render_template", [.string, .object(.string, .any)], .string) { a, _ in
            do {
                return .string(try GoTemplate(try a.string(0)).render(a[1]))
            } catch let f as GoTemplate.Failure {
                throw BuiltinError.builtin(f.message)
            }
        },
        Builtin("contains", [s, s], b) { a, _ in
            let hay = scalars(try a.string(0)), needle = scalars(try a.string(1))
            return .bool(index(of: needle, in: hay, from: 0) != nil)
        },
        Builtin("startswith", [s, s], b) { a, _ in .bool(try a.string(0).unicodeScalars.starts(with: try a.string(1).unicodeScalars)) },
        Builtin("endswith", [s, s], b) { a, _ in
            .bool(try a.string(0).unicodeScalars.reversed().starts(with: try a.string(1).unicodeScalars.reversed()))
        },
        Builtin("lower", [s], s) { a, _ in .string(mapScalars(try a.string(0), upper: false)) },
        Builtin("upper", [s], s) { a, _ in .string(mapScalars(try a.string(0), upper: true)) },
        Builtin("indexof", [s, s], n) { a, _ in
            let hay = Array(try a.string(0).unicodeScalars), needle = Array(try a.string(1).unicodeScalars)
            return .int(index(of: needle, in: hay, from: 0) ?? -1)
        },
        Builtin("indexof_n", [s, s], .array(n)) { a, _ in
            let hay = Array(try a.string(0).unicodeScalars), needle = Array(try a.string(1).unicodeScalars)
            var out: [Value] = []
            var from = 0
            while from <= hay.count, let i = index(of: needle, in: hay, from: from) {
                out.append(.int(i))
                from = i + 1
            }
            return .array(out)
        },
        Builtin("substring", [s, n, n], s) { a, _ in
            let text = Array(try a.string(0).unicodeScalars)
            let start = try a.int(1), length = try a.int(2)
            if start < 0 { throw BuiltinError.builtin("negative offset") }
            if start >= text.count { return .string("") }
            let end = length < 0 ? text.count : min(text.count, start + length)
            return .string(string(text[start..<end]))
        },
        Builtin("split", [s, s], .array(s)) { a, _ in
            .array(split(try a.string(0), by: try a.string(1)).map(Value.string))
        },
        Builtin("replace", [s, s, s], s) { a, _ in
            .string(replaceAll(try a.string(0), try a.string(1), with: try a.string(2)))
        },
        Builtin("strings.replace_n", [.object(s, s), s], s, checkOperands: false) { a, _ in
            guard case .object(let patterns) = a[0] else { throw BuiltinError.operand(0, mustBe: .object(s, s), got: a[0]) }
            var pairs: [(String, String)] = []
            for (k, v) in patterns.entries {
                guard case .string(let ks) = k else { throw BuiltinError.type("operand 1 non-string key found in pattern object") }
                guard case .string(let vs) = v else { throw BuiltinError.type("operand 1 non-string value found in pattern object") }
                pairs.append((ks, vs))
            }
            return .string(replaceMany(try a.string(1), pairs))
        },
        Builtin("strings.reverse", [s], s, checkOperands: false) { a, _ in
            guard case .string(let text) = a[0] else {
                // OPA names this builtin `reverse` in its error.
                throw BuiltinError(kind: .type, message: "reverse: operand 1 must be string but got \(a[0].typeName)", prefixed: true)
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text.unicodeScalars.reversed())
            return .string(String(view))
        },
        Builtin("strings.count", [s, s], n) { a, _ in
            let hay = Array(try a.string(0).unicodeScalars), needle = Array(try a.string(1).unicodeScalars)
            if needle.isEmpty { return .int(hay.count + 1) }
            var count = 0, from = 0
            while let i = index(of: needle, in: hay, from: from) { count += 1; from = i + needle.count }
            return .int(count)
        },
        Builtin("trim", [s, s], s) { a, _ in
            let cut = Set(try a.string(1).unicodeScalars)
            return .string(trim(try a.string(0), left: true, right: true) { cut.contains($0) })
        },
        Builtin("trim_left", [s, s], s) { a, _ in
            let cut = Set(try a.string(1).unicodeScalars)
            return .string(trim(try a.string(0), left: true, right: false) { cut.contains($0) })
        },
        Builtin("trim_right", [s, s], s) { a, _ in
            let cut = Set(try a.string(1).unicodeScalars)
            return .string(trim(try a.string(0), left: false, right: true) { cut.contains($0) })
        },
        Builtin("trim_space", [s], s) { a, _ in
            .string(trim(try a.string(0), left: true, right: true, isSpace))
        },
        Builtin("trim_prefix", [s, s], s) { a, _ in
            let text = Array(try a.string(0).unicodeScalars), prefix = Array(try a.string(1).unicodeScalars)
            return .string(text.starts(with: prefix) ? string(text[prefix.count...]) : string(text[...]))
        },
        Builtin("trim_suffix", [s, s], s) { a, _ in
            let text = Array(try a.string(0).unicodeScalars), suffix = Array(try a.string(1).unicodeScalars)
            if text.count >= suffix.count && Array(text[(text.count - suffix.count)...]) == suffix {
                return .string(string(text[..<(text.count - suffix.count)]))
            }
            return .string(string(text[...]))
        },
        Builtin("strings.any_prefix_match", [stringsLike, stringsLike], b, checkOperands: false) { a, _ in
            let search = try stringList(a, 0), bases = try stringList(a, 1)
            return .bool(search.contains { text in bases.contains { text.unicodeScalars.starts(with: $0.unicodeScalars) } })
        },
        Builtin("strings.any_suffix_match", [stringsLike, stringsLike], b, checkOperands: false) { a, _ in
            let search = try stringList(a, 0), bases = try stringList(a, 1)
            return .bool(search.contains { text in
                bases.contains { text.unicodeScalars.reversed().starts(with: $0.unicodeScalars.reversed()) }
            })
        },
    ]

    /// Operand `i` as a list of strings: a string, or an array or set of strings.
    static func stringList(_ a: [Value], _ i: Int) throws -> [String] {
        let items: [Value]
        switch a[i] {
        case .string(let text): return [text]
        case .array(let values): items = values
        case .set(let set): items = set.elements
        default: throw BuiltinError.operand(i, mustBe: "one of {string, set, array}", got: a[i])
        }
        var out: [String] = []
        for item in items {
            guard case .string(let text) = item else {
                throw BuiltinError.type("operand \(i + 1) must be array of strings but got array containing \(item.typeName)")
            }
            out.append(text)
        }
        return out
    }

    static func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    static func string<C: Collection>(_ scalars: C) -> String where C.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Go's per-rune `unicode.ToLower`/`ToUpper`: simple one-to-one mappings only.
    static func mapScalars(_ text: String, upper: Bool) -> String {
        var view = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if c.isASCII {
                let v = c.value
                if upper && v >= 97 && v <= 122 { view.append(Unicode.Scalar(v - 32)!) } else if !upper && v >= 65 && v <= 90 {
                    view.append(Unicode.Scalar(v + 32)!)
                } else { view.append(c) }
                continue
            }
            let mapped = upper ? c.properties.uppercaseMapping : c.properties.lowercaseMapping
            let ms = mapped.unicodeScalars
            if ms.count == 1 { view.append(ms.first!) } else { view.append(c) }
        }
        return String(view)
    }

    static func index(of needle: [Unicode.Scalar], in hay: [Unicode.Scalar], from: Int) -> Int? {
        if needle.isEmpty { return from <= hay.count ? from : nil }
        guard hay.count >= needle.count else { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Go's `strings.Split`: an empty separator splits into single characters (scalars).
    static func split(_ text: String, by separator: String) -> [String] {
        let hay = scalars(text), sep = scalars(separator)
        if sep.isEmpty { return hay.map { String($0) } }
        var out: [String] = []
        var start = 0
        while let i = index(of: sep, in: hay, from: start) {
            out.append(string(hay[start..<i]))
            start = i + sep.count
        }
        out.append(string(hay[start...]))
        return out
    }

    /// Go's `strings.ReplaceAll`.
    static func replaceAll(_ text: String, _ old: String, with new: String) -> String {
        let hay = scalars(text), pattern = scalars(old)
        if pattern.isEmpty {
            var out = new
            for c in hay { out.unicodeScalars.append(c); out += new }
            return out
        }
        var out = String.UnicodeScalarView()
        var start = 0
        while let i = index(of: pattern, in: hay, from: start) {
            out.append(contentsOf: hay[start..<i])
            out.append(contentsOf: new.unicodeScalars)
            start = i + pattern.count
        }
        out.append(contentsOf: hay[start...])
        return String(out)
    }

    /// Go's `strings.NewReplacer(pairs...).Replace`: leftmost match, earlier pair wins, no overlaps.
    static func replaceMany(_ text: String, _ pairs: [(String, String)]) -> String {
        let hay = scalars(text)
        let patterns = pairs.map { (scalars($0.0), $0.1) }
        var out = String.UnicodeScalarView()
        var i = 0
        while i <= hay.count {
            var replaced = false
            for (old, new) in patterns {
                if i + old.count <= hay.count && (old.isEmpty || Array(hay[i..<(i + old.count)]) == old) {
                    out.append(contentsOf: new.unicodeScalars)
                    if old.isEmpty {
                        if i < hay.count { out.append(hay[i]) }
                        i += 1
                    } else {
                        i += old.count
                    }
                    replaced = true
                    break
                }
            }
            if !replaced {
                if i < hay.count { out.append(hay[i]) }
                i += 1
            }
        }
        return String(out)
    }

    /// Go's `unicode.IsSpace`.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0: return true
        default: return c.value > 0xFF && c.properties.isWhitespace
        }
    }

    static func trim(_ text: String, left: Bool, right: Bool, _ drop: (Unicode.Scalar) -> Bool) -> String {
        var view = Array(text.unicodeScalars)[...]
        if left { while let f = view.first, drop(f) { view = view.dropFirst() } }
        if right { while let l = view.last, drop(l) { view = view.dropLast() } }
        return string(view)
    }
}
