/// The checks OPA makes before resolving local variables (stages `CheckKeywordOverrides`,
/// `CheckDuplicateImports` and the declaration part of `RewriteLocalVars`):
///
/// * rules, function arguments and `:=` targets must not be named `input` or `data`
///   (`rego_compile_error: variables must not shadow input (use a different variable name)`);
/// * an import must not bind the same name as an earlier one (`import must not shadow import data.a`);
/// * within one body scope a variable is introduced once: `:=`, `some` and `every` report
///   `var x assigned above`, `var x declared above` or `var x referenced above` when the
///   name already occurred in that scope, and `arg x redeclared` for a function argument.
///   Comprehension bodies and `every` bodies are scopes of their own and may shadow.
struct DeclarationCheck {
    /// How a name first occurred in a scope.
    enum Occurrence { case seen, assigned, declared, argument }

    let globals: Set<String>
    var scopes: [[String: Occurrence]] = []
    var errors: [RegoError] = []

    static let roots: Set<String> = ["input", "data"]

    /// Every error of one module.
    static func check(_ m: Module) -> [RegoError] {
        var errors: [RegoError] = []
        // Imports binding a name twice.
        var bound: [String: Import] = [:]
        for imp in m.imports {
            guard let name = imp.alias ?? imp.path.last else { continue }
            if let earlier = bound[name] {
                errors.append(RegoError(code: RegoError.Code.compile, message: "import must not shadow \(importText(earlier))", location: imp.location))
            } else {
                bound[name] = imp
            }
        }
        // Root documents.
        for r in m.rules where roots.contains(r.name) {
            errors.append(RegoError(code: RegoError.Code.compile, message: "rules must not shadow \(r.name) (use a different rule name)", location: r.location))
        }
        var globals = Set(m.rules.map(\.name))
        globals.formUnion(roots)
        for imp in m.imports {
            if let n = imp.boundName { globals.insert(n) } else if let first = imp.path.first { globals.insert(first) }
        }
        var checker = DeclarationCheck(globals: globals)
        for r in m.rules {
            checker.checkRule(r)
        }
        return errors + checker.errors
    }

    static func importText(_ imp: Import) -> String {
        var s = "import " + imp.path.enumerated().map { i, p in
            i == 0 || Formatter.isIdentifier(p) ? (i == 0 ? p : "." + p) : "[\"\(p)\"]"
        }.joined()
        if let a = imp.alias { s += " as " + a }
        return s
    }

    mutating func checkRule(_ r: Rule) {
        let bodies = [r.body] + r.elseChain.map(\.body)
        for body in bodies {
            scopes = [[:]]
            for a in r.args { argument(a) }
            checkBody(body)
        }
    }

    mutating func argument(_ t: Term) {
        switch t.kind {
        case .variable(let n) where n != "_":
            if Self.roots.contains(n) {
                errors.append(RegoError(code: RegoError.Code.compile, message: "args must not shadow \(n) (use a different variable name)", location: t.location))
            }
            scopes[scopes.count - 1][n] = .argument
        case .array(let items): for i in items { argument(i) }
        case .object(let pairs): for (_, v) in pairs { argument(v) }
        default: break
        }
    }

    mutating func checkBody(_ body: [Expr]) {
        for e in body { checkExpr(e) }
    }

    mutating func checkExpr(_ e: Expr) {
        for w in e.with { see(w.value) }
        switch e.kind {
        case .term(let t): see(t)
        case .unify(let a, let b): see(a); see(b)
        case .assign(let a, let b):
            see(b)
            if case .variable(let n) = a.kind, Self.roots.contains(n) {
                errors.append(RegoError(code: RegoError.Code.compile, message: "variables must not shadow \(n) (use a different variable name)", location: e.location))
                return
            }
            introduce(a, as: .assigned)
        case .someDecl(let vars):
            for v in vars { introduce(v, as: .declared) }
        case .someIn(let k, let v, let c):
            see(c)
            if let k { introduce(k, as: .declared) }
            introduce(v, as: .declared)
        case .every(let k, let v, let d, let body):
            see(d)
            scopes.append([:])
            if let k { introduce(k, as: .declared) }
            introduce(v, as: .declared)
            checkBody(body)
            scopes.removeLast()
        }
    }

    func occurrence(_ n: String) -> Occurrence? { scopes[scopes.count - 1][n] }

    func isDeclaredOutside(_ n: String) -> Bool {
        for s in scopes.dropLast().reversed() {
            if let o = s[n], o != .seen { return true }
        }
        return false
    }

    /// Declares the variables of a target pattern, reporting names that occurred before in this scope.
    mutating func introduce(_ t: Term, as occ: Occurrence) {
        switch t.kind {
        case .variable(let n):
            guard n != "_" else { return }
            if let prior = occurrence(n) {
                let message: String
                switch prior {
                case .seen: message = "var \(n) referenced above"
                case .assigned: message = "var \(n) assigned above"
                case .declared: message = "var \(n) declared above"
                case .argument: message = "arg \(n) redeclared"
                }
                errors.append(RegoError(code: RegoError.Code.compile, message: message, location: t.location))
                return
            }
            scopes[scopes.count - 1][n] = occ
        case .array(let items): for i in items { introduce(i, as: occ) }
        case .object(let pairs):
            for (k, v) in pairs { see(k); introduce(v, as: occ) }
        default: see(t)
        }
    }

    /// Records the variables a term reads.
    mutating func see(_ t: Term) {
        switch t.kind {
        case .variable(let n):
            guard n != "_", !globals.contains(n), occurrence(n) == nil, !isDeclaredOutside(n) else { return }
            scopes[scopes.count - 1][n] = .seen
        case .ref(let h, let path): see(h); for p in path { see(p) }
        case .call(_, let args): for a in args { see(a) }
        case .array(let items), .set(let items): for i in items { see(i) }
        case .object(let pairs): for (k, v) in pairs { see(k); see(v) }
        case .arrayComprehension(let h, let body), .setComprehension(let h, let body):
            scopes.append([:])
            checkBody(body)
            see(h)
            scopes.removeLast()
        case .objectComprehension(let k, let v, let body):
            scopes.append([:])
            checkBody(body)
            see(k); see(v)
            scopes.removeLast()
        case .template(let parts): for p in parts { if case .term(let x) = p { see(x) } }
        case .value, .local: break
        }
    }
}
