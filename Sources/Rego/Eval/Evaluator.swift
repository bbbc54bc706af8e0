/// Variable slots of one rule or query evaluation.
///
/// The slots live in one fixed buffer (no array copy-on-write or exclusivity checks on
/// the hot path); a frame is reused for any rule needing at most `capacity` slots.
final class Frame {
    /// The slots (`nil` = unbound).
    let slots: UnsafeMutablePointer<Value?>
    /// How many slots the buffer holds.
    let capacity: Int

    init(_ count: Int) {
        capacity = max(count, 1)
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// Unbinds every slot for reuse.
    @inline(__always)
    func reset() {
        for i in 0..<capacity { slots[i] = nil }
    }
}

/// Unwinds evaluation once a wanted answer has been found.
final class Found: Error {}

/// Evaluation limits and switches.
public struct EvalOptions: Sendable {
    /// Abort on builtin errors instead of making the expression undefined.
    public var strictBuiltinErrors: Bool = false
    /// Maximum evaluation steps (expressions tried) before `eval_cancel_error`.
    public var stepBudget: Int = 10_000_000
    /// Maximum nesting of rule and function evaluation.
    public var maxDepth: Int = 100
    /// Allow builtins that reach the network.
    public var allowNetwork: Bool = false
    /// Environment for `opa.runtime().env`.
    public var environment: [String: String] = [:]
    /// Fixed clock (ns since epoch); nil reads the system clock once per evaluation.
    public var nowNanoseconds: Int64? = nil

    /// Defaults.
    public init() {}
}

/// A top-down evaluator for one query evaluation. Not thread-safe; create one per evaluation.
///
/// Its mutable state is marked `@exclusivity(unchecked)`: the evaluator never hands these
/// properties out `inout` across a call that could reach them again, and the dynamic
/// checks otherwise cost two runtime calls on every expression.
final class Evaluator {
    let plan: EvalPlan
    let baseData: Value
    @exclusivity(unchecked) var input: Value?
    let options: EvalOptions
    let context: BuiltinContext
    @exclusivity(unchecked) var steps = 0
    @exclusivity(unchecked) var depth = 0

    /// Memoised virtual documents for the current `with` context, by rule-node index
    /// (`nil` = not computed yet, `.some(nil)` = undefined).
    @exclusivity(unchecked) var cache: [Value??]
    /// Rule nodes being computed (recursion guard), by index.
    @exclusivity(unchecked) var inProgress: [Bool]
    /// `with data.x as v` overrides, outermost first.
    @exclusivity(unchecked) var dataOverrides: [([Value], Value)] = []
    /// `with f as g` overrides by function name.
    @exclusivity(unchecked) var functionOverrides: [String: Term] = [:]
    /// Frames no longer in use, kept for reuse within this evaluation.
    @exclusivity(unchecked) var framePool: [Frame] = []
    /// The one unwinding token of this evaluation (`not`, `every`): each catch site only
    /// ever sees throws from its own continuation, so one instance serves them all.
    let found = Found()

    init(plan: EvalPlan, data: Value, input: Value?, options: EvalOptions) {
        self.plan = plan
        self.baseData = data
        self.input = input
        self.options = options
        self.cache = Array(repeating: nil, count: plan.nodeCount)
        self.inProgress = Array(repeating: false, count: plan.nodeCount)
        let now = options.nowNanoseconds ?? Evaluator.systemNow()
        self.context = BuiltinContext(nowNanoseconds: now, strict: options.strictBuiltinErrors, allowNetwork: options.allowNetwork, environment: options.environment)
    }

    static func systemNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// An empty memo table.
    func freshCache() -> [Value??] { Array(repeating: nil, count: plan.nodeCount) }

    /// A cleared frame of `count` slots (reused when possible).
    @inline(__always)
    func acquireFrame(_ count: Int) -> Frame {
        if let f = framePool.popLast() {
            if f.capacity >= count {
                f.reset()
                return f
            }
            framePool.append(f)
        }
        return Frame(count)
    }

    /// Returns a frame to the pool once nothing refers to it any more.
    @inline(__always)
    func releaseFrame(_ f: Frame) {
        framePool.append(f)
    }

