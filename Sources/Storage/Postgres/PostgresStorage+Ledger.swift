import Foundation
import Ledger
import Logging
import PostgresNIO

/// A tile the pure tile arithmetic asked for that has not been read yet.
private struct MissingTiles: Error {
    var keys: Set<Tiles.Key>
}

extension PostgresStorage {
    // MARK: - Appending

    /// Appends `leaves` to `tenant`'s tree inside the caller's transaction, which
    /// must hold the tenant set and the tenant's ledger lock. The Merkle and tile
    /// arithmetic is the pure `Ledger` module's; this only reads and writes rows.
    static func appendLeaves(
        _ connection: PostgresConnection, tenant: String, leaves: [LedgerRecord], logger: Logger
    ) async throws -> [LeafReceipt] {
        guard !leaves.isEmpty else { return [] }
        let state = try await treeState(connection, tenant: tenant, logger: logger)
        let leafHashes = leaves.map(\.leafHash)
        let frontierNodes = ProofPlan.root(size: state.size).elements.first ?? []
        // The right-edge tile of each level, which an append extends.
        var wanted = Set(frontierNodes.map { Tiles.location(of: $0).key })
        var position = state.size
        var level = 0
        repeat {
            wanted.insert(Tiles.Key(level: level, index: position / UInt64(Tiles.width)))
            position /= UInt64(Tiles.width)
            level += 1
        } while position > 0
        var known: [Tiles.Key: [UInt8]?] = [:]
        var range = CompactRange()
        var changed: [Tiles.Key: [UInt8]] = [:]
        for _ in 0..<8 {
            let fetched = try await tiles(connection, tenant: tenant, keys: wanted.filter { known[$0] == nil }, logger: logger)
            for key in wanted where known[key] == nil { known[key] = .some(fetched[key]) }
            let snapshot = known
            let load: (Tiles.Key) throws -> [UInt8]? = { key in
                guard let tile = snapshot[key] else { throw MissingTiles(keys: [key]) }
                return tile
            }
            do {
                var hashes: [Hash] = []
                for node in frontierNodes {
                    let key = Tiles.location(of: node).key
                    guard let tile = try load(key) else {
                        throw StorageError(.corrupt, "ledger of tenant \(tenant) lacks \(key)")
                    }
                    hashes.append(try Tiles.hash(of: node, inTile: tile))
                }
                range = state.size == 0 ? CompactRange() : try CompactRange(size: state.size, hashes: hashes)
                guard range.root == state.root else {
                    throw StorageError(.corrupt, "ledger of tenant \(tenant): stored tiles do not match the stored root")
                }
                changed = try Tiles.append(leafHashes, toTreeOfSize: state.size, load: load)
                break
            } catch let missing as MissingTiles {
                wanted.formUnion(missing.keys)
                continue
            }
        }
        guard range.size == state.size, !changed.isEmpty else {
            throw StorageError(.corrupt, "ledger of tenant \(tenant): the tiles to extend could not be read")
        }
        var receipts: [LeafReceipt] = []
        receipts.reserveCapacity(leaves.count)
        var first = 0
        while first < leaves.count {
            let count = min(PostgresEvents.recordsPerInsert, leaves.count - first)
            var bindings = PostgresBindings(capacity: count * 4)
            var tuples: [String] = []
            for offset in first..<(first + count) {
                let index = state.size + UInt64(offset)
                let base = bindings.count
                tuples.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4))")
                bindings.append(tenant)
                bindings.append(Int64(index))
                bindings.append(String(decoding: leaves[offset].canonicalJSON, as: UTF8.self))
                try bindings.append(Data(leaves[offset].leafHash.bytes))
                receipts.append(LeafReceipt(index: index, leafHash: leaves[offset].leafHash))
            }
            let sql = "INSERT INTO ledger_records (tenant_id, leaf_index, record, leaf_hash) VALUES "
                + tuples.joined(separator: ", ")
            try await connection.run(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            first += count
        }
        for (key, bytes) in changed {
            try await connection.run(
                """
                INSERT INTO ledger_tiles (tenant_id, level, tile_index, hashes)
                VALUES (\(tenant), \(Int64(key.level)), \(Int64(key.index)), \(Data(bytes)))
                ON CONFLICT (tenant_id, level, tile_index) DO UPDATE SET hashes = excluded.hashes
                """, logger: logger)
        }
        range.append(contentsOf: leafHashes)
        try await connection.run(
            """
            INSERT INTO ledger_trees (tenant_id, size, root) VALUES (\(tenant), \(Int64(range.size)), \(Data(range.root.bytes)))
            ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size, root = excluded.root
            """, logger: logger)
        return receipts
    }

    /// The committed size and root of `tenant`'s tree as `connection` sees it.
    static func treeState(_ connection: PostgresConnection, tenant: String, logger: Logger) async throws -> TreeState {
        guard
            let row = try await connection.rows(
                "SELECT size, root FROM ledger_trees WHERE tenant_id = \(tenant)", logger: logger
            ).first
        else { return TreeState(size: 0, root: Hash.emptyTree) }
        return TreeState(
            size: UInt64(try row["size"].decode(Int64.self)), root: try Hash(bytes: try row["root"].decode(Data.self)))
    }

    /// The stored bytes of the tiles `keys` that exist.
    static func tiles(
        _ connection: PostgresConnection, tenant: String, keys: Set<Tiles.Key>, logger: Logger
    ) async throws -> [Tiles.Key: [UInt8]] {
        guard !keys.isEmpty else { return [:] }
        let levels = keys.map { Int64($0.level) }
        let indexes = keys.map { Int64($0.index) }
        var out: [Tiles.Key: [UInt8]] = [:]
        for row in try await connection.rows(
            """
            SELECT t.level, t.tile_index, t.hashes FROM ledger_tiles t
            JOIN unnest(\(levels)::bigint[], \(indexes)::bigint[]) AS k(level, tile_index)
              ON t.level = k.level AND t.tile_index = k.tile_index
            WHERE t.tenant_id = \(tenant)
            """, logger: logger)
        {
            let key = Tiles.Key(
                level: Int(try row["level"].decode(Int64.self)), index: UInt64(try row["tile_index"].decode(Int64.self)))
            out[key] = Array(try row["hashes"].decode(Data.self))
        }
        return out
    }

    /// The hashes of `nodes` from their tiles, read in one query.
    private static func hashes(
        _ connection: PostgresConnection, tenant: String, nodes: [TreeNode], logger: Logger
    ) async throws -> [TreeNode: Hash] {
        let keys = Set(nodes.map { Tiles.location(of: $0).key })
        let raw = try await tiles(connection, tenant: tenant, keys: keys, logger: logger)
        var expanded: [Tiles.Key: TileHashes] = [:]
        var out: [TreeNode: Hash] = [:]
        for node in nodes where out[node] == nil {
            let key = Tiles.location(of: node).key
            if expanded[key] == nil {
                guard let bytes = raw[key], let tile = try? TileHashes(tile: bytes) else {
                    throw StorageError(.corrupt, "ledger of tenant \(tenant) lacks \(key)")
                }
                expanded[key] = tile
            }
            guard let tile = expanded[key], tile.covers(node) else {
                throw StorageError(.corrupt, "ledger of tenant \(tenant): \(key) is too short for node \(node)")
            }
            out[node] = try tile.hash(of: node)
        }
        return out
    }

    // MARK: - Reading

    /// The committed tree.
    public func ledgerTree(tenant: String) async throws -> TreeState {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await Self.treeState(connection, tenant: tenant, logger: logger)
        }
    }

    /// Up to `limit` records from leaf `from`.
    public func ledgerRecords(tenant: String, from: UInt64, limit: Int) async throws -> [StoredRecord] {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.rows(
                """
                SELECT leaf_index, record, leaf_hash FROM ledger_records
                WHERE tenant_id = \(tenant) AND leaf_index >= \(Int64(from)) ORDER BY leaf_index LIMIT \(Int64(max(0, limit)))
                """, logger: logger
            ).map { row in
                StoredRecord(
                    index: UInt64(try row["leaf_index"].decode(Int64.self)),
                    canonicalJSON: Array(try row["record"].decode(String.self).utf8),
                    leafHash: try Hash(bytes: try row["leaf_hash"].decode(Data.self)))
            }
        }
    }

    /// An inclusion proof of leaf `index` in the tree of `size` leaves.
    public func inclusionProof(tenant: String, index: UInt64, size: UInt64?) async throws -> InclusionProof {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            let state = try await Self.treeState(connection, tenant: tenant, logger: logger)
            let size = size ?? state.size
            guard size <= state.size else {
                throw StorageError(.outOfRange, "tree size \(size) is larger than the ledger (\(state.size) leaves)")
            }
            guard index < size else {
                throw StorageError(.outOfRange, "leaf index \(index) is outside a tree of size \(size)")
            }
            let plan = try ProofPlan.inclusion(index: index, size: size)
            let leaf = TreeNode(level: 0, index: index)
            let rootPlan = ProofPlan.root(size: size)
            let hashes = try await Self.hashes(
                connection, tenant: tenant, nodes: plan.nodes + [leaf] + rootPlan.nodes, logger: logger)
            let lookup: (TreeNode) throws -> Hash = { node in
                guard let hash = hashes[node] else { throw StorageError(.corrupt, "missing node \(node)") }
                return hash
            }
            return InclusionProof(
                leafIndex: index, treeSize: size, leafHash: try lookup(leaf), proof: try plan.assemble(lookup),
                root: try rootPlan.assemble(lookup)[0])
        }
    }

    /// A consistency proof between two committed sizes.
    public func consistencyProof(tenant: String, from: UInt64, to: UInt64) async throws -> ConsistencyProof {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            let state = try await Self.treeState(connection, tenant: tenant, logger: logger)
            guard from >= 1 else { throw StorageError(.outOfRange, "the first size must be at least 1") }
            guard from <= to else { throw StorageError(.outOfRange, "sizes out of order: \(from) is larger than \(to)") }
            guard to <= state.size else {
                throw StorageError(.outOfRange, "tree size \(to) is larger than the ledger (\(state.size) leaves)")
            }
            let plan = try ProofPlan.consistency(from: from, to: to)
            let root1 = ProofPlan.root(size: from)
            let root2 = ProofPlan.root(size: to)
            let hashes = try await Self.hashes(
                connection, tenant: tenant, nodes: plan.nodes + root1.nodes + root2.nodes, logger: logger)
            let lookup: (TreeNode) throws -> Hash = { node in
                guard let hash = hashes[node] else { throw StorageError(.corrupt, "missing node \(node)") }
                return hash
            }
            return ConsistencyProof(
                size1: from, size2: to, root1: try root1.assemble(lookup)[0], root2: try root2.assemble(lookup)[0],
                proof: try plan.assemble(lookup))
        }
    }

    // MARK: - Checkpoints

    /// Signs and stores a checkpoint of the committed tree, under the tenant's
    /// ledger lock so that no replica appends or signs meanwhile.
    public func signCheckpoint(tenant: String) async throws -> StoredCheckpoint {
        try LedgerStore.validate(tenant: tenant)
        let logger = self.logger
        let signer = self.signer
        let origin = self.origin(tenant: tenant)
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.run(
                "SELECT pg_advisory_xact_lock(\(Self.ledgerLockClass), hashtext(\(tenant)))", logger: logger)
            let state = try await Self.treeState(connection, tenant: tenant, logger: logger)
            if let latest = try await Self.latestCheckpoint(connection, tenant: tenant, logger: logger),
                latest.size == state.size
            {
                return latest
            }
            let note = try Checkpoint(origin: origin, size: state.size, root: state.root).signed(by: signer).serialized
            let createdAt = ISO8601DateFormatter().string(from: Date())
            try await connection.run(
                """
                INSERT INTO ledger_checkpoints (tenant_id, tree_size, root, note, created_at)
                VALUES (\(tenant), \(Int64(state.size)), \(Data(state.root.bytes)), \(note), \(createdAt))
                """, logger: logger)
            return StoredCheckpoint(size: state.size, root: state.root, note: note, createdAt: createdAt)
        }
    }

    /// The most recent checkpoint.
    public func latestCheckpoint(tenant: String) async throws -> StoredCheckpoint? {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await Self.latestCheckpoint(connection, tenant: tenant, logger: logger)
        }
    }

    private static func latestCheckpoint(_ connection: PostgresConnection, tenant: String, logger: Logger) async throws
        -> StoredCheckpoint?
    {
        try await connection.rows(
            """
            SELECT tree_size, root, note, created_at FROM ledger_checkpoints
            WHERE tenant_id = \(tenant) ORDER BY tree_size DESC LIMIT 1
            """, logger: logger
        ).first.map { row in
            StoredCheckpoint(
                size: UInt64(try row["tree_size"].decode(Int64.self)),
                root: try Hash(bytes: try row["root"].decode(Data.self)), note: try row["note"].decode(String.self),
                createdAt: try row["created_at"].decode(String.self))
        }
    }
}
