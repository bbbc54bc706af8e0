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
        var level: [Hash] = (0..<count).map { i in
            let start = (offset + i) * 32
            return Hash(unchecked: Array(raw[start..<start + 32]))
        }
        while level.count > 1 {
            var next: [Hash] = []
            next.reserveCapacity(level.count / 2)
            var i = 0
            while i < level.count {
                next.append(Merkle.nodeHash(level[i], level[i + 1]))
                i += 2
            }
            level = next
        }
        return level[0]
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
                current.append(contentsOf: hash.bytes)
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
