/// The declared type of a builtin's operand or result, for the type checker and messages.
public indirect enum BuiltinType: Sendable, Hashable, CustomStringConvertible {
    /// Anything.
    case any
    /// `null`.
    case null
    /// A boolean.
    case boolean
    /// A number.
    case number
    /// A string.
    case string
    /// An array of elements of a type.
    case array(BuiltinType)
    /// A set of elements of a type.
    case set(BuiltinType)
    /// An object with keys and values of types.
    case object(BuiltinType, BuiltinType)
    /// One of several types.
    case anyOf([BuiltinType])

    /// Whether a value conforms to the type (shallowly for collection elements).
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _): return true
        case (.null, .null), (.boolean, .bool), (.number, .number), (.string, .string): return true
        case (.array(let e), .array(let a)): return e == .any || a.allSatisfy(e.accepts)
        case (.set(let e), .set(let s)): return e == .any || s.elements.allSatisfy(e.accepts)
        case (.object(let k, let v), .object(let o)):
            if k == .any && v == .any { return true }
            return o.keys.allSatisfy(k.accepts) && o.values.allSatisfy(v.accepts)
        case (.anyOf(let ts), _): return ts.contains { $0.accepts(value) }
        default: return false
        }
    }

    /// The name used in OPA's "must be X" messages.
    public var operandName: String {
        switch self {
        case .any: return "any"
        case .null: return "null"
        case .boolean: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .set: return "set"
        case .object: return "object"
        case .anyOf(let ts):
            var names: [String] = []
            for t in ts where !names.contains(t.operandName) { names.append(t.operandName) }
            return "one of {" + names.joined(separator: ", ") + "}"
        }
    }

    /// OPA's type-checker notation, e.g. `array[any]`.
    public var description: String {
        switch self {
        case .any: return "any"
        case .null: return "null"
        case .boolean: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array(let e): return "array[\(e)]"
        case .set(let e): return "set[\(e)]"
        case .object(let k, let v): return "object[\(k): \(v)]"
        case .anyOf(let ts): return "any<" + ts.map(\.description).joined(separator: ", ") + ">"
        }
    }
}

/// An error raised by a builtin's implementation.
///
/// The evaluator turns `.type` into `eval_type_error` and `.builtin` into
/// `eval_builtin_error`, prefixing the message with `<builtin name>: ` (OPA's form).
/// In non-strict mode builtin errors make the expression undefined instead.
public struct BuiltinError: Error, Sendable, Hashable {
    /// Which class of error.
    public enum Kind: Sendable, Hashable {
        /// An operand of the wrong type: `eval_type_error`.
        case type
        /// Any other failure: `eval_builtin_error`.
        case builtin
        /// A failure that always aborts evaluation, even in non-strict mode.
        case halt
    }

    /// The class.
    public var kind: Kind
    /// The message without the builtin-name prefix.
    public var message: String
    /// Whether the message already carries its own prefix.
    public var prefixed: Bool

    /// A type error, e.g. `operand 1 must be string but got number`.
    public static func type(_ message: String) -> BuiltinError {
        BuiltinError(kind: .type, message: message, prefixed: false)
    }

    /// A builtin error.
    public static func builtin(_ message: String) -> BuiltinError {
        BuiltinError(kind: .builtin, message: message, prefixed: false)
    }

    /// An error that aborts even outside strict mode.
    public static func halt(_ message: String) -> BuiltinError {
        BuiltinError(kind: .halt, message: message, prefixed: false)
    }

    /// `operand N must be T but got U`.
    public static func operand(_ index: Int, mustBe type: BuiltinType, got value: Value) -> BuiltinError {
        .type("operand \(index + 1) must be \(type.operandName) but got \(value.typeName)")
    }

    /// `operand N must be <text> but got U`.
    public static func operand(_ index: Int, mustBe text: String, got value: Value) -> BuiltinError {
        .type("operand \(index + 1) must be \(text) but got \(value.typeName)")
    }
}

/// Per-evaluation state a builtin may read: the frozen clock, strictness, capabilities, caches.
///
/// One context exists per evaluation and is never shared across threads.
public final class BuiltinContext {
    /// Nanoseconds since the Unix epoch, fixed for one evaluation (`time.now_ns`).
    public let nowNanoseconds: Int64
    /// Whether builtin errors abort evaluation.
    public let strict: Bool
    /// Whether builtins that reach the network may run.
    public let allowNetwork: Bool
    /// Environment variables visible to `opa.runtime`.
    public let environment: [String: String]
    /// Scratch cache for builtins (e.g. compiled regexes), keyed by the builtin's choice.
    public var cache: [String: any Sendable] = [:]
    /// Lines collected from `print`.
    public var printed: [String] = []

    /// A context.
    public init(nowNanoseconds: Int64, strict: Bool = false, allowNetwork: Bool = false, environment: [String: String] = [:]) {
        self.nowNanoseconds = nowNanoseconds
        self.strict = strict
        self.allowNetwork = allowNetwork
        self.environment = environment
    }
}

/// A builtin function: declaration plus implementation.
public struct Builtin: Sendable {
    /// The implementation: operands in, a value out (`nil` = undefined).
    public typealias Implementation = @Sendable (_ operands: [Value], _ context: BuiltinContext) throws -> Value?
    /// A relation's implementation: every output for the operands (e.g. `walk`).
    public typealias Relation = @Sendable (_ operands: [Value], _ context: BuiltinContext) throws -> [Value]

