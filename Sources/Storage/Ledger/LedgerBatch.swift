import GRDB
import Ledger
import Synchronization

/// Ledger appends of one group transaction whose tree update is deferred to
/// the end of that transaction.
///
/// Inside a `GroupCommitter` transaction, `LedgerStore.append` inserts the
/// records at once (each at its final leaf index, so a caller gets its receipt
/// and can store the index with its event) but only collects the leaf hashes;
/// `flush` then folds all of them into the tiles and the tree row in one step
/// before the transaction commits. Without this, every submission read and
/// rewrote the partial bottom tile (up to 8 KiB) and the tree row on its own.
///
/// A submission rolled back to its savepoint is rolled back here too
/// (`mark` / `rollback(to:)`), and a failed `flush` fails the whole
/// transaction, so the tree and the records can never disagree. Used only on
/// GRDB's serial writer queue, by the transaction that began it.
final class LedgerBatch: @unchecked Sendable {
    /// The batch of the transaction running on each writer connection.
    private static let active = Mutex<[ObjectIdentifier: LedgerBatch]>([:])

    /// The batch open on `db`, if a group transaction is running there.
    static func active(on db: Database) -> LedgerBatch? {
        active.withLock { $0[ObjectIdentifier(db)] }
    }

    /// Opens a batch for the transaction about to run on `db`.
    static func begin(on db: Database) -> LedgerBatch {
        let batch = LedgerBatch()
        active.withLock { $0[ObjectIdentifier(db)] = batch }
        return batch
    }

    /// Closes the batch of `db` (after commit or rollback).
    static func end(on db: Database) {
        _ = active.withLock { $0.removeValue(forKey: ObjectIdentifier(db)) }
    }

    private struct Pending {
        /// The tree as stored when this transaction first appended to it.
        let base: TreeState
        /// Leaf hashes appended since, in leaf order.
        var leafHashes: [Hash]
    }

    private var pending: [String: Pending] = [:]
    /// Tenants in the order they were first appended to (flush order).
    private var tenants: [String] = []

    /// A point to roll back to: the pending count of every tenant.
    struct Mark {
        fileprivate let counts: [String: Int]
    }

    /// The current point, taken before a submission runs.
    func mark() -> Mark {
        Mark(counts: pending.mapValues(\.leafHashes.count))
    }

    /// Forgets what was appended after `mark` (its submission's savepoint was rolled back).
    func rollback(to mark: Mark) {
        for tenant in tenants {
            let kept = mark.counts[tenant] ?? 0
            if kept == 0 {
                pending[tenant] = nil
            } else if let count = pending[tenant]?.leafHashes.count, count > kept {
                pending[tenant]?.leafHashes.removeLast(count - kept)
            }
        }
        tenants.removeAll { pending[$0] == nil }
    }

    /// Inserts `records` after everything appended so far and defers their tree update.
    func append(_ db: Database, tenant: String, records: [LedgerRecord]) throws -> [LeafReceipt] {
        if pending[tenant] == nil {
            pending[tenant] = Pending(base: try LedgerStore.treeState(db, tenant: tenant), leafHashes: [])
            tenants.append(tenant)
        }
        guard let current = pending[tenant] else { return [] }
        let first = current.base.size + UInt64(current.leafHashes.count)
        let receipts = try LedgerStore.insertRecords(db, tenant: tenant, firstIndex: first, records: records)
        pending[tenant]?.leafHashes.append(contentsOf: records.map(\.leafHash))
        return receipts
    }

    /// Folds every deferred leaf into its tenant's tiles and tree row.
    func flush(_ db: Database) throws {
        for tenant in tenants {
            guard let batch = pending[tenant], !batch.leafHashes.isEmpty else { continue }
            try LedgerStore.fold(db, tenant: tenant, state: batch.base, leafHashes: batch.leafHashes)
        }
        pending = [:]
        tenants = []
    }
}
