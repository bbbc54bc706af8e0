/// tlog-tiles arithmetic (height 8): how a tree's hashes are grouped into tiles.
///
/// Tile (level L, index N) holds the hashes of tree level 8·L at positions
/// 256·N ..< 256·N + width, concatenated (32 bytes each). Only full subtrees
/// are ever stored, so a stored hash never changes; a partial tile only grows.
/// Hashes of tree levels between two tile levels are recomputed from the tile
/// below (at most 255 node hashes).
public enum Tiles {
    /// Tree levels per tile level.
    public static let height = 8
    /// Hashes in a full tile.
    public static let width = 256

    /// Where one tile lives.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        /// Tile level (tree level 8·level).
        public let level: Int
        /// Tile index at that level.
        public let index: UInt64
        /// A tile key.
        public init(level: Int, index: UInt64) {
            self.level = level
            self.index = index
        }
        /// `tile/L/N` as in tlog-tiles (without the x-path split).
        public var description: String { "tile/\(level)/\(index)" }
    }

    /// The tile holding the hashes `node` is computed from, and the slice of it (in hashes) that folds to `node`.
    public static func location(of node: TreeNode) -> (key: Key, offset: Int, count: Int) {
        let tileLevel = node.level / height
        let within = node.level % height
        let start = node.index << UInt64(within)
        return (Key(level: tileLevel, index: start / UInt64(width)), Int(start % UInt64(width)), 1 << within)
    }

    /// The hash of `node` from its tile's raw bytes; throws `outOfRange` if the tile is too short.
    public static func hash(of node: TreeNode, inTile tile: [UInt8]) throws -> Hash {
        let (key, offset, count) = location(of: node)
        guard tile.count % 32 == 0, (offset + count) * 32 <= tile.count else {
            throw LedgerError(.outOfRange, "\(key) holds \(tile.count / 32) hashes, fewer than node \(node) needs")
        }
        return subtreeHash(tile, offset: offset, count: count)
    }

    /// MTH of `count` (a power of two) consecutive hashes starting at hash `offset` of `raw`.
    static func subtreeHash(_ raw: [UInt8], offset: Int, count: Int) -> Hash {
        raw.withUnsafeBytes { subtreeHash($0, offset: offset, count: count) }
    }

    /// MTH of `count` (a power of two) consecutive hashes starting at hash `offset` of `raw`,
    /// reduced in place in one scratch buffer (no allocation per hash).
    static func subtreeHash(_ raw: UnsafeRawBufferPointer, offset: Int, count: Int) -> Hash {
        precondition(count >= 1 && count & (count - 1) == 0 && (offset + count) * 32 <= raw.count)
        if count == 1 { return Hash(raw: raw, offset: offset * 32) }
        return withUnsafeTemporaryAllocation(of: Hash.self, capacity: count / 2) { scratch in
            var n = count / 2
            for i in 0..<n {
                let left = Hash(raw: raw, offset: (offset + 2 * i) * 32)
                let right = Hash(raw: raw, offset: (offset + 2 * i + 1) * 32)
                (scratch.baseAddress! + i).initialize(to: Merkle.nodeHash(left, right))
            }
            while n > 1 {
                n /= 2
                for i in 0..<n { scratch[i] = Merkle.nodeHash(scratch[2 * i], scratch[2 * i + 1]) }
            }
            return scratch[0]
        }
    }

    /// The tiles that change when `leafHashes` are appended to a tree of `size` leaves.
    ///
    /// `load` returns the stored bytes of a tile, or nil if it does not exist
    /// yet. The result maps each changed tile to its complete new contents.
    /// Throws `outOfRange` if a stored tile's width disagrees with `size`.
    public static func append(
        _ leafHashes: [Hash], toTreeOfSize size: UInt64, load: (Key) throws -> [UInt8]?
    ) throws -> [Key: [UInt8]] {
        var changed: [Key: [UInt8]] = [:]
        var level = 0
        var start = size
        var hashes = leafHashes
        while !hashes.isEmpty {
            var completed: [Hash] = []
            var currentKey: Key?
            var current: [UInt8] = []
            for (i, hash) in hashes.enumerated() {
                let position = start + UInt64(i)
                let key = Key(level: level, index: position / UInt64(width))
                let offset = Int(position % UInt64(width))
                if key != currentKey {
                    if let currentKey { changed[currentKey] = current }
                    currentKey = key
                    current = try changed[key] ?? load(key) ?? []
                    guard current.count == offset * 32 else {
                        throw LedgerError(.outOfRange, "\(key) holds \(current.count / 32) hashes where \(offset) were expected")
                    }
                    current.reserveCapacity(width * 32)
                }
                hash.withUnsafeBytes { current.append(contentsOf: $0) }
                if offset == width - 1 {
                    completed.append(subtreeHash(current, offset: 0, count: width))
                }
            }
            if let currentKey { changed[currentKey] = current }
            start /= UInt64(width)
            hashes = completed
            level += 1
        }
        return changed
    }

    /// Whether `node` is complete in a tree of `size` leaves (only such nodes are stored).
    public static func isComplete(_ node: TreeNode, inTreeOfSize size: UInt64) -> Bool {
        node.endLeaf <= size && node.endLeaf > node.firstLeaf
    }
}

/// Every hash of one tile's subtrees: the tile's own hashes (tree level 8·L)
/// and the 7 tree levels above them that the tile folds to, computed once.
///
/// A store caches these for hot tiles, so that a proof reads a node's hash
/// instead of recomputing up to 255 node hashes per tile.
public struct TileHashes: Sendable {
    /// Hashes in the tile (1…256).
    public let width: Int
    /// Level 0 (the tile's hashes), then each level above, concatenated.
    private let hashes: [Hash]
    /// Start of each level in `hashes`.
    private let starts: [Int]

    /// Expands a tile from its stored bytes; throws `outOfRange` unless it holds 1…256 whole hashes.
    public init(tile raw: [UInt8]) throws {
        guard raw.count % 32 == 0, (1...Tiles.width).contains(raw.count / 32) else {
            throw LedgerError(.outOfRange, "a tile holds 1 to \(Tiles.width) hashes of 32 bytes, not \(raw.count) bytes")
        }
        let width = raw.count / 32
        var hashes: [Hash] = []
        hashes.reserveCapacity(2 * width)
        raw.withUnsafeBytes { buffer in
            for i in 0..<width { hashes.append(Hash(raw: buffer, offset: i * 32)) }
        }
        var starts = [0]
        var levelStart = 0
        var levelCount = width
        while levelCount > 1 && starts.count < Tiles.height {
            let next = levelCount / 2
            for i in 0..<next {
                hashes.append(Merkle.nodeHash(hashes[levelStart + 2 * i], hashes[levelStart + 2 * i + 1]))
            }
            levelStart += levelCount
            starts.append(levelStart)
            levelCount = next
        }
        self.width = width
        self.hashes = hashes
        self.starts = starts
    }

    /// Whether the tile holds every hash `node` folds (`node` must belong to this tile).
    public func covers(_ node: TreeNode) -> Bool {
        let (_, offset, count) = Tiles.location(of: node)
        return offset + count <= width
    }

    /// The hash of `node`, which belongs to this tile; throws `outOfRange` if the tile is too short.
    public func hash(of node: TreeNode) throws -> Hash {
        let (key, offset, count) = Tiles.location(of: node)
        let within = node.level % Tiles.height
        guard offset + count <= width, within < starts.count else {
            throw LedgerError(.outOfRange, "\(key) holds \(width) hashes, fewer than node \(node) needs")
        }
        return hashes[starts[within] + offset >> within]
    }
}
