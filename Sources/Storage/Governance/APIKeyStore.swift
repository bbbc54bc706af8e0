import Foundation
import GRDB

/// What an API key may do.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everything in its tenant.
    case admin
    /// Enforce and batch-submit events only.
    case agent
    /// Read only.
    case auditor
}

/// A stored API key. The raw key is never stored: only its SHA-256.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    /// The key id (public, used to revoke).
    public var id: String
    /// The owning tenant.
    public var tenantID: String
    /// A label.
    public var name: String
    /// The role.
    public var role: Role
    /// The first characters of the raw key, to recognise it.
    public var prefix: String
    /// When it was created.
    public var createdAt: Date
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a key record.
    public init(id: String, tenantID: String, name: String, role: Role, prefix: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.role = role
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// Reads and writes API keys.
public enum APIKeyStore {
    /// Stores a key given by its hash (lowercase hex SHA-256 of the raw key).
    public static func create(
        _ db: Database, tenant: String, id: String, name: String, role: Role, keyHash: String, prefix: String,
        now: Date = Date()
    ) throws -> APIKeyRecord {
        guard try TenantStore.exists(db, id: tenant) else {
            throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' does not exist")
        }
        try db.execute(
            sql: """
                INSERT INTO api_keys (id, tenant_id, name, role, key_hash, prefix, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, tenant, name, role.rawValue, keyHash, prefix, Identifiers.milliseconds(now)])
        return APIKeyRecord(id: id, tenantID: tenant, name: name, role: role, prefix: prefix, createdAt: now, revokedAt: nil)
    }

    /// The live (not revoked) key with this hash, or `nil`.
    public static func findActive(_ db: Database, keyHash: String) throws -> APIKeyRecord? {
        try Row.fetchOne(
            db,
            sql: "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at_ms IS NULL",
            arguments: [keyHash]
        ).map(record(from:))
    }

    /// The tenant's keys, oldest first.
    public static func list(_ db: Database, tenant: String) throws -> [APIKeyRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at_ms, id", arguments: [tenant])
            .map(record(from:))
    }

    /// Revokes one key of the tenant; revoking twice keeps the first time.
    public static func revoke(_ db: Database, tenant: String, id: String, now: Date = Date()) throws -> APIKeyRecord {
        try db.execute(
            sql: "UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, ?) WHERE tenant_id = ? AND id = ?",
            arguments: [Identifiers.milliseconds(now), tenant, id])
        guard
            let row = try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE tenant_id = ? AND id = ?", arguments: [tenant, id])
        else {
            throw GovernanceError(.keyNotFound, "no key '\(id)' in tenant '\(tenant)'")
        }
        return record(from: row)
    }

    private static func record(from row: Row) -> APIKeyRecord {
        let revoked: Int64? = row["revoked_at_ms"]
        return APIKeyRecord(
            id: row["id"], tenantID: row["tenant_id"], name: row["name"],
            role: Role(rawValue: row["role"]) ?? .auditor, prefix: row["prefix"],
            createdAt: Identifiers.date(milliseconds: row["created_at_ms"]),
            revokedAt: revoked.map(Identifiers.date(milliseconds:)))
    }
}
