/// What a call in a compiled body resolves to, decided once when a query is prepared.
enum CallTarget: Sendable {
    /// `x in c` (`internal.member_2`).
    case member2
    /// `k, x in c` (`internal.member_3`).
    case member3
    /// `print` / `internal.print`.
    case print
    /// `trace`.
    case trace
    /// `opa.runtime`.
    case runtime
    /// A comparison operator evaluated without building an operand array.
    case compare(Comparison)
    /// A user function at a rule-tree node.
    case function(RuleNode)
    /// A `data.` path that is not a function (calling it is a type error).
    case notFunction
    /// A builtin from the registry.
    case builtin(Builtin)
    /// A name nothing defines.
    case undefined

    /// The comparison builtins the evaluator runs inline (same semantics as `CoreBuiltins.comparison`).
    enum Comparison: Sendable {
        case equal, neq, lt, lte, gt, gte

        @inline(__always)
        func test(_ a: Value, _ b: Value) -> Bool {
            switch self {
            case .equal: return a == b
            case .neq: return a != b
            case .lt: return Value.compare(a, b) < 0
            case .lte: return Value.compare(a, b) <= 0
            case .gt: return Value.compare(a, b) > 0
            case .gte: return Value.compare(a, b) >= 0
            }
        }
    }
}

/// The evaluation plan of a prepared query: the rule tree with constant
/// composite literals folded into values, and every call name resolved to its
/// target. Built once per `PreparedQuery`, immutable, shared by all evaluations.
final class EvalPlan: Sendable {
    /// The rule tree after constant folding.
    let root: RuleNode
    /// Call targets by resolved name.
    let calls: [String: CallTarget]
    /// Number of rule-tree nodes (sizes the per-evaluation memo table).
    let nodeCount: Int

    init(policy: CompiledPolicy, query: inout CompiledQuery) {
        var folder = ConstantFolder()
        let root = folder.fold(policy.root)
        query.body = folder.fold(query.body)
        self.root = root
        self.nodeCount = folder.nodeCount
        var table: [String: CallTarget] = [:]
        for name in folder.callNames {
            table[name] = EvalPlan.resolve(name, root: root)
        }
        self.calls = table
    }

    /// The call target for a name (looked up in the table, resolved afresh for names only `with` introduces).
    @inline(__always)
    func target(_ name: String) -> CallTarget {
        if let t = calls[name] { return t }
        return EvalPlan.resolve(name, root: root)
    }

    /// Finds the node for a path, if any.
    func node(_ path: [String]) -> RuleNode? {
        var n = root
        for p in path {
            guard let c = n.children[p] else { return nil }
            n = c
        }
        return n
    }

    static func resolve(_ name: String, root: RuleNode) -> CallTarget {
        switch name {
        case "internal.member_2": return .member2
        case "internal.member_3": return .member3
        case "print", "internal.print": return .print
        case "trace": return .trace
        case "opa.runtime": return .runtime
        default: break
        }
        if name.hasPrefix("data.") {
            var n = root
            for p in name.split(separator: ".").dropFirst() {
                guard let c = n.children[String(p)] else { return .notFunction }
                n = c
            }
            return n.isFunction ? .function(n) : .notFunction
        }
        guard let builtin = BuiltinRegistry.lookup(name) else { return .undefined }
        // Inline only the core comparison builtins, and only while the registry still maps
        // them to the core entries (a library may replace a builtin of the same name).
        let comparisons: [String: CallTarget.Comparison] = ["equal": .equal, "neq": .neq, "lt": .lt, "lte": .lte, "gt": .gt, "gte": .gte]
        if let op = comparisons[name], builtin.operands == [.any, .any] { return .compare(op) }
        return .builtin(builtin)
    }
}

/// Folds composite literals whose parts are all constant (`{"a": [1, 2]}`) into
/// values, so evaluation does not rebuild them, and collects every call name.
struct ConstantFolder {
    var callNames = Set<String>()
    var nodeCount = 0

    mutating func fold(_ node: RuleNode) -> RuleNode {
        nodeCount += 1
        var kids: [String: RuleNode] = [:]
        kids.reserveCapacity(node.children.count)
        for (k, c) in node.children { kids[k] = fold(c) }
        return RuleNode(path: node.path, children: kids, rules: node.rules.map { fold($0) }, defaultRule: node.defaultRule.map { fold($0) }, isPackage: node.isPackage)
    }

    mutating func fold(_ rule: CompiledRule) -> CompiledRule {
        var r = rule
        r.suffix = rule.suffix.map { fold($0) }
        r.args = rule.args.map { fold($0) }
        r.key = rule.key.map { fold($0) }
        r.value = fold(rule.value)
        r.body = fold(rule.body)
        r.elseChain = rule.elseChain.map { (value: fold($0.value), body: fold($0.body)) }
        return r
    }

    mutating func fold(_ body: [Expr]) -> [Expr] { body.map { fold($0) } }

    mutating func fold(_ e: Expr) -> Expr {
        var r = e
        switch e.kind {
        case .term(let t): r.kind = .term(fold(t))
        case .unify(let a, let b): r.kind = .unify(fold(a), fold(b))
        case .assign(let a, let b): r.kind = .assign(fold(a), fold(b))
        case .someDecl: break
        case .someIn(let k, let v, let c): r.kind = .someIn(key: k.map { fold($0) }, value: fold(v), collection: fold(c))
        case .every(let k, let v, let d, let b): r.kind = .every(key: k.map { fold($0) }, value: fold(v), domain: fold(d), body: fold(b))
        }
        // `with` targets keep their shape (they name documents or functions); values fold.
        r.with = e.with.map { w in
            var m = w
            if case .call(let name, _) = w.target.kind { callNames.insert(name) }
            if case .call(let name, _) = w.value.kind { callNames.insert(name) }
            m.value = fold(w.value)
            return m
        }
        return r
    }

    mutating func fold(_ t: Term) -> Term {
        switch t.kind {
        case .value, .variable, .local: return t
        case .ref(let h, let path): return Term(.ref(fold(h), path.map { fold($0) }), t.location)
        case .call(let name, let args):
            callNames.insert(name)
            return Term(.call(name, args.map { fold($0) }), t.location)
        case .array(let items):
            let f = items.map { fold($0) }
            let folded = Term(.array(f), t.location)
            if let v = folded.constantValue { return Term(.value(v), t.location) }
            return folded
        case .set(let items):
            let f = items.map { fold($0) }
            let folded = Term(.set(f), t.location)
            if let v = folded.constantValue { return Term(.value(v), t.location) }
            return folded
        case .object(let pairs):
            let f = pairs.map { (fold($0.0), fold($0.1)) }
            let folded = Term(.object(f), t.location)
            if let v = folded.constantValue { return Term(.value(v), t.location) }
            return folded
        case .arrayComprehension(let h, let b): return Term(.arrayComprehension(fold(h), fold(b)), t.location)
        case .setComprehension(let h, let b): return Term(.setComprehension(fold(h), fold(b)), t.location)
        case .objectComprehension(let k, let v, let b): return Term(.objectComprehension(fold(k), fold(v), fold(b)), t.location)
        case .template(let parts):
            return Term(.template(parts.map { p in
                if case .term(let x) = p { return .term(fold(x)) }
                return p
            }), t.location)
        }
    }
}
