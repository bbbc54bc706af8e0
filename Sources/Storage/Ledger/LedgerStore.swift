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
    /// Full tiles never change, so they are cached across reads.
    private let tileCache = Mutex<[TileCacheKey: [UInt8]]>([:])
    private static let tileCacheLimit = 8192

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
        let state = try treeState(db, tenant: tenant)
        let leafHashes = records.map(\.leafHash)
        let changed = try Tiles.append(leafHashes, toTreeOfSize: state.size) { key in
            try loadTile(db, tenant: tenant, key: key)
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO ledger_records (tenant_id, leaf_index, record, leaf_hash) VALUES (?, ?, ?, ?)")
        var receipts: [LeafReceipt] = []
        receipts.reserveCapacity(records.count)
        for (offset, record) in records.enumerated() {
            let index = state.size + UInt64(offset)
            insert.setUncheckedArguments([
                tenant, Int64(index), String(decoding: record.canonicalJSON, as: UTF8.self), Data(record.leafHash.bytes),
            ])
            try insert.execute()
            receipts.append(LeafReceipt(index: index, leafHash: record.leafHash))
        }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO ledger_tiles (tenant_id, level, tile_index, hashes) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant_id, level, tile_index) DO UPDATE SET hashes = excluded.hashes
            """)
        for (key, bytes) in changed {
            upsert.setUncheckedArguments([tenant, key.level, Int64(key.index), Data(bytes)])
            try upsert.execute()
        }
        let newSize = state.size + UInt64(records.count)
        let root = try ProofPlan.root(size: newSize).assemble { node in
            let location = Tiles.location(of: node)
            guard let tile = try changed[location.key] ?? loadTile(db, tenant: tenant, key: location.key) else {
                throw StorageError(.corrupt, "ledger of tenant \(tenant) lacks \(location.key)")
            }
            return try Tiles.hash(of: node, inTile: tile)
        }.first ?? Hash.emptyTree
        try db.execute(
            sql: """
                INSERT INTO ledger_trees (tenant_id, size, root) VALUES (?, ?, ?)
                ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size, root = excluded.root
                """,
            arguments: [tenant, Int64(newSize), Data(root.bytes)])
        return receipts
    }

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
        guard let row = try Row.fetchOne(db, sql: "SELECT size, root FROM ledger_trees WHERE tenant_id = ?", arguments: [tenant])
        else { return TreeState(size: 0, root: Hash.emptyTree) }
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

    /// The hashes of `nodes`, reading each needed tile once (full tiles from the cache).
    private func hashes(_ db: Database, tenant: String, nodes: [TreeNode]) throws -> [TreeNode: Hash] {
        var tiles: [Tiles.Key: [UInt8]] = [:]
        var out: [TreeNode: Hash] = [:]
        for node in nodes where out[node] == nil {
            let key = Tiles.location(of: node).key
            if tiles[key] == nil {
                let cacheKey = TileCacheKey(tenant: tenant, key: key)
                if let cached = tileCache.withLock({ $0[cacheKey] }) {
                    tiles[key] = cached
                } else {
                    guard let loaded = try LedgerStore.loadTile(db, tenant: tenant, key: key) else {
                        throw StorageError(.corrupt, "ledger of tenant \(tenant) lacks \(key)")
                    }
                    tiles[key] = loaded
                    if loaded.count == Tiles.width * 32 {
                        tileCache.withLock { cache in
                            if cache.count >= LedgerStore.tileCacheLimit { cache.removeAll(keepingCapacity: true) }
                            cache[cacheKey] = loaded
                        }
                    }
                }
            }
            out[node] = try Tiles.hash(of: node, inTile: tiles[key]!)
        }
        return out
    }
}
