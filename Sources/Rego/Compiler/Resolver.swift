/// Resolves names in one module's rules: locals become frame slots, rule names and
/// imports become absolute `data` refs, calls get their builtin or function path.
/// Then orders each body so every variable is bound before it is read (safety).
struct Resolver {
    let module: Module
    let ruleNames: Set<String>
    let functionPaths: Set<[String]>
    let rulePaths: Set<[String]>
    /// Number of arguments of each user function, by path under `data`.
    var functionArities: [[String]: Int] = [:]
    var errors: [RegoError] = []

    var scopes: [[String: Int]] = []
    var slotCount = 0
    var slotNames: [String] = []
    var wildcards = Set<Int>()
    var importAliases: [String: [String]] = [:]

    init(module: Module, ruleNames: Set<String>, functionPaths: Set<[String]>, rulePaths: Set<[String]>) {
        self.module = module
        self.ruleNames = ruleNames
        self.functionPaths = functionPaths
        self.rulePaths = rulePaths
        for imp in module.imports {
            guard let root = imp.path.first, root == "data" || root == "input" else { continue }
            if let name = imp.boundName { importAliases[name] = imp.path } else if imp.path.count == 1 {
                importAliases[root] = imp.path
            }
        }
    }

    // MARK: slots and scopes

    mutating func newSlot(_ name: String) -> Int {
        let s = slotCount
        slotCount += 1
        slotNames.append(name)
        return s
    }

    func lookup(_ name: String) -> Int? {
        for scope in scopes.reversed() { if let s = scope[name] { return s } }
        return nil
    }

    func isGlobal(_ name: String) -> Bool {
        name == "input" || name == "data" || importAliases[name] != nil || ruleNames.contains(name)
    }

    // MARK: rules

    mutating func compileRule(_ rule: Rule) throws -> CompiledRule {
        // A template string among a function's arguments is computed from the body's variables:
        // the argument becomes a fresh variable compared with the template in the body (as OPA rewrites it).
        var rule = rule
        for (i, a) in rule.args.enumerated() {
            guard case .template = a.kind else { continue }
            let fresh = Term(.variable("__template_arg\(i)__"), a.location)
            rule.args[i] = fresh
            rule.body.append(Expr(kind: .unify(fresh, a), negated: false, with: [], location: a.location))
        }
        scopes = [[:]]
        slotCount = 0
        slotNames = []
        wildcards = []
        // Function arguments are bound on entry.
        for a in rule.args { declareAll(in: a) }
        var args: [Term] = []
        for a in rule.args { args.append(try resolve(a)) }
        let argSlots = args.reduce(into: Set<Int>()) { $0.formUnion(slots(in: $1)) }

        let defaultValue = Term(.value(.bool(true)), rule.location)
        // Body first so head variables bind to body locals.
        scopes.append([:])
        declareBody(rule.body)
        var body = try resolveBody(rule.body)
        var suffix: [Term] = []
        for t in rule.ref.dropFirst(Compiler.staticPrefix(rule.ref).count) {
            declareFree(in: t)
            suffix.append(try resolve(t))
        }
        var key: Term? = nil
        if let k = rule.key { declareFree(in: k); key = try resolve(k) }
        var value: Term
        if let v = rule.value { declareFree(in: v); value = try resolve(v) } else { value = defaultValue }
        let headSlots = ([key, value].compactMap { $0 } + suffix).reduce(into: Set<Int>()) { $0.formUnion(slots(in: $1)) }
        let (ordered, bound) = try order(body, bound: argSlots, extraOuter: headSlots)
        body = ordered
        if !rule.isDefault {
            try checkHeadSafety([key, value].compactMap { $0 } + suffix, bound: bound)
        }
        value = try orderNested(value, bound: bound)
        if let k = key { key = try orderNested(k, bound: bound) }
        suffix = try suffix.map { try orderNested($0, bound: bound) }
        scopes.removeLast()

        var elseChain: [(value: Term, body: [Expr])] = []
        for clause in rule.elseChain {
            scopes.append([:])
            declareBody(clause.body)
            var eb = try resolveBody(clause.body)
            var ev = defaultValue
            if let v = clause.value {
                declareFree(in: v)
                ev = try resolve(v)
            } else if rule.value == nil {
                ev = defaultValue
            }
            let evSlots = slots(in: ev)
            let (o, b) = try order(eb, bound: argSlots, extraOuter: evSlots)
            eb = o
            try checkHeadSafety([ev], bound: b)
            ev = try orderNested(ev, bound: b)
            elseChain.append((ev, eb))
            scopes.removeLast()
        }
        return CompiledRule(kind: rule.kind, suffix: suffix, args: args, key: key, value: value, body: body, elseChain: elseChain, slotCount: slotCount, location: rule.location, isDefault: rule.isDefault, headText: Recursion.refText(package: module.package, rule.ref), elseLocations: rule.elseChain.map(\.location))
    }

