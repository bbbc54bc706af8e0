import Foundation
import GRDB

/// The embedded SQLite database of one data directory, shared by the server
/// and the offline commands.
///
/// Durability: the database runs in WAL mode with `synchronous=FULL`, so every
/// committed transaction has been fsynced to the write-ahead log before the
/// commit returns. Anything a caller is told is committed (an acknowledged
/// ledger append, a stored event) survives a crash of the process or of the
/// machine. The cost is one fsync per transaction, which the `GroupCommitter`
/// amortises over many callers.
public final class AppDatabase: Sendable {
    /// Where and how to open the database.
    public struct Configuration: Sendable {
        /// The data directory (created with mode 0700 if missing).
        public var dataDirectory: String
        /// The SQLite file name inside the data directory.
        public var fileName: String
        /// The most submissions the group committer runs in one transaction.
        public var maximumBatchSize: Int

        /// A configuration with documented defaults: `astral.sqlite`, batches of at most 512 submissions.
        public init(dataDirectory: String, fileName: String = "astral.sqlite", maximumBatchSize: Int = 512) {
            self.dataDirectory = dataDirectory
            self.fileName = fileName
            self.maximumBatchSize = maximumBatchSize
        }
    }

    /// The connection pool: one writer, several concurrent readers of committed data.
    public let pool: DatabasePool
    /// Batches concurrent writes into shared transactions.
    public let committer: GroupCommitter
    /// The configuration the database was opened with.
    public let configuration: Configuration

    /// Opens (creating if needed) the database of `configuration.dataDirectory` and runs every pending migration.
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        let directory = URL(fileURLWithPath: configuration.dataDirectory)
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StorageError(.cannotOpen, "cannot create the data directory \(configuration.dataDirectory)")
        }
        var config = GRDB.Configuration()
        config.label = "astral"
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // WAL is set by DatabasePool; FULL makes each commit durable, not only atomic.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let path = directory.appendingPathComponent(configuration.fileName).path
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try SchemaMigrations.migrator().migrate(pool)
        } catch let error as DatabaseError {
            throw StorageError(.cannotOpen, "cannot open the database in \(configuration.dataDirectory): SQLite error \(error.resultCode.rawValue)")
        }
        committer = GroupCommitter(pool: pool, maximumBatchSize: configuration.maximumBatchSize)
    }

    /// Opens the database of `dataDirectory` with default settings.
    public convenience init(dataDirectory: String) throws {
        try self.init(Configuration(dataDirectory: dataDirectory))
    }

    /// Runs `work` inside a group-committed write transaction and returns once it is durable.
    public func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await committer.submit(work)
    }

    /// Reads committed data without blocking the cooperative pool.
    public func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(work)
    }
}
