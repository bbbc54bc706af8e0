import Foundation
import Ledger
import Logging
import PostgresNIO

/// `GovernanceStorage` on PostgreSQL, connected as the application role.
///
/// Every tenant-scoped call runs in one transaction that first sets
/// `astral.tenant` for itself (`set_config(…, true)`, a bound parameter), so
/// row-level security — not only the `WHERE` clauses below — keeps each
/// tenant's rows from every other tenant. Ledger appends take a per-tenant
/// transaction-scoped advisory lock, so several processes sharing the
/// database append to one consistent tree per tenant.
public final class PostgresStorage: GovernanceStorage {
    /// The connection pool.
    public let database: PostgresDatabase
    /// Signs checkpoints; its name is the instance name (shared by every replica).
    public let signer: NoteSigner
    let logger: Logger

    /// Connects to `url` (the application role) and checks the schema version;
    /// throws `schemaTooNew` when the database is ahead of this build and a
    /// `database` error when it is behind (run `PostgresMigrator.migrate` first).
    public init(url: String, signer: NoteSigner, logger: Logger = Logger(label: "astral.postgres")) async throws {
        let database = PostgresDatabase(try PostgresLocation(url: url), logger: logger)
        do {
            try await PostgresMigrator.check(database)
        } catch {
            await database.shutdown()
            throw error
        }
        self.database = database
        self.signer = signer
        self.logger = logger
    }

    /// Closes the connections.
    public func shutdown() async { await database.shutdown() }

    /// The checkpoint origin of `tenant`: `<instance name>/<tenant>`.
    public func origin(tenant: String) -> String { "\(signer.name)/\(tenant)" }

    // MARK: - Tenants

    /// Creates a tenant and its secret row.
    public func createTenant(id: String, name: String?, contentKey: String, now: Date) async throws -> Tenant {
        guard Identifiers.isValid(id) else {
            throw GovernanceError(.invalidName, "tenant id must be 1-64 characters of a-z, 0-9, '-' or '_'")
        }
        let tenant = Tenant(id: id, name: name ?? id, createdAt: now)
        let logger = self.logger
        do {
            try await database.transaction(tenant: id) { connection in
                try await connection.run(
                    "INSERT INTO tenants (id, name, created_at_ms) VALUES (\(id), \(tenant.name), \(Identifiers.milliseconds(now)))",
                    logger: logger)
                try await connection.run(
                    "INSERT INTO tenant_secrets (tenant_id, content_key) VALUES (\(id), \(contentKey))", logger: logger)
            }
        } catch let error where PostgresDatabase.sqlState(error) == "23505" || Self.isUniqueViolation(error) {
            throw GovernanceError(.tenantExists, "tenant '\(id)' already exists")
        }
        return tenant
    }

    /// One tenant.
    public func tenant(id: String) async throws -> Tenant? {
        let logger = self.logger
        return try await database.transaction(tenant: nil) { connection in
            try await connection.rows("SELECT id, name, created_at_ms FROM tenants WHERE id = \(id)", logger: logger)
                .first.map(Self.tenant(from:))
        }
    }

    /// Every tenant.
    public func tenants() async throws -> [Tenant] {
        let logger = self.logger
        return try await database.transaction(tenant: nil) { connection in
            try await connection.rows("SELECT id, name, created_at_ms FROM tenants ORDER BY id", logger: logger)
                .map(Self.tenant(from:))
        }
    }

