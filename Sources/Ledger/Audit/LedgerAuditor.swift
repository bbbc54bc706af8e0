/// Recomputes a log from its records and checks it against signed checkpoints.
///
/// Feed every record in leaf order (`add`), then call `finish`. The first
/// problem throws an `AuditFailure` naming the leaf index or the checkpoint.
/// The database audit and the offline export audit share this code.
public struct LedgerAuditor: Sendable {
    /// Where the audit found the first problem.
    public enum Location: Sendable, Hashable {
        /// A leaf (record) by index.
        case leaf(UInt64)
        /// A checkpoint by its position (1-based, oldest first) and its tree size.
        case checkpoint(number: Int, size: UInt64)
    }

    /// The first problem an audit found.
    public struct AuditFailure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Where it is.
        public let location: Location
        /// What is wrong there.
        public let reason: String

        /// A failure at `location`.
        public init(_ location: Location, _ reason: String) {
            self.location = location
            self.reason = reason
        }

        /// `leaf 17: …` or `checkpoint 3 (size 120): …`.
        public var description: String {
            switch location {
            case .leaf(let index): "leaf \(index): \(reason)"
            case .checkpoint(let number, let size): "checkpoint \(number) (tree size \(size)): \(reason)"
            }
        }
    }

    /// What a successful audit established.
    public struct Summary: Sendable, Hashable {
        /// Records checked.
        public let size: UInt64
        /// Root recomputed from them.
        public let root: Hash
        /// Checkpoints whose roots matched.
        public let checkpointsVerified: Int
        /// Size of the largest checkpoint: records past it are not yet covered by a signature.
        public let signedSize: UInt64
    }

    private let checkpoints: [Checkpoint]
    private var next = 0
    private var range = CompactRange()
    private let maximumRecordBytes: Int
    private var canonicalizer = JCS.Canonicalizer()
    private var canonical: [UInt8] = []

    /// An audit against `checkpoints` (already signature-checked), in the order given.
    ///
    /// Throws if their sizes decrease (a checkpoint list must be oldest first).
    public init(checkpoints: [Checkpoint], maximumRecordBytes: Int = Int.max) throws {
        for (i, pair) in zip(checkpoints, checkpoints.dropFirst()).enumerated() where pair.1.size < pair.0.size {
            throw AuditFailure(
                .checkpoint(number: i + 2, size: pair.1.size), "smaller than the checkpoint before it (\(pair.0.size))")
        }
        self.checkpoints = checkpoints
        self.maximumRecordBytes = maximumRecordBytes
        try settleCheckpoints()
    }

    /// Leaves checked so far.
    public var size: UInt64 { range.size }

    /// Checks the next record, given as JSON text; `claimedLeafHash` is the hash stored or listed with it, if any.
    @discardableResult
    public mutating func add(recordJSON: ArraySlice<UInt8>, claimedLeafHash: Hash? = nil) throws -> Hash {
        try recordJSON.withUnsafeBufferPointer { try add(recordJSON: $0, claimedLeafHash: claimedLeafHash) }
    }

    /// Checks the next record, given as JSON text borrowed from a larger buffer.
    @discardableResult
    public mutating func add(recordJSON: UnsafeBufferPointer<UInt8>, claimedLeafHash: Hash? = nil) throws -> Hash {
        let index = range.size
        let leafHash: Hash
        do {
            leafHash = try LedgerRecord.leafHash(
                json: recordJSON, maximumBytes: maximumRecordBytes, canonicalizer: &canonicalizer, buffer: &canonical)
        } catch let error as LedgerError {
            throw AuditFailure(.leaf(index), "record is not a valid ledger record (\(error.message))")
        }
        try add(leafHash: leafHash, claimedLeafHash: claimedLeafHash)
        return leafHash
    }

    /// Adds the next leaf by its hash, recomputed by the caller from the record
    /// with `LedgerRecord.leafHash(json:…)` (lets callers hash records in parallel).
    public mutating func add(leafHash: Hash, claimedLeafHash: Hash? = nil) throws {
        if let claimedLeafHash, claimedLeafHash != leafHash {
            throw AuditFailure(.leaf(range.size), "record does not match the leaf hash stored with it")
        }
        range.append(leafHash)
        try settleCheckpoints()
    }

    /// Ends the audit: every checkpoint must have been reached.
    public func finish() throws -> Summary {
        if next < checkpoints.count {
            let checkpoint = checkpoints[next]
            throw AuditFailure(
                .checkpoint(number: next + 1, size: checkpoint.size),
                "signs \(checkpoint.size) leaves but only \(range.size) records exist (records were removed)")
        }
        return Summary(
            size: range.size, root: range.root, checkpointsVerified: checkpoints.count,
            signedSize: checkpoints.last?.size ?? 0)
    }

    private mutating func settleCheckpoints() throws {
        while next < checkpoints.count && checkpoints[next].size == range.size {
            let checkpoint = checkpoints[next]
            if checkpoint.root != range.root {
                let previous = next > 0 ? checkpoints[next - 1].size : 0
                throw AuditFailure(
                    .checkpoint(number: next + 1, size: checkpoint.size),
                    "signed root does not match the records (a record in leaves \(previous)..<\(checkpoint.size) was altered, inserted or removed)")
            }
            next += 1
        }
    }
}