    func fail(_ code: String, _ message: String, _ loc: Location?) -> RegoError {
        RegoError(code: code, message: message, location: loc)
    }

    // MARK: bodies

    func evalBody(_ body: [Expr], _ i: Int, _ f: Frame, _ k: () throws -> Void) throws {
        if i == body.count { return try k() }
        try evalExpr(body[i], f) { try self.evalBody(body, i + 1, f, k) }
    }

    func evalExpr(_ e: Expr, _ f: Frame, _ k: () throws -> Void) throws {
        steps += 1
        if steps > options.stepBudget {
            throw fail(RegoError.Code.cancel, "evaluation exceeded the step budget of \(options.stepBudget)", e.location)
        }
        if !e.with.isEmpty { return try evalWith(e, f, k) }
        if e.negated {
            let found = self.found
            do {
                try evalExprInner(e, f) { throw found }
            } catch let x as Found where x === found {
                return
            }
            return try k()
        }
        try evalExprInner(e, f, k)
    }

    func evalExprInner(_ e: Expr, _ f: Frame, _ k: () throws -> Void) throws {
        switch e.kind {
        case .term(let t):
            if case .call(let name, let args) = t.kind {
                return try evalCall(name, args, t.location, f, asExpression: true) { v in
                    if v != .false { try k() }
                }
            }
            try evalTerm(t, f) { v in if v != .false { try k() } }
        case .unify(let a, let b):
            try unify(a, b, f, k)
        case .assign(let a, let b):
            try evalTerm(b, f) { v in try self.unifyValue(a, v, f, k) }
        case .someDecl:
            try k()
        case .someIn(let key, let value, let coll):
            try evalTerm(coll, f) { c in
                try self.iterate(c) { kv, vv in
                    try self.unifyValue(value, vv, f) {
                        if let key { try self.unifyValue(key, kv, f, k) } else { try k() }
                    }
                }
            }
        case .every(let key, let value, let domain, let body):
            var ok = true
            var defined = false
            try evalTerm(domain, f) { d in
                switch d {
                case .array, .set, .object: defined = true
                default: return
                }
                try self.iterate(d) { kv, vv in
                    guard ok else { return }
                    let found = self.found
                    var any = false
                    do {
                        try self.unifyValue(value, vv, f) {
                            let go = { try self.evalBody(body, 0, f) { any = true; throw found } }
                            if let key { try self.unifyValue(key, kv, f, go) } else { try go() }
                        }
                    } catch let x as Found where x === found {}
                    if !any { ok = false }
                }
            }
            if ok && defined { try k() }
        }
    }

    func iterate(_ c: Value, _ body: (Value, Value) throws -> Void) throws {
        steps += c.count
        if steps > options.stepBudget {
            throw fail(RegoError.Code.cancel, "evaluation exceeded the step budget of \(options.stepBudget)", nil)
        }
        switch c {
        case .array(let a): for (i, v) in a.enumerated() { try body(.int(i), v) }
        case .set(let s): for v in s.elements { try body(v, v) }
        case .object(let o): for (kk, v) in o.entries { try body(kk, v) }
        default: break
        }
    }

    // MARK: with

    func evalWith(_ e: Expr, _ f: Frame, _ k: () throws -> Void) throws {
        var plain = e
        plain.with = []
        // Evaluate replacement values first (each must have one value).
        var values: [Value] = []
        for w in e.with {
            if case .call = w.target.kind, w.value.isFunctionReference {
                values.append(.null)
                continue
            }
            var got: Value? = nil
            try evalTerm(w.value, f) { v in if got == nil { got = v } }
            guard let v = got else { return }
            values.append(v)
        }
        let savedInput = input, savedData = dataOverrides, savedFuncs = functionOverrides, savedCache = cache
        func apply() throws {
            for (w, v) in zip(e.with, values) {
                switch w.target.kind {
                case .variable("input"): input = v
                case .variable("data"): dataOverrides.append(([], v))
                case .ref(let h, let path):
                    var keys: [Value] = []
                    for p in path {
                        guard let c = p.constantValue else { throw fail(RegoError.Code.type, "with target must be a constant ref", w.location) }
                        keys.append(c)
                    }
                    if case .variable("input") = h.kind {
                        input = Evaluator.setPath(input ?? .emptyObject, keys[...], v)
                    } else {
                        dataOverrides.append((keys, v))
                    }
                case .call(let name, _):
                    functionOverrides[name] = w.value.isFunctionReference ? w.value : Term(.value(v), w.location)
                default: break
                }
            }
            cache = freshCache()
        }
        func restore() {
            input = savedInput; dataOverrides = savedData; functionOverrides = savedFuncs; cache = savedCache
        }
        try apply()
        defer { restore() }
        try evalExpr(plain, f) {
            let inner = (input, dataOverrides, functionOverrides, cache)
            restore()
            defer { (input, dataOverrides, functionOverrides, cache) = inner }
            try k()
        }
    }

