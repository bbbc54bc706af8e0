import GRDB
import Synchronization

/// Runs many concurrent write submissions in one transaction, so that one
/// fsync makes all of them durable.
///
/// Callers `submit` a closure; submissions queue up while the writer is busy
/// and the next transaction takes all of them (up to `maximumBatchSize`).
/// Each submission runs in its own savepoint: one that throws is rolled back
/// alone and its caller gets the error, while the others still commit. Ledger
/// appends made by the submissions update the Merkle tree once per
/// transaction (`LedgerBatch`), just before it commits. Every
/// caller resumes only after the transaction has committed (or failed as a
/// whole). Work runs on GRDB's writer queue, never on the cooperative pool.
///
/// A submission is not cancelled with its task: once queued it runs and
/// commits, and the result is dropped if nobody waits for it.
public final class GroupCommitter: Sendable {
    private let pool: DatabasePool
    private let maximumBatchSize: Int
    private struct State {
        var queue: [any CommitJob] = []
        var draining = false
    }
    private let state = Mutex(State())

    /// A committer writing to `pool`, at most `maximumBatchSize` submissions per transaction.
    public init(pool: DatabasePool, maximumBatchSize: Int = 512) {
        self.pool = pool
        self.maximumBatchSize = max(1, maximumBatchSize)
    }

    /// Runs `work` in the next group transaction and returns its result once that transaction has committed.
    public func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Job(work: work, continuation: continuation))
        }
    }

    private func enqueue(_ job: any CommitJob) {
        let startDrain = state.withLock { state -> Bool in
            state.queue.append(job)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain {
            pool.asyncWriteWithoutTransaction { [self] db in drain(db) }
        }
    }

    /// Runs batches on the writer queue until no submission is left.
    private func drain(_ db: Database) {
        while true {
            let batch = state.withLock { state -> [any CommitJob] in
                if state.queue.isEmpty {
                    state.draining = false
                    return []
                }
                let count = min(maximumBatchSize, state.queue.count)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            do {
                try db.inTransaction(.immediate) {
                    // Ledger appends insert their records now and fold into the tree once, below.
                    let ledger = LedgerBatch.begin(on: db)
                    defer { LedgerBatch.end(on: db) }
                    for job in batch {
                        let mark = ledger.mark()
                        if !job.run(db) { ledger.rollback(to: mark) }
                    }
                    try ledger.flush(db)
                    return .commit
                }
                for job in batch { job.finish(transactionError: nil) }
            } catch {
                for job in batch { job.finish(transactionError: error) }
            }
        }
    }
}

/// A queued submission with its result type erased.
private protocol CommitJob: Sendable {
    /// Runs the work in a savepoint and keeps its outcome (writer queue only);
    /// false when the work threw and its savepoint was rolled back.
    func run(_ db: Database) -> Bool
    /// Resumes the caller with the kept outcome, or with `transactionError` if the transaction failed.
    func finish(transactionError: (any Error)?)
}

// `outcome` is written by `run` and read by `finish`, both called one after
// the other by `GroupCommitter.drain` on GRDB's serial writer queue, so the
// mutable state is never touched concurrently.
private final class Job<T: Sendable>: CommitJob, @unchecked Sendable {
    private let work: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var outcome: Result<T, any Error>?

    init(work: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.work = work
        self.continuation = continuation
    }

    func run(_ db: Database) -> Bool {
        do {
            var value: T?
            try db.inSavepoint {
                value = try work(db)
                return .commit
            }
            guard let value else { throw StorageError(.corrupt, "a group-commit submission returned nothing") }
            outcome = .success(value)
            return true
        } catch {
            outcome = .failure(error)
            return false
        }
    }

    func finish(transactionError: (any Error)?) {
        if let transactionError {
            continuation.resume(throwing: transactionError)
        } else if let outcome {
            continuation.resume(with: outcome)
        } else {
            continuation.resume(throwing: StorageError(.corrupt, "a group-commit submission never ran"))
        }
    }
}
