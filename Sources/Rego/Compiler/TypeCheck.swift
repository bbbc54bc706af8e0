/// A static type as OPA's type checker models it (`types.Type`): scalars, arrays and
/// objects with static (per position / per key) and dynamic parts, sets, and `any`
/// (empty = every type, else the union of its members).
indirect enum StaticType: Sendable, Equatable {
    case null, boolean, number, string
    case array(fixed: [StaticType?], dynamic: StaticType?)
    case object(fixed: [(key: Value, value: StaticType?)], dynamic: (key: StaticType?, value: StaticType?)?)
    case set(StaticType?)
    case any([StaticType])

    static let anything = StaticType.any([])

    static func == (a: StaticType, b: StaticType) -> Bool { compare(a, b) == 0 }

    /// The declared type of a builtin operand or result.
    init(_ t: BuiltinType) {
        switch t {
        case .any: self = .any([])
        case .null: self = .null
        case .boolean: self = .boolean
        case .number: self = .number
        case .string: self = .string
        case .array(let e): self = .array(fixed: [], dynamic: StaticType(e))
        case .set(let e): self = .set(StaticType(e))
        case .object(let k, let v): self = .object(fixed: [], dynamic: (StaticType(k), StaticType(v)))
        case .anyOf(let ts): self = StaticType.union(ts.map { StaticType($0) })
        }
    }

    /// The type of a constant value.
    init(of v: Value) {
        switch v {
        case .null: self = .null
        case .bool: self = .boolean
        case .number: self = .number
        case .string: self = .string
        case .array(let items): self = .array(fixed: items.map { StaticType(of: $0) }, dynamic: nil)
        case .set(let s):
            self = .set(s.elements.isEmpty ? .anything : StaticType.union(s.elements.map { StaticType(of: $0) }))
        case .object(let o):
            self = .object(fixed: o.entries.map { ($0.0, StaticType(of: $0.1)) }, dynamic: nil)
        }
    }

    /// `any<...>` of the members (flattened, sorted, without duplicates); one member stands alone.
    static func union(_ members: [StaticType]) -> StaticType {
        var flat: [StaticType] = []
        for m in members {
            if case .any(let xs) = m {
                if xs.isEmpty { return .anything }
                flat.append(contentsOf: xs)
            } else {
                flat.append(m)
            }
        }
        flat.sort { compare($0, $1) < 0 }
        var out: [StaticType] = []
        for m in flat where out.last.map({ compare($0, m) != 0 }) ?? true { out.append(m) }
        return out.count == 1 ? out[0] : .any(out)
    }

    /// OPA's `Or`: the union of two types, where an unknown side yields the other.
    static func or(_ a: StaticType?, _ b: StaticType?) -> StaticType? {
        guard let a else { return b }
        guard let b else { return a }
        if case .any(let xs) = a, xs.isEmpty { return a }
        if case .any(let ys) = b, ys.isEmpty { return b }
        if compare(a, b) == 0 { return a }
        var members: [StaticType] = []
        if case .any(let xs) = a { members += xs } else { members.append(a) }
        if case .any(let ys) = b { members += ys } else { members.append(b) }
        var flat = members
        flat.sort { compare($0, $1) < 0 }
        var out: [StaticType] = []
        for m in flat where out.last.map({ compare($0, m) != 0 }) ?? true { out.append(m) }
        return .any(out)
    }

    var order: Int {
        switch self {
        case .null: return 0
        case .boolean: return 1
        case .number: return 2
        case .string: return 3
        case .array: return 4
        case .object: return 5
        case .set: return 6
        case .any: return 7
        }
    }

    /// OPA's total order on types (used to sort the members of `any<...>`).
    static func compare(_ a: StaticType?, _ b: StaticType?) -> Int {
        guard let a else { return b == nil ? 0 : -1 }
        guard let b else { return 1 }
        if a.order != b.order { return a.order < b.order ? -1 : 1 }
        switch (a, b) {
        case (.array(let sa, let da), .array(let sb, let db)):
            if (da != nil) != (db != nil) { return da != nil ? 1 : -1 }
            if da != nil, db != nil { let c = compare(da, db); if c != 0 { return c } }
            return compareLists(sa, sb)
        case (.object(let sa, let da), .object(let sb, let db)):
            if (da != nil) != (db != nil) { return da != nil ? 1 : -1 }
            if let da, let db {
                var c = compare(da.key, db.key); if c != 0 { return c }
                c = compare(da.value, db.value); if c != 0 { return c }
            }
            for i in 0..<min(sa.count, sb.count) {
                var c = Value.compare(sa[i].key, sb[i].key); if c != 0 { return c }
                c = compare(sa[i].value, sb[i].value); if c != 0 { return c }
            }
            return sa.count == sb.count ? 0 : (sa.count < sb.count ? -1 : 1)
        case (.set(let x), .set(let y)): return compare(x, y)
        case (.any(let xs), .any(let ys)): return compareLists(xs, ys)
        default: return 0
        }
    }

    static func compareLists(_ a: [StaticType?], _ b: [StaticType?]) -> Int {
        for i in 0..<min(a.count, b.count) {
            let c = compare(a[i], b[i]); if c != 0 { return c }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// OPA's notation: `array<number, string>`, `array[any]`, `object<a: number>[string: any]`, `set[string]`, `any<number, string>`.
    static func text(_ t: StaticType?) -> String {
        guard let t else { return "???" }
        switch t {
        case .null: return "null"
        case .boolean: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array(let fixed, let dynamic):
            var s = "array"
            if !fixed.isEmpty { s += "<" + fixed.map { text($0) }.joined(separator: ", ") + ">" }
            if let dynamic { s += "[" + text(dynamic) + "]" }
            return s
        case .object(let fixed, let dynamic):
            var s = "object"
            if !fixed.isEmpty { s += "<" + fixed.map { keyText($0.key) + ": " + text($0.value) }.joined(separator: ", ") + ">" }
            if let dynamic { s += "[" + text(dynamic.key) + ": " + text(dynamic.value) + "]" }
            return s
        case .set(let of): return "set[" + text(of) + "]"
        case .any(let xs): return xs.isEmpty ? "any" : "any<" + xs.map { text($0) }.joined(separator: ", ") + ">"
        }
    }

    /// A static object key as Go's `%v` prints the JSON value (strings unquoted).
    static func keyText(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return v.description
    }

    /// The element at a position: the fixed one, else the dynamic one.
    func select(_ i: Int) -> StaticType? {
        guard case .array(let fixed, let dynamic) = self else { return nil }
        return i < fixed.count ? fixed[i] : dynamic
    }

    /// The value type under a key: the fixed one, else the dynamic one.
    func select(key: Value) -> StaticType? {
        guard case .object(let fixed, let dynamic) = self else { return nil }
        if let hit = fixed.first(where: { $0.key == key }) { return hit.value }
        return dynamic?.value
    }

    /// Whether two types may describe the same value (OPA's `unifies`). An unknown
    /// side is taken to unify: the checker only reports what it knows to be wrong.
    static func unifies(_ a: StaticType?, _ b: StaticType?) -> Bool {
        guard let a, let b else { return true }
        if case .any(let xs) = a, xs.isEmpty || xs.contains(where: { unifies($0, b) }) { return true }
        if case .any(let ys) = b, ys.isEmpty || ys.contains(where: { unifies($0, a) }) { return true }
        switch (a, b) {
        case (.any, _), (_, .any): return false
        case (.null, .null), (.boolean, .boolean), (.number, .number), (.string, .string): return true
        case (.array(let fa, let da), .array(let fb, let db)):
            for i in fa.indices where !unifiesSelected(fa[i], b.select(i), other: b, index: i) { return false }
            for i in fb.indices where !unifiesSelected(fb[i], a.select(i), other: a, index: i) { return false }
            return da == nil || db == nil || unifies(da, db)
        case (.object(let fa, let da), .object(let fb, let db)):
            for p in fa where !unifiesKey(p.value, b, p.key) { return false }
            for p in fb where !unifiesKey(p.value, a, p.key) { return false }
            return da == nil || db == nil || unifies(da?.value, db?.value)
        case (.set(let x), .set(let y)): return unifies(x, y)
        default: return false
        }
    }

    /// A fixed array element against the other side's element at the same index: a
    /// missing element (shorter fixed array without a dynamic part) does not unify.
    static func unifiesSelected(_ x: StaticType?, _ y: StaticType?, other: StaticType, index: Int) -> Bool {
        if case .array(let fixed, let dynamic) = other, index >= fixed.count, dynamic == nil { return false }
        return unifies(x, y)
    }

    static func unifiesKey(_ x: StaticType?, _ other: StaticType, _ key: Value) -> Bool {
        if case .object(let fixed, let dynamic) = other, dynamic == nil, !fixed.contains(where: { $0.key == key }) { return false }
        return unifies(x, other.select(key: key))
    }
}

/// The compile-time checks of calls that OPA makes: builtin and function arity
/// (`CheckUndefinedFuncs`) and the operand types of builtin calls (`CheckTypes`).
///
/// Types are inferred from constants, composite literals, comprehensions, template
/// strings, builtin results and local variables assigned from those; references to
/// `input`, `data` and rules, and function results, are not typed (they unify with
/// anything), so a call is only rejected when its operands are certainly wrong.
struct CallChecker {
    /// Known types of frame slots in the body being checked.
    var env: [Int: StaticType] = [:]
    /// Slots that occurred in an expression already checked: only a variable's first
    /// occurrence may give it a type (a later `x = 1` is a comparison, not a binding).
    var seen = Set<Int>()
    var errors: [RegoError] = []

    // MARK: arity (resolution stage)

    /// `arity mismatch` for a builtin, `function f has arity n, got m arguments` for a user function.
    /// A `nested` call is a value inside another term: OPA gives it an output argument,
    /// so it must have exactly the declared number of operands.
    static func arityError(name: String, args: [Term], nested: Bool, builtin: Builtin?, functionArity: Int?, location: Location) -> RegoError? {
        if let b = builtin {
            if nested { guard args.count != b.arity else { return nil } } else { guard args.count != b.arity, args.count != b.arity + 1 else { return nil } }
            var haveTypes = args.map { StaticType.text(constantType($0)) }
            if nested { haveTypes.append("???") }
            let have = haveTypes.joined(separator: ", ")
            let want = wantList(b, withResult: false)
            return RegoError(code: RegoError.Code.type, message: "\(name): arity mismatch\n\thave: (\(have))\n\twant: (\(want))", location: location)
        }
        if let n = functionArity {
            if nested { guard args.count != n else { return nil } } else { guard args.count != n, args.count != n + 1 else { return nil } }
            let noun = args.count == 1 ? "argument" : "arguments"
            return RegoError(code: RegoError.Code.type, message: "function \(name) has arity \(n), got \(args.count) \(noun)", location: location)
        }
        return nil
    }

    /// The declared operands (and result), each as `name: type` where OPA names it.
    static func wantList(_ b: Builtin, withResult: Bool) -> String {
        let names = BuiltinParameterNames.table[b.name]
        var parts: [String] = []
        for (i, t) in b.operands.enumerated() {
            let n = names.flatMap { i < $0.operands.count ? $0.operands[i] : nil } ?? ""
            let text = StaticType.text(StaticType(t))
            parts.append(n.isEmpty ? text : n + ": " + text)
        }
        if withResult {
            let text = StaticType.text(StaticType(b.result))
            let n = names?.result ?? ""
            parts.append(n.isEmpty ? text : n + ": " + text)
        }
        return parts.joined(separator: ", ")
    }

    /// The type of a term made only of constants (before variables are resolved); `nil` otherwise.
    static func constantType(_ t: Term) -> StaticType? {
        switch t.kind {
        case .value(let v): return StaticType(of: v)
        case .array(let items): return .array(fixed: items.map { constantType($0) }, dynamic: nil)
        case .set(let items):
            let ts = items.map { constantType($0) }
            return .set(ts.isEmpty ? .anything : ts.reduce(nil) { StaticType.or($0, $1) })
        case .object(let pairs):
            var fixed: [(key: Value, value: StaticType?)] = []
            for (k, v) in pairs {
                guard let kv = k.constantValue else { return .object(fixed: [], dynamic: (nil, nil)) }
                fixed.append((kv, constantType(v)))
            }
            fixed.sort { Value.compare($0.key, $1.key) < 0 }
            return .object(fixed: fixed, dynamic: nil)
        case .template: return .string
        default: return nil
        }
    }

    // MARK: operand types (after safety ordering)

    /// Checks every builtin call in a compiled rule's bodies.
    mutating func check(rule: CompiledRule) {
        env = [:]
        seen = []
        for a in rule.args { CallChecker.slots(in: a, &seen) }
        let argSlots = seen
        checkBody(rule.body)
        for t in [rule.key, rule.value].compactMap({ $0 }) + rule.suffix { checkCalls(in: t, nested: true) }
        for clause in rule.elseChain {
            env = [:]
            seen = argSlots
            checkBody(clause.body)
            checkCalls(in: clause.value, nested: true)
        }
    }

    mutating func checkBody(_ body: [Expr]) {
        for e in body {
            checkExpr(e)
            CallChecker.slots(in: e, &seen)
        }
    }

    /// Every frame slot a term mentions, closures included.
    static func slots(in t: Term, _ out: inout Set<Int>) {
        switch t.kind {
        case .local(let s, _): out.insert(s)
        case .ref(let h, let path): slots(in: h, &out); for p in path { slots(in: p, &out) }
        case .call(_, let args): for a in args { slots(in: a, &out) }
        case .array(let items), .set(let items): for i in items { slots(in: i, &out) }
        case .object(let pairs): for (k, v) in pairs { slots(in: k, &out); slots(in: v, &out) }
        case .arrayComprehension(let h, let b), .setComprehension(let h, let b):
            slots(in: h, &out); for e in b { slots(in: e, &out) }
        case .objectComprehension(let k, let v, let b):
            slots(in: k, &out); slots(in: v, &out); for e in b { slots(in: e, &out) }
        case .template(let parts): for p in parts { if case .term(let x) = p { slots(in: x, &out) } }
        case .value, .variable: break
        }
    }

    static func slots(in e: Expr, _ out: inout Set<Int>) {
        switch e.kind {
        case .term(let t): slots(in: t, &out)
        case .unify(let a, let b), .assign(let a, let b): slots(in: a, &out); slots(in: b, &out)
        case .someDecl(let vs): for v in vs { slots(in: v, &out) }
        case .someIn(let k, let v, let c):
            if let k { slots(in: k, &out) }
            slots(in: v, &out); slots(in: c, &out)
        case .every(let k, let v, let d, let b):
            if let k { slots(in: k, &out) }
            slots(in: v, &out); slots(in: d, &out)
            for x in b { slots(in: x, &out) }
        }
        for w in e.with { slots(in: w.value, &out) }
    }

    mutating func checkExpr(_ e: Expr) {
        for w in e.with { checkCalls(in: w.value, nested: true) }
        switch e.kind {
        case .term(let t):
            if case .call(let name, let args) = t.kind {
                for a in args { checkCalls(in: a, nested: true) }
                checkCall(name, args, location: e.location, nested: false)
                // An output argument takes the builtin's result type.
                if let b = BuiltinRegistry.lookup(name), args.count == b.arity + 1, !e.negated,
                    case .local(let s, _) = args[b.arity].kind, env[s] == nil, !seen.contains(s)
                {
                    env[s] = StaticType(b.result)
                }
            } else {
                checkCalls(in: t, nested: true)
            }
        case .unify(let a, let b), .assign(let a, let b):
            checkCalls(in: a, nested: true)
            checkCalls(in: b, nested: true)
            guard !e.negated else { return }
            bind(a, typeOf(b))
            if case .unify = e.kind { bind(b, typeOf(a)) }
        case .someDecl: break
        case .someIn(let k, let v, let c):
            if let k { checkCalls(in: k, nested: true) }
            checkCalls(in: v, nested: true)
            checkCalls(in: c, nested: true)
        case .every(let k, let v, let d, let body):
            if let k { checkCalls(in: k, nested: true) }
            checkCalls(in: v, nested: true)
            checkCalls(in: d, nested: true)
            let saved = env
            checkBody(body)
            env = saved
        }
    }

    /// Records the type of a variable assigned from a term of known type.
    mutating func bind(_ target: Term, _ type: StaticType?) {
        guard let type, case .local(let s, _) = target.kind, env[s] == nil, !seen.contains(s) else { return }
        env[s] = type
    }

    /// Checks the calls inside a term, innermost first (as OPA hoists nested calls).
    mutating func checkCalls(in t: Term, nested: Bool) {
        switch t.kind {
        case .call(let name, let args):
            for a in args { checkCalls(in: a, nested: true) }
            checkCall(name, args, location: t.location, nested: nested)
        case .ref(let h, let path):
            checkCalls(in: h, nested: true)
            for p in path { checkCalls(in: p, nested: true) }
        case .array(let items), .set(let items): for i in items { checkCalls(in: i, nested: true) }
        case .object(let pairs): for (k, v) in pairs { checkCalls(in: k, nested: true); checkCalls(in: v, nested: true) }
        case .arrayComprehension(let h, let body), .setComprehension(let h, let body):
            let saved = env
            checkBody(body)
            checkCalls(in: h, nested: true)
            env = saved
        case .objectComprehension(let k, let v, let body):
            let saved = env
            checkBody(body)
            checkCalls(in: k, nested: true)
            checkCalls(in: v, nested: true)
            env = saved
        case .template(let parts):
            for p in parts { if case .term(let x) = p { checkCalls(in: x, nested: true) } }
        case .value, .variable, .local: break
        }
    }

    /// `name: invalid argument(s)` when an operand's known type cannot be the declared one.
    mutating func checkCall(_ name: String, _ args: [Term], location: Location, nested: Bool) {
        guard let b = BuiltinRegistry.lookup(name), b.checksOperands else { return }
        let declared = b.operands.map { StaticType($0) } + [StaticType(b.result)]
        let types = args.map { typeOf($0) }
        var ok = true
        for (i, t) in types.enumerated() where i < declared.count {
            if i == b.arity, case .local(let s, _) = args[i].kind, env[s] == nil, !seen.contains(s) { continue }
            if !StaticType.unifies(t, declared[i]) { ok = false; break }
        }
        guard !ok else { return }
        var have = types.map { StaticType.text($0) }
        if nested && args.count == b.arity { have.append("???") }
        let want = CallChecker.wantList(b, withResult: true)
        errors.append(RegoError(code: RegoError.Code.type, message: "\(name): invalid argument(s)\n\thave: (\(have.joined(separator: ", ")))\n\twant: (\(want))", location: location))
    }

    /// The type of a term as far as it is known; `nil` = unknown.
    func typeOf(_ t: Term) -> StaticType? {
        switch t.kind {
        case .value(let v): return StaticType(of: v)
        case .local(let s, _): return env[s]
        case .array(let items): return .array(fixed: items.map { typeOf($0) }, dynamic: nil)
        case .set(let items):
            if items.isEmpty { return .set(.anything) }
            return .set(items.map { typeOf($0) }.reduce(nil) { StaticType.or($0, $1) })
        case .object(let pairs):
            var fixed: [(key: Value, value: StaticType?)] = []
            var dynamic: (key: StaticType?, value: StaticType?)? = nil
            for (k, v) in pairs {
                if let kv = k.constantValue {
                    fixed.append((kv, typeOf(v)))
                } else {
                    dynamic = (StaticType.or(dynamic?.key, typeOf(k)), StaticType.or(dynamic?.value, typeOf(v)))
                }
            }
            fixed.sort { Value.compare($0.key, $1.key) < 0 }
            return .object(fixed: fixed, dynamic: dynamic)
        case .arrayComprehension: return .array(fixed: [], dynamic: .anything)
        case .setComprehension: return .set(nil)
        case .objectComprehension: return .object(fixed: [], dynamic: (nil, nil))
        case .template: return .string
        case .call(let name, let args):
            guard let b = BuiltinRegistry.lookup(name), args.count == b.arity else { return nil }
            return StaticType(b.result)
        case .ref, .variable: return nil
        }
    }
}