    mutating func compileQuery(_ body: [Expr]) throws -> CompiledQuery {
        scopes = [[:]]
        slotCount = 0; slotNames = []; wildcards = []
        declareBody(body)
        let resolved = try resolveBody(body)
        let (ordered, _) = try order(resolved, bound: [], extraOuter: [])
        var outputs: [(String, Int)] = []
        var seen = Set<Int>()
        for e in ordered {
            forEachSlot(in: e, closures: false) { s in
                if !seen.contains(s), !wildcards.contains(s), !slotNames[s].hasPrefix("$") {
                    seen.insert(s)
                    outputs.append((slotNames[s], s))
                }
            }
        }
        return CompiledQuery(body: ordered, slotCount: slotCount, outputs: outputs)
    }

    func checkHeadSafety(_ terms: [Term], bound: Set<Int>) throws {
        var unsafe: [RegoError] = []
        var reported = Set<Int>()
        for t in terms {
            var n = Need()
            analyze(t, pattern: false, outer: [], into: &n)
            forEachDirectSlotOccurrence(in: t) { s, loc in
                if !bound.contains(s), !reported.contains(s), n.inputs.contains(s) {
                    reported.insert(s)
                    unsafe.append(RegoError(code: RegoError.Code.unsafeVar, message: "var \(slotNames[s]) is unsafe", location: loc))
                }
            }
        }
        if !unsafe.isEmpty { throw CompileFailure(errors: unsafe) }
    }

    // MARK: declarations

    /// Declares the variables a body introduces at its own level.
    mutating func declareBody(_ body: [Expr]) {
        for e in body {
            switch e.kind {
            case .someDecl(let vars):
                for v in vars { if let n = v.variableName, n != "_" { scopes[scopes.count - 1][n] = newSlot(n) } }
            case .someIn(let k, let v, _):
                if let k { declareAll(in: k) }
                declareAll(in: v)
            default: break
            }
        }
        // Remaining free names used directly in this body.
        for e in body {
            switch e.kind {
            case .term(let t): declareFree(in: t)
            case .unify(let a, let b): declareFree(in: a); declareFree(in: b)
            case .assign(_, let b): declareFree(in: b)
            case .someIn(_, _, let c): declareFree(in: c)
            case .every(_, _, let d, _): declareFree(in: d)
            case .someDecl: break
            }
            for w in e.with { declareFree(in: w.value) }
        }
    }

    /// Declares every variable of a pattern as a new local in the current scope.
    mutating func declareAll(in t: Term, onlyNew: Bool = false) {
        switch t.kind {
        case .variable(let n):
            if n == "_" { return }
            if onlyNew, scopes[scopes.count - 1][n] != nil { return }
            scopes[scopes.count - 1][n] = newSlot(n)
        case .array(let items): for i in items { declareAll(in: i, onlyNew: onlyNew) }
        case .object(let pairs): for (_, v) in pairs { declareAll(in: v, onlyNew: onlyNew) }
        default: declareFree(in: t)
        }
    }

    /// Declares names used but not yet known (and not global) in the current scope.
    mutating func declareFree(in t: Term) {
        switch t.kind {
        case .variable(let n):
            if n == "_" || lookup(n) != nil || isGlobal(n) { return }
            scopes[scopes.count - 1][n] = newSlot(n)
        case .ref(let h, let p):
            declareFree(in: h)
            for x in p { declareFree(in: x) }
        case .call(_, let args): for a in args { declareFree(in: a) }
        case .array(let items), .set(let items): for i in items { declareFree(in: i) }
        case .object(let pairs): for (k, v) in pairs { declareFree(in: k); declareFree(in: v) }
        case .template(let parts):
            for p in parts { if case .term(let x) = p { declareFree(in: x) } }
        default: break  // closures declare their own
        }
    }

    // MARK: resolution

