extension Evaluator {
    // MARK: data documents

    func baseAt(_ path: [String]) -> Value? {
        var cur = baseData
        for p in path {
            guard let next = cur[p] else { return nil }
            cur = next
        }
        return cur
    }

    func overrideAt(_ path: [String]) -> Value? {
        let keys = path.map { Value.string($0) }
        var hit: Value? = nil
        for (p, v) in dataOverrides where p.count <= keys.count && Array(keys[0..<p.count]) == p {
            var cur: Value? = v
            for key in keys[p.count...] { cur = cur?[key] }
            hit = cur
        }
        return hit
    }

    /// Applies `with data...` overrides to a base value found at `path`.
    func overlay(_ value: Value?, at path: [Value]) -> Value? {
        var result = value
        for (p, v) in dataOverrides {
            if p.count <= path.count, Array(path[0..<p.count]) == p {
                var cur: Value? = v
                for key in path[p.count...] { cur = cur?[key] }
                result = cur
            } else if p.count > path.count, Array(p[0..<path.count]) == path {
                result = Evaluator.setPath(result ?? .emptyObject, p[path.count...], v)
            }
        }
        return result
    }

    func hasOverride(atOrAbove path: [String]) -> Bool {
        guard !dataOverrides.isEmpty else { return false }
        let keys = path.map { Value.string($0) }
        return dataOverrides.contains { $0.0.count <= keys.count && Array(keys[0..<$0.0.count]) == $0.0 }
    }

    func evalData(_ path: [Term], _ i: Int, _ node: RuleNode, _ f: Frame, _ k: (Value) throws -> Void) throws {
        if !dataOverrides.isEmpty, hasOverride(atOrAbove: node.path) {
            if let v = overrideAt(node.path) { try walk(v, path, i, f, k) }
            return
        }
        if i == path.count {
            if let v = try nodeValue(node) { try k(v) }
            return
        }
        let p = path[i]
        var key: Value? = nil
        switch p.kind {
        case .value(let v): key = v
        case .local(let s, _): key = f.slots[s]
        default: break
        }
        if let key { return try descend(key, path, i, node, f, k) }
        if isGround(p, f) {
            try evalTerm(p, f) { kv in try self.descend(kv, path, i, node, f, k) }
            return
        }
        if let v = try nodeValue(node) { try walk(v, path, i, f, k) }
    }

    func descend(_ key: Value, _ path: [Term], _ i: Int, _ node: RuleNode, _ f: Frame, _ k: (Value) throws -> Void) throws {
        if case .string(let s) = key, let child = node.children[s] {
            // Rules here with a variable in their ref may also define this key: read the whole document.
            if node.hasRules, !node.isFunction, node.rules.contains(where: { !$0.suffix.isEmpty }) {
                if let v = try nodeValue(node) { try walk(v, path, i, f, k) }
                return
            }
            return try evalData(path, i + 1, child, f, k)
        }
        if node.hasRules {
            if node.isFunction { return }
            if let v = try ruleValue(node) { try walk(v, path, i, f, k) }
            return
        }
        if !dataOverrides.isEmpty {
            let childPath = node.path.map { Value.string($0) } + [key]
            if let v = overlay(baseAt(node.path)?[key], at: childPath) { try walk(v, path, i + 1, f, k) }
            return
        }
        if let base = baseAt(node.path) { try walkBase(base, key, path, i, f, k) }
    }

    /// Indexes base data: integer keys also find string keys of objects, as OPA's store does.
    func walkBase(_ v: Value, _ key: Value, _ path: [Term], _ i: Int, _ f: Frame, _ k: (Value) throws -> Void) throws {
        var child = v[key]
        if child == nil, case .number(let n) = key, n.isInteger, case .object = v { child = v[.string(n.description)] }
        guard let child else { return }
        let j = i + 1
        if j < path.count {
            var next: Value? = nil
            switch path[j].kind {
            case .value(let c): next = c
            case .local(let s, _): next = f.slots[s]
            default: break
            }
            if let next { return try walkBase(child, next, path, j, f, k) }
        }
        try walk(child, path, j, f, k)
    }

