import Foundation
import GRDB

/// One version of a policy: a Rego module.
public struct PolicyVersion: Sendable, Hashable, Codable {
    /// The policy id (its file is `<id>.rego` in the bundle).
    public var policyID: String
    /// The version, from 1.
    public var version: Int
    /// The Rego source.
    public var module: String
    /// When this version was stored.
    public var createdAt: Date

    /// Creates a policy version.
    public init(policyID: String, version: Int, module: String, createdAt: Date) {
        self.policyID = policyID
        self.version = version
        self.module = module
        self.createdAt = createdAt
    }
}

/// A policy and its latest version.
public struct PolicySummary: Sendable, Hashable, Codable {
    /// The policy id.
    public var id: String
    /// The latest version number.
    public var latestVersion: Int
    /// The version pinned in the active bundle, if the policy is active.
    public var activeVersion: Int?
    /// When the policy was created.
    public var createdAt: Date
    /// When its latest version was stored.
    public var updatedAt: Date

    /// Creates a summary.
    public init(id: String, latestVersion: Int, activeVersion: Int?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.latestVersion = latestVersion
        self.activeVersion = activeVersion
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A policy pinned at one version inside a bundle.
public struct BundleMember: Sendable, Hashable, Codable {
    /// The policy id.
    public var policyID: String
    /// The pinned version.
    public var version: Int

    /// Creates a member.
    public init(policyID: String, version: Int) {
        self.policyID = policyID
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case policyID = "policy_id"
        case version
    }
}

/// One revision of a tenant's bundle: the pinned policies plus the tenant
/// configuration (`data.astral.config`). The highest revision is the active one.
public struct BundleRevision: Sendable, Hashable {
    /// The tenant.
    public var tenantID: String
    /// The revision number, from 1; the `policy_version` of decisions made with it.
    public var revision: Int
    /// Pinned policies, by id.
    public var members: [BundleMember]
    /// The tenant configuration in force with this revision.
    public var configuration: JSONValue
    /// When it was made.
    public var createdAt: Date

    /// Creates a revision value.
    public init(tenantID: String, revision: Int, members: [BundleMember], configuration: JSONValue, createdAt: Date) {
        self.tenantID = tenantID
        self.revision = revision
        self.members = members
        self.configuration = configuration
        self.createdAt = createdAt
    }
}

/// Reads and writes policies, their versions and the bundle revisions.
public enum PolicyStore {
    /// Stores a new policy at version 1.
    public static func create(_ db: Database, tenant: String, id: String, module: String, now: Date = Date()) throws -> PolicyVersion {
        guard Identifiers.isValid(id) else {
            throw GovernanceError(.invalidName, "policy id must be 1-64 characters of a-z, 0-9, '-' or '_'")
        }
        guard try TenantStore.exists(db, id: tenant) else {
            throw GovernanceError(.tenantNotFound, "tenant '\(tenant)' does not exist")
        }
        let existing = try Row.fetchOne(
            db, sql: "SELECT deleted, latest_version FROM policies WHERE tenant_id = ? AND id = ?", arguments: [tenant, id])
        let ms = Identifiers.milliseconds(now)
        let version: Int
        if let existing {
            let deleted: Bool = existing["deleted"]
            guard deleted else { throw GovernanceError(.policyExists, "policy '\(id)' already exists") }
            // A deleted id may be reused; its history continues so old versions stay addressable.
            version = (existing["latest_version"] as Int) + 1
            try db.execute(
                sql: "UPDATE policies SET deleted = 0, latest_version = ?, updated_at_ms = ? WHERE tenant_id = ? AND id = ?",
                arguments: [version, ms, tenant, id])
        } else {
            version = 1
            try db.execute(
                sql: """
                    INSERT INTO policies (tenant_id, id, latest_version, created_at_ms, updated_at_ms)
                    VALUES (?, ?, 1, ?, ?)
                    """,
                arguments: [tenant, id, ms, ms])
        }
        try db.execute(
            sql: "INSERT INTO policy_versions (tenant_id, policy_id, version, module, created_at_ms) VALUES (?, ?, ?, ?, ?)",
            arguments: [tenant, id, version, module, ms])
        return PolicyVersion(policyID: id, version: version, module: module, createdAt: now)
    }

    /// Stores a new version, provided `replacing` is still the latest (optimistic locking).
    public static func update(
        _ db: Database, tenant: String, id: String, replacing expected: Int, module: String, now: Date = Date()
    ) throws -> PolicyVersion {
        let latest = try latestVersion(db, tenant: tenant, id: id)
        guard latest == expected else {
            throw GovernanceError(.versionConflict, "policy '\(id)' is at version \(latest), not \(expected)")
        }
        let ms = Identifiers.milliseconds(now)
        try db.execute(
            sql: "UPDATE policies SET latest_version = ?, updated_at_ms = ? WHERE tenant_id = ? AND id = ?",
            arguments: [latest + 1, ms, tenant, id])
        try db.execute(
            sql: "INSERT INTO policy_versions (tenant_id, policy_id, version, module, created_at_ms) VALUES (?, ?, ?, ?, ?)",
            arguments: [tenant, id, latest + 1, module, ms])
        return PolicyVersion(policyID: id, version: latest + 1, module: module, createdAt: now)
    }

    /// Marks a policy deleted (its versions stay in the record). Refused while it is active.
    public static func delete(_ db: Database, tenant: String, id: String, now: Date = Date()) throws {
        _ = try latestVersion(db, tenant: tenant, id: id)
        if let active = try activeBundle(db, tenant: tenant), active.members.contains(where: { $0.policyID == id }) {
            throw GovernanceError(.policyActive, "policy '\(id)' is in the active bundle; deactivate it first")
        }
        try db.execute(
            sql: "UPDATE policies SET deleted = 1, updated_at_ms = ? WHERE tenant_id = ? AND id = ?",
            arguments: [Identifiers.milliseconds(now), tenant, id])
    }

    /// The latest version number of a live policy.
    public static func latestVersion(_ db: Database, tenant: String, id: String) throws -> Int {
        guard
            let version = try Int.fetchOne(
                db, sql: "SELECT latest_version FROM policies WHERE tenant_id = ? AND id = ? AND deleted = 0",
                arguments: [tenant, id])
        else {
            throw GovernanceError(.policyNotFound, "no policy '\(id)' in this tenant")
        }
        return version
    }

    /// One version (the latest when `version` is nil) of a live policy.
    public static func version(_ db: Database, tenant: String, id: String, version: Int? = nil) throws -> PolicyVersion {
        let number = try version ?? latestVersion(db, tenant: tenant, id: id)
        guard
            let row = try Row.fetchOne(
                db,
                sql: "SELECT * FROM policy_versions WHERE tenant_id = ? AND policy_id = ? AND version = ?",
                arguments: [tenant, id, number])
        else {
            throw GovernanceError(.policyNotFound, "policy '\(id)' has no version \(number)")
        }
        return PolicyVersion(
            policyID: row["policy_id"], version: row["version"], module: row["module"],
            createdAt: Identifiers.date(milliseconds: row["created_at_ms"]))
    }

    /// Every version number of a policy, oldest first.
    public static func versions(_ db: Database, tenant: String, id: String) throws -> [Int] {
        try Int.fetchAll(
            db, sql: "SELECT version FROM policy_versions WHERE tenant_id = ? AND policy_id = ? ORDER BY version",
            arguments: [tenant, id])
    }

    /// The live policies of a tenant, by id.
    public static func list(_ db: Database, tenant: String) throws -> [PolicySummary] {
        let active = try activeBundle(db, tenant: tenant)
        return try Row.fetchAll(
            db, sql: "SELECT * FROM policies WHERE tenant_id = ? AND deleted = 0 ORDER BY id", arguments: [tenant]
        ).map { row in
            let id: String = row["id"]
            return PolicySummary(
                id: id, latestVersion: row["latest_version"],
                activeVersion: active?.members.first(where: { $0.policyID == id })?.version,
                createdAt: Identifiers.date(milliseconds: row["created_at_ms"]),
                updatedAt: Identifiers.date(milliseconds: row["updated_at_ms"]))
        }
    }

    /// The tenant's active (highest) bundle revision, or `nil` before the first one.
    public static func activeBundle(_ db: Database, tenant: String) throws -> BundleRevision? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM bundle_revisions WHERE tenant_id = ? ORDER BY revision DESC LIMIT 1",
                arguments: [tenant])
        else { return nil }
        return try revision(from: row)
    }

