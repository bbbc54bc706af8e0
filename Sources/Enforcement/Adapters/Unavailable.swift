import Detection
import Storage

/// A policy engine for builds without one: every compile fails, so every
/// decision resolves by the tenant's fail-mode and is recorded as such.
public struct UnavailablePolicyEngine: PolicyEngine {
    /// Creates the engine.
    public init() {}

    /// Always throws a compile error.
    public func prepare(query: String, modules: [String: String], data: JSONValue) throws -> any PreparedPolicy {
        throw PolicyCompilationError(diagnostics: [
            PolicyDiagnostic(code: "rego_compile_error", message: "no Rego engine in this build", file: nil, line: nil, column: nil)
        ])
    }
}

/// A detector for builds without one: every scan throws, so decisions resolve by the fail-mode.
public struct UnavailableScanner: ContentScanner {
    struct Missing: Error {}

    /// Creates the scanner.
    public init() {}

    /// Always throws.
    public func scan(_ text: String) throws -> ScanResult { throw Missing() }

    /// Returns the text unchanged (nothing was found).
    public func redact(_ text: String, findings: [Finding]) -> String { text }
}
