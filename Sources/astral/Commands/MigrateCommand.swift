import ArgumentParser
import Foundation
import Storage

/// `astral migrate`: brings a database's schema up to this build's version and stops.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Run the database migrations alone, then exit.",
        discussion: """
            For PostgreSQL, connect as the schema owner (postgres://owner:…@host/db); the \
            migrations grant the application role (--app-role) what the server needs, and \
            the server then connects as that role. A schema newer than this build is refused.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Database URL: postgres://… (schema owner), sqlite:DIR or a directory (default: the data directory, or $ASTRAL_DATABASE_URL).")
    var database: String?
    @Option(help: "PostgreSQL application role to grant (default astral_app, or $ASTRAL_DATABASE_APP_ROLE).")
    var appRole: String?
    @Option(help: "PostgreSQL: keep the events of the current UTC month and this many before it; older monthly partitions are exported to --export-dir, then dropped.")
    var retainMonths: Int?
    @Option(help: "Directory for the JSON-lines export of each dropped events partition (with --retain-months).")
    var exportDir: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let url = database ?? environment["ASTRAL_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            let role = appRole ?? environment["ASTRAL_DATABASE_APP_ROLE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? PostgresMigrator.defaultApplicationRole
            if let retainMonths, retainMonths < 0 { throw CommandFailure("--retain-months must not be negative") }
            guard (retainMonths == nil) == (exportDir == nil) else {
                throw CommandFailure("--retain-months and --export-dir go together")
            }
            let version: Int
            var dropped: [PostgresRetention.Dropped] = []
            do {
                version = try await PostgresMigrator.migrate(ownerURL: url, applicationRole: role)
                if let retainMonths, let exportDir {
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
                    guard let keepFrom = calendar.date(byAdding: .month, value: -retainMonths, to: Date()) else {
                        throw CommandFailure("--retain-months is out of range")
                    }
                    dropped = try await PostgresRetention.apply(ownerURL: url, keepFrom: keepFrom, exportDirectory: exportDir)
                }
            } catch let failure as CommandFailure {
                throw failure
            } catch let error as StorageError {
                throw CommandFailure(error.description)
            } catch {
                throw CommandFailure(
                    "PostgreSQL migration failed (\(type(of: error))): check the URL, that the server is reachable, "
                        + "and that the role owns the database")
            }
            OfflineStore.say("PostgreSQL schema at version \(version) (application role \(role))")
            for partition in dropped {
                OfflineStore.say("dropped \(partition.partition): \(partition.events) events exported to \(partition.exportPath)")
            }
            return
        }
        guard appRole == nil, retainMonths == nil, exportDir == nil else {
            throw CommandFailure("--app-role, --retain-months and --export-dir apply to PostgreSQL databases only")
        }
        let directory = url.map { $0.hasPrefix("sqlite:") ? String($0.dropFirst("sqlite:".count)) : $0 }
            ?? global.resolvedDataDirectory
        _ = try OfflineStore.mapErrors { try AppDatabase(dataDirectory: directory) }
        OfflineStore.say("SQLite database in \(directory) migrated")
    }
}
