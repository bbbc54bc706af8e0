import GRDB
import Storage

/// Runs storage work in durable write transactions and in reads. The production
/// runner (`AppDatabase`) batches concurrent writes into one transaction (group
/// commit); each call returns only after its transaction has committed.
public protocol TransactionRunner: Sendable {
    /// Runs `work` inside a write transaction and returns after the commit.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T
    /// Runs `work` on a read-only snapshot.
    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T
}

extension AppDatabase: TransactionRunner {}