    /// The full document at a node: base data merged with rule values and children.
    func nodeValue(_ node: RuleNode) throws -> Value? {
        if !dataOverrides.isEmpty, hasOverride(atOrAbove: node.path) { return overrideAt(node.path) }
        if node.isFunction { return nil }
        let base = baseAt(node.path)
        var result = base
        var virtual: Value? = nil
        if node.hasRules { virtual = try ruleValue(node) }
        if !node.children.isEmpty, virtual == nil || virtual?.objectValue != nil {
            // Rules below this node add to the object the rules here define. A value a
            // rule here produces is a leaf: rules below may not write into it or over it.
            let leafDepth = node.rules.filter { $0.kind != .function }.map { $0.suffix.count }.max()
            var obj = virtual?.objectValue ?? ObjectValue()
            for key in node.children.keys.sorted() {
                let child = node.children[key]!
                if child.isFunction { continue }
                guard let cv = try nodeValue(child) else { continue }
                if let existing = obj[key] {
                    obj.set(.string(key), try mergeVirtual(existing, cv, depth: 1, leafDepth: leafDepth, node))
                } else {
                    obj.set(.string(key), cv)
                }
            }
            virtual = .object(obj)
        }
        if let virtual {
            // Where base data and rules define the same scalar, the base document is kept.
            result = base.map { Evaluator.mergeKeepingBase($0, virtual) } ?? virtual
        }
        // A package that defines nothing (here or below) is an empty object.
        if result == nil, node.isPackage { result = .emptyObject }
        // Patch overrides that sit below this node.
        if !dataOverrides.isEmpty {
            let keys = node.path.map { Value.string($0) }
            for (p, v) in dataOverrides where p.count > keys.count && Array(p[0..<keys.count]) == keys {
                result = Evaluator.setPath(result ?? .emptyObject, p[keys.count...], v)
            }
        }
        return result
    }

    /// Merges the values of rules at one node with those of rules below it; a path both
    /// define is a conflict unless both are objects above the leaf depth (or equal, or sets at it).
    func mergeVirtual(_ a: Value, _ b: Value, depth: Int, leafDepth: Int?, _ node: RuleNode) throws -> Value {
        if a == b { return a }
        if case .set(let x) = a, case .set(let y) = b { return .set(x.union(y)) }
        let location = (node.rules.first ?? node.defaultRule)?.location
        if let leafDepth, depth >= leafDepth {
            throw fail(RegoError.Code.conflict, "object keys must be unique", location)
        }
        guard case .object(var x) = a, case .object(let y) = b else {
            throw fail(RegoError.Code.conflict, "object keys must be unique", location)
        }
        for (k, v) in y.entries {
            if let e = x[k] { x.set(k, try mergeVirtual(e, v, depth: depth + 1, leafDepth: leafDepth, node)) } else { x.set(k, v) }
        }
        return .object(x)
    }

    /// Merges a virtual document into base data: objects and sets combine; elsewhere the base value stays.
    static func mergeKeepingBase(_ a: Value, _ b: Value) -> Value {
        if case .set(let x) = a, case .set(let y) = b { return .set(x.union(y)) }
        guard case .object(var x) = a, case .object(let y) = b else { return a }
        for (k, v) in y.entries {
            if let e = x[k] { x.set(k, mergeKeepingBase(e, v)) } else { x.set(k, v) }
        }
        return .object(x)
    }

    static func merge(_ a: Value, _ b: Value) -> Value {
        if case .set(let x) = a, case .set(let y) = b { return .set(x.union(y)) }
        guard case .object(var x) = a, case .object(let y) = b else { return b }
        for (k, v) in y.entries {
            if let e = x[k] { x.set(k, merge(e, v)) } else { x.set(k, v) }
        }
        return .object(x)
    }

    // MARK: rules

    /// The value the rules at a node define (memoised for the current `with` context).
    func ruleValue(_ node: RuleNode) throws -> Value? {
        let id = ObjectIdentifier(node)
        if let c = cache[id] { return c }
        if inProgress.contains(id) {
            throw fail(RegoError.Code.recursion, "rule data.\(node.path.joined(separator: ".")) is recursive", node.rules.first?.location)
        }
        inProgress.insert(id)
        defer { inProgress.remove(id) }
        depth += 1
        defer { depth -= 1 }
        if depth > options.maxDepth {
            throw fail(RegoError.Code.cancel, "maximum evaluation depth exceeded", node.rules.first?.location)
        }
        let result = try computeRules(node)
        cache[id] = .some(result)
        return result
    }

