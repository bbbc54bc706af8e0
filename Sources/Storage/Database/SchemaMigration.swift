import GRDB

/// One named, ordered change to the database schema, owned by one area of Astral.
///
/// Identifiers are permanent: once released, a migration is never renamed or
/// edited; a new change is a new migration appended to its area's list.
public struct SchemaMigration: Sendable {
    /// The unique, permanent name GRDB records once the migration has run.
    public let identifier: String
    /// The schema change itself; runs inside the migrator's transaction.
    public let migrate: @Sendable (Database) throws -> Void

    /// A migration named `identifier` that applies `migrate`.
    public init(_ identifier: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        self.identifier = identifier
        self.migrate = migrate
    }
}

/// The registry of every area's migrations, applied in order when a database opens.
///
/// Each area declares its own list in its own file (`LedgerSchema.migrations`
/// in `Storage/Ledger`, `ServiceSchema.migrations` in `ServiceSchema.swift` for
/// tenants, keys, events and policies), so that two areas never edit the same
/// file to add a table. Areas run in the order of `areas`; inside an area,
/// migrations run in list order. Areas must not depend on a later area's tables.
public enum SchemaMigrations {
    /// The areas in the order their migrations run.
    static var areas: [[SchemaMigration]] {
        [LedgerSchema.migrations, ServiceSchema.migrations]
    }

    /// Every migration of every area, in application order.
    public static var all: [SchemaMigration] { areas.flatMap { $0 } }

    /// A GRDB migrator that registers `all`.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            let body = migration.migrate
            migrator.registerMigration(migration.identifier) { db in try body(db) }
        }
        return migrator
    }
}
