import Foundation
import GRDB
import Ledger
import Synchronization

/// The per-tenant Merkle logs in the database: appends, proofs, checkpoints.
///
/// Appends run inside a write transaction (`append(_:tenant:records:)`), so a
/// caller can record an event and its ledger leaf atomically in one
/// group-committed transaction. Reads see only committed data, and a
/// checkpoint is signed over the committed tree only.
public final class LedgerStore: Sendable {
    /// The database the ledger lives in.
    public let database: AppDatabase
    /// Signs checkpoints; its name is the instance name.
    public let signer: NoteSigner
    /// Expanded tiles (every node hash they fold to), cached across reads.
    /// Committed tiles only grow, so a cached tile answers every node it
    /// covers; one too narrow for a node is read again. Upper tiles (level ≥ 1,
    /// 1/256 of the tree's tiles) are kept apart so the many bottom tiles never
    /// evict them.
    private let tileCache = Mutex(TileCache())
    private static let bottomTileLimit = 2048
    private static let upperTileLimit = 4096

    private struct TileCache {
        var bottom: [TileCacheKey: TileHashes] = [:]
        var upper: [TileCacheKey: TileHashes] = [:]

        func get(_ key: TileCacheKey) -> TileHashes? {
            key.key.level == 0 ? bottom[key] : upper[key]
        }

        mutating func put(_ key: TileCacheKey, _ tile: TileHashes) {
            if key.key.level == 0 {
                if bottom.count >= LedgerStore.bottomTileLimit && bottom[key] == nil { bottom.removeAll(keepingCapacity: true) }
                bottom[key] = tile
            } else {
                if upper.count >= LedgerStore.upperTileLimit && upper[key] == nil { upper.removeAll(keepingCapacity: true) }
                upper[key] = tile
            }
        }
    }

    private struct TileCacheKey: Hashable {
        let tenant: String
        let key: Tiles.Key
    }

    /// A store over `database`, signing checkpoints with `signer`.
    public init(database: AppDatabase, signer: NoteSigner) {
        self.database = database
        self.signer = signer
    }

    /// The checkpoint origin of `tenant`: `<instance name>/<tenant>`.
    public func origin(tenant: String) -> String { "\(signer.name)/\(tenant)" }

    /// The verifier key matching the signer.
    public var verifierKey: NoteVerifierKey { signer.verifierKey }

