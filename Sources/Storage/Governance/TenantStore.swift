import Foundation
import GRDB

/// A tenant: the unit of isolation. Every other governance row belongs to one.
public struct Tenant: Sendable, Hashable, Codable {
    /// The tenant id (`default`, `acme`, ...).
    public var id: String
    /// A display name.
    public var name: String
    /// When the tenant was created.
    public var createdAt: Date

    /// Creates a tenant value.
    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// Reads and writes tenants. Every call runs inside the caller's transaction.
public enum TenantStore {
    /// Creates a tenant with its own content-HMAC key (`contentKey`, hex, kept server-side).
    public static func create(_ db: Database, id: String, name: String? = nil, contentKey: String, now: Date = Date()) throws -> Tenant {
        guard Identifiers.isValid(id) else {
            throw GovernanceError(.invalidName, "tenant id must be 1-64 characters of a-z, 0-9, '-' or '_'")
        }
        if try exists(db, id: id) { throw GovernanceError(.tenantExists, "tenant '\(id)' already exists") }
        let tenant = Tenant(id: id, name: name ?? id, createdAt: now)
        try db.execute(
            sql: "INSERT INTO tenants (id, name, content_key, created_at_ms) VALUES (?, ?, ?, ?)",
            arguments: [id, tenant.name, contentKey, Identifiers.milliseconds(now)])
        return tenant
    }

    /// Whether the tenant exists.
    public static func exists(_ db: Database, id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = ?)", arguments: [id]) ?? false
    }

    /// One tenant, or `nil`.
    public static func find(_ db: Database, id: String) throws -> Tenant? {
        try Row.fetchOne(db, sql: "SELECT id, name, created_at_ms FROM tenants WHERE id = ?", arguments: [id])
            .map(tenant(from:))
    }

    /// Every tenant, by id.
    public static func list(_ db: Database) throws -> [Tenant] {
        try Row.fetchAll(db, sql: "SELECT id, name, created_at_ms FROM tenants ORDER BY id").map(tenant(from:))
    }

    /// The tenant's content-HMAC key (hex).
    public static func contentKey(_ db: Database, tenant: String) throws -> String {
        guard let key = try String.fetchOne(db, sql: "SELECT content_key FROM tenants WHERE id = ?", arguments: [tenant]) else {
            throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' does not exist")
        }
        return key
    }

    private static func tenant(from row: Row) -> Tenant {
        Tenant(id: row["id"], name: row["name"], createdAt: Identifiers.date(milliseconds: row["created_at_ms"]))
    }
}
