import Foundation
import Logging
import PostgresNIO

/// Runs the PostgreSQL schema migrations and checks the schema version.
///
/// The version lives in `astral_schema_version` (one row). Migrations run as
/// the schema owner in one transaction under an advisory lock, so replicas
/// starting together migrate once. A database whose version is newer than
/// this build knows is refused.
public enum PostgresMigrator {
    /// The schema version this build creates and understands.
    public static var currentVersion: Int { PostgresSchema.migrations.count }

    /// The default name of the application role (the role the server connects as).
    public static let defaultApplicationRole = "astral_app"

    private static let lockKey: Int64 = 0x6173_7472_616c_0001  // "astral" + 1

    /// Migrates the database at `ownerURL` (connected as the schema owner) to
    /// `currentVersion`, creates event partitions for this month and the next
    /// three, and grants the application role its privileges. Returns the
    /// version now in force; throws `schemaTooNew` if the database is ahead.
    @discardableResult
    public static func migrate(
        ownerURL: String, applicationRole: String = defaultApplicationRole, now: Date = Date(),
        logger: Logger = Logger(label: "astral.postgres")
    ) async throws -> Int {
        try PostgresSchema.validate(role: applicationRole)
        let database = PostgresDatabase(try PostgresLocation(url: ownerURL), logger: logger)
        do {
            let version = try await database.transaction(tenant: nil) { connection in
                try await connection.run("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.run(
                    "CREATE TABLE IF NOT EXISTS astral_schema_version (version BIGINT NOT NULL)", logger: logger)
                let rows = try await connection.rows("SELECT version FROM astral_schema_version", logger: logger)
                var version = try rows.first?["version"].decode(Int.self) ?? 0
                if rows.isEmpty {
                    try await connection.run("INSERT INTO astral_schema_version (version) VALUES (0)", logger: logger)
                }
                guard version <= currentVersion else {
                    throw tooNew(version)
                }
                while version < currentVersion {
                    for statement in PostgresSchema.migrations[version] {
                        try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    version += 1
                    try await connection.run("UPDATE astral_schema_version SET version = \(version)", logger: logger)
                }
                try await connection.run(
                    "GRANT SELECT ON astral_schema_version TO \(unescaped: "\"\(applicationRole)\"")", logger: logger)
                for statement in PostgresSchema.grantStatements(role: applicationRole) {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                var month = now
                for _ in 0..<4 {
                    let start = Identifiers.milliseconds(PostgresEvents.monthStart(month))
                    try await connection.run("SELECT astral_ensure_event_partition(\(start))", logger: logger)
                    month = PostgresEvents.nextMonth(month)
                }
                return version
            }
            await database.shutdown()
            return version
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// The schema version of the database `connection` reaches (0 before the first migration).
    static func version(_ database: PostgresDatabase) async throws -> Int {
        try await database.transaction(tenant: nil) { connection in
            let exists = try await connection.rows(
                "SELECT to_regclass('astral_schema_version') IS NOT NULL AS present", logger: database.logger)
            guard try exists.first?["present"].decode(Bool.self) == true else { return 0 }
            let rows = try await connection.rows("SELECT version FROM astral_schema_version", logger: database.logger)
            return try rows.first?["version"].decode(Int.self) ?? 0
        }
    }

    /// Checks that `database` holds exactly the schema this build knows.
    static func check(_ database: PostgresDatabase) async throws {
        let version = try await version(database)
        guard version <= currentVersion else { throw tooNew(version) }
        guard version == currentVersion else {
            throw StorageError(
                .database,
                "the PostgreSQL schema is at version \(version), this build needs \(currentVersion): run `astral migrate`")
        }
    }

    private static func tooNew(_ version: Int) -> StorageError {
        StorageError(
            .schemaTooNew,
            "the PostgreSQL schema is at version \(version), newer than this build knows (\(currentVersion)); upgrade astral")
    }
}
