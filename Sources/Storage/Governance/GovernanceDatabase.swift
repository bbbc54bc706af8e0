import Foundation
import GRDB

/// Opens the governance database in a data directory (SQLite, WAL mode) and
/// brings its schema up to date.
public enum GovernanceDatabase {
    /// The database file name inside the data directory.
    public static let fileName = "astral.sqlite"

    /// Opens (creating when needed) the database under `directory`.
    public static func open(directory: String) throws -> DatabasePool {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent(fileName), configuration: configuration)
        var migrator = DatabaseMigrator()
        GovernanceSchema.register(in: &migrator)
        try migrator.migrate(pool)
        return pool
    }
}