    mutating func resolveBody(_ body: [Expr]) throws -> [Expr] {
        var out: [Expr] = []
        for e in body { out.append(try resolveExpr(e)) }
        return out
    }

    mutating func resolveExpr(_ e: Expr) throws -> Expr {
        var r = e
        switch e.kind {
        case .term(let t): r.kind = .term(try resolve(t, topLevel: true))
        case .unify(let a, let b): r.kind = .unify(try resolve(a), try resolve(b))
        case .assign(let a, let b):
            // The assigned variables are visible from here on, not before.
            let rb = try resolve(b)
            declareAll(in: a)
            r.kind = .assign(try resolve(a), rb)
        case .someDecl(let vars): r.kind = .someDecl(try vars.map { try resolve($0) })
        case .someIn(let k, let v, let c):
            r.kind = .someIn(key: try k.map { try resolve($0) }, value: try resolve(v), collection: try resolve(c))
        case .every(let k, let v, let d, let body):
            let dom = try resolve(d)
            scopes.append([:])
            if let k { declareAll(in: k) }
            declareAll(in: v)
            let rk = try k.map { try resolve($0) }
            let rv = try resolve(v)
            declareBody(body)
            let rb = try resolveBody(body)
            scopes.removeLast()
            r.kind = .every(key: rk, value: rv, domain: dom, body: rb)
        }
        r.with = try e.with.map { w in
            let target = try resolveWithTarget(w.target)
            if case .call = target.kind, let fname = functionName(of: w.value),
                let resolved = try? resolveCallName(fname, w.value.location, forWith: true)
            {
                let isFunc = BuiltinRegistry.lookup(resolved) != nil || Resolver.evaluatorCalls.contains(resolved) || functionPaths.contains(Array(resolved.split(separator: ".").dropFirst().map(String.init)))
                if isFunc { return WithModifier(target: target, value: Term(.call(resolved, []), w.value.location), location: w.location) }
            }
            return WithModifier(target: target, value: try resolve(w.value), location: w.location)
        }
        return r
    }

    func functionName(of t: Term) -> String? {
        switch t.kind {
        case .variable(let n): return n
        case .ref(let h, let path):
            guard case .variable(let root) = h.kind else { return nil }
            var parts = [root]
            for p in path {
                guard case .value(.string(let s)) = p.kind else { return nil }
                parts.append(s)
            }
            return parts.joined(separator: ".")
        default: return nil
        }
    }

    mutating func resolveWithTarget(_ t: Term) throws -> Term {
        // input / data refs stay absolute; anything else names a function.
        var name: String? = nil
        switch t.kind {
        case .variable(let n):
            if n == "input" || n == "data" { return t }
            if let imp = importAliases[n] { return refTerm(imp, [], t.location) }
            name = n
        case .ref(let h, let path):
            if case .variable(let root) = h.kind {
                if root == "input" || root == "data" || importAliases[root] != nil {
                    return try resolve(t)
                }
                var parts = [root]
                for p in path {
                    guard case .value(.string(let s)) = p.kind else { break }
                    parts.append(s)
                }
                name = parts.joined(separator: ".")
            }
        default: break
        }
        guard let name else {
            throw RegoError(code: RegoError.Code.type, message: "with keyword target must reference existing input, data, or a function", location: t.location)
        }
        let resolved = try resolveCallName(name, t.location, forWith: true)
        return Term(.call(resolved, []), t.location)
    }

    func refTerm(_ absolute: [String], _ rest: [Term], _ loc: Location) -> Term {
        let head = Term(.variable(absolute[0]), loc)
        let path = absolute.dropFirst().map { Term(.value(.string($0)), loc) } + rest
        if path.isEmpty { return head }
        return Term(.ref(head, path), loc)
    }

    mutating func resolveVariable(_ n: String, _ loc: Location) -> Term {
        if n == "_" {
            let s = newSlot("_")
            wildcards.insert(s)
            return Term(.local(s, "_"), loc)
        }
        if let s = lookup(n) { return Term(.local(s, n), loc) }
        if n == "input" || n == "data" { return Term(.variable(n), loc) }
        if let imp = importAliases[n] { return refTerm(imp, [], loc) }
        if ruleNames.contains(n) { return refTerm(["data"] + module.package + [n], [], loc) }
        // Unknown: a fresh local (unsafe unless bound).
        let s = newSlot(n)
        scopes[scopes.count - 1][n] = s
        return Term(.local(s, n), loc)
    }