    /// Checks that `tenant` can name a log: 1–200 printable ASCII characters, no spaces.
    public static func validate(tenant: String) throws {
        let bytes = Array(tenant.utf8)
        guard !bytes.isEmpty, bytes.count <= 200, bytes.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw StorageError(.invalidTenant, "a tenant is 1 to 200 printable ASCII characters without spaces")
        }
    }

    // MARK: - Appending

    /// Appends `records` to `tenant`'s tree inside the caller's write transaction.
    ///
    /// Use it from a `GroupCommitter` submission (or any write transaction):
    /// the leaves become visible, provable and checkpointable only when that
    /// transaction commits.
    public static func append(_ db: Database, tenant: String, records: [LedgerRecord]) throws -> [LeafReceipt] {
        try validate(tenant: tenant)
        guard !records.isEmpty else { return [] }
        if let batch = LedgerBatch.active(on: db) {
            // Inside a group transaction: the tree update happens once, before it commits.
            return try batch.append(db, tenant: tenant, records: records)
        }
        let state = try treeState(db, tenant: tenant)
        let receipts = try insertRecords(db, tenant: tenant, firstIndex: state.size, records: records)
        try fold(db, tenant: tenant, state: state, leafHashes: records.map(\.leafHash))
        return receipts
    }

    /// Inserts `records` as the leaves `firstIndex`, `firstIndex + 1`, ... of `tenant`'s tree
    /// (the tree itself is updated by `fold`).
    static func insertRecords(_ db: Database, tenant: String, firstIndex: UInt64, records: [LedgerRecord]) throws -> [LeafReceipt] {
        // Rows go in up to `recordsPerInsert` at a time: one statement step per
        // group instead of per record (the per-statement overhead dominated).
        var receipts: [LeafReceipt] = []
        receipts.reserveCapacity(records.count)
        var first = 0
        while first < records.count {
            let count = min(recordsPerInsert, records.count - first)
            let insert = try db.cachedStatement(
                sql: count == recordsPerInsert ? insertManySQL : insertSQL(rows: count))
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(4 * count)
            for offset in first..<(first + count) {
                let record = records[offset]
                let index = firstIndex + UInt64(offset)
                values.append(tenant)
                values.append(Int64(index))
                values.append(String(decoding: record.canonicalJSON, as: UTF8.self))
                values.append(record.leafHash.withUnsafeBytes { Data($0) })
                receipts.append(LeafReceipt(index: index, leafHash: record.leafHash))
            }
            insert.setUncheckedArguments(StatementArguments(values))
            try insert.execute()
            first += count
        }
        return receipts
    }

    /// Appends `leafHashes` to the tree stored as `state`: rewrites the tiles they
    /// change and the tree's size and root.
    static func fold(_ db: Database, tenant: String, state: TreeState, leafHashes: [Hash]) throws {
        var range = try frontier(db, tenant: tenant, state: state)
        let changed = try Tiles.append(leafHashes, toTreeOfSize: state.size) { key in
            try loadTile(db, tenant: tenant, key: key)
        }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO ledger_tiles (tenant_id, level, tile_index, hashes) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant_id, level, tile_index) DO UPDATE SET hashes = excluded.hashes
            """)
        for (key, bytes) in changed {
            upsert.setUncheckedArguments([tenant, key.level, Int64(key.index), Data(bytes)])
            try upsert.execute()
        }
        range.append(contentsOf: leafHashes)
        let root = range.root
        Frontiers.shared.store(range, tenant: tenant, root: root)
        let tree = try db.cachedStatement(sql: """
            INSERT INTO ledger_trees (tenant_id, size, root) VALUES (?, ?, ?)
            ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size, root = excluded.root
            """)
        tree.setUncheckedArguments([tenant, Int64(range.size), root.withUnsafeBytes { Data($0) }])
        try tree.execute()
    }

    /// The right edge of `tenant`'s tree in `state`: from the cache when an
    /// earlier append in this process left it, else from the stored tiles.
    private static func frontier(_ db: Database, tenant: String, state: TreeState) throws -> CompactRange {
        if let cached = Frontiers.shared.range(tenant: tenant, size: state.size, root: state.root) { return cached }
        let nodes = ProofPlan.root(size: state.size).elements.first ?? []
        var hashes: [Hash] = []
        hashes.reserveCapacity(nodes.count)
        for node in nodes {
            let key = Tiles.location(of: node).key
            guard let tile = try loadTile(db, tenant: tenant, key: key) else {
                throw StorageError(.corrupt, "ledger of tenant \(tenant) lacks \(key)")
            }
            hashes.append(try Tiles.hash(of: node, inTile: tile))
        }
        let range = try CompactRange(size: state.size, hashes: hashes)
        guard range.root == state.root else {
            throw StorageError(.corrupt, "ledger of tenant \(tenant): stored tiles do not match the stored root")
        }
        return range
    }

    /// Records inserted by one statement (4 parameters each, far below SQLite's limit of 32,766).
    private static let recordsPerInsert = 64

    /// `INSERT` of `rows` records.
    private static func insertSQL(rows: Int) -> String {
        "INSERT INTO ledger_records (tenant_id, leaf_index, record, leaf_hash) VALUES "
            + Array(repeating: "(?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    private static let insertManySQL = insertSQL(rows: recordsPerInsert)

    /// Appends `records` in the next group commit and returns once they are durable.
    public func append(tenant: String, records: [LedgerRecord]) async throws -> [LeafReceipt] {
        try await database.write { db in try LedgerStore.append(db, tenant: tenant, records: records) }
    }

    // MARK: - Reading

    /// The committed size and root of `tenant`'s tree (size 0 if it has none).
    public func tree(tenant: String) async throws -> TreeState {
        try await database.read { db in try LedgerStore.treeState(db, tenant: tenant) }
    }

    /// The tenants that have a ledger, sorted.
    public func tenants() async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db, sql: "SELECT tenant_id FROM ledger_trees ORDER BY tenant_id")
        }
    }

    /// An inclusion proof of leaf `index` in the tree of `size` leaves (default: the committed size).
    public func inclusionProof(tenant: String, index: UInt64, size: UInt64? = nil) async throws -> InclusionProof {
        try await database.read { db in
            let state = try LedgerStore.treeState(db, tenant: tenant)
            let size = size ?? state.size
            guard size <= state.size else {
                throw StorageError(.outOfRange, "tree size \(size) is larger than the ledger (\(state.size) leaves)")
            }
            guard index < size else {
                throw StorageError(.outOfRange, "leaf index \(index) is outside a tree of size \(size)")
            }
            let plan = try ProofPlan.inclusion(index: index, size: size)
            let leafPlan = ProofPlan(elements: [[TreeNode(level: 0, index: index)]])
            let rootPlan = ProofPlan.root(size: size)
            let hashes = try self.hashes(db, tenant: tenant, nodes: plan.nodes + leafPlan.nodes + rootPlan.nodes)
            let lookup: (TreeNode) throws -> Hash = { node in
                guard let hash = hashes[node] else { throw StorageError(.corrupt, "missing node \(node)") }
                return hash
            }
            return InclusionProof(
                leafIndex: index, treeSize: size, leafHash: try lookup(TreeNode(level: 0, index: index)),
                proof: try plan.assemble(lookup), root: try rootPlan.assemble(lookup)[0])
        }
    }

    /// A consistency proof from the tree of `from` leaves to the tree of `to` leaves (1 ≤ from ≤ to ≤ size).
    public func consistencyProof(tenant: String, from: UInt64, to: UInt64) async throws -> ConsistencyProof {
        try await database.read { db in
            let state = try LedgerStore.treeState(db, tenant: tenant)
            guard from >= 1 else { throw StorageError(.outOfRange, "the first size must be at least 1") }
            guard from <= to else { throw StorageError(.outOfRange, "sizes out of order: \(from) is larger than \(to)") }
            guard to <= state.size else {
                throw StorageError(.outOfRange, "tree size \(to) is larger than the ledger (\(state.size) leaves)")
            }
            let plan = try ProofPlan.consistency(from: from, to: to)
            let root1 = ProofPlan.root(size: from)
            let root2 = ProofPlan.root(size: to)
            let hashes = try self.hashes(db, tenant: tenant, nodes: plan.nodes + root1.nodes + root2.nodes)
            let lookup: (TreeNode) throws -> Hash = { node in
                guard let hash = hashes[node] else { throw StorageError(.corrupt, "missing node \(node)") }
                return hash
            }
            return ConsistencyProof(
                size1: from, size2: to, root1: try root1.assemble(lookup)[0], root2: try root2.assemble(lookup)[0],
                proof: try plan.assemble(lookup))
        }
    }

    /// Up to `limit` records of `tenant` from leaf index `from`, in leaf order.
    public func records(tenant: String, from: UInt64, limit: Int) async throws -> [StoredRecord] {
        try await database.read { db in try LedgerStore.records(db, tenant: tenant, from: from, limit: limit) }
    }

    /// Records `[from, from + limit)` of `tenant` in an existing read.
    public static func records(_ db: Database, tenant: String, from: UInt64, limit: Int) throws -> [StoredRecord] {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT leaf_index, record, leaf_hash FROM ledger_records
                WHERE tenant_id = ? AND leaf_index >= ? ORDER BY leaf_index LIMIT ?
                """,
            arguments: [tenant, Int64(from), max(0, limit)])
        var out: [StoredRecord] = []
        while let row = try rows.next() {
            out.append(try storedRecord(row))
        }
        return out
    }

    /// Visits every record of `tenant` in leaf order inside one read transaction.
    public func forEachRecord(
        tenant: String, _ body: @escaping @Sendable (StoredRecord) throws -> Void
    ) async throws {
        try await database.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT leaf_index, record, leaf_hash FROM ledger_records WHERE tenant_id = ? ORDER BY leaf_index",
                arguments: [tenant])
            while let row = try rows.next() { try body(try LedgerStore.storedRecord(row)) }
        }
    }

    private static func storedRecord(_ row: Row) throws -> StoredRecord {
        let index: Int64 = row[0]
        let record: String = row[1]
        let hash: Data = row[2]
        return StoredRecord(index: UInt64(index), canonicalJSON: Array(record.utf8), leafHash: try Hash(bytes: hash))
    }

    // MARK: - Checkpoints

    /// The most recent checkpoint of `tenant`, if any.
    public func latestCheckpoint(tenant: String) async throws -> StoredCheckpoint? {
        try await database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT tree_size, root, note, created_at FROM ledger_checkpoints
                    WHERE tenant_id = ? ORDER BY tree_size DESC LIMIT 1
                    """,
                arguments: [tenant]
            ).map(LedgerStore.checkpoint)
        }
    }

    /// Every checkpoint of `tenant`, oldest (smallest) first.
    public func checkpoints(tenant: String) async throws -> [StoredCheckpoint] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT tree_size, root, note, created_at FROM ledger_checkpoints WHERE tenant_id = ? ORDER BY tree_size",
                arguments: [tenant]
            ).map(LedgerStore.checkpoint)
        }
    }

    private static func checkpoint(_ row: Row) throws -> StoredCheckpoint {
        let size: Int64 = row[0]
        let root: Data = row[1]
        return StoredCheckpoint(size: UInt64(size), root: try Hash(bytes: root), note: row[2], createdAt: row[3])
    }

    /// Signs a checkpoint of `tenant`'s committed tree and stores it; if the
    /// latest checkpoint already covers the committed size, returns that one.
    ///
    /// Runs in its own write transaction, after every earlier transaction has
    /// committed, so it never covers a leaf that is not durable.
    public func signCheckpoint(tenant: String) async throws -> StoredCheckpoint {
        try LedgerStore.validate(tenant: tenant)
        let signer = self.signer
        let origin = self.origin(tenant: tenant)
        return try await database.pool.write { db in
            let state = try LedgerStore.treeState(db, tenant: tenant)
            if let latest = try Row.fetchOne(
                db,
                sql: """
                    SELECT tree_size, root, note, created_at FROM ledger_checkpoints
                    WHERE tenant_id = ? ORDER BY tree_size DESC LIMIT 1
                    """,
                arguments: [tenant]
            ).map(LedgerStore.checkpoint), latest.size == state.size {
                return latest
            }
            let note = try Checkpoint(origin: origin, size: state.size, root: state.root).signed(by: signer).serialized
            let createdAt = ISO8601DateFormatter().string(from: Date())
            try db.execute(
                sql: "INSERT INTO ledger_checkpoints (tenant_id, tree_size, root, note, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [tenant, Int64(state.size), Data(state.root.bytes), note, createdAt])
            return StoredCheckpoint(size: state.size, root: state.root, note: note, createdAt: createdAt)
        }
    }

    // MARK: - Internals

    /// The tree state of `tenant` as seen by `db`.
    public static func treeState(_ db: Database, tenant: String) throws -> TreeState {
        let statement = try db.cachedStatement(sql: "SELECT size, root FROM ledger_trees WHERE tenant_id = ?")
        statement.setUncheckedArguments([tenant])
        guard let row = try Row.fetchOne(statement) else { return TreeState(size: 0, root: Hash.emptyTree) }
        let size: Int64 = row[0]
        let root: Data = row[1]
        return TreeState(size: UInt64(size), root: try Hash(bytes: root))
    }

    /// The stored bytes of one tile, or nil.
    static func loadTile(_ db: Database, tenant: String, key: Tiles.Key) throws -> [UInt8]? {
        let statement = try db.cachedStatement(
            sql: "SELECT hashes FROM ledger_tiles WHERE tenant_id = ? AND level = ? AND tile_index = ?")
        statement.setUncheckedArguments([tenant, key.level, Int64(key.index)])
        return try Data.fetchOne(statement).map { Array($0) }
    }

    /// The hashes of `nodes`, reading each needed tile at most once (hot tiles from the cache).
    private func hashes(_ db: Database, tenant: String, nodes: [TreeNode]) throws -> [TreeNode: Hash] {
        var tiles: [Tiles.Key: TileHashes] = [:]
        var out: [TreeNode: Hash] = [:]
        out.reserveCapacity(nodes.count)
        for node in nodes where out[node] == nil {
            let key = Tiles.location(of: node).key
            if let tile = tiles[key], tile.covers(node) {
                out[node] = try tile.hash(of: node)
                continue
            }
            let cacheKey = TileCacheKey(tenant: tenant, key: key)
            if let cached = tileCache.withLock({ $0.get(cacheKey) }), cached.covers(node) {
                tiles[key] = cached
                out[node] = try cached.hash(of: node)
                continue
            }
            guard let loaded = try LedgerStore.loadTile(db, tenant: tenant, key: key) else {
                throw StorageError(.corrupt, "ledger of tenant \(tenant) lacks \(key)")
            }
            let tile: TileHashes
            do {
                tile = try TileHashes(tile: loaded)
            } catch {
                throw StorageError(.corrupt, "ledger of tenant \(tenant) has a malformed \(key)")
            }
            tiles[key] = tile
            tileCache.withLock { $0.put(cacheKey, tile) }
            out[node] = try tile.hash(of: node)
        }
        return out
    }
}

/// The right edges (compact ranges) of recently appended trees, by tenant,
/// size and root, so that an append folds its leaves into the previous edge
/// (about one node hash per leaf plus log n for the root) instead of
/// recomputing the root from the partial tiles on every submission.
///
/// Keyed by the root as well as the size, an entry can only describe the
/// tree it was computed for: after a rolled-back submission the stored
/// (size, root) is the earlier one again, and so is the entry used.
final class Frontiers: Sendable {
    static let shared = Frontiers()
    private static let limit = 1024

    private struct Key: Hashable {
        let tenant: String
        let size: UInt64
        let root: Hash
    }

    private let entries = Mutex<[Key: CompactRange]>([:])

    func range(tenant: String, size: UInt64, root: Hash) -> CompactRange? {
        if size == 0 { return CompactRange() }
        return entries.withLock { $0[Key(tenant: tenant, size: size, root: root)] }
    }

    func store(_ range: CompactRange, tenant: String, root: Hash) {
        entries.withLock { entries in
            if entries.count >= Frontiers.limit { entries.removeAll(keepingCapacity: true) }
            entries[Key(tenant: tenant, size: range.size, root: root)] = range
        }
    }
}
