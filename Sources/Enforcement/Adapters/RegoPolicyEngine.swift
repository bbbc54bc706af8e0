import Rego
import Storage

/// The policy engine backed by Astral's own Rego implementation.
public struct RegoPolicyEngine: PolicyEngine {
    /// Creates the engine.
    public init() {}

    /// Compiles the modules and prepares `query`; compile errors carry file, line and column.
    public func prepare(query: String, modules: [String: String], data: Storage.JSONValue) throws -> any PreparedPolicy {
        do {
            let prepared = try PreparedQuery(
                query: "astral_decision = " + query, modules: modules.sorted { $0.key < $1.key }.map { (name: $0.key, source: $0.value) },
                data: Self.value(data))
            return Prepared(query: prepared)
        } catch let failure as CompileFailure {
            throw PolicyCompilationError(diagnostics: failure.errors.map(Self.diagnostic))
        } catch let error as RegoError {
            throw PolicyCompilationError(diagnostics: [Self.diagnostic(error)])
        }
    }

    struct Prepared: PreparedPolicy {
        let query: PreparedQuery

        func evaluate(input: Storage.JSONValue) throws -> Storage.JSONValue? {
            try query.firstValue(of: "astral_decision", input: RegoPolicyEngine.value(input)).map(RegoPolicyEngine.json)
        }
    }

    static func diagnostic(_ error: RegoError) -> PolicyDiagnostic {
        PolicyDiagnostic(
            code: error.code, message: error.message, file: error.location?.file, line: error.location?.row,
            column: error.location?.col)
    }

    /// JSON → Rego value.
    static func value(_ json: Storage.JSONValue) -> Value {
        switch json {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .integer(let number): return .number(.int(Int(number)))
        case .number(let number): return .number(.real(number))
        case .string(let string): return .string(string)
        case .array(let values): return .array(values.map(value))
        case .object(let members): return .object(ObjectValue(members.mapValues(value)))
        }
    }

    /// Rego value → JSON (sets become arrays in Rego's order).
    static func json(_ value: Value) -> Storage.JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .number(let number):
            if let integer = number.intValue { return .integer(Int64(integer)) }
            return .number(number.doubleValue)
        case .string(let string): return .string(string)
        case .array(let values): return .array(values.map(json))
        case .set(let set): return .array(set.elements.map(json))
        case .object(let object):
            var members: [String: Storage.JSONValue] = [:]
            for (key, member) in object.entries {
                members[key.stringValue ?? Rego.JSON.serialize(key)] = json(member)
            }
            return .object(members)
        }
    }
}