    /// Resolves a term; `topLevel` marks a call that is a whole expression (not a value
    /// inside another term, which OPA hoists with an extra output argument).
    mutating func resolve(_ t: Term, topLevel: Bool = false) throws -> Term {
        switch t.kind {
        case .value, .local: return t
        case .variable(let n): return resolveVariable(n, t.location)
        case .ref(let h, let path):
            let head = try resolve(h)
            let rpath = try path.map { try resolve($0) }
            if case .ref(let hh, let hp) = head.kind { return Term(.ref(hh, hp + rpath), t.location) }
            return Term(.ref(head, rpath), t.location)
        case .call(let name, let args):
            if let rule = nonFunctionRule(name) {
                // Calling a rule that is not a function: OPA counts it as a function of arity 0.
                throw CallChecker.arityError(name: rule, args: args, nested: !topLevel, builtin: nil, functionArity: 0, location: t.location)
                    ?? RegoError(code: RegoError.Code.type, message: "undefined function \(rule)", location: t.location)
            }
            let resolvedName = try resolveCallName(name, t.location, forWith: false)
            let arity = resolvedName.hasPrefix("data.") ? functionArities[resolvedName.split(separator: ".").dropFirst().map(String.init)] : nil
            if let e = CallChecker.arityError(name: resolvedName, args: args, nested: !topLevel, builtin: BuiltinRegistry.lookup(resolvedName), functionArity: arity, location: t.location) {
                errors.append(e)
            }
            return Term(.call(resolvedName, try args.map { try resolve($0) }), t.location)
        case .array(let items): return Term(.array(try items.map { try resolve($0) }), t.location)
        case .set(let items): return Term(.set(try items.map { try resolve($0) }), t.location)
        case .object(let pairs):
            return Term(.object(try pairs.map { (try resolve($0.0), try resolve($0.1)) }), t.location)
        case .arrayComprehension(let head, let body):
            scopes.append([:])
            defer { scopes.removeLast() }
            declareBody(body)
            let rb = try resolveBody(body)
            declareFree(in: head)
            return Term(.arrayComprehension(try resolve(head), rb), t.location)
        case .setComprehension(let head, let body):
            scopes.append([:])
            defer { scopes.removeLast() }
            declareBody(body)
            let rb = try resolveBody(body)
            declareFree(in: head)
            return Term(.setComprehension(try resolve(head), rb), t.location)
        case .objectComprehension(let k, let v, let body):
            scopes.append([:])
            defer { scopes.removeLast() }
            declareBody(body)
            let rb = try resolveBody(body)
            declareFree(in: k); declareFree(in: v)
            return Term(.objectComprehension(try resolve(k), try resolve(v), rb), t.location)
        case .template(let parts):
            return Term(.template(try parts.map { p in
                if case .term(let x) = p { return .term(try resolve(x)) }
                return p
            }), t.location)
        }
    }

    /// Internal calls the evaluator implements itself.
    static let evaluatorCalls: Set<String> = ["internal.member_2", "internal.member_3", "print", "internal.print", "trace", "rego.metadata.rule", "rego.metadata.chain", "opa.runtime"]

    /// The full ref of the rule a call names when that rule is not a function.
    func nonFunctionRule(_ name: String) -> String? {
        var parts = name.split(separator: ".").map(String.init)
        if let first = parts.first, lookup(first) == nil, let imp = importAliases[first] {
            parts = imp + parts.dropFirst()
        }
        let full = parts.first == "data" ? parts : ["data"] + module.package + parts
        let path = Array(full.dropFirst())
        guard rulePaths.contains(path), !functionPaths.contains(path) else { return nil }
        if parts.first != "data", BuiltinRegistry.lookup(parts.joined(separator: ".")) != nil { return nil }
        return full.joined(separator: ".")
    }

    func resolveCallName(_ name: String, _ loc: Location, forWith: Bool) throws -> String {
        var parts = name.split(separator: ".").map(String.init)
        if let first = parts.first, lookup(first) == nil, let imp = importAliases[first] {
            parts = imp + parts.dropFirst()
        }
        if parts.first == "data" {
            return parts.joined(separator: ".")
        }
        let local = ["data"] + module.package + parts
        if functionPaths.contains(Array(local.dropFirst())) || rulePaths.contains(Array(local.dropFirst())) && forWith {
            return local.joined(separator: ".")
        }
        let dotted = parts.joined(separator: ".")
        if BuiltinRegistry.lookup(dotted) != nil || Resolver.evaluatorCalls.contains(dotted) { return dotted }
        if forWith, rulePaths.contains(Array(local.dropFirst())) { return local.joined(separator: ".") }
        // A rule of this package that is not a function is named by its full ref, as OPA resolves it.
        let shown = rulePaths.contains(Array(local.dropFirst())) ? local.joined(separator: ".") : dotted
        throw RegoError(code: RegoError.Code.type, message: "undefined function \(shown)", location: loc)
    }

