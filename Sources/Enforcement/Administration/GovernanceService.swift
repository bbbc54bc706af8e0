import Crypto
import Foundation
import GRDB
import Storage

/// Administrative operations on tenants, keys, policies and settings. Each change
/// is committed together with an `admin` event and its ledger leaf.
public struct GovernanceService: Sendable {
    /// Durable writes and reads.
    public let runner: any TransactionRunner
    /// The compiled bundles, reloaded on activation.
    public let policies: PolicyRegistry

    /// Creates the service.
    public init(runner: any TransactionRunner, policies: PolicyRegistry) {
        self.runner = runner
        self.policies = policies
    }

    // MARK: Tenants

    /// Creates a tenant with the default policy active and default settings.
    @discardableResult
    public func createTenant(id: String, name: String? = nil, actor: String) async throws -> Tenant {
        let contentKey = Secrets.randomHexKey()
        return try await runner.write { db in
            let tenant = try TenantStore.create(db, id: id, name: name, contentKey: contentKey)
            let version = try PolicyStore.create(db, tenant: id, id: DefaultPolicy.id, module: DefaultPolicy.module)
            let bundle = try PolicyStore.appendBundle(
                db, tenant: id, members: [BundleMember(policyID: version.policyID, version: version.version)],
                configuration: TenantSettings.defaults.document)
            _ = try EventRecording.append(db, Self.adminEvent(tenant: id, actor: actor, action: "tenant.create", details: [
                "tenant": .string(id), "policy_id": .string(DefaultPolicy.id), "bundle_revision": .integer(Int64(bundle.revision)),
            ]))
            return tenant
        }
    }

    /// Creates the tenant unless it exists; returns whether it was created.
    public func ensureTenant(id: String, actor: String) async throws -> Bool {
        if try await runner.read({ db in try TenantStore.exists(db, id: id) }) { return false }
        do {
            try await createTenant(id: id, actor: actor)
            return true
        } catch let error as GovernanceError where error.code == .tenantExists {
            return false
        }
    }

    /// Every tenant.
    public func tenants() async throws -> [Tenant] {
        try await runner.read { db in try TenantStore.list(db) }
    }

    // MARK: Keys

    /// Creates a key; the raw key is in the returned material and is never stored.
    public func createKey(tenant: String, role: Role, name: String?, actor: String) async throws -> (APIKeyMaterial, APIKeyRecord) {
        let material = APIKeyMaterial.generate()
        let record = try await runner.write { db in
            let record = try APIKeyStore.create(
                db, tenant: tenant, id: material.id, name: name ?? role.rawValue, role: role, keyHash: material.hash,
                prefix: material.prefix)
            _ = try EventRecording.append(db, Self.adminEvent(tenant: tenant, actor: actor, action: "key.create", details: [
                "key_id": .string(record.id), "role": .string(role.rawValue), "name": .string(record.name),
            ]))
            return record
        }
        return (material, record)
    }

    /// The tenant's keys.
    public func keys(tenant: String) async throws -> [APIKeyRecord] {
        try await runner.read { db in try APIKeyStore.list(db, tenant: tenant) }
    }

    /// Revokes a key of the tenant.
    public func revokeKey(tenant: String, id: String, actor: String) async throws -> APIKeyRecord {
        try await runner.write { db in
            let record = try APIKeyStore.revoke(db, tenant: tenant, id: id)
            _ = try EventRecording.append(db, Self.adminEvent(tenant: tenant, actor: actor, action: "key.revoke", details: [
                "key_id": .string(id)
            ]))
            return record
        }
    }

    /// The live key matching a presented raw key, or `nil`.
    public func authenticate(rawKey: String) async throws -> APIKeyRecord? {
        let hash = APIKeyMaterial.hash(of: rawKey)
        return try await runner.read { db in try APIKeyStore.findActive(db, keyHash: hash) }
    }

    // MARK: Policies

    /// The tenant's live policies.
    public func policies(tenant: String) async throws -> [PolicySummary] {
        try await runner.read { db in try PolicyStore.list(db, tenant: tenant) }
    }

    /// One version of a policy (the latest when `version` is nil), with the list of its versions.
    public func policy(tenant: String, id: String, version: Int? = nil) async throws -> (PolicyVersion, [Int]) {
        try await runner.read { db in
            (try PolicyStore.version(db, tenant: tenant, id: id, version: version), try PolicyStore.versions(db, tenant: tenant, id: id))
        }
    }

