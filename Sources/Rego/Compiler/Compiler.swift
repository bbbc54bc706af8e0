/// A node of the rule tree: one path segment under `data`, holding the rules
/// whose static head prefix ends here and the child nodes below.
public final class RuleNode: Sendable {
    /// Path from `data` to this node.
    public let path: [String]
    /// Child nodes by key.
    let children: [String: RuleNode]
    /// Rules whose static prefix ends at this node.
    let rules: [CompiledRule]
    /// The `default` rule, if any.
    let defaultRule: CompiledRule?
    /// Whether a module declares this path as its package (an empty package is `{}`).
    let isPackage: Bool

    init(path: [String], children: [String: RuleNode], rules: [CompiledRule], defaultRule: CompiledRule?, isPackage: Bool = false) {
        self.path = path; self.children = children; self.rules = rules; self.defaultRule = defaultRule; self.isPackage = isPackage
    }

    /// Whether this node or any descendant defines rules.
    var hasRules: Bool { !rules.isEmpty || defaultRule != nil }

    /// Whether the rules here are functions.
    var isFunction: Bool { rules.first?.kind == .function || defaultRule?.kind == .function }
}

/// A rule after resolution: variables are frame slots, refs are absolute.
struct CompiledRule: Sendable {
    var kind: Rule.Kind
    /// Head ref terms after the static prefix (may contain variables).
    var suffix: [Term]
    var args: [Term]
    var key: Term?
    var value: Term
    var body: [Expr]
    var elseChain: [(value: Term, body: [Expr])]
    var slotCount: Int
    var location: Location
    var isDefault: Bool
    /// The head ref as OPA prints it (`p`, `p.q[x]`), for messages.
    var headText: String = ""
    /// Where each `else` clause starts.
    var elseLocations: [Location] = []
}

/// The compiled form of a set of modules: immutable and shareable across threads.
public final class CompiledPolicy: Sendable {
    /// The rule tree's root (`data`).
    public let root: RuleNode
    /// The parsed modules.
    public let modules: [Module]

    init(root: RuleNode, modules: [Module]) {
        self.root = root; self.modules = modules
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
}

/// Turns parsed modules into a `CompiledPolicy`: stages run in order —
/// module tree, ref resolution (imports, rule names, builtins), local variable
/// slots, safety reordering, rule tree.
public enum Compiler {
    /// Compiles modules; throws `CompileFailure` listing every error (at most 10).
    public static func compile(_ modules: [Module]) throws -> CompiledPolicy {
        var errors: [RegoError] = []
        // Stage 0: metadata calls become constants.
        let modules = Metadata.rewrite(modules)
        // Root-document shadowing, duplicate imports, variables introduced twice in a scope.
        let early = modules.flatMap { DeclarationCheck.check($0) }
        if !early.isEmpty { throw CompileFailure(errors: sortedByLocation(early)) }
        let conflicts = RuleConflicts.check(modules)
        if !conflicts.isEmpty { throw CompileFailure(errors: sortedByLocation(conflicts)) }
        // Stage 1: which names each package defines.
        var packageRules: [[String]: Set<String>] = [:]
        for m in modules {
            for r in m.rules { packageRules[m.package, default: []].insert(r.name) }
        }
        // Every defined rule path (package + static head prefix) for call resolution.
        var functionPaths = Set<[String]>()
        var rulePaths = Set<[String]>()
        var functionArities: [[String]: Int] = [:]
        for m in modules {
            for r in m.rules {
                let p = m.package + staticPrefix(r.ref)
                rulePaths.insert(p)
                if r.kind == .function {
                    functionPaths.insert(p)
                    if functionArities[p] == nil { functionArities[p] = r.args.count }
                }
            }
        }
        // Stage 2+3: resolve each rule.
        var builder = TreeBuilder()
        for m in modules {
            let names = packageRules[m.package] ?? []
            var resolver = Resolver(module: m, ruleNames: names, functionPaths: functionPaths, rulePaths: rulePaths)
            resolver.functionArities = functionArities
            builder.addPackage(m.package)
            for rule in m.rules {
                do {
                    let compiled = try resolver.compileRule(rule)
                    let prefix = staticPrefix(rule.ref)
                    builder.add(m.package + prefix, compiled)
                } catch let e as RegoError {
                    errors.append(e)
                } catch let e as CompileFailure {
                    errors.append(contentsOf: e.errors)
                }
            }
            errors.append(contentsOf: resolver.errors)
        }
        errors.append(contentsOf: builder.errors)
        if !errors.isEmpty { throw CompileFailure(errors: sortedByLocation(errors)) }
        let root = builder.build()
        // Recursion is checked once every rule compiled (OPA runs it after the safety stages).
        let recursion = Recursion.check(root, limit: .max)
        if !recursion.isEmpty { throw CompileFailure(errors: sortedByLocation(recursion)) }
        // Then the operand types of builtin calls.
        var checker = CallChecker()
        checkTypes(root, &checker)
        if !checker.errors.isEmpty { throw CompileFailure(errors: sortedByLocation(checker.errors)) }
        return CompiledPolicy(root: root, modules: modules)
    }