    /// The tenant's content key.
    public func contentKey(tenant: String) async throws -> String {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            guard
                let row = try await connection.rows(
                    "SELECT content_key FROM tenant_secrets WHERE tenant_id = \(tenant)", logger: logger
                ).first
            else {
                throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' does not exist")
            }
            return try row["content_key"].decode(String.self)
        }
    }

    private static func tenant(from row: PostgresRandomAccessRow) throws -> Tenant {
        Tenant(
            id: try row["id"].decode(String.self), name: try row["name"].decode(String.self),
            createdAt: Identifiers.date(milliseconds: try row["created_at_ms"].decode(Int64.self)))
    }

    private static func isUniqueViolation(_ error: any Error) -> Bool {
        if let storage = error as? StorageError { return storage.message.contains("SQLSTATE 23505") }
        return false
    }

    private static func tenantExists(_ connection: PostgresConnection, _ tenant: String, logger: Logger) async throws -> Bool {
        try await !connection.rows("SELECT 1 FROM tenants WHERE id = \(tenant)", logger: logger).isEmpty
    }

    // MARK: - API keys

    /// Stores a key and its hash → tenant index entry.
    public func createAPIKey(
        tenant: String, id: String, name: String, role: Role, keyHash: String, prefix: String, now: Date
    ) async throws -> APIKeyRecord {
        let logger = self.logger
        try await database.transaction(tenant: tenant) { connection in
            guard try await Self.tenantExists(connection, tenant, logger: logger) else {
                throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' does not exist")
            }
            try await connection.run(
                "INSERT INTO api_key_index (key_hash, tenant_id) VALUES (\(keyHash), \(tenant))", logger: logger)
            try await connection.run(
                """
                INSERT INTO api_keys (id, tenant_id, name, role, key_hash, prefix, created_at_ms)
                VALUES (\(id), \(tenant), \(name), \(role.rawValue), \(keyHash), \(prefix), \(Identifiers.milliseconds(now)))
                """, logger: logger)
        }
        return APIKeyRecord(id: id, tenantID: tenant, name: name, role: role, prefix: prefix, createdAt: now, revokedAt: nil)
    }

    /// The live key with this hash: its tenant from the index, then the key under that tenant's policy.
    public func activeAPIKey(keyHash: String) async throws -> APIKeyRecord? {
        let logger = self.logger
        let owner = try await database.transaction(tenant: nil) { connection in
            try await connection.rows("SELECT tenant_id FROM api_key_index WHERE key_hash = \(keyHash)", logger: logger)
                .first.map { try $0["tenant_id"].decode(String.self) }
        }
        guard let owner else { return nil }
        return try await database.transaction(tenant: owner) { connection in
            try await connection.rows(
                "SELECT * FROM api_keys WHERE key_hash = \(keyHash) AND revoked_at_ms IS NULL", logger: logger
            ).first.map(Self.key(from:))
        }
    }

    /// The tenant's keys.
    public func apiKeys(tenant: String) async throws -> [APIKeyRecord] {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.rows(
                "SELECT * FROM api_keys WHERE tenant_id = \(tenant) ORDER BY created_at_ms, id", logger: logger
            ).map(Self.key(from:))
        }
    }

    /// Revokes a key.
    public func revokeAPIKey(tenant: String, id: String, now: Date) async throws -> APIKeyRecord {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            guard
                let row = try await connection.rows(
                    """
                    UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, \(Identifiers.milliseconds(now)))
                    WHERE tenant_id = \(tenant) AND id = \(id) RETURNING *
                    """, logger: logger
                ).first
            else {
                throw GovernanceError(.keyNotFound, "no key '\(id)' in tenant '\(tenant)'")
            }
            return try Self.key(from: row)
        }
    }

    private static func key(from row: PostgresRandomAccessRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row["id"].decode(String.self), tenantID: try row["tenant_id"].decode(String.self),
            name: try row["name"].decode(String.self),
            role: Role(rawValue: try row["role"].decode(String.self)) ?? .auditor,
            prefix: try row["prefix"].decode(String.self),
            createdAt: Identifiers.date(milliseconds: try row["created_at_ms"].decode(Int64.self)),
            revokedAt: try row["revoked_at_ms"].decode(Int64?.self).map(Identifiers.date(milliseconds:)))
    }

    // MARK: - Policies and bundles

    /// Stores a new policy at version 1 (or continues a deleted one's history).
    public func createPolicy(tenant: String, id: String, module: String, now: Date) async throws -> PolicyVersion {
        guard Identifiers.isValid(id) else {
            throw GovernanceError(.invalidName, "policy id must be 1-64 characters of a-z, 0-9, '-' or '_'")
        }
        let logger = self.logger
        let ms = Identifiers.milliseconds(now)
        return try await database.transaction(tenant: tenant) { connection in
            guard try await Self.tenantExists(connection, tenant, logger: logger) else {
                throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' does not exist")
            }
            let existing = try await connection.rows(
                "SELECT deleted, latest_version FROM policies WHERE tenant_id = \(tenant) AND id = \(id) FOR UPDATE",
                logger: logger
            ).first
            let version: Int
            if let existing {
                guard try existing["deleted"].decode(Bool.self) else {
                    throw GovernanceError(.policyExists, "policy '\(id)' already exists")
                }
                version = try existing["latest_version"].decode(Int.self) + 1
                try await connection.run(
                    """
                    UPDATE policies SET deleted = false, latest_version = \(version), updated_at_ms = \(ms)
                    WHERE tenant_id = \(tenant) AND id = \(id)
                    """, logger: logger)
            } else {
                version = 1
                try await connection.run(
                    """
                    INSERT INTO policies (tenant_id, id, latest_version, created_at_ms, updated_at_ms)
                    VALUES (\(tenant), \(id), 1, \(ms), \(ms))
                    """, logger: logger)
            }
            try await connection.run(
                """
                INSERT INTO policy_versions (tenant_id, policy_id, version, module, created_at_ms)
                VALUES (\(tenant), \(id), \(version), \(module), \(ms))
                """, logger: logger)
            return PolicyVersion(policyID: id, version: version, module: module, createdAt: now)
        }
    }

    /// Stores a new version if `expected` is still the latest.
    public func updatePolicy(tenant: String, id: String, replacing expected: Int, module: String, now: Date) async throws
        -> PolicyVersion
    {
        let logger = self.logger
        let ms = Identifiers.milliseconds(now)
        return try await database.transaction(tenant: tenant) { connection in
            let latest = try await Self.latestVersion(connection, tenant: tenant, id: id, lock: true, logger: logger)
            guard latest == expected else {
                throw GovernanceError(.versionConflict, "policy '\(id)' is at version \(latest), not \(expected)")
            }
            try await connection.run(
                """
                UPDATE policies SET latest_version = \(latest + 1), updated_at_ms = \(ms)
                WHERE tenant_id = \(tenant) AND id = \(id)
                """, logger: logger)
            try await connection.run(
                """
                INSERT INTO policy_versions (tenant_id, policy_id, version, module, created_at_ms)
                VALUES (\(tenant), \(id), \(latest + 1), \(module), \(ms))
                """, logger: logger)
            return PolicyVersion(policyID: id, version: latest + 1, module: module, createdAt: now)
        }
    }

    /// Marks a policy deleted; refused while the active bundle pins it.
    public func deletePolicy(tenant: String, id: String, now: Date) async throws {
        let logger = self.logger
        try await database.transaction(tenant: tenant) { connection in
            _ = try await Self.latestVersion(connection, tenant: tenant, id: id, lock: true, logger: logger)
            if let active = try await Self.activeBundle(connection, tenant: tenant, logger: logger),
                active.members.contains(where: { $0.policyID == id })
            {
                throw GovernanceError(.policyActive, "policy '\(id)' is in the active bundle; deactivate it first")
            }
            try await connection.run(
                """
                UPDATE policies SET deleted = true, updated_at_ms = \(Identifiers.milliseconds(now))
                WHERE tenant_id = \(tenant) AND id = \(id)
                """, logger: logger)
        }
    }

    private static func latestVersion(
        _ connection: PostgresConnection, tenant: String, id: String, lock: Bool, logger: Logger
    ) async throws -> Int {
        let query: PostgresQuery =
            lock
            ? "SELECT latest_version FROM policies WHERE tenant_id = \(tenant) AND id = \(id) AND NOT deleted FOR UPDATE"
            : "SELECT latest_version FROM policies WHERE tenant_id = \(tenant) AND id = \(id) AND NOT deleted"
        guard let row = try await connection.rows(query, logger: logger).first else {
            throw GovernanceError(.policyNotFound, "no policy '\(id)' in this tenant")
        }
        return try row["latest_version"].decode(Int.self)
    }

    /// One version of a live policy.
    public func policyVersion(tenant: String, id: String, version: Int?) async throws -> PolicyVersion {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await Self.policyVersion(connection, tenant: tenant, id: id, version: version, logger: logger)
        }
    }

    private static func policyVersion(
        _ connection: PostgresConnection, tenant: String, id: String, version: Int?, logger: Logger
    ) async throws -> PolicyVersion {
        let number: Int
        if let version {
            number = version
        } else {
            number = try await latestVersion(connection, tenant: tenant, id: id, lock: false, logger: logger)
        }
        guard
            let row = try await connection.rows(
                """
                SELECT policy_id, version, module, created_at_ms FROM policy_versions
                WHERE tenant_id = \(tenant) AND policy_id = \(id) AND version = \(number)
                """, logger: logger
            ).first
        else {
            throw GovernanceError(.policyNotFound, "policy '\(id)' has no version \(number)")
        }
        return PolicyVersion(
            policyID: try row["policy_id"].decode(String.self), version: try row["version"].decode(Int.self),
            module: try row["module"].decode(String.self),
            createdAt: Identifiers.date(milliseconds: try row["created_at_ms"].decode(Int64.self)))
    }

    /// Every version number of a policy.
    public func policyVersions(tenant: String, id: String) async throws -> [Int] {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.rows(
                "SELECT version FROM policy_versions WHERE tenant_id = \(tenant) AND policy_id = \(id) ORDER BY version",
                logger: logger
            ).map { try $0["version"].decode(Int.self) }
        }
    }

    /// The live policies.
    public func policies(tenant: String) async throws -> [PolicySummary] {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            let active = try await Self.activeBundle(connection, tenant: tenant, logger: logger)
            return try await connection.rows(
                "SELECT * FROM policies WHERE tenant_id = \(tenant) AND NOT deleted ORDER BY id", logger: logger
            ).map { row in
                let id = try row["id"].decode(String.self)
                return PolicySummary(
                    id: id, latestVersion: try row["latest_version"].decode(Int.self),
                    activeVersion: active?.members.first(where: { $0.policyID == id })?.version,
                    createdAt: Identifiers.date(milliseconds: try row["created_at_ms"].decode(Int64.self)),
                    updatedAt: Identifiers.date(milliseconds: try row["updated_at_ms"].decode(Int64.self)))
            }
        }
    }

    /// The active bundle.
    public func activeBundle(tenant: String) async throws -> BundleRevision? {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await Self.activeBundle(connection, tenant: tenant, logger: logger)
        }
    }

    private static func activeBundle(_ connection: PostgresConnection, tenant: String, logger: Logger) async throws
        -> BundleRevision?
    {
        guard
            let row = try await connection.rows(
                "SELECT * FROM bundle_revisions WHERE tenant_id = \(tenant) ORDER BY revision DESC LIMIT 1", logger: logger
            ).first
        else { return nil }
        do {
            return BundleRevision(
                tenantID: try row["tenant_id"].decode(String.self), revision: try row["revision"].decode(Int.self),
                members: try JSONDecoder().decode(
                    [BundleMember].self, from: Data(try row["members_json"].decode(String.self).utf8)),
                configuration: try JSONValue.parse(try row["config_json"].decode(String.self)),
                createdAt: Identifiers.date(milliseconds: try row["created_at_ms"].decode(Int64.self)))
        } catch {
            throw GovernanceError(.corruptRecord, "bundle revision could not be decoded")
        }
    }

    /// Appends a bundle revision; concurrent activations of one tenant are serialised by an advisory lock.
    public func appendBundle(tenant: String, members: [BundleMember], configuration: JSONValue, now: Date) async throws
        -> BundleRevision
    {
        let logger = self.logger
        let sorted = members.sorted { $0.policyID < $1.policyID }
        let membersJSON = String(decoding: try JSONEncoder().encode(sorted), as: UTF8.self)
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.run(
                "SELECT pg_advisory_xact_lock(\(Self.bundleLockClass), hashtext(\(tenant)))", logger: logger)
            let next = (try await Self.activeBundle(connection, tenant: tenant, logger: logger)?.revision ?? 0) + 1
            try await connection.run(
                """
                INSERT INTO bundle_revisions (tenant_id, revision, members_json, config_json, created_at_ms)
                VALUES (\(tenant), \(next), \(membersJSON), \(configuration.serialized()), \(Identifiers.milliseconds(now)))
                """, logger: logger)
            return BundleRevision(tenantID: tenant, revision: next, members: sorted, configuration: configuration, createdAt: now)
        }
    }

    /// The modules of a bundle revision.
    public func modules(of bundle: BundleRevision) async throws -> [String: String] {
        let logger = self.logger
        return try await database.transaction(tenant: bundle.tenantID) { connection in
            var modules: [String: String] = [:]
            for member in bundle.members {
                let version = try await Self.policyVersion(
                    connection, tenant: bundle.tenantID, id: member.policyID, version: member.version, logger: logger)
                modules[member.policyID + ".rego"] = version.module
            }
            return modules
        }
    }

    /// Advisory-lock classes (the first key of `pg_advisory_xact_lock(int, int)`).
    static let bundleLockClass: Int32 = 0x4153_0001
    static let ledgerLockClass: Int32 = 0x4153_0002
}