    /// Appends a bundle revision (numbered one past the active one) and returns it.
    public static func appendBundle(
        _ db: Database, tenant: String, members: [BundleMember], configuration: JSONValue, now: Date = Date()
    ) throws -> BundleRevision {
        let next = (try activeBundle(db, tenant: tenant)?.revision ?? 0) + 1
        let sorted = members.sorted { $0.policyID < $1.policyID }
        let membersJSON = String(decoding: try JSONEncoder().encode(sorted), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO bundle_revisions (tenant_id, revision, members_json, config_json, created_at_ms)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [tenant, next, membersJSON, configuration.serialized(), Identifiers.milliseconds(now)])
        return BundleRevision(tenantID: tenant, revision: next, members: sorted, configuration: configuration, createdAt: now)
    }

    /// The modules of a bundle revision, keyed by `<policy id>.rego`.
    public static func modules(_ db: Database, of bundle: BundleRevision) throws -> [String: String] {
        var modules: [String: String] = [:]
        for member in bundle.members {
            let version = try version(db, tenant: bundle.tenantID, id: member.policyID, version: member.version)
            modules[member.policyID + ".rego"] = version.module
        }
        return modules
    }

    private static func revision(from row: Row) throws -> BundleRevision {
        let membersJSON: String = row["members_json"]
        let configJSON: String = row["config_json"]
        do {
            return BundleRevision(
                tenantID: row["tenant_id"], revision: row["revision"],
                members: try JSONDecoder().decode([BundleMember].self, from: Data(membersJSON.utf8)),
                configuration: try JSONValue.parse(configJSON),
                createdAt: Identifiers.date(milliseconds: row["created_at_ms"]))
        } catch {
            throw GovernanceError(.corruptRecord, "bundle revision could not be decoded")
        }
    }
}
