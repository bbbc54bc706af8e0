import Ledger

/// Where an appended record landed.
public struct LeafReceipt: Sendable, Hashable {
    /// The record's leaf index in its tenant's tree.
    public let index: UInt64
    /// The record's leaf hash.
    public let leafHash: Hash
}

/// A committed tree: its size and root.
public struct TreeState: Sendable, Hashable {
    /// Number of leaves.
    public let size: UInt64
    /// MTH of those leaves.
    public let root: Hash

    /// A tree state of `size` leaves with `root`.
    public init(size: UInt64, root: Hash) {
        self.size = size
        self.root = root
    }
}

/// An RFC 9162 inclusion proof with the tree it was made for.
public struct InclusionProof: Sendable, Hashable {
    /// The leaf's index.
    public let leafIndex: UInt64
    /// The size of the tree the proof is for.
    public let treeSize: UInt64
    /// The leaf's hash.
    public let leafHash: Hash
    /// Sibling hashes, bottom-up.
    public let proof: [Hash]
    /// The root of the tree of `treeSize` leaves.
    public let root: Hash
}

/// An RFC 9162 consistency proof between two sizes of one tree.
public struct ConsistencyProof: Sendable, Hashable {
    /// The smaller size.
    public let size1: UInt64
    /// The larger size.
    public let size2: UInt64
    /// Root at `size1`.
    public let root1: Hash
    /// Root at `size2`.
    public let root2: Hash
    /// Proof hashes, bottom-up.
    public let proof: [Hash]
}

/// A record as stored.
public struct StoredRecord: Sendable, Hashable {
    /// Its leaf index.
    public let index: UInt64
    /// Its canonical JSON, exactly as hashed.
    public let canonicalJSON: [UInt8]
    /// Its stored leaf hash.
    public let leafHash: Hash
}

/// A signed checkpoint as stored.
public struct StoredCheckpoint: Sendable, Hashable {
    /// The tree size it covers.
    public let size: UInt64
    /// The root it signs.
    public let root: Hash
    /// The complete signed note.
    public let note: String
    /// When it was signed (RFC 3339 UTC).
    public let createdAt: String
}
