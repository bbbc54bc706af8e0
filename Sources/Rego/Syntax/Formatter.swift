/// Prints a module in canonical Rego v1 form (tabs, `if`/`contains`, one expression per line).
public enum Formatter {
    /// The canonical text of a module.
    public static func format(_ m: Module) -> String {
        var out = "package " + m.package.map { $0 }.joined(separator: ".") + "\n"
        if !m.imports.isEmpty {
            out += "\n"
            for i in m.imports {
                out += "import " + i.path.joined(separator: ".")
                if let a = i.alias { out += " as " + a }
                out += "\n"
            }
        }
        for r in m.rules {
            out += "\n" + rule(r) + "\n"
        }
        return out
    }

    static func rule(_ r: Rule) -> String {
        var s = r.isDefault ? "default " : ""
        s += headRef(r.ref)
        if r.kind == .function { s += "(" + r.args.map { term($0) }.joined(separator: ", ") + ")" }
        if let k = r.key { s += " contains " + term(k) }
        if let v = r.value {
            let isTrue: Bool = { if case .value(.bool(true)) = v.kind { return true }; return false }()
            if !(isTrue && !r.body.isEmpty && !r.assign) || r.isDefault {
                s += (r.assign || r.isDefault ? " := " : " = ") + term(v)
            }
        }
        if !r.body.isEmpty { s += " if " + body(r.body, indent: 0) }
        for e in r.elseChain {
            s += " else"
            if let v = e.value { s += " := " + term(v) }
            if !e.body.isEmpty { s += " if " + body(e.body, indent: 0) }
        }
        return s
    }

    static func headRef(_ ref: [Term]) -> String {
        var s = ref.first?.variableName ?? ""
        for t in ref.dropFirst() {
            if case .value(.string(let k)) = t.kind, isIdentifier(k) { s += "." + k } else { s += "[" + term(t) + "]" }
        }
        return s
    }

    static func body(_ exprs: [Expr], indent: Int) -> String {
        let pad = String(repeating: "\t", count: indent + 1)
        return "{\n" + exprs.map { pad + expr($0, indent: indent + 1) }.joined(separator: "\n") + "\n" + String(repeating: "\t", count: indent) + "}"
    }

    static func expr(_ e: Expr, indent: Int) -> String {
        var s = e.negated ? "not " : ""
        switch e.kind {
        case .term(let t): s += term(t)
        case .unify(let a, let b): s += term(a) + " = " + term(b)
        case .assign(let a, let b): s += term(a) + " := " + term(b)
        case .someDecl(let vs): s += "some " + vs.map { term($0) }.joined(separator: ", ")
        case .someIn(let k, let v, let c):
            s += "some " + (k.map { term($0) + ", " } ?? "") + term(v) + " in " + term(c)
        case .every(let k, let v, let d, let b):
            s += "every " + (k.map { term($0) + ", " } ?? "") + term(v) + " in " + term(d) + " " + body(b, indent: indent)
        }
        for w in e.with { s += " with " + term(w.target) + " as " + term(w.value) }
        return s
    }

    static let infix: [String: (String, Int)] = [
        "equal": ("==", 3), "neq": ("!=", 3), "lt": ("<", 3), "lte": ("<=", 3), "gt": (">", 3), "gte": (">=", 3),
        "or": ("|", 4), "and": ("&", 5), "plus": ("+", 6), "minus": ("-", 6), "mul": ("*", 7), "div": ("/", 7), "rem": ("%", 7),
        "internal.member_2": ("in", 2),
    ]

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || (f.isASCII && f.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) } && !Parser.keywords.contains(s)
    }

    static func term(_ t: Term, parentPrecedence: Int = 0) -> String {
        switch t.kind {
        case .value(let v): return v.description
        case .variable(let n), .local(_, let n): return n
        case .ref(let h, let path):
            var s = term(h, parentPrecedence: 100)
            for p in path {
                if case .value(.string(let k)) = p.kind, isIdentifier(k) { s += "." + k } else { s += "[" + term(p) + "]" }
            }
            return s
        case .call(let name, let args):
            if let (op, prec) = infix[name], args.count == 2 {
                let s = term(args[0], parentPrecedence: prec) + " \(op) " + term(args[1], parentPrecedence: prec + 1)
                return prec < parentPrecedence ? "(" + s + ")" : s
            }
            return name + "(" + args.map { term($0) }.joined(separator: ", ") + ")"
        case .array(let items): return "[" + items.map { term($0) }.joined(separator: ", ") + "]"
        case .set(let items): return items.isEmpty ? "set()" : "{" + items.map { term($0) }.joined(separator: ", ") + "}"
        case .object(let pairs): return "{" + pairs.map { term($0.0) + ": " + term($0.1) }.joined(separator: ", ") + "}"
        case .arrayComprehension(let h, let b): return "[" + term(h) + " | " + b.map { expr($0, indent: 0) }.joined(separator: "; ") + "]"
        case .setComprehension(let h, let b): return "{" + term(h) + " | " + b.map { expr($0, indent: 0) }.joined(separator: "; ") + "}"
        case .objectComprehension(let k, let v, let b): return "{" + term(k) + ": " + term(v) + " | " + b.map { expr($0, indent: 0) }.joined(separator: "; ") + "}"
        case .template(let parts):
            var s = "$\""
            for p in parts {
                switch p {
                case .text(let x):
                    var esc = ""
                    JSON.writeString(x, into: &esc)
                    s += esc.dropFirst().dropLast().replacingOccurrences(of: "{", with: "\\{")
                case .term(let x): s += "{" + term(x) + "}"
                }
            }
            return s + "\""
        }
    }
}

extension Substring {
    func replacingOccurrences(of a: String, with b: String) -> String {
        String(self).split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}