    // MARK: slot analysis

    func slots(in t: Term) -> Set<Int> {
        var out = Set<Int>()
        forEachSlotOccurrence(in: t) { s, _ in out.insert(s) }
        return out
    }

    func forEachSlotOccurrence(in t: Term, _ f: (Int, Location) -> Void) {
        switch t.kind {
        case .local(let s, _): f(s, t.location)
        case .ref(let h, let p): forEachSlotOccurrence(in: h, f); for x in p { forEachSlotOccurrence(in: x, f) }
        case .call(_, let args): for a in args { forEachSlotOccurrence(in: a, f) }
        case .array(let items), .set(let items): for i in items { forEachSlotOccurrence(in: i, f) }
        case .object(let pairs): for (k, v) in pairs { forEachSlotOccurrence(in: k, f); forEachSlotOccurrence(in: v, f) }
        case .arrayComprehension(let h, let b), .setComprehension(let h, let b):
            forEachSlotOccurrence(in: h, f); for e in b { forEachSlotOccurrence(in: e, f) }
        case .objectComprehension(let k, let v, let b):
            forEachSlotOccurrence(in: k, f); forEachSlotOccurrence(in: v, f); for e in b { forEachSlotOccurrence(in: e, f) }
        case .template(let parts): for p in parts { if case .term(let x) = p { forEachSlotOccurrence(in: x, f) } }
        default: break
        }
    }

    func forEachDirectSlotOccurrence(in t: Term, _ f: (Int, Location) -> Void) {
        switch t.kind {
        case .local(let s, _): f(s, t.location)
        case .ref(let h, let p): forEachDirectSlotOccurrence(in: h, f); for x in p { forEachDirectSlotOccurrence(in: x, f) }
        case .call(_, let args): for a in args { forEachDirectSlotOccurrence(in: a, f) }
        case .array(let items), .set(let items): for i in items { forEachDirectSlotOccurrence(in: i, f) }
        case .object(let pairs): for (k, v) in pairs { forEachDirectSlotOccurrence(in: k, f); forEachDirectSlotOccurrence(in: v, f) }
        case .template(let parts): for p in parts { if case .term(let x) = p { forEachDirectSlotOccurrence(in: x, f) } }
        default: break
        }
    }

    func forEachSlotOccurrence(in e: Expr, _ f: (Int, Location) -> Void) {
        switch e.kind {
        case .term(let t): forEachSlotOccurrence(in: t, f)
        case .unify(let a, let b), .assign(let a, let b): forEachSlotOccurrence(in: a, f); forEachSlotOccurrence(in: b, f)
        case .someDecl(let vs): for v in vs { forEachSlotOccurrence(in: v, f) }
        case .someIn(let k, let v, let c):
            if let k { forEachSlotOccurrence(in: k, f) }
            forEachSlotOccurrence(in: v, f); forEachSlotOccurrence(in: c, f)
        case .every(let k, let v, let d, let b):
            if let k { forEachSlotOccurrence(in: k, f) }
            forEachSlotOccurrence(in: v, f); forEachSlotOccurrence(in: d, f)
            for x in b { forEachSlotOccurrence(in: x, f) }
        }
        for w in e.with { forEachSlotOccurrence(in: w.value, f) }
    }

    func forEachSlot(in e: Expr, closures: Bool, _ f: (Int) -> Void) {
        var direct = Set<Int>()
        collectDirect(e, into: &direct)
        for s in direct.sorted() { f(s) }
    }

    /// Slots used outside closures.
    func collectDirect(_ e: Expr, into out: inout Set<Int>) {
        switch e.kind {
        case .term(let t): collectDirect(t, into: &out)
        case .unify(let a, let b), .assign(let a, let b): collectDirect(a, into: &out); collectDirect(b, into: &out)
        case .someDecl: break
        case .someIn(let k, let v, let c):
            if let k { collectDirect(k, into: &out) }
            collectDirect(v, into: &out); collectDirect(c, into: &out)
        case .every(_, _, let d, _): collectDirect(d, into: &out)
        }
        for w in e.with { collectDirect(w.value, into: &out) }
    }