    /// Full dotted name, e.g. `strings.replace_n`.
    public let name: String
    /// Operand types.
    public let operands: [BuiltinType]
    /// Result type.
    public let result: BuiltinType
    /// Whether results vary between evaluations (excluded from caching / partial evaluation).
    public let nondeterministic: Bool
    /// Whether the builtin reaches the network (denied unless capabilities allow it).
    public let network: Bool
    /// Whether operand types are checked against `operands` before the call.
    public let checksOperands: Bool
    let implementation: Implementation?
    let relation: Relation?

    /// Declares a function builtin.
    /// - Parameters:
    ///   - checkOperands: when true the registry validates operand types before calling and
    ///     reports OPA's `operand N must be T but got U`.
    public init(
        _ name: String, _ operands: [BuiltinType], _ result: BuiltinType,
        nondeterministic: Bool = false, network: Bool = false, checkOperands: Bool = true,
        _ implementation: @escaping Implementation
    ) {
        self.name = name; self.operands = operands; self.result = result
        self.nondeterministic = nondeterministic; self.network = network
        self.checksOperands = checkOperands
        self.implementation = implementation; self.relation = nil
    }

    /// Declares a relation builtin that yields several outputs for one input.
    public init(relation name: String, _ operands: [BuiltinType], _ result: BuiltinType, _ relation: @escaping Relation) {
        self.name = name; self.operands = operands; self.result = result
        self.nondeterministic = false; self.network = false; self.checksOperands = true
        self.implementation = nil; self.relation = relation
    }

    /// Number of operands.
    public var arity: Int { operands.count }

    /// Whether this is a relation (multiple outputs).
    public var isRelation: Bool { relation != nil }

    /// Validates operand types, throwing OPA's type error on the first mismatch.
    public func checkTypes(_ args: [Value]) throws {
        guard checksOperands else { return }
        for (i, t) in operands.enumerated() where i < args.count && !t.accepts(args[i]) {
            throw BuiltinError.operand(i, mustBe: t, got: args[i])
        }
    }

    /// Calls the builtin: every output (empty = undefined).
    public func call(_ args: [Value], context: BuiltinContext) throws -> [Value] {
        try checkTypes(args)
        if let relation { return try relation(args, context) }
        if let v = try implementation!(args, context) { return [v] }
        return []
    }

    /// Calls a function builtin expecting at most one result.
    public func callSingle(_ args: [Value], context: BuiltinContext) throws -> Value? {
        try checkTypes(args)
        if let implementation { return try implementation(args, context) }
        return try relation!(args, context).first
    }
}

/// Every builtin the engine knows, by name.
///
/// Families register through static lists: the core (operators, aggregates, types,
/// arrays, objects, sets — `CoreBuiltins`) and the library (`BuiltinRegistry.library`,
/// assembled in `Builtins/Library.swift` from each family's own file). A library
/// entry replaces a core entry of the same name.
public enum BuiltinRegistry {
    /// All builtins by name.
    public static let all: [String: Builtin] = {
        var table: [String: Builtin] = [:]
        for b in CoreBuiltins.all { table[b.name] = b }
        for b in library { table[b.name] = b }
        return table
    }()

    /// Looks a builtin up by its dotted name.
    public static func lookup(_ name: String) -> Builtin? { all[name] }

    /// Infix operators and the builtin that implements each.
    public static let operators: [String: String] = [
        "==": "equal", "!=": "neq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte",
        "+": "plus", "-": "minus", "*": "mul", "/": "div", "%": "rem", "&": "and", "|": "or",
    ]
}

// MARK: - Operand helpers for implementations

extension Array where Element == Value {
    /// Operand `i` as a string, or OPA's type error.
    public func string(_ i: Int) throws -> String {
        if case .string(let s) = self[i] { return s }
        throw BuiltinError.operand(i, mustBe: .string, got: self[i])
    }

    /// Operand `i` as a number, or OPA's type error.
    public func number(_ i: Int) throws -> Number {
        if case .number(let n) = self[i] { return n }
        throw BuiltinError.operand(i, mustBe: .number, got: self[i])
    }

    /// Operand `i` as an `Int`, or OPA's type error.
    public func int(_ i: Int) throws -> Int {
        let n = try number(i)
        guard let v = n.intValue else {
            throw BuiltinError.type("operand \(i + 1) must be integer number but got floating-point number")
        }
        return v
    }

    /// Operand `i` as a boolean, or OPA's type error.
    public func bool(_ i: Int) throws -> Bool {
        if case .bool(let b) = self[i] { return b }
        throw BuiltinError.operand(i, mustBe: .boolean, got: self[i])
    }

    /// Operand `i` as an array, or OPA's type error.
    public func array(_ i: Int) throws -> [Value] {
        if case .array(let a) = self[i] { return a }
        throw BuiltinError.operand(i, mustBe: .array(.any), got: self[i])
    }

    /// Operand `i` as an object, or OPA's type error.
    public func object(_ i: Int) throws -> ObjectValue {
        if case .object(let o) = self[i] { return o }
        throw BuiltinError.operand(i, mustBe: .object(.any, .any), got: self[i])
    }

    /// Operand `i` as a set, or OPA's type error.
    public func set(_ i: Int) throws -> SetValue {
        if case .set(let s) = self[i] { return s }
        throw BuiltinError.operand(i, mustBe: .set(.any), got: self[i])
    }
}