    static func setPath(_ base: Value, _ path: ArraySlice<Value>, _ v: Value) -> Value {
        guard let first = path.first else { return v }
        var o = base.objectValue ?? ObjectValue()
        o.set(first, setPath(o[first] ?? .emptyObject, path.dropFirst(), v))
        return .object(o)
    }

    // MARK: terms

    func evalTerm(_ t: Term, _ f: Frame, _ k: (Value) throws -> Void) throws {
        switch t.kind {
        case .value(let v): try k(v)
        case .local(let s, let name):
            guard let v = f.slots[s] else {
                throw fail(RegoError.Code.unsafeVar, "var \(name) is unsafe", t.location)
            }
            try k(v)
        case .variable(let root):
            if root == "input" {
                if let input { try k(input) }
            } else if root == "data" {
                try evalData([], 0, plan.root, f, k)
            } else {
                throw fail(RegoError.Code.unsafeVar, "var \(root) is unsafe", t.location)
            }
        case .ref(let head, let path):
            switch head.kind {
            case .variable(let root):
                if root == "data" { return try evalData(path, 0, plan.root, f, k) }
                if root == "input" {
                    guard let input else { return }
                    if let r = Evaluator.constantPath(input, path) {
                        if let v = r { try k(v) }
                        return
                    }
                    return try walk(input, path, 0, f, k)
                }
            case .local(let s, _):
                // `x.a.b` with `x` bound and constant keys: follow the keys directly.
                if let base = f.slots[s], let r = Evaluator.constantPath(base, path) {
                    if let v = r { try k(v) }
                    return
                }
            default: break
            }
            try evalTerm(head, f) { v in try self.walk(v, path, 0, f, k) }
        case .call(let name, let args):
            try evalCall(name, args, t.location, f, asExpression: false, k)
        case .array(let items):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            try evalList(items, 0, &out, f) { try k(.array($0)) }
        case .set(let items):
            var out: [Value] = []
            try evalList(items, 0, &out, f) { try k(.set(SetValue($0))) }
        case .object(let pairs):
            var out: [Value] = []
            let flat = pairs.flatMap { [$0.0, $0.1] }
            try evalList(flat, 0, &out, f) { vals in
                var ps: [(Value, Value)] = []
                ps.reserveCapacity(pairs.count)
                var i = 0
                while i < vals.count { ps.append((vals[i], vals[i + 1])); i += 2 }
                try k(.object(ObjectValue(ps)))
            }
        case .arrayComprehension(let head, let body):
            var out: [Value] = []
            try evalBody(body, 0, f) { try self.evalTerm(head, f) { out.append($0) } }
            try k(.array(out))
        case .setComprehension(let head, let body):
            var out: [Value] = []
            try evalBody(body, 0, f) { try self.evalTerm(head, f) { out.append($0) } }
            try k(.set(SetValue(out)))
        case .objectComprehension(let kt, let vt, let body):
            var out = ObjectValue()
            var err: RegoError? = nil
            try evalBody(body, 0, f) {
                try self.evalTerm(kt, f) { kv in
                    try self.evalTerm(vt, f) { vv in
                        if let existing = out[kv], existing != vv {
                            err = self.fail(RegoError.Code.conflict, "object keys must be unique", t.location)
                        }
                        out.set(kv, vv)
                    }
                }
            }
            if let err { throw err }
            try k(.object(out))
        case .template(let parts):
            var s = ""
            for p in parts {
                switch p {
                case .text(let x): s += x
                case .term(let x):
                    var vals: [Value] = []
                    try evalTerm(x, f) { vals.append($0) }
                    if vals.count > 1 {
                        throw fail(RegoError.Code.conflict, "template expression produced multiple outputs", x.location)
                    }
                    if let v = vals.first {
                        if case .string(let str) = v { s += str } else { s += v.description }
                    } else {
                        s += "<undefined>"
                    }
                }
            }
            try k(.string(s))
        }
    }