    func collectDirect(_ t: Term, into out: inout Set<Int>) {
        switch t.kind {
        case .local(let s, _): out.insert(s)
        case .ref(let h, let p): collectDirect(h, into: &out); for x in p { collectDirect(x, into: &out) }
        case .call(_, let args): for a in args { collectDirect(a, into: &out) }
        case .array(let items), .set(let items): for i in items { collectDirect(i, into: &out) }
        case .object(let pairs): for (k, v) in pairs { collectDirect(k, into: &out); collectDirect(v, into: &out) }
        case .template(let parts): for p in parts { if case .term(let x) = p { collectDirect(x, into: &out) } }
        default: break
        }
    }

    // MARK: safety ordering

    struct Need { var inputs = Set<Int>(); var outputs = Set<Int>() }

    /// Variables a term reads (inputs) and binds (outputs). `pattern` marks unifiable positions.
    func analyze(_ t: Term, pattern: Bool, outer: Set<Int>, into n: inout Need) {
        switch t.kind {
        case .local(let s, _):
            if pattern { n.outputs.insert(s) } else { n.inputs.insert(s) }
        case .ref(let h, let p):
            analyze(h, pattern: false, outer: outer, into: &n)
            for x in p { analyze(x, pattern: true, outer: outer, into: &n) }
        case .call(let name, let args):
            let arity = functionArity(name)
            for (i, a) in args.enumerated() {
                analyze(a, pattern: arity != nil && i == arity! && i == args.count - 1, outer: outer, into: &n)
            }
        case .array(let items):
            for i in items { analyze(i, pattern: pattern, outer: outer, into: &n) }
        case .set(let items):
            for i in items { analyze(i, pattern: false, outer: outer, into: &n) }
        case .object(let pairs):
            for (k, v) in pairs { analyze(k, pattern: false, outer: outer, into: &n); analyze(v, pattern: pattern, outer: outer, into: &n) }
        case .arrayComprehension, .setComprehension, .objectComprehension:
            n.inputs.formUnion(slots(in: t).intersection(outer))
        case .template(let parts):
            for p in parts { if case .term(let x) = p { analyze(x, pattern: false, outer: outer, into: &n) } }
        default: break
        }
    }

    func functionArity(_ name: String) -> Int? {
        if let b = BuiltinRegistry.lookup(name) { return b.arity }
        if name.hasPrefix("data.") { return -1 }  // user functions: decided at run time
        return nil
    }

    func need(_ e: Expr, outer: Set<Int>) -> Need {
        var n = Need()
        switch e.kind {
        case .term(let t):
            if case .call(let name, let args) = t.kind, name.hasPrefix("data."), let last = args.last {
                // A user function may be called with an output argument.
                for a in args.dropLast() { analyze(a, pattern: false, outer: outer, into: &n) }
                var m = Need()
                analyze(last, pattern: true, outer: outer, into: &m)
                n.inputs.formUnion(m.inputs)
                n.outputs.formUnion(m.outputs)
            } else {
                analyze(t, pattern: false, outer: outer, into: &n)
            }
        case .unify(let a, let b):
            analyze(a, pattern: true, outer: outer, into: &n)
            analyze(b, pattern: true, outer: outer, into: &n)
        case .assign(let a, let b):
            analyze(a, pattern: true, outer: outer, into: &n)
            analyze(b, pattern: false, outer: outer, into: &n)
        case .someDecl: break
        case .someIn(let k, let v, let c):
            if let k { analyze(k, pattern: true, outer: outer, into: &n) }
            analyze(v, pattern: true, outer: outer, into: &n)
            analyze(c, pattern: false, outer: outer, into: &n)
        case .every(let k, let v, let d, let body):
            analyze(d, pattern: false, outer: outer, into: &n)
            var inner = Set<Int>()
            for x in body { forEachSlotOccurrence(in: x, { s, _ in inner.insert(s) }) }
            if let k { inner.subtract(slots(in: k)) }
            inner.subtract(slots(in: v))
            n.inputs.formUnion(inner.intersection(outer))
        }
        for w in e.with { analyze(w.value, pattern: false, outer: outer, into: &n) }
        n.inputs.subtract(n.outputs)
        if e.negated {
            var all = n.inputs.union(n.outputs)
            all.subtract(wildcards)
            // Variables that only occur inside the negation and are not named elsewhere stay local.
            n.inputs = all.filter { outer.contains($0) || !wildcards.contains($0) }
            n.outputs = []
        }
        return n
    }

