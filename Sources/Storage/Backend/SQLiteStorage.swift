import Foundation
import Ledger

/// `GovernanceStorage` over the embedded SQLite database: each call runs the
/// existing stores (`TenantStore`, `APIKeyStore`, `PolicyStore`, `EventStore`,
/// `LedgerStore`) in one read or group-committed write transaction.
public struct SQLiteStorage: GovernanceStorage {
    /// The database.
    public let database: AppDatabase
    /// The ledger over the same database.
    public let ledger: LedgerStore

    /// Storage over `database`, signing checkpoints with `signer`.
    public init(database: AppDatabase, signer: NoteSigner) {
        self.database = database
        self.ledger = LedgerStore(database: database, signer: signer)
    }

    /// Creates a tenant.
    public func createTenant(id: String, name: String?, contentKey: String, now: Date) async throws -> Tenant {
        try await database.write { db in try TenantStore.create(db, id: id, name: name, contentKey: contentKey, now: now) }
    }

    /// One tenant.
    public func tenant(id: String) async throws -> Tenant? {
        try await database.read { db in try TenantStore.find(db, id: id) }
    }

    /// Every tenant.
    public func tenants() async throws -> [Tenant] {
        try await database.read { db in try TenantStore.list(db) }
    }

    /// The tenant's content key.
    public func contentKey(tenant: String) async throws -> String {
        try await database.read { db in try TenantStore.contentKey(db, tenant: tenant) }
    }

    /// Stores a key.
    public func createAPIKey(
        tenant: String, id: String, name: String, role: Role, keyHash: String, prefix: String, now: Date
    ) async throws -> APIKeyRecord {
        try await database.write { db in
            try APIKeyStore.create(db, tenant: tenant, id: id, name: name, role: role, keyHash: keyHash, prefix: prefix, now: now)
        }
    }

    /// The live key with this hash.
    public func activeAPIKey(keyHash: String) async throws -> APIKeyRecord? {
        try await database.read { db in try APIKeyStore.findActive(db, keyHash: keyHash) }
    }

    /// The tenant's keys.
    public func apiKeys(tenant: String) async throws -> [APIKeyRecord] {
        try await database.read { db in try APIKeyStore.list(db, tenant: tenant) }
    }

    /// Revokes a key.
    public func revokeAPIKey(tenant: String, id: String, now: Date) async throws -> APIKeyRecord {
        try await database.write { db in try APIKeyStore.revoke(db, tenant: tenant, id: id, now: now) }
    }

    /// Stores a new policy.
    public func createPolicy(tenant: String, id: String, module: String, now: Date) async throws -> PolicyVersion {
        try await database.write { db in try PolicyStore.create(db, tenant: tenant, id: id, module: module, now: now) }
    }

    /// Stores a new policy version.
    public func updatePolicy(tenant: String, id: String, replacing expected: Int, module: String, now: Date) async throws
        -> PolicyVersion
    {
        try await database.write { db in
            try PolicyStore.update(db, tenant: tenant, id: id, replacing: expected, module: module, now: now)
        }
    }

    /// Marks a policy deleted.
    public func deletePolicy(tenant: String, id: String, now: Date) async throws {
        try await database.write { db in try PolicyStore.delete(db, tenant: tenant, id: id, now: now) }
    }

    /// One policy version.
    public func policyVersion(tenant: String, id: String, version: Int?) async throws -> PolicyVersion {
        try await database.read { db in try PolicyStore.version(db, tenant: tenant, id: id, version: version) }
    }

    /// Every version number of a policy.
    public func policyVersions(tenant: String, id: String) async throws -> [Int] {
        try await database.read { db in try PolicyStore.versions(db, tenant: tenant, id: id) }
    }

    /// The live policies.
    public func policies(tenant: String) async throws -> [PolicySummary] {
        try await database.read { db in try PolicyStore.list(db, tenant: tenant) }
    }

    /// The active bundle.
    public func activeBundle(tenant: String) async throws -> BundleRevision? {
        try await database.read { db in try PolicyStore.activeBundle(db, tenant: tenant) }
    }

    /// Appends a bundle revision.
    public func appendBundle(tenant: String, members: [BundleMember], configuration: JSONValue, now: Date) async throws
        -> BundleRevision
    {
        try await database.write { db in
            try PolicyStore.appendBundle(db, tenant: tenant, members: members, configuration: configuration, now: now)
        }
    }

    /// The modules of a bundle.
    public func modules(of bundle: BundleRevision) async throws -> [String: String] {
        try await database.read { db in try PolicyStore.modules(db, of: bundle) }
    }

    /// Appends events and their ledger leaves in one group-committed transaction.
    public func appendEvents(_ events: [EventRecord]) async throws -> [EventRecord] {
        let leaves = try events.map { try $0.ledgerLeaf() }
        return try await database.write { db in
            var stored: [EventRecord] = []
            stored.reserveCapacity(events.count)
            for (event, leaf) in zip(events, leaves) {
                var event = event
                let receipts = try LedgerStore.append(db, tenant: event.tenantID, records: [leaf])
                event.ledgerIndex = receipts.first.map { Int64($0.index) }
                event.sequence = try EventStore.append(db, event)
                stored.append(event)
            }
            return stored
        }
    }

    /// One event.
    public func event(tenant: String, id: String) async throws -> EventRecord? {
        try await database.read { db in try EventStore.find(db, tenant: tenant, id: id) }
    }

    /// Events matching a query.
    public func events(tenant: String, query: EventQuery) async throws -> [EventRecord] {
        try await database.read { db in try EventStore.list(db, tenant: tenant, query: query) }
    }

    /// The number of events.
    public func eventCount(tenant: String) async throws -> Int {
        try await database.read { db in try EventStore.count(db, tenant: tenant) }
    }

    /// The committed tree.
    public func ledgerTree(tenant: String) async throws -> TreeState {
        try await ledger.tree(tenant: tenant)
    }

    /// Ledger records.
    public func ledgerRecords(tenant: String, from: UInt64, limit: Int) async throws -> [StoredRecord] {
        try await ledger.records(tenant: tenant, from: from, limit: limit)
    }

    /// An inclusion proof.
    public func inclusionProof(tenant: String, index: UInt64, size: UInt64?) async throws -> InclusionProof {
        try await ledger.inclusionProof(tenant: tenant, index: index, size: size)
    }

    /// A consistency proof.
    public func consistencyProof(tenant: String, from: UInt64, to: UInt64) async throws -> ConsistencyProof {
        try await ledger.consistencyProof(tenant: tenant, from: from, to: to)
    }

    /// Signs a checkpoint.
    public func signCheckpoint(tenant: String) async throws -> StoredCheckpoint {
        try await ledger.signCheckpoint(tenant: tenant)
    }

    /// The latest checkpoint.
    public func latestCheckpoint(tenant: String) async throws -> StoredCheckpoint? {
        try await ledger.latestCheckpoint(tenant: tenant)
    }
}
