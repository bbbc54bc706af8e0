import Foundation
import Ledger

/// What the gateway stores, independent of the database behind it: tenants,
/// API keys, policies and bundle revisions, events and the per-tenant ledger.
///
/// Two backends implement it with the same behaviour — `SQLiteStorage` (the
/// embedded GRDB database of one data directory) and `PostgresStorage`
/// (PostgreSQL with row-level security) — and one test suite runs against both.
/// Every tenant-scoped call names its tenant; a backend must never return
/// another tenant's rows for it.
public protocol GovernanceStorage: Sendable {
    // MARK: Tenants

    /// Creates a tenant with its content-HMAC key (hex); `tenantExists` if the id is taken.
    func createTenant(id: String, name: String?, contentKey: String, now: Date) async throws -> Tenant
    /// One tenant, or `nil`.
    func tenant(id: String) async throws -> Tenant?
    /// Every tenant, by id.
    func tenants() async throws -> [Tenant]
    /// The tenant's content-HMAC key (hex); `tenantNotFound` if there is no such tenant.
    func contentKey(tenant: String) async throws -> String

    // MARK: API keys

    /// Stores a key given by the SHA-256 (lowercase hex) of the raw key.
    func createAPIKey(
        tenant: String, id: String, name: String, role: Role, keyHash: String, prefix: String, now: Date
    ) async throws -> APIKeyRecord
    /// The live (not revoked) key with this hash, of whichever tenant, or `nil`.
    func activeAPIKey(keyHash: String) async throws -> APIKeyRecord?
    /// The tenant's keys, oldest first.
    func apiKeys(tenant: String) async throws -> [APIKeyRecord]
    /// Revokes one key of the tenant (revoking twice keeps the first time); `keyNotFound` if it is not the tenant's.
    func revokeAPIKey(tenant: String, id: String, now: Date) async throws -> APIKeyRecord

    // MARK: Policies and bundles

    /// Stores a new policy at version 1 (a deleted id continues its history).
    func createPolicy(tenant: String, id: String, module: String, now: Date) async throws -> PolicyVersion
    /// Stores a new version provided `expected` is still the latest; `versionConflict` otherwise.
    func updatePolicy(tenant: String, id: String, replacing expected: Int, module: String, now: Date) async throws
        -> PolicyVersion
    /// Marks a policy deleted; `policyActive` while the active bundle pins it.
    func deletePolicy(tenant: String, id: String, now: Date) async throws
    /// One version of a live policy (the latest when `version` is nil).
    func policyVersion(tenant: String, id: String, version: Int?) async throws -> PolicyVersion
    /// Every version number of a policy, oldest first.
    func policyVersions(tenant: String, id: String) async throws -> [Int]
    /// The live policies of the tenant, by id.
    func policies(tenant: String) async throws -> [PolicySummary]
    /// The tenant's active (highest) bundle revision, or `nil` before the first.
    func activeBundle(tenant: String) async throws -> BundleRevision?
    /// Appends a bundle revision one past the active one.
    func appendBundle(tenant: String, members: [BundleMember], configuration: JSONValue, now: Date) async throws
        -> BundleRevision
    /// The modules of a bundle revision, keyed by `<policy id>.rego`.
    func modules(of bundle: BundleRevision) async throws -> [String: String]

    // MARK: Events and the ledger

    /// Appends events together with their ledger leaves (the event without raw
    /// content) in one durable transaction and returns them with ledger index
    /// and sequence set, in the order given.
    func appendEvents(_ events: [EventRecord]) async throws -> [EventRecord]
    /// One event of the tenant, or `nil`.
    func event(tenant: String, id: String) async throws -> EventRecord?
    /// Events of the tenant matching `query`, newest first.
    func events(tenant: String, query: EventQuery) async throws -> [EventRecord]
    /// The number of events of the tenant.
    func eventCount(tenant: String) async throws -> Int
    /// The committed size and root of the tenant's ledger.
    func ledgerTree(tenant: String) async throws -> TreeState
    /// Up to `limit` ledger records of the tenant from leaf `from`, in leaf order.
    func ledgerRecords(tenant: String, from: UInt64, limit: Int) async throws -> [StoredRecord]
    /// An inclusion proof of leaf `index` in the tree of `size` leaves (default: the committed size).
    func inclusionProof(tenant: String, index: UInt64, size: UInt64?) async throws -> InclusionProof
    /// A consistency proof between two committed tree sizes (1 ≤ from ≤ to).
    func consistencyProof(tenant: String, from: UInt64, to: UInt64) async throws -> ConsistencyProof
    /// Signs and stores a checkpoint of the committed tree (or returns the latest if it covers it).
    func signCheckpoint(tenant: String) async throws -> StoredCheckpoint
    /// The most recent checkpoint, if any.
    func latestCheckpoint(tenant: String) async throws -> StoredCheckpoint?
}

extension EventRecord {
    /// The ledger leaf of this event (everything but the raw content), as both backends commit it.
    public func ledgerLeaf() throws -> LedgerRecord {
        try LedgerRecord(json: Array(ledgerRecord.serialized().utf8))
    }
}