    static func checkTypes(_ node: RuleNode, _ checker: inout CallChecker) {
        for r in node.rules { checker.check(rule: r) }
        if let d = node.defaultRule { checker.check(rule: d) }
        for key in node.children.keys.sorted() {
            if let c = node.children[key] { checkTypes(c, &checker) }
        }
    }

    /// Errors in source order (file, row, column).
    static func sortedByLocation(_ errors: [RegoError]) -> [RegoError] {
        errors.sorted { ($0.location?.file ?? "", $0.location?.row ?? 0, $0.location?.col ?? 0) < ($1.location?.file ?? "", $1.location?.row ?? 0, $1.location?.col ?? 0) }
    }

    /// The leading constant string segments of a rule head (after the rule name).
    static func staticPrefix(_ ref: [Term]) -> [String] {
        var out: [String] = []
        for (i, t) in ref.enumerated() {
            if i == 0 { out.append(t.variableName ?? ""); continue }
            if case .value(.string(let s)) = t.kind { out.append(s) } else { break }
        }
        return out
    }

    /// Compiles a query against a policy: returns the body and the frame layout.
    static func compileQuery(_ body: [Expr], policy: CompiledPolicy, packagePath: [String] = [], imports: [Import] = []) throws -> CompiledQuery {
        var functionPaths = Set<[String]>()
        var rulePaths = Set<[String]>()
        collectPaths(policy.root, &functionPaths, &rulePaths)
        let m = Module(file: "query", package: packagePath, packageLocation: Location(file: "query", row: 1, col: 1), imports: imports, rules: [])
        var resolver = Resolver(module: m, ruleNames: [], functionPaths: functionPaths, rulePaths: rulePaths)
        var arities: [[String]: Int] = [:]
        collectArities(policy.root, &arities)
        resolver.functionArities = arities
        let q = try resolver.compileQuery(body)
        if !resolver.errors.isEmpty { throw CompileFailure(errors: resolver.errors) }
        var checker = CallChecker()
        checker.checkBody(q.body)
        if !checker.errors.isEmpty { throw CompileFailure(errors: checker.errors) }
        return q
    }

    static func collectArities(_ node: RuleNode, _ out: inout [[String]: Int]) {
        if node.isFunction, let r = node.rules.first ?? node.defaultRule { out[node.path] = r.args.count }
        for c in node.children.values { collectArities(c, &out) }
    }

    static func collectPaths(_ node: RuleNode, _ f: inout Set<[String]>, _ r: inout Set<[String]>) {
        if node.hasRules {
            r.insert(node.path)
            if node.isFunction { f.insert(node.path) }
        }
        for c in node.children.values { collectPaths(c, &f, &r) }
    }
}

/// A compiled query: its body, frame size and the names of reported variables.
struct CompiledQuery: Sendable {
    var body: [Expr]
    var slotCount: Int
    /// Output variables: (name, slot), in order of first appearance.
    var outputs: [(String, Int)]
}

struct TreeBuilder {
    final class Node {
        var children: [String: Node] = [:]
        var rules: [CompiledRule] = []
        var defaultRule: CompiledRule?
        var isPackage = false
    }
    let root = Node()
    var errors: [RegoError] = []

    /// Marks a module's package path, so that a package without rules still exists.
    mutating func addPackage(_ path: [String]) {
        var n = root
        for p in path {
            if let c = n.children[p] { n = c } else { let c = Node(); n.children[p] = c; n = c }
        }
        n.isPackage = true
    }

    mutating func add(_ path: [String], _ rule: CompiledRule) {
        var n = root
        for p in path {
            if let c = n.children[p] { n = c } else { let c = Node(); n.children[p] = c; n = c }
        }
        // Conflicting definitions were reported before (RuleConflicts).
        if rule.isDefault { n.defaultRule = rule } else { n.rules.append(rule) }
    }

    func build() -> RuleNode { freeze(root, []) }

    func freeze(_ n: Node, _ path: [String]) -> RuleNode {
        var kids: [String: RuleNode] = [:]
        for (k, c) in n.children { kids[k] = freeze(c, path + [k]) }
        return RuleNode(path: path, children: kids, rules: n.rules, defaultRule: n.defaultRule, isPackage: n.isPackage)
    }
}
