import GRDB

/// Runs storage work in durable write transactions and in reads. The production
/// runner batches concurrent writes into one transaction (group commit); each
/// call returns only after its transaction has committed.
public protocol TransactionRunner: Sendable {
    /// Runs `work` inside a write transaction and returns after the commit.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T
    /// Runs `work` on a read-only snapshot.
    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T
}

/// A runner that gives each write its own transaction on a database pool.
public struct PoolTransactionRunner: TransactionRunner {
    /// The database.
    public let pool: DatabasePool

    /// Creates a runner over `pool`.
    public init(pool: DatabasePool) { self.pool = pool }

    /// One transaction per call.
    public func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.write { db in try work(db) }
    }

    /// A snapshot read.
    public func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read { db in try work(db) }
    }
}
