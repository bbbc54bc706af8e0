import Detection
import Storage

/// Compiles a bundle's modules and prepares its decision query once, for many evaluations.
public protocol PolicyEngine: Sendable {
    /// Compiles `modules` (file name → Rego source) with `data` and prepares `query`.
    /// Throws `PolicyCompilationError` listing every problem.
    func prepare(query: String, modules: [String: String], data: JSONValue) throws -> any PreparedPolicy
}

/// A compiled query, evaluated once per request.
public protocol PreparedPolicy: Sendable {
    /// The value of the query for `input`, or `nil` when it is undefined.
    func evaluate(input: JSONValue) throws -> JSONValue?
}

/// One compile problem, with its place in a module.
public struct PolicyDiagnostic: Sendable, Hashable, Codable {
    /// The OPA error code (`rego_parse_error`, ...).
    public var code: String
    /// What is wrong.
    public var message: String
    /// The module file name.
    public var file: String?
    /// Line, from 1.
    public var line: Int?
    /// Column, from 1.
    public var column: Int?

    /// Creates a diagnostic.
    public init(code: String, message: String, file: String?, line: Int?, column: Int?) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }
}

/// Modules that do not compile.
public struct PolicyCompilationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found.
    public var diagnostics: [PolicyDiagnostic]

    /// Creates the error.
    public init(diagnostics: [PolicyDiagnostic]) { self.diagnostics = diagnostics }

    /// The problems, one per line.
    public var description: String {
        diagnostics.map { d in "\(d.file ?? "?"):\(d.line ?? 0):\(d.column ?? 0): \(d.code): \(d.message)" }
            .joined(separator: "\n")
    }
}

/// Scans content for sensitive data, secrets and prompt injection, and redacts spans.
public protocol ContentScanner: Sendable {
    /// Scans `text`.
    func scan(_ text: String) throws -> ScanResult
    /// `text` with each finding's span replaced by `[REDACTED:<TYPE>]`.
    func redact(_ text: String, findings: [Finding]) -> String
}
