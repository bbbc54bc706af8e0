import Foundation
import GRDB
import Ledger

extension LedgerStore {
    /// Audits `tenant`'s stored ledger: recomputes every leaf from its record,
    /// checks it against the stored leaf hash, rebuilds every hash tile and the
    /// tree root, and checks every stored checkpoint's signature and root.
    ///
    /// Throws `LedgerAuditor.AuditFailure` naming the first bad leaf or checkpoint.
    public func audit(tenant: String) async throws -> LedgerAuditor.Summary {
        let key = verifierKey
        let origin = self.origin(tenant: tenant)
        return try await database.read { db in
            let stored = try Row.fetchAll(
                db, sql: "SELECT tree_size, note FROM ledger_checkpoints WHERE tenant_id = ? ORDER BY tree_size",
                arguments: [tenant])
            var checkpoints: [Checkpoint] = []
            for (i, row) in stored.enumerated() {
                let size: Int64 = row[0]
                let location = LedgerAuditor.Location.checkpoint(number: i + 1, size: UInt64(size))
                let checkpoint: Checkpoint
                do {
                    checkpoint = try Checkpoint.verified(note: row[1], key: key, expectedOrigin: origin)
                } catch let error as LedgerError {
                    throw LedgerAuditor.AuditFailure(location, "invalid signed checkpoint (\(error.message))")
                }
                guard checkpoint.size == UInt64(size) else {
                    throw LedgerAuditor.AuditFailure(location, "signed size \(checkpoint.size) differs from the stored one")
                }
                checkpoints.append(checkpoint)
            }
            var auditor = try LedgerAuditor(checkpoints: checkpoints)
            var tiles = TileRebuilder()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT leaf_index, record, leaf_hash FROM ledger_records WHERE tenant_id = ? ORDER BY leaf_index",
                arguments: [tenant])
            var pending: [Hash] = []
            while let row = try rows.next() {
                let index: Int64 = row[0]
                guard UInt64(index) == auditor.size else {
                    throw LedgerAuditor.AuditFailure(.leaf(auditor.size), "record is missing (next stored index is \(index))")
                }
                let record: String = row[1]
                let hashData: Data = row[2]
                guard let claimed = try? Hash(bytes: hashData) else {
                    throw LedgerAuditor.AuditFailure(.leaf(auditor.size), "stored leaf hash is not 32 bytes")
                }
                let hash = try auditor.add(recordJSON: Array(record.utf8)[...], claimedLeafHash: claimed)
                pending.append(hash)
                if pending.count == 4096 {
                    try tiles.add(pending) { try LedgerStore.loadTile(db, tenant: tenant, key: $0) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
            try tiles.add(pending) { try LedgerStore.loadTile(db, tenant: tenant, key: $0) }
            try tiles.finish { try LedgerStore.loadTile(db, tenant: tenant, key: $0) }
            let summary = try auditor.finish()
            let state = try LedgerStore.treeState(db, tenant: tenant)
            guard state.size == summary.size else {
                throw LedgerAuditor.AuditFailure(
                    .leaf(min(state.size, summary.size)), "tree size \(state.size) differs from the \(summary.size) stored records")
            }
            guard state.root == summary.root else {
                throw LedgerAuditor.AuditFailure(.leaf(summary.size), "stored tree root does not match the records")
            }
            return summary
        }
    }

    /// Writes `tenant`'s ledger for offline audit into `directory`:
    /// `records.jsonl`, `checkpoints.txt`, `vkey.txt` and `leaf_hashes.bin`
    /// (the leaf hashes, 32 bytes each, in leaf order, so that a verifier can
    /// name the exact record that was altered). Signs a checkpoint of the
    /// current tree first, so that every exported record is covered.
    public func export(tenant: String, to directory: String) async throws -> StoredCheckpoint {
        let latest = try await signCheckpoint(tenant: tenant)
        let url = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let checkpoints = try await self.checkpoints(tenant: tenant).filter { $0.size <= latest.size }
        try Data(checkpoints.map(\.note).joined(separator: "\n").utf8)
            .write(to: url.appendingPathComponent("checkpoints.txt"))
        try Data((verifierKey.description + "\n").utf8).write(to: url.appendingPathComponent("vkey.txt"))
        let recordsPath = url.appendingPathComponent("records.jsonl").path
        let hashesPath = url.appendingPathComponent("leaf_hashes.bin").path
        let limit = latest.size
        try await database.read { db in
            guard FileManager.default.createFile(atPath: recordsPath, contents: nil),
                FileManager.default.createFile(atPath: hashesPath, contents: nil),
                let records = FileHandle(forWritingAtPath: recordsPath),
                let hashes = FileHandle(forWritingAtPath: hashesPath)
            else { throw StorageError(.cannotOpen, "cannot write the export into \(directory)") }
            defer {
                try? records.close()
                try? hashes.close()
            }
            var recordBuffer: [UInt8] = []
            var hashBuffer: [UInt8] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT record, leaf_hash FROM ledger_records WHERE tenant_id = ? AND leaf_index < ?
                    ORDER BY leaf_index
                    """,
                arguments: [tenant, Int64(limit)])
            while let row = try rows.next() {
                let record: String = row[0]
                let hash: Data = row[1]
                recordBuffer.append(contentsOf: record.utf8)
                recordBuffer.append(0x0a)
                hashBuffer.append(contentsOf: hash)
                if recordBuffer.count >= 1 << 20 {
                    try records.write(contentsOf: recordBuffer)
                    try hashes.write(contentsOf: hashBuffer)
                    recordBuffer.removeAll(keepingCapacity: true)
                    hashBuffer.removeAll(keepingCapacity: true)
                }
            }
            try records.write(contentsOf: recordBuffer)
            try hashes.write(contentsOf: hashBuffer)
            try records.synchronize()
            try hashes.synchronize()
        }
        return latest
    }
}

/// Rebuilds hash tiles from a stream of leaf hashes and compares each with the stored one.
struct TileRebuilder {
    private var partial: [Tiles.Key: [UInt8]] = [:]
    private var size: UInt64 = 0

    mutating func add(_ hashes: [Hash], load: (Tiles.Key) throws -> [UInt8]?) throws {
        guard !hashes.isEmpty else { return }
        let changed = try Tiles.append(hashes, toTreeOfSize: size) { partial[$0] }
        for (key, bytes) in changed {
            if bytes.count == Tiles.width * 32 {
                partial[key] = nil
                try compare(key, bytes, load: load)
            } else {
                partial[key] = bytes
            }
        }
        size += UInt64(hashes.count)
    }

    func finish(load: (Tiles.Key) throws -> [UInt8]?) throws {
        for (key, bytes) in partial.sorted(by: { ($0.key.level, $0.key.index) < ($1.key.level, $1.key.index) }) {
            try compare(key, bytes, load: load)
        }
    }

    private func compare(_ key: Tiles.Key, _ expected: [UInt8], load: (Tiles.Key) throws -> [UInt8]?) throws {
        let stored = try load(key) ?? []
        guard stored != expected else { return }
        // Name the first leaf under the first differing hash.
        var position = 0
        while position * 32 < min(stored.count, expected.count),
            stored[position * 32..<position * 32 + 32] == expected[position * 32..<position * 32 + 32]
        {
            position += 1
        }
        let nodeIndex = key.index * UInt64(Tiles.width) + UInt64(position)
        let leaf = nodeIndex << UInt64(key.level * Tiles.height)
        throw LedgerAuditor.AuditFailure(.leaf(leaf), "stored hash tile \(key) does not match the records")
    }
}
