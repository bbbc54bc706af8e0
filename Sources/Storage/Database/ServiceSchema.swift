import GRDB

/// Migrations of the service area: tenants, API keys, events and policies.
///
/// This file is the hook the service area owns: it appends its migrations to
/// `migrations` (or replaces this file with its own definition of
/// `ServiceSchema.migrations`); the ledger area never edits it. Service
/// migrations run after the ledger's (see `SchemaMigrations`).
enum ServiceSchema {
    /// The service area's migrations, in order.
    static let migrations: [SchemaMigration] = GovernanceSchema.migrations
}
