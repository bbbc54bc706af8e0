/// Compile-time recursion check (OPA's `CheckRecursion` stage).
///
/// Every rule, and every `else` clause of a rule, is a node of a dependency graph.
/// A rule depends on every rule that a ref or call anywhere in it (head, body,
/// comprehensions, `every`, `with` targets and values) could refer to: constant
/// segments narrow the candidates, variable segments match every child, and a ref
/// that ends above rules (`data.pkg`, or `data` alone) covers everything below it.
/// A node that can reach itself is reported as
/// `rego_recursion_error: rule data.pkg.p is recursive: data.pkg.p -> data.pkg.q -> data.pkg.p`.
enum Recursion {
    /// One node of the graph: a rule or one of its `else` clauses.
    struct Node {
        var text: String
        var location: Location
        /// Index of the first node of the rule this node belongs to.
        var ruleStart: Int
        var terms: [Term]
        var bodies: [[Expr]]
    }

    /// One segment of a dependency ref.
    enum Segment { case key(String), dynamic, stop }

    /// The rule's full ref as OPA prints it: `data.pkg.p`, `data.pkg.a.b[x]`.
    static func refText(package: [String], _ ref: [Term]) -> String {
        guard let first = ref.first else { return "data" }
        let loc = first.location
        let segments = (package + [first.variableName ?? ""]).map { Term(.value(.string($0)), loc) }
        return Formatter.headRef([Term(.variable("data"), loc)] + segments + ref.dropFirst())
    }

    /// Errors for every rule that depends on itself (at most `limit`).
    static func check(_ root: RuleNode, limit: Int = 10) -> [RegoError] {
        var nodes: [Node] = []
        /// Nodes of the rules defined at a tree node, by tree-node path.
        var byTreeNode: [[String]: [Int]] = [:]
        collect(root, &nodes, &byTreeNode)
        guard !nodes.isEmpty else { return [] }

        // Members of each rule: the rule and its else clauses.
        var members: [Int: [Int]] = [:]
        for (i, n) in nodes.enumerated() { members[n.ruleStart, default: []].append(i) }

        var edges = [[Int]](repeating: [], count: nodes.count)
        for i in nodes.indices {
            var refs: [[Segment]] = []
            for t in nodes[i].terms { refsIn(t, &refs) }
            for b in nodes[i].bodies { for e in b { refsIn(e, &refs) } }
            var seen = Set<Int>()
            for r in refs {
                for treeNode in matching(root, r) {
                    for start in byTreeNode[treeNode] ?? [] {
                        for m in members[start] ?? [] where seen.insert(m).inserted { edges[i].append(m) }
                    }
                }
            }
        }

        var errors: [RegoError] = []
        for i in nodes.indices {
            guard errors.count < limit else { break }
            var visited = Set<Int>()
            if let path = pathBack(from: i, to: i, edges, &visited) {
                let chain = path.map { nodes[$0].text }.joined(separator: " -> ")
                errors.append(RegoError(code: RegoError.Code.recursion, message: "rule \(nodes[i].text) is recursive: \(chain)", location: nodes[i].location))
            }
        }
        return errors
    }

    /// A path `from ... to` (both included), depth first, following edges in source order.
    static func pathBack(from x: Int, to target: Int, _ edges: [[Int]], _ visited: inout Set<Int>) -> [Int]? {
        visited.insert(x)
        for n in edges[x] {
            if n == target { return [x, n] }
            if visited.contains(n) { continue }
            if let rest = pathBack(from: n, to: target, edges, &visited) { return [x] + rest }
        }
        return nil
    }

    static func collect(_ node: RuleNode, _ nodes: inout [Node], _ byTreeNode: inout [[String]: [Int]]) {
        var rules = node.rules
        if let d = node.defaultRule { rules.append(d) }
        for r in rules {
            let start = nodes.count
            byTreeNode[node.path, default: []].append(start)
            let headTerms = r.suffix + r.args + [r.key, r.value].compactMap { $0 }
            nodes.append(Node(text: r.headText, location: r.location, ruleStart: start, terms: headTerms, bodies: [r.body]))
            for (i, clause) in r.elseChain.enumerated() {
                let loc = i < r.elseLocations.count ? r.elseLocations[i] : r.location
                nodes.append(Node(text: r.headText, location: loc, ruleStart: start, terms: r.args + [clause.value], bodies: [clause.body]))
            }
        }
        for key in node.children.keys.sorted() {
            if let c = node.children[key] { collect(c, &nodes, &byTreeNode) }
        }
    }

    /// Paths of the tree nodes whose rules a ref under `data` may refer to.
    static func matching(_ root: RuleNode, _ segments: [Segment]) -> [[String]] {
        var out: [[String]] = []
        func all(_ n: RuleNode) {
            if n.hasRules { out.append(n.path) }
            for c in n.children.values { all(c) }
        }
        func walk(_ n: RuleNode, _ i: Int) {
            if i >= segments.count { all(n); return }
            switch segments[i] {
            case .key(let k):
                guard let c = n.children[k] else { return }
                if c.hasRules { out.append(c.path) }
                walk(c, i + 1)
            case .dynamic:
                for c in n.children.values {
                    if c.hasRules { out.append(c.path) }
                    walk(c, i + 1)
                }
            case .stop:
                return
            }
        }
        walk(root, 0)
        return out
    }

    static func refsIn(_ e: Expr, _ out: inout [[Segment]]) {
        switch e.kind {
        case .term(let t): refsIn(t, &out)
        case .unify(let a, let b), .assign(let a, let b): refsIn(a, &out); refsIn(b, &out)
        case .someDecl(let vs): for v in vs { refsIn(v, &out) }
        case .someIn(let k, let v, let c):
            if let k { refsIn(k, &out) }
            refsIn(v, &out); refsIn(c, &out)
        case .every(let k, let v, let d, let b):
            if let k { refsIn(k, &out) }
            refsIn(v, &out); refsIn(d, &out)
            for x in b { refsIn(x, &out) }
        }
        for w in e.with { refsIn(w.target, &out); refsIn(w.value, &out) }
    }

    static func refsIn(_ t: Term, _ out: inout [[Segment]]) {
        switch t.kind {
        case .variable(let n):
            if n == "data" { out.append([]) }
        case .ref(let h, let path):
            if case .variable("data") = h.kind {
                out.append(path.map { p in
                    switch p.kind {
                    case .value(.string(let s)): return .key(s)
                    case .value: return .stop
                    default: return .dynamic
                    }
                })
            } else {
                refsIn(h, &out)
            }
            for p in path { refsIn(p, &out) }
        case .call(let name, let args):
            if name.hasPrefix("data.") {
                out.append(name.split(separator: ".").dropFirst().map { .key(String($0)) })
            }
            for a in args { refsIn(a, &out) }
        case .array(let items), .set(let items): for i in items { refsIn(i, &out) }
        case .object(let pairs): for (k, v) in pairs { refsIn(k, &out); refsIn(v, &out) }
        case .arrayComprehension(let h, let b), .setComprehension(let h, let b):
            refsIn(h, &out); for e in b { refsIn(e, &out) }
        case .objectComprehension(let k, let v, let b):
            refsIn(k, &out); refsIn(v, &out); for e in b { refsIn(e, &out) }
        case .template(let parts): for p in parts { if case .term(let x) = p { refsIn(x, &out) } }
        case .value, .local: break
        }
    }
}
