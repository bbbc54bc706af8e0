/// The compiler stage for annotations: `rego.metadata.chain()` and `rego.metadata.rule()` calls are
/// replaced by constants describing the enclosing rule's annotations (as OPA's compiler does).
enum Metadata {
    struct AnnotationSet {
        var ruleScope: [String: Annotation] = [:]          // rule location key → annotation
        var documentScope: [[String]: Annotation] = [:]    // rule path → annotation
        var packageScope: [[String]: Annotation] = [:]
        var subpackagesScope: [[String]: Annotation] = [:]
    }

    static func key(_ l: Location) -> String { "\(l.file):\(l.row):\(l.col)" }

    static func collect(_ modules: [Module]) -> AnnotationSet {
        var set = AnnotationSet()
        for m in modules {
            for a in m.annotations {
                if let ruleLocation = a.ruleLocation {
                    guard let rule = m.rules.first(where: { key($0.location) == key(ruleLocation) }) else { continue }
                    if a.scope == "document" {
                        let path = m.package + Compiler.staticPrefix(rule.ref)
                        if set.documentScope[path] == nil { set.documentScope[path] = a }
                    } else if set.ruleScope[key(ruleLocation)] == nil {
                        set.ruleScope[key(ruleLocation)] = a
                    }
                } else if a.scope == "subpackages" {
                    if set.subpackagesScope[m.package] == nil { set.subpackagesScope[m.package] = a }
                } else if set.packageScope[m.package] == nil {
                    set.packageScope[m.package] = a
                }
            }
        }
        return set
    }

    static func chain(_ set: AnnotationSet, module m: Module, rule: Rule) -> Value {
        let path = m.package + Compiler.staticPrefix(rule.ref)
        func entry(_ p: [String], _ a: Annotation?) -> Value {
            var o: [String: Value] = ["path": .array(p.map(Value.string))]
            if let a { o["annotations"] = .object(a.value) }
            return .object(ObjectValue(o))
        }
        var out = [entry(path, set.ruleScope[key(rule.location)])]
        if let d = set.documentScope[path] { out.append(entry(path, d)) }
        if let p = set.packageScope[m.package] { out.append(entry(m.package, p)) }
        var prefix = m.package
        while true {
            if let s = set.subpackagesScope[prefix] { out.append(entry(prefix, s)) }
            if prefix.isEmpty { break }
            prefix.removeLast()
        }
        return .array(out)
    }

    /// Returns the modules with metadata calls replaced by constants.
    static func rewrite(_ modules: [Module]) -> [Module] {
        let set = collect(modules)
        return modules.map { m in
            var m = m
            m.rules = m.rules.map { rule in
                var rule = rule
                let chainValue = chain(set, module: m, rule: rule)
                let ruleValue = Value.object(set.ruleScope[key(rule.location)]?.value ?? ObjectValue())
                func replace(_ t: Term) -> Term {
                    mapTerm(t) { term in
                        guard case .call(let name, let args) = term.kind, args.isEmpty else { return nil }
                        switch name {
                        case "rego.metadata.chain": return Term(.value(chainValue), term.location)
                        case "rego.metadata.rule": return Term(.value(ruleValue), term.location)
                        default: return nil
                        }
                    }
                }
                rule.value = rule.value.map(replace)
                rule.key = rule.key.map(replace)
                rule.body = rule.body.map { mapExpr($0, replace) }
                rule.elseChain = rule.elseChain.map { e in
                    var e = e
                    e.value = e.value.map(replace)
                    e.body = e.body.map { mapExpr($0, replace) }
                    return e
                }
                return rule
            }
            return m
        }
    }

    /// Rewrites a term bottom-up: `f` returns a replacement or nil to keep the (rebuilt) term.
    static func mapTerm(_ t: Term, _ f: (Term) -> Term?) -> Term {
        if let r = f(t) { return r }
        var t = t
        func g(_ x: Term) -> Term { mapTerm(x, f) }
        switch t.kind {
        case .value, .variable, .local: break
        case .ref(let head, let path): t.kind = .ref(g(head), path.map(g))
        case .call(let name, let args): t.kind = .call(name, args.map(g))
        case .array(let items): t.kind = .array(items.map(g))
        case .set(let items): t.kind = .set(items.map(g))
        case .object(let pairs): t.kind = .object(pairs.map { (g($0.0), g($0.1)) })
        case .arrayComprehension(let head, let body): t.kind = .arrayComprehension(g(head), body.map { mapExpr($0, g) })
        case .setComprehension(let head, let body): t.kind = .setComprehension(g(head), body.map { mapExpr($0, g) })
        case .objectComprehension(let k, let v, let body): t.kind = .objectComprehension(g(k), g(v), body.map { mapExpr($0, g) })
        case .template(let parts):
            t.kind = .template(parts.map { part in
                if case .term(let inner) = part { return .term(g(inner)) }
                return part
            })
        }
        return t
    }

    static func mapExpr(_ e: Expr, _ g: (Term) -> Term) -> Expr {
        var e = e
        switch e.kind {
        case .term(let t): e.kind = .term(g(t))
        case .unify(let a, let b): e.kind = .unify(g(a), g(b))
        case .assign(let a, let b): e.kind = .assign(g(a), g(b))
        case .someDecl(let ts): e.kind = .someDecl(ts.map(g))
        case .someIn(let k, let v, let c): e.kind = .someIn(key: k.map(g), value: g(v), collection: g(c))
        case .every(let k, let v, let d, let body): e.kind = .every(key: k.map(g), value: g(v), domain: g(d), body: body.map { mapExpr($0, g) })
        }
        e.with = e.with.map { w in
            var w = w
            w.value = g(w.value)
            return w
        }
        return e
    }
}
