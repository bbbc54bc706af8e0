import Crypto
import Foundation
import Storage
import Synchronization

/// A tenant's active bundle, compiled once and shared by every request until
/// the next activation replaces it as a whole (no torn reads).
public struct ActivePolicy: Sendable {
    /// The tenant.
    public let tenantID: String
    /// The bundle revision; the `policy_version` of decisions made with it.
    public let revision: BundleRevision
    /// The modules by file name.
    public let modules: [String: String]
    /// The prepared decision query, or the compile error that prevents it.
    public let prepared: Result<any PreparedPolicy, PolicyCompilationError>
    /// The tenant's settings in this revision.
    public let settings: TenantSettings
    /// The tenant's content-HMAC key.
    let contentKey: Data

    /// The version string recorded with decisions.
    public var policyVersion: String { String(revision.revision) }

    /// HMAC-SHA256 of `content` under the tenant's content key, lowercase hex: the
    /// `content_hmac` every event carries in place of the raw content.
    public func contentHMAC(of content: String) -> String {
        Array(HMAC<SHA256>.authenticationCode(for: Data(content.utf8), using: SymmetricKey(data: contentKey))).hexString
    }

    /// The `data` document of the bundle.
    public var data: JSONValue { PolicyRegistry.data(configuration: revision.configuration) }
}

/// Holds each tenant's compiled active bundle.
public final class PolicyRegistry: Sendable {
    /// The engine that compiles bundles.
    public let engine: any PolicyEngine
    private let runner: any TransactionRunner
    private let cache = Mutex<[String: ActivePolicy]>([:])

    /// Creates a registry reading bundles through `runner`.
    public init(engine: any PolicyEngine, runner: any TransactionRunner) {
        self.engine = engine
        self.runner = runner
    }

    /// The `data` document for a configuration: `{"astral": {"config": ...}}`.
    public static func data(configuration: JSONValue) -> JSONValue {
        .object(["astral": .object(["config": configuration])])
    }

    /// The tenant's active policy, compiling it on first use.
    public func active(tenant: String) async throws -> ActivePolicy {
        if let cached = cache.withLock({ $0[tenant] }) { return cached }
        return try await reload(tenant: tenant)
    }

    /// Reads and compiles the tenant's active bundle and makes it the one every next request uses.
    @discardableResult
    public func reload(tenant: String) async throws -> ActivePolicy {
        let (bundle, modules, key) = try await runner.read { db in
            guard let bundle = try PolicyStore.activeBundle(db, tenant: tenant) else {
                throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' has no policy bundle")
            }
            return (bundle, try PolicyStore.modules(db, of: bundle), try TenantStore.contentKey(db, tenant: tenant))
        }
        let policy = compile(bundle: bundle, modules: modules, contentKey: key)
        cache.withLock { entries in
            // Keep the newer one when two reloads race.
            if let existing = entries[tenant], existing.revision.revision > policy.revision.revision { return }
            entries[tenant] = policy
        }
        return cache.withLock { $0[tenant]! }
    }

    /// Compiles `modules` with `configuration` as a draft (nothing is cached).
    public func prepareDraft(modules: [String: String], configuration: JSONValue) throws -> any PreparedPolicy {
        try engine.prepare(query: DefaultPolicy.decisionQuery, modules: modules, data: Self.data(configuration: configuration))
    }

    private func compile(bundle: BundleRevision, modules: [String: String], contentKey: String) -> ActivePolicy {
        let prepared: Result<any PreparedPolicy, PolicyCompilationError>
        do {
            prepared = .success(try prepareDraft(modules: modules, configuration: bundle.configuration))
        } catch let error as PolicyCompilationError {
            prepared = .failure(error)
        } catch {
            prepared = .failure(PolicyCompilationError(diagnostics: [
                PolicyDiagnostic(code: "rego_compile_error", message: "the bundle could not be prepared", file: nil, line: nil, column: nil)
            ]))
        }
        let settings = (try? TenantSettings(document: bundle.configuration)) ?? .defaults
        return ActivePolicy(
            tenantID: bundle.tenantID, revision: bundle, modules: modules, prepared: prepared, settings: settings,
            contentKey: Data(hexString: contentKey) ?? Data(contentKey.utf8))
    }
}

extension Data {
    init?(hexString: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hexString.utf8.count / 2)
        var high: UInt8?
        for c in hexString.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        guard high == nil else { return nil }
        self.init(bytes)
    }
}
