/// A query compiled together with its modules and data, ready to evaluate many times.
///
/// The compiled form is immutable and shared by reference: evaluating from many
/// threads at once is safe and copies nothing but the per-evaluation state.
public struct PreparedQuery: Sendable {
    /// Evaluation options (strictness, step budget, depth limit, capabilities).
    public typealias Options = EvalOptions

    /// The compiled modules.
    public let policy: CompiledPolicy
    let query: CompiledQuery
    /// The evaluation plan: folded rule tree and resolved calls, shared by every evaluation.
    let plan: EvalPlan
    /// Base documents under `data`.
    public let data: Value
    /// Options applied to each evaluation.
    public let options: Options

    /// Parses and compiles `modules` and `query`; throws `CompileFailure` with every error (at most 10).
    public init(query: String, modules: [(name: String, source: String)], data: Value = .emptyObject, options: Options = .init()) throws {
        var parsed: [Module] = []
        var errors: [RegoError] = []
        for m in modules {
            do {
                parsed.append(try Parser.parseModule(file: m.name, source: m.source))
            } catch let e as RegoError {
                errors.append(e)
            }
        }
        if !errors.isEmpty { throw CompileFailure(errors: errors) }
        let policy = try Compiler.compile(parsed)
        try self.init(query: query, policy: policy, data: data, options: options)
    }

    /// Prepares a query against an already compiled policy (sharing it).
    public init(query: String, policy: CompiledPolicy, data: Value = .emptyObject, options: Options = .init()) throws {
        let body: [Expr]
        do {
            body = try Parser.parseQuery(query)
        } catch let e as RegoError {
            throw CompileFailure(errors: [e])
        }
        self.policy = policy
        var compiled = try Compiler.compileQuery(body, policy: policy)
        self.plan = EvalPlan(policy: policy, query: &compiled)
        self.query = compiled
        self.data = data
        self.options = options
    }

    /// Evaluates with an input document (nil = undefined input); one binding map per solution.
    public func evaluate(input: Value?) throws -> [[String: Value]] {
        try evaluate(input: input, options: options)
    }

    /// Evaluates with per-call options.
    public func evaluate(input: Value?, options: Options) throws -> [[String: Value]] {
        let ev = Evaluator(plan: plan, data: data, input: input, options: options)
        let frame = Frame(query.slotCount)
        var results: [[String: Value]] = []
        let outputs = query.outputs
        try ev.evalBody(query.body, 0, frame) {
            var row: [String: Value] = [:]
            for (name, slot) in outputs { if let v = frame.slots[slot] { row[name] = v } }
            results.append(row)
        }
        return results
    }

    /// Convenience: the first solution's value of variable `name`, if any.
    public func firstValue(of name: String, input: Value?) throws -> Value? {
        try evaluate(input: input).first?[name]
    }

    /// Names of the variables the query reports.
    public var outputNames: [String] { query.outputs.map(\.0) }
}