    func evalList(_ items: [Term], _ i: Int, _ acc: inout [Value], _ f: Frame, _ k: ([Value]) throws -> Void) throws {
        if i == 0, items.count > 1, items.contains(where: { if case .local(let s, _) = $0.kind { return f.slots[s] == nil }; return false }) {
            return try evalListDeferred(items, f, k)
        }
        if i == items.count { return try k(acc) }
        // Fast path for constant and bound items.
        switch items[i].kind {
        case .value(let v):
            acc.append(v)
            defer { acc.removeLast() }
            return try evalList(items, i + 1, &acc, f, k)
        case .local(let s, let name):
            guard let v = f.slots[s] else { throw fail(RegoError.Code.unsafeVar, "var \(name) is unsafe", items[i].location) }
            acc.append(v)
            defer { acc.removeLast() }
            return try evalList(items, i + 1, &acc, f, k)
        default: break
        }
        if isSingleValued(items[i]) {
            // At most one value and no bindings: no intermediate array.
            var got: Value? = nil
            try evalTerm(items[i], f) { got = $0 }
            guard let v = got else { return }
            acc.append(v)
            defer { acc.removeLast() }
            return try evalList(items, i + 1, &acc, f, k)
        }
        var values: [Value] = []
        try evalTerm(items[i], f) { values.append($0) }
        for v in values {
            acc.append(v)
            defer { acc.removeLast() }
            try evalList(items, i + 1, &acc, f, k)
        }
    }

    /// Evaluates items whose plain unbound variables may be bound by the others (`x == a[x]`).
    func evalListDeferred(_ items: [Term], _ f: Frame, _ k: ([Value]) throws -> Void) throws {
        var order: [Int] = []
        for (i, t) in items.enumerated() { if case .local = t.kind {} else { order.append(i) } }
        for (i, t) in items.enumerated() { if case .local = t.kind { order.append(i) } }
        var vals = [Value](repeating: .null, count: items.count)
        func step(_ j: Int) throws {
            if j == order.count { return try k(vals) }
            let idx = order[j]
            try evalTerm(items[idx], f) { v in
                vals[idx] = v
                try step(j + 1)
            }
        }
        try step(0)
    }

    /// Follows constant keys from a value: `nil` when a path term is not a constant,
    /// `.some(nil)` when a key is missing (the ref is undefined).
    @inline(__always)
    static func constantPath(_ v: Value, _ path: [Term]) -> Value?? {
        var cur = v
        for p in path {
            guard case .value(let key) = p.kind else { return nil }
            guard let next = cur[key] else { return .some(nil) }
            cur = next
        }
        return .some(cur)
    }

    /// Walks `path[i...]` into a value, iterating where path terms are unbound.
    func walk(_ v: Value, _ path: [Term], _ i: Int, _ f: Frame, _ k: (Value) throws -> Void) throws {
        if i == path.count { return try k(v) }
        let p = path[i]
        switch p.kind {
        case .value(let key):
            if let child = v[key] { try walk(child, path, i + 1, f, k) }
            return
        case .local(let s, _):
            if let key = f.slots[s] {
                if let child = v[key] { try walk(child, path, i + 1, f, k) }
                return
            }
            try iterate(v) { key, child in
                f.slots[s] = key
                defer { f.slots[s] = nil }
                try self.walk(child, path, i + 1, f, k)
            }
            return
        default:
            break
        }
        if isGround(p, f) {
            try evalTerm(p, f) { key in
                if let child = v[key] { try self.walk(child, path, i + 1, f, k) }
            }
        } else {
            try iterate(v) { key, child in
                try self.unifyValue(p, key, f) { try self.walk(child, path, i + 1, f, k) }
            }
        }
    }

