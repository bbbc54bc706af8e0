import Crypto

/// RFC 9162 Merkle tree hashing: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right).
public enum Merkle {
    /// The leaf hash of `data`: SHA-256(0x00 ‖ data).
    public static func leafHash(_ data: [UInt8]) -> Hash {
        data.withUnsafeBytes { leafHash($0) }
    }

    /// The leaf hash of raw bytes: SHA-256(0x00 ‖ data).
    public static func leafHash(_ data: UnsafeRawBufferPointer) -> Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: data)
        return hasher.finalize().withUnsafeBytes { Hash(raw: $0) }
    }

    /// The interior node hash SHA-256(0x01 ‖ left ‖ right).
    ///
    /// The 65 input bytes are assembled on the stack and hashed in one update.
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { block in
            block[0] = 1
            left.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: block[1..<33]).copyMemory(from: $0) }
            right.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: block[33..<65]).copyMemory(from: $0) }
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(block))
            return hasher.finalize().withUnsafeBytes { Hash(raw: $0) }
        }
    }

    /// The interior node hash over raw child bytes of any length (the RFC's definition; test vectors use short ones).
    public static func nodeHash(left: [UInt8], right: [UInt8]) -> Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(1)) { hasher.update(bufferPointer: $0) }
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { Hash(raw: $0) }
    }

    /// The root of the tree whose leaves have `leafHashes`, in order (RFC 9162 MTH).
    public static func root(leafHashes: some Sequence<Hash>) -> Hash {
        var range = CompactRange()
        for hash in leafHashes { range.append(hash) }
        return range.root
    }

    /// The largest power of two strictly less than `n` (n ≥ 2): RFC 9162's split point k.
    static func split(_ n: UInt64) -> UInt64 {
        precondition(n >= 2)
        return UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }
}

/// A complete subtree of the log: the 2^level leaves starting at index · 2^level.
public struct TreeNode: Hashable, Sendable, CustomStringConvertible {
    /// Height above the leaves (0 = a leaf).
    public let level: Int
    /// Position among the nodes of that level, left to right.
    public let index: UInt64

    /// The node at `level`, `index`.
    public init(level: Int, index: UInt64) {
        self.level = level
        self.index = index
    }

    /// The first leaf the node covers.
    public var firstLeaf: UInt64 { index << UInt64(level) }
    /// One past the last leaf the node covers.
    public var endLeaf: UInt64 { (index + 1) << UInt64(level) }
    /// `level/index`.
    public var description: String { "\(level)/\(index)" }

    /// The complete subtrees that exactly cover leaves `[start, end)`, left to right.
    ///
    /// For the ranges RFC 9162 hashes (start aligned to a power of two at least
    /// end − start) the sizes decrease, and folding the hashes from the right,
    /// h = H(node, h), gives MTH of the range.
    public static func covering(_ start: UInt64, _ end: UInt64) -> [TreeNode] {
        var nodes: [TreeNode] = []
        var low = start
        while low < end {
            let alignment = low == 0 ? 63 : low.trailingZeroBitCount
            let fit = 63 - (end - low).leadingZeroBitCount
            let level = min(alignment, fit)
            nodes.append(TreeNode(level: level, index: low >> UInt64(level)))
            low += UInt64(1) << UInt64(level)
        }
        return nodes
    }
}

/// The right edge of a tree being built leaf by leaf: the roots of its
/// complete subtrees (RFC 9162 §2.1.1's recursion unrolled). O(log n) memory.
public struct CompactRange: Sendable {
    /// Leaves appended so far.
    public private(set) var size: UInt64 = 0
    /// Roots of the complete subtrees covering `[0, size)`, largest first.
    public private(set) var hashes: [Hash] = []

    /// An empty range (the empty tree).
    public init() {}

    /// The range of a tree of `size` leaves from the hashes of its complete
    /// subtrees, largest first (the nodes `TreeNode.covering(0, size)` lists);
    /// throws `outOfRange` if there are not exactly as many as `size` needs.
    public init(size: UInt64, hashes: [Hash]) throws {
        guard hashes.count == size.nonzeroBitCount else {
            throw LedgerError(.outOfRange, "a tree of \(size) leaves has \(size.nonzeroBitCount) complete subtrees, not \(hashes.count)")
        }
        self.size = size
        self.hashes = hashes
    }

    /// Adds the next leaf.
    public mutating func append(_ leafHash: Hash) {
        var hash = leafHash
        var position = size
        while position & 1 == 1 {
            hash = Merkle.nodeHash(hashes.removeLast(), hash)
            position >>= 1
        }
        hashes.append(hash)
        size += 1
    }

    /// Adds the next leaves, in order.
    public mutating func append(contentsOf leafHashes: some Sequence<Hash>) {
        for hash in leafHashes { append(hash) }
    }

    /// MTH of the leaves so far.
    public var root: Hash {
        guard var hash = hashes.last else { return Hash.emptyTree }
        for left in hashes.dropLast().reversed() {
            hash = Merkle.nodeHash(left, hash)
        }
        return hash
    }
}
