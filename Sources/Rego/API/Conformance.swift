import Yams

/// One case of OPA's YAML conformance format (also the `eval --batch` request).
public struct ConformanceCase: Sendable {
    /// Case name.
    public var note: String
    /// The query.
    public var query: String
    /// Modules as (file name, source).
    public var modules: [(name: String, source: String)]
    /// Base data.
    public var data: Value
    /// Input (nil = undefined).
    public var input: Value?
    /// Input as Rego term text (wins over `input`).
    public var inputTerm: String?
    /// Builtin errors abort.
    public var strict: Bool
    /// Expected solutions (`nil` when an error is expected).
    public var wantResult: [Value]?
    /// Expected error code.
    public var wantErrorCode: String?
    /// Expected substring of `file:row: code: message`.
    public var wantError: String?
    /// Whether array values in the result bindings are compared in sorted order (OPA's `sort_bindings`).
    public var sortBindings = false

    /// A case.
    public init(note: String, query: String, modules: [(name: String, source: String)], data: Value = .emptyObject, input: Value? = nil, inputTerm: String? = nil, strict: Bool = false, wantResult: [Value]? = nil, wantErrorCode: String? = nil, wantError: String? = nil) {
        self.note = note; self.query = query; self.modules = modules; self.data = data; self.input = input
        self.inputTerm = inputTerm; self.strict = strict; self.wantResult = wantResult
        self.wantErrorCode = wantErrorCode; self.wantError = wantError
    }
}

/// What running a case produced.
public enum CaseOutcome: Sendable {
    /// Solutions (binding maps).
    case results([[String: Value]])
    /// Errors (compile errors may be several).
    case errors([RegoError])

    /// The batch-protocol response object.
    public var responseJSON: Value {
        switch self {
        case .results(let rows):
            return ["result": .array(rows.map { row in .object(ObjectValue(row)) })]
        case .errors(let errs):
            let e = errs.first ?? RegoError(code: "eval_internal_error", message: "unknown error")
            // Several compile errors: the first gives code and location; the message goes on
            // with the others' lines, as OPA's own text lists every error.
            let message = ([e.message] + errs.dropFirst().map(\.description)).joined(separator: "\n")
            var obj: [String: Value] = ["code": .string(e.code), "message": .string(message)]
            if let l = e.location { obj["location"] = .string("\(l.file):\(l.row)") }
            return ["error": .object(ObjectValue(obj))]
        }
    }
}

/// Runs conformance cases and judges them against their expectations.
public enum Conformance {
    /// Loads the cases of one YAML file.
    public static func load(yaml: String) throws -> [ConformanceCase] {
        var cases: [ConformanceCase] = []
        for doc in try Yams.compose_all(yaml: yaml) {
            guard let list = doc["cases"]?.sequence else { continue }
            for c in list { cases.append(try makeCase(c)) }
        }
        return cases
    }

    static func makeCase(_ n: Node) throws -> ConformanceCase {
        let modules = (n["modules"]?.sequence ?? []).enumerated().map { (i, m) in (name: "test-\(i).rego", source: m.string ?? "") }
        var c = ConformanceCase(note: n["note"]?.string ?? "", query: n["query"]?.string ?? "", modules: modules)
        if let d = n["data"] { c.data = try value(d) }
        if let i = n["input"] { c.input = try value(i) }
        c.inputTerm = n["input_term"]?.string
        c.strict = n["strict_error"]?.bool ?? false
        if let w = n["want_result"] { c.wantResult = try value(w).arrayValue ?? [] }
        c.wantErrorCode = n["want_error_code"]?.string
        c.wantError = n["want_error"]?.string
        c.sortBindings = n["sort_bindings"]?.bool ?? false
        return c
    }

    /// Converts a YAML node to a value, keeping number text exact.
    public static func value(_ n: Node) throws -> Value {
        switch n {
        case .scalar(let s):
            if s.style == .plain {
                if n.null != nil { return .null }
                if let b = n.bool { return .bool(b) }
                if n.int != nil || n.float != nil, let num = Number(text: s.string) { return .number(num) }
            }
            return .string(s.string)
        case .sequence(let seq):
            return .array(try seq.map { try value($0) })
        case .mapping(let m):
            var pairs: [(Value, Value)] = []
            for (k, v) in m { pairs.append((.string(k.string ?? ""), try value(v))) }
            return .object(ObjectValue(pairs))
        }
    }

    /// Runs a case.
    public static func run(_ c: ConformanceCase, options base: EvalOptions = .init()) -> CaseOutcome {
        var options = base
        options.strictBuiltinErrors = c.strict
        do {
            var input = c.input
            if let term = c.inputTerm {
                let t = try Parser.parseTerm(term, file: "input")
                guard let v = t.constantValue else {
                    throw RegoError(code: RegoError.Code.parse, message: "input_term must be a constant term")
                }
                input = v
            }
            let pq = try PreparedQuery(query: c.query, modules: c.modules, data: c.data, options: options)
            return .results(try pq.evaluate(input: input))
        } catch let e as CompileFailure {
            return .errors(e.errors)
        } catch let e as RegoError {
            return .errors([e])
        } catch {
            return .errors([RegoError(code: "eval_internal_error", message: "\(error)")])
        }
    }

    /// Whether an outcome satisfies the case; a short reason when not.
    public static func judge(_ c: ConformanceCase, _ outcome: CaseOutcome) -> (passed: Bool, reason: String) {
        switch outcome {
        case .results(let rows):
            if c.wantErrorCode != nil || (c.wantError != nil && c.wantResult == nil) {
                return (false, "wanted error \(c.wantErrorCode ?? "") \(c.wantError ?? ""), got \(rows.count) result(s)")
            }
            // With `sort_bindings`, OPA's harness sorts each binding's array value before comparing.
            func sortedBindings(_ v: Value) -> Value {
                guard c.sortBindings, case .object(let o) = v else { return v }
                return .object(ObjectValue(o.entries.map { k, b in
                    if case .array(let items) = b { return (k, Value.array(items.sorted())) }
                    return (k, b)
                }))
            }
            let want = (c.wantResult ?? []).map { JSON.serialize(sortedBindings($0)) }.sorted()
            let got = rows.map { row -> String in
                let obj = sortedBindings(Value.object(ObjectValue(row)))
                // Sets become sorted arrays, as in the case files.
                return JSON.serialize((try? JSON.parse(JSON.serialize(obj))) ?? obj)
            }.sorted()
            if want == got { return (true, "") }
            return (false, "want \(want) got \(got)")
        case .errors(let errs):
            guard c.wantErrorCode != nil || c.wantError != nil else {
                return (false, "unexpected error: \(errs.map(\.description).joined(separator: "; "))")
            }
            for e in errs {
                if let code = c.wantErrorCode, code != e.code { continue }
                if let text = c.wantError, !text.isEmpty, !e.description.contains(text), !e.message.contains(text) { continue }
                return (true, "")
            }
            return (false, "want \(c.wantErrorCode ?? "") \(c.wantError ?? ""), got \(errs.map(\.description).joined(separator: "; "))")
        }
    }
}