    /// Whether a term has no unbound variables in pattern positions.
    func isGround(_ t: Term, _ f: Frame) -> Bool {
        switch t.kind {
        case .local(let s, _): return f.slots[s] != nil
        case .array(let items), .set(let items): return items.allSatisfy { isGround($0, f) }
        case .object(let pairs): return pairs.allSatisfy { isGround($0.1, f) }
        default: return true
        }
    }

    // MARK: unification

    func unify(_ a: Term, _ b: Term, _ f: Frame, _ k: () throws -> Void) throws {
        let ga = isGround(a, f), gb = isGround(b, f)
        if ga {
            try evalTerm(a, f) { v in try self.unifyValue(b, v, f, k) }
        } else if gb {
            try evalTerm(b, f) { v in try self.unifyValue(a, v, f, k) }
        } else if case .array(let xs) = a.kind, case .array(let ys) = b.kind {
            guard xs.count == ys.count else { return }
            try unifyPairs(xs, ys, 0, f, k)
        } else if case .object(let xs) = a.kind, case .object(let ys) = b.kind {
            guard xs.count == ys.count else { return }
            // Match by constant keys.
            var pairsA: [Term] = [], pairsB: [Term] = []
            for (kx, vx) in xs {
                guard let key = kx.constantValue, let match = ys.first(where: { $0.0.constantValue == key }) else { return }
                pairsA.append(vx); pairsB.append(match.1)
            }
            try unifyPairs(pairsA, pairsB, 0, f, k)
        } else {
            var name = "?"
            var loc = a.location
            for t in [a, b] {
                if case .local(let s, let n) = t.kind, f.slots[s] == nil { name = n; loc = t.location; break }
            }
            throw fail(RegoError.Code.unsafeVar, "var \(name) is unsafe", loc)
        }
    }

    func unifyPairs(_ xs: [Term], _ ys: [Term], _ i: Int, _ f: Frame, _ k: () throws -> Void) throws {
        if i == xs.count { return try k() }
        try unify(xs[i], ys[i], f) { try self.unifyPairs(xs, ys, i + 1, f, k) }
    }

    func unifyValue(_ t: Term, _ v: Value, _ f: Frame, _ k: () throws -> Void) throws {
        switch t.kind {
        case .local(let s, _):
            if let cur = f.slots[s] {
                if cur == v { try k() }
                return
            }
            f.slots[s] = v
            defer { f.slots[s] = nil }
            try k()
        case .value(let c):
            if c == v { try k() }
        case .array(let items):
            guard case .array(let vs) = v, vs.count == items.count else { return }
            try unifyArray(items, vs, 0, f, k)
        case .object(let pairs):
            guard case .object(let o) = v, o.count == pairs.count else { return }
            var keys: [Value] = []
            for (kt, _) in pairs {
                var kv: Value? = nil
                try evalTerm(kt, f) { kv = $0 }
                guard let kv, o[kv] != nil else { return }
                keys.append(kv)
            }
            try unifyObject(pairs.map(\.1), keys, o, 0, f, k)
        default:
            try evalTerm(t, f) { tv in if tv == v { try k() } }
        }
    }

    func unifyArray(_ items: [Term], _ vs: [Value], _ i: Int, _ f: Frame, _ k: () throws -> Void) throws {
        if i == items.count { return try k() }
        try unifyValue(items[i], vs[i], f) { try self.unifyArray(items, vs, i + 1, f, k) }
    }

    func unifyObject(_ terms: [Term], _ keys: [Value], _ o: ObjectValue, _ i: Int, _ f: Frame, _ k: () throws -> Void) throws {
        if i == terms.count { return try k() }
        try unifyValue(terms[i], o[keys[i]]!, f) { try self.unifyObject(terms, keys, o, i + 1, f, k) }
    }
}

extension Term {
    /// Whether this term names a function (for `with f as g`).
    var isFunctionReference: Bool {
        switch kind {
        case .call(_, let args): return args.isEmpty
        default: return false
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