    /// Stores a new policy after checking that it compiles with the active bundle.
    public func createPolicy(tenant: String, id: String, module: String, actor: String) async throws -> PolicyVersion {
        try await checkCompiles(tenant: tenant, id: id, module: module)
        return try await runner.write { db in
            let version = try PolicyStore.create(db, tenant: tenant, id: id, module: module)
            _ = try EventRecording.append(db, Self.adminEvent(tenant: tenant, actor: actor, action: "policy.create", details: Self.details(version)))
            return version
        }
    }

    /// Stores a new version replacing `replacing` (409 when it is no longer the latest).
    public func updatePolicy(tenant: String, id: String, replacing: Int, module: String, actor: String) async throws -> PolicyVersion {
        try await checkCompiles(tenant: tenant, id: id, module: module)
        return try await runner.write { db in
            let version = try PolicyStore.update(db, tenant: tenant, id: id, replacing: replacing, module: module)
            _ = try EventRecording.append(db, Self.adminEvent(tenant: tenant, actor: actor, action: "policy.update", details: Self.details(version)))
            return version
        }
    }

    /// Deletes a policy that is not active.
    public func deletePolicy(tenant: String, id: String, actor: String) async throws {
        try await runner.write { db in
            try PolicyStore.delete(db, tenant: tenant, id: id)
            _ = try EventRecording.append(db, Self.adminEvent(tenant: tenant, actor: actor, action: "policy.delete", details: [
                "policy_id": .string(id)
            ]))
        }
    }

    /// Pins a policy version (the latest by default) in a new active bundle revision; takes effect on the next request.
    public func activatePolicy(tenant: String, id: String, version: Int?, actor: String) async throws -> BundleRevision {
        try await changeBundle(tenant: tenant, actor: actor, action: "policy.activate") { db, active in
            let pinned = try PolicyStore.version(db, tenant: tenant, id: id, version: version)
            var members = active.members.filter { $0.policyID != id }
            members.append(BundleMember(policyID: id, version: pinned.version))
            return (members, active.configuration, ["policy_id": .string(id), "version": .integer(Int64(pinned.version))])
        }
    }

    /// Removes a policy from the active bundle in a new revision.
    public func deactivatePolicy(tenant: String, id: String, actor: String) async throws -> BundleRevision {
        try await changeBundle(tenant: tenant, actor: actor, action: "policy.deactivate") { db, active in
            guard active.members.contains(where: { $0.policyID == id }) else {
                throw GovernanceError(.policyNotFound, "policy '\(id)' is not active")
            }
            return (active.members.filter { $0.policyID != id }, active.configuration, ["policy_id": .string(id)])
        }
    }

    /// The tenant's settings document (`data.astral.config`).
    public func configuration(tenant: String) async throws -> (JSONValue, Int) {
        try await runner.read { db in
            guard let bundle = try PolicyStore.activeBundle(db, tenant: tenant) else {
                throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' has no bundle")
            }
            return (bundle.configuration, bundle.revision)
        }
    }

    /// Replaces the tenant's settings after validating them, in a new bundle revision.
    public func setConfiguration(tenant: String, document: JSONValue, actor: String) async throws -> BundleRevision {
        let settings = try TenantSettings(document: document)
        return try await changeBundle(tenant: tenant, actor: actor, action: "config.update") { _, active in
            (active.members, settings.document, ["config": settings.document])
        }
    }

    /// The active bundle as an OPA bundle archive.
    public func bundleArchive(tenant: String) async throws -> BundleArchive {
        let policy = try await policies.active(tenant: tenant)
        return BundleArchive(revision: policy.revision, modules: policy.modules)
    }

    // MARK: Simulation

