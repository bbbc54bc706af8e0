/// OPA's `CheckRuleConflicts` stage, on the rule tree of the parsed modules
/// (rules sit at their package path plus the constant prefix of their head ref):
///
/// * rules of one node mixing single- and multi-value kinds, function arities, or
///   complete definitions with partial ones: `conflicting rules data.x.p found`;
/// * a rule with a ground ref that has rules below it:
///   `rule data.x.p conflicts with [data.x.p.q]`;
/// * more than one `default` rule: `multiple default rules data.x.p found at a.rego:3, a.rego:4`
///   (reported at the package);
/// * a ground rule whose path is another module's package:
///   `package x.p conflicts with rule p defined at a.rego:3`.
enum RuleConflicts {
    final class Node {
        var children: [String: Node] = [:]
        var rules: [(rule: Rule, module: Module)] = []
    }

    static func check(_ modules: [Module]) -> [RegoError] {
        let root = Node()
        for m in modules {
            for r in m.rules {
                var n = root
                for p in m.package + Compiler.staticPrefix(r.ref) {
                    if let c = n.children[p] { n = c } else { let c = Node(); n.children[p] = c; n = c }
                }
                n.rules.append((r, m))
            }
        }
        var errors: [RegoError] = []
        visit(root, &errors)

        // A ground rule at the path of another module's package.
        for m in modules {
            for r in m.rules where isGround(r.ref) {
                let path = m.package + Compiler.staticPrefix(r.ref)
                for other in modules where other.package == path && other.file != m.file {
                    errors.append(RegoError(code: RegoError.Code.type, message: "package \(packageText(other.package)) conflicts with rule \(Formatter.headRef(r.ref)) defined at \(r.location.file):\(r.location.row)", location: m.packageLocation))
                }
            }
        }
        return errors
    }

    static func visit(_ node: Node, _ errors: inout [RegoError]) {
        if !node.rules.isEmpty {
            var kinds = Set<Bool>()  // multi-value?
            var arities = Set<Int>()
            var complete = 0, partial = 0
            var defaults: [Rule] = []
            var groundWithChildren = false
            for (r, _) in node.rules {
                kinds.insert(r.kind == .multi)
                arities.insert(r.args.count)
                if r.isDefault { defaults.append(r) }
                if r.kind != .multi && isGround(r.ref) { complete += 1 } else { partial += 1 }
                if isGround(r.ref) && !node.children.isEmpty { groundWithChildren = true }
            }
            let last = node.rules[node.rules.count - 1]
            let name = Recursion.refText(package: last.module.package, last.rule.ref)
            let first = node.rules[0].rule
            var below: [String] = []
            if groundWithChildren { below = descendants(node) }
            if !below.isEmpty {
                errors.append(RegoError(code: RegoError.Code.type, message: "rule \(name) conflicts with [\(below.joined(separator: " "))]", location: first.location))
            } else if kinds.count > 1 || arities.count > 1 || (complete >= 1 && partial >= 1) {
                errors.append(RegoError(code: RegoError.Code.type, message: "conflicting rules \(name) found", location: first.location))
            } else if defaults.count > 1 {
                let at = defaults.map { "\($0.location.file):\($0.location.row)" }.joined(separator: ", ")
                let pkgLoc = node.rules.first(where: { $0.rule.isDefault })?.module.packageLocation
                errors.append(RegoError(code: RegoError.Code.type, message: "multiple default rules \(name) found at \(at)", location: pkgLoc))
            }
        }
        for key in node.children.keys.sorted() {
            if let c = node.children[key] { visit(c, &errors) }
        }
    }

    /// Full refs of the rules below a node, without refs that extend another one, sorted.
    static func descendants(_ node: Node) -> [String] {
        var refs: [[Term]] = []
        var texts: [String] = []
        func walk(_ n: Node) {
            for (r, m) in n.rules {
                let loc = r.location
                let full = [Term(.variable("data"), loc)] + (m.package + [r.name]).map { Term(.value(.string($0)), loc) } + r.ref.dropFirst()
                refs.append(full)
            }
            for key in n.children.keys.sorted() { if let c = n.children[key] { walk(c) } }
        }
        for key in node.children.keys.sorted() { if let c = node.children[key] { walk(c) } }
        for r in refs {
            let t = Formatter.headRef(r)
            if !texts.contains(t) { texts.append(t) }
        }
        // Keep only refs that no other listed ref is a prefix of.
        let kept = texts.filter { t in !texts.contains { $0 != t && (t.hasPrefix($0 + ".") || t.hasPrefix($0 + "[")) } }
        return kept.sorted()
    }

    /// Whether every segment after the rule name is a constant.
    static func isGround(_ ref: [Term]) -> Bool {
        ref.dropFirst().allSatisfy { if case .value = $0.kind { return true } else { return false } }
    }

    /// A package path as `package x.y` prints it.
    static func packageText(_ path: [String]) -> String {
        guard let first = path.first else { return "" }
        var s = first
        for p in path.dropFirst() { s += Formatter.isIdentifier(p) ? "." + p : "[\"\(p)\"]" }
        return s
    }
}