    /// Orders a body so each expression's inputs are bound first; reorders nested bodies too.
    mutating func order(_ body: [Expr], bound initial: Set<Int>, extraOuter: Set<Int>) throws -> ([Expr], Set<Int>) {
        var outer = extraOuter.union(initial)
        for e in body { collectDirect(e, into: &outer) }
        for s in scopes.flatMap({ $0.values }) { outer.insert(s) }
        var remaining = body.map { ($0, need($0, outer: outer)) }
        var bound = initial
        var result: [Expr] = []
        while !remaining.isEmpty {
            guard let idx = remaining.firstIndex(where: { $0.1.inputs.isSubset(of: bound) }) else {
                var errs: [RegoError] = []
                var seen = Set<Int>()
                for (e, n) in remaining {
                    for s in n.inputs.subtracting(bound).sorted() where !seen.contains(s) {
                        seen.insert(s)
                        var loc = e.location
                        forEachSlotOccurrence(in: e) { x, l in if x == s { loc = l } }
                        errs.append(RegoError(code: RegoError.Code.unsafeVar, message: "var \(slotNames[s]) is unsafe", location: loc))
                    }
                }
                throw CompileFailure(errors: errs)
            }
            let (e, n) = remaining.remove(at: idx)
            result.append(try orderNested(e, bound: bound))
            bound.formUnion(n.outputs)
            if case .someDecl = e.kind {} else { bound.formUnion(n.inputs) }
        }
        return (result, bound)
    }

    mutating func orderNested(_ e: Expr, bound: Set<Int>) throws -> Expr {
        var r = e
        switch e.kind {
        case .term(let t): r.kind = .term(try orderNested(t, bound: bound))
        case .unify(let a, let b): r.kind = .unify(try orderNested(a, bound: bound), try orderNested(b, bound: bound))
        case .assign(let a, let b): r.kind = .assign(a, try orderNested(b, bound: bound))
        case .someIn(let k, let v, let c): r.kind = .someIn(key: k, value: v, collection: try orderNested(c, bound: bound))
        case .every(let k, let v, let d, let body):
            var b = bound
            if let k { b.formUnion(slots(in: k)) }
            b.formUnion(slots(in: v))
            let (ob, _) = try order(body, bound: b, extraOuter: [])
            r.kind = .every(key: k, value: v, domain: try orderNested(d, bound: bound), body: ob)
        case .someDecl: break
        }
        return r
    }

    mutating func orderNested(_ t: Term, bound: Set<Int>) throws -> Term {
        switch t.kind {
        case .arrayComprehension(let h, let body):
            let (ob, b) = try order(body, bound: bound, extraOuter: [])
            try checkHeadSafety([h], bound: b)
            return Term(.arrayComprehension(h, ob), t.location)
        case .setComprehension(let h, let body):
            let (ob, b) = try order(body, bound: bound, extraOuter: [])
            try checkHeadSafety([h], bound: b)
            return Term(.setComprehension(h, ob), t.location)
        case .objectComprehension(let k, let v, let body):
            let (ob, b) = try order(body, bound: bound, extraOuter: [])
            try checkHeadSafety([k, v], bound: b)
            return Term(.objectComprehension(k, v, ob), t.location)
        case .ref(let h, let p):
            return Term(.ref(try orderNested(h, bound: bound), try p.map { try orderNested($0, bound: bound) }), t.location)
        case .call(let n, let args):
            return Term(.call(n, try args.map { try orderNested($0, bound: bound) }), t.location)
        case .array(let items): return Term(.array(try items.map { try orderNested($0, bound: bound) }), t.location)
        case .set(let items): return Term(.set(try items.map { try orderNested($0, bound: bound) }), t.location)
        case .object(let pairs):
            return Term(.object(try pairs.map { (try orderNested($0.0, bound: bound), try orderNested($0.1, bound: bound)) }), t.location)
        case .template(let parts):
            return Term(.template(try parts.map { p in
                if case .term(let x) = p { return .term(try orderNested(x, bound: bound)) }
                return p
            }), t.location)
        default: return t
        }
    }
}