    /// Replays the stored policy inputs of the last `days` days against a policy version
    /// (the latest by default) put in place of the active one, without changing anything.
    public func simulate(tenant: String, id: String, version: Int?, days: Double, maximumEvents: Int = 50_000) async throws -> SimulationReport {
        let since = Date().addingTimeInterval(-days * 86_400)
        let (draft, active, modules, inputs) = try await runner.read { db in
            let draft = try PolicyStore.version(db, tenant: tenant, id: id, version: version)
            guard let active = try PolicyStore.activeBundle(db, tenant: tenant) else {
                throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' has no bundle")
            }
            let modules = try PolicyStore.modules(db, of: active)
            let inputs = try EventStore.decisionInputs(db, tenant: tenant, since: since, limit: maximumEvents)
            return (draft, active, modules, inputs)
        }
        var draftModules = modules
        draftModules[id + ".rego"] = draft.module
        let prepared = try policies.prepareDraft(modules: draftModules, configuration: active.configuration)
        var report = SimulationReport(policyID: id, version: draft.version, days: days, evaluated: 0, changed: 0, errors: 0, transitions: [:], samples: [])
        for event in inputs {
            report.evaluated += 1
            let before = event.decision ?? "unknown"
            let after: String
            do {
                if let value = try prepared.evaluate(input: event.input), let parsed = Enforcer.parse(decision: value) {
                    after = parsed.decision.rawValue
                } else {
                    after = "undefined"
                    report.errors += 1
                }
            } catch {
                after = "error"
                report.errors += 1
            }
            guard after != before else { continue }
            report.changed += 1
            report.transitions[before + "→" + after, default: 0] += 1
            if report.samples.count < 20 {
                report.samples.append(.init(eventID: event.id, occurredAt: event.occurredAt, from: before, to: after))
            }
        }
        return report
    }

    // MARK: Helpers

    private func checkCompiles(tenant: String, id: String, module: String) async throws {
        guard Identifiers.isValid(id) else {
            throw GovernanceError(.invalidName, "policy id must be 1-64 characters of a-z, 0-9, '-' or '_'")
        }
        let active = try await policies.active(tenant: tenant)
        var modules = active.modules
        modules[id + ".rego"] = module
        _ = try policies.prepareDraft(modules: modules, configuration: active.revision.configuration)
    }

    private func changeBundle(
        tenant: String, actor: String, action: String,
        _ change: @escaping @Sendable (Database, BundleRevision) throws -> ([BundleMember], JSONValue, [String: JSONValue])
    ) async throws -> BundleRevision {
        // Compile the new bundle before committing it, so a broken bundle is never activated.
        let plan = try await runner.read { db -> ([BundleMember], JSONValue, [String: JSONValue], [String: String]) in
            guard let active = try PolicyStore.activeBundle(db, tenant: tenant) else {
                throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' has no bundle")
            }
            let (members, configuration, details) = try change(db, active)
            let next = BundleRevision(tenantID: tenant, revision: active.revision + 1, members: members, configuration: configuration, createdAt: Date())
            return (members, configuration, details, try PolicyStore.modules(db, of: next))
        }
        _ = try policies.prepareDraft(modules: plan.3, configuration: plan.1)
        let revision = try await runner.write { db in
            let revision = try PolicyStore.appendBundle(db, tenant: tenant, members: plan.0, configuration: plan.1)
            var details = plan.2
            details["bundle_revision"] = .integer(Int64(revision.revision))
            _ = try EventRecording.append(db, Self.adminEvent(tenant: tenant, actor: actor, action: action, details: .object(details)))
            return revision
        }
        try await policies.reload(tenant: tenant)
        return revision
    }

    static func details(_ version: PolicyVersion) -> JSONValue {
        [
            "policy_id": .string(version.policyID), "version": .integer(Int64(version.version)),
            "module_sha256": .string(SHA256.hash(data: Data(version.module.utf8)).hexString),
        ]
    }

    /// An administrative event: `decision` holds the action (`policy.activate`, ...), `input` the details.
    static func adminEvent(tenant: String, actor: String, action: String, details: JSONValue) -> EventRecord {
        EventRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, kind: .admin, occurredAt: Date(), actor: actor,
            decision: action, input: details)
    }
}

/// What a simulation found.
public struct SimulationReport: Sendable, Hashable {
    /// One changed decision.
    public struct Sample: Sendable, Hashable {
        /// The replayed event.
        public var eventID: String
        /// When it happened.
        public var occurredAt: Date
        /// The recorded decision.
        public var from: String
        /// The draft's decision.
        public var to: String
    }

    /// The simulated policy.
    public var policyID: String
    /// Its version.
    public var version: Int
    /// The window, in days.
    public var days: Double
    /// Replayed decisions.
    public var evaluated: Int
    /// Decisions that would change.
    public var changed: Int
    /// Replays where the draft threw or was undefined.
    public var errors: Int
    /// Counts by `from→to`.
    public var transitions: [String: Int]
    /// Up to 20 examples.
    public var samples: [Sample]
}