    func computeRules(_ node: RuleNode) throws -> Value? {
        let rules = node.rules
        guard let first = rules.first else {
            if let d = node.defaultRule { return try constant(d) }
            return nil
        }
        if first.kind == .multi {
            var set = SetValue()
            var obj: Value? = nil
            for rule in rules {
                let frame = acquireFrame(rule.slotCount)
                defer { releaseFrame(frame) }
                try evalSolutions(rule, frame, valueTerm: rule.key ?? rule.value) { f, v in
                    if rule.suffix.isEmpty {
                        set.insert(v)
                    } else {
                        try self.keys(rule.suffix, f) { keys in
                            var leaf = Evaluator.getPath(obj ?? .emptyObject, keys[...])?.setValue ?? SetValue()
                            leaf.insert(v)
                            obj = Evaluator.setPath(obj ?? .emptyObject, keys[...], .set(leaf))
                        }
                    }
                }
            }
            if rules.contains(where: { !$0.suffix.isEmpty }) { return obj ?? .emptyObject }
            return .set(set)
        }
        if rules.allSatisfy({ $0.suffix.isEmpty }) {
            var result: Value? = nil
            for rule in rules {
                let frame = acquireFrame(rule.slotCount)
                defer { releaseFrame(frame) }
                try evalSolutions(rule, frame, valueTerm: rule.value) { _, v in
                    if let r = result, r != v {
                        throw self.fail(RegoError.Code.conflict, "complete rules must not produce multiple outputs", rule.location)
                    }
                    result = v
                }
            }
            if result == nil, let d = node.defaultRule { result = try constant(d) }
            return result
        }
        // Object built from ref heads with variables.
        var obj: Value = .emptyObject
        var produced = false
        for rule in rules {
            let frame = acquireFrame(rule.slotCount)
            defer { releaseFrame(frame) }
            try evalSolutions(rule, frame, valueTerm: rule.value) { f, v in
                if rule.suffix.isEmpty {
                    obj = Evaluator.merge(obj, v)
                    produced = true
                    return
                }
                try self.keys(rule.suffix, f) { keys in
                    if let existing = Evaluator.getPath(obj, keys[...]), existing != v {
                        if keys.count == 1 {
                            throw self.fail(RegoError.Code.conflict, "object keys must be unique", rule.location)
                        }
                        throw self.fail(RegoError.Code.conflict, "complete rules must not produce multiple outputs", rule.location)
                    }
                    obj = Evaluator.setPath(obj, keys[...], v)
                    produced = true
                }
            }
        }
        if !produced, let d = node.defaultRule { return try constant(d) }
        return obj
    }

    func keys(_ suffix: [Term], _ f: Frame, _ k: ([Value]) throws -> Void) throws {
        var acc: [Value] = []
        try evalList(suffix, 0, &acc, f, k)
    }

    static func getPath(_ v: Value, _ path: ArraySlice<Value>) -> Value? {
        var cur = v
        for p in path {
            guard let n = cur[p] else { return nil }
            cur = n
        }
        return cur
    }

    func constant(_ rule: CompiledRule) throws -> Value? {
        if case .value(let v) = rule.value.kind { return v }
        var out: Value? = nil
        let frame = acquireFrame(rule.slotCount)
        defer { releaseFrame(frame) }
        try evalTerm(rule.value, frame) { out = $0 }
        return out
    }

    /// Runs a rule's body (then its else chain while undefined), yielding each value.
    func evalSolutions(_ rule: CompiledRule, _ f: Frame, valueTerm: Term, _ k: (Frame, Value) throws -> Void) throws {
        var any = false
        try evalBody(rule.body, 0, f) {
            any = true
            try self.evalTerm(valueTerm, f) { v in try k(f, v) }
        }
        if any || rule.elseChain.isEmpty { return }
        for clause in rule.elseChain {
            var found = false
            try evalBody(clause.body, 0, f) {
                found = true
                try self.evalTerm(clause.value, f) { v in try k(f, v) }
            }
            if found { return }
        }
    }

    // MARK: calls

    func evalCall(_ name: String, _ args: [Term], _ loc: Location, _ f: Frame, asExpression: Bool, _ k: (Value) throws -> Void) throws {
        var name = name
        var mocked = false
        if !functionOverrides.isEmpty, let o = functionOverrides[name] {
            if case .call(let replacement, _) = o.kind {
                name = replacement
                mocked = true
            } else {
                var acc: [Value] = []
                return try evalList(args, 0, &acc, f) { _ in try self.evalTerm(o, f, k) }
            }
        }
        let target = plan.target(name)
        switch target {
        case .member2:
            if args.count == 2, !hasUnboundLocal(args, f) {
                return try evalOperand(args[0], f) { x in
                    switch args[1].kind {
                    case .set(let items), .array(let items):
                        // `x in {a, b}`: test the items without building the collection.
                        if let found = try self.memberOfLiteral(x, items, f) {
                            guard let found else { return }  // an item is undefined
                            return try k(.bool(found))
                        }
                    default: break
                    }
                    try self.evalOperand(args[1], f) { c in try k(.bool(Evaluator.member(x, c))) }
                }
            }
            var acc: [Value] = []
            return try evalList(args, 0, &acc, f) { vals in
                try k(.bool(Evaluator.member(vals[0], vals[1])))
            }
        case .member3:
            var acc: [Value] = []
            return try evalList(args, 0, &acc, f) { vals in
                let (key, x, c) = (vals[0], vals[1], vals[2])
                var found = false
                switch c {
                case .array, .object: found = c[key].map { $0 == x } ?? false
                default: found = false
                }
                try k(.bool(found))
            }
        case .print:
            var parts: [String] = []
            for a in args {
                var vals: [String] = []
                try evalTerm(a, f) { v in
                    if case .string(let s) = v { vals.append(s) } else { vals.append(v.description) }
                }
                parts.append(vals.isEmpty ? "<undefined>" : vals.joined(separator: " "))
            }
            context.printed.append(parts.joined(separator: " "))
            return try k(.true)
        case .trace:
            return try k(.true)
        case .runtime:
            // As OPA's library: without runtime information the object is empty; the
            // environment given to the evaluation appears under `env`.
            if context.environment.isEmpty { return try k(.emptyObject) }
            var env = ObjectValue()
            for (key, v) in context.environment { env.set(.string(key), .string(v)) }
            return try k(["env": .object(env)])
        case .notFunction:
            // Calling a non-function document: treat as undefined function.
            throw fail(RegoError.Code.type, "undefined function \(name)", loc)
        case .undefined:
            throw fail(RegoError.Code.type, "undefined function \(name)", loc)
        case .function(let node):
            let arity = (node.rules.first ?? node.defaultRule)?.args.count ?? 0
            let inputs = args.count > arity ? Array(args[0..<arity]) : args
            var acc: [Value] = []
            acc.reserveCapacity(inputs.count)
            try evalList(inputs, 0, &acc, f) { vals in
                let result: Value?
                if mocked {
                    // A mock's own body sees the real functions, not other mocks.
                    let saved = (self.functionOverrides, self.cache)
                    self.functionOverrides = [:]
                    self.cache = [:]
                    defer { (self.functionOverrides, self.cache) = saved }
                    result = try self.callFunction(node, vals, loc)
                } else {
                    result = try self.callFunction(node, vals, loc)
                }
                guard let result else { return }
                if args.count > arity {
                    try self.unifyValue(args[arity], result, f) { try k(.true) }
                } else {
                    try k(result)
                }
            }
            return
        case .compare(let op):
            if args.count == 2, !hasUnboundLocal(args, f) {
                return try evalOperand(args[0], f) { a in
                    try self.evalOperand(args[1], f) { b in try k(.bool(op.test(a, b))) }
                }
            }
            guard let builtin = BuiltinRegistry.lookup(name) else {
                throw fail(RegoError.Code.type, "undefined function \(name)", loc)
            }
            try callBuiltin(builtin, name, args, loc, f, k)
        case .builtin(let builtin):
            try callBuiltin(builtin, name, args, loc, f, k)
        }
    }

    /// Membership as `internal.member_2` defines it: array elements, set members, object values.
    static func member(_ x: Value, _ c: Value) -> Bool {
        switch c {
        case .array(let a): return a.contains(x)
        case .set(let s): return s.contains(x)
        case .object(let o): return o.values.contains(x)
        default: return false
        }
    }

    /// `x in [a, b]` / `x in {a, b}` over literal items that each have at most one value:
    /// `nil` when an item may have several values (the caller builds the collection),
    /// `.some(nil)` when an item is undefined, else whether `x` equals an item.
    func memberOfLiteral(_ x: Value, _ items: [Term], _ f: Frame) throws -> Bool?? {
        for item in items where !isSingleValued(item) { return nil }
        var found = false
        for item in items {
            var value: Value? = nil
            try evalTerm(item, f) { value = $0 }
            guard let value else { return .some(nil) }
            if !found, value == x { found = true }
        }
        return .some(found)
    }

    /// Whether a term has at most one value: constants, variables, refs with constant keys.
    func isSingleValued(_ t: Term) -> Bool {
        switch t.kind {
        case .value, .local, .variable: return true
        case .ref(let head, let path):
            guard isSingleValued(head) else { return false }
            for p in path {
                guard case .value = p.kind else { return false }
            }
            return true
        default: return false
        }
    }

    /// Whether any operand is a plain variable not bound yet (then `evalList` orders the operands).
    @inline(__always)
    func hasUnboundLocal(_ args: [Term], _ f: Frame) -> Bool {
        for a in args {
            if case .local(let s, _) = a.kind, f.slots[s] == nil { return true }
        }
        return false
    }

    /// Evaluates one operand of a call (constants and bound variables without a closure call).
    @inline(__always)
    func evalOperand(_ t: Term, _ f: Frame, _ k: (Value) throws -> Void) throws {
        switch t.kind {
        case .value(let v): return try k(v)
        case .local(let s, _):
            if let v = f.slots[s] { return try k(v) }
        default: break
        }
        try evalTerm(t, f, k)
    }

    /// Calls a registry builtin with the operands' values; non-strict errors make it undefined.
    func callBuiltin(_ builtin: Builtin, _ name: String, _ args: [Term], _ loc: Location, _ f: Frame, _ k: (Value) throws -> Void) throws {
        let arity = builtin.arity
        let inputs = args.count > arity ? Array(args[0..<arity]) : args
        var acc: [Value] = []
        acc.reserveCapacity(inputs.count)
        try evalList(inputs, 0, &acc, f) { vals in
            if builtin.isRelation {
                let results: [Value]
                do {
                    results = try builtin.call(vals, context: self.context)
                } catch let e as BuiltinError {
                    try self.builtinFailed(e, name, loc)
                    return
                }
                for r in results {
                    if args.count > arity {
                        try self.unifyValue(args[arity], r, f) { try k(.true) }
                    } else {
                        try k(r)
                    }
                }
                return
            }
            let result: Value?
            do {
                result = try builtin.callSingle(vals, context: self.context)
            } catch let e as BuiltinError {
                try self.builtinFailed(e, name, loc)
                return
            }
            guard let r = result else { return }
            if args.count > arity {
                try self.unifyValue(args[arity], r, f) { try k(.true) }
            } else {
                try k(r)
            }
        }
    }

    /// Turns a builtin's error into OPA's error when it aborts evaluation (strict mode or halt).
    func builtinFailed(_ e: BuiltinError, _ name: String, _ loc: Location) throws {
        if e.kind == .halt || context.strict {
            let code = e.kind == .type ? RegoError.Code.evalType : RegoError.Code.evalBuiltin
            throw fail(code, e.prefixed ? e.message : "\(name): \(e.message)", loc)
        }
    }

    func callFunction(_ node: RuleNode, _ args: [Value], _ loc: Location) throws -> Value? {
        depth += 1
        defer { depth -= 1 }
        if depth > options.maxDepth {
            throw fail(RegoError.Code.cancel, "maximum evaluation depth exceeded", loc)
        }
        var result: Value? = nil
        for rule in node.rules {
            let frame = acquireFrame(rule.slotCount)
            defer { releaseFrame(frame) }
            try unifyArgs(rule.args, args, 0, frame) {
                try self.evalSolutions(rule, frame, valueTerm: rule.value) { _, v in
                    if let r = result, r != v {
                        throw self.fail(RegoError.Code.conflict, "functions must not produce multiple outputs for same inputs", rule.location)
                    }
                    result = v
                }
            }
        }
        if result == nil, let d = node.defaultRule { result = try constant(d) }
        return result
    }

    func unifyArgs(_ terms: [Term], _ vals: [Value], _ i: Int, _ f: Frame, _ k: () throws -> Void) throws {
        if i == terms.count { return try k() }
        guard i < vals.count else { return }
        try unifyValue(terms[i], vals[i], f) { try self.unifyArgs(terms, vals, i + 1, f, k) }
    }
}
