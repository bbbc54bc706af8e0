import Foundation
import GRDB
import Ledger
import Storage
import Testing

/// A fresh data directory per test, removed afterwards.
final class ScratchDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "astral-storage-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func makeStore(_ scratch: ScratchDirectory) throws -> LedgerStore {
    let signer = try InstanceKey.loadOrCreate(dataDirectory: scratch.path, instanceName: "test.example")
    return LedgerStore(database: try AppDatabase(dataDirectory: scratch.path), signer: signer)
}

func record(_ i: Int) throws -> LedgerRecord {
    try LedgerRecord(json: Array("{\"seq\": \(i), \"note\": \"r\(i)\"}".utf8))
}

@Suite struct LedgerStoreTests {
    @Test func appendProveAndCheckpointRoundTrip() async throws {
        let scratch = try ScratchDirectory()
        let store = try makeStore(scratch)
        var leafHashes: [Hash] = []
        // Uneven batches cross tile boundaries.
        for batch in [1, 2, 300, 7, 0, 513] {
            let records = try (0..<batch).map { try record(leafHashes.count + $0) }
            let receipts = try await store.append(tenant: "acme", records: records)
            #expect(receipts.map(\.index) == (0..<batch).map { UInt64(leafHashes.count + $0) })
            leafHashes += records.map(\.leafHash)
        }
        let size = UInt64(leafHashes.count)
        let tree = try await store.tree(tenant: "acme")
        #expect(tree == TreeState(size: size, root: Merkle.root(leafHashes: leafHashes)))
        for index in [0, 1, 255, 256, 511, 600, Int(size) - 1] {
            for proofSize in [UInt64(index) + 1, size] {
                let proof = try await store.inclusionProof(tenant: "acme", index: UInt64(index), size: proofSize)
                try ProofVerifier.verifyInclusion(
                    leafHash: leafHashes[index], index: UInt64(index), size: proofSize, proof: proof.proof,
                    root: Merkle.root(leafHashes: leafHashes.prefix(Int(proofSize))))
            }
        }
        for from in [1, 3, 256, 257, 700] {
            let proof = try await store.consistencyProof(tenant: "acme", from: UInt64(from), to: size)
            #expect(proof.root1 == Merkle.root(leafHashes: leafHashes.prefix(from)))
            try ProofVerifier.verifyConsistency(
                size1: UInt64(from), size2: size, root1: proof.root1, root2: tree.root, proof: proof.proof)
        }
        let checkpoint = try await store.signCheckpoint(tenant: "acme")
        let parsed = try Checkpoint.verified(note: checkpoint.note, key: store.verifierKey, expectedOrigin: "test.example/acme")
        #expect(parsed.size == size && parsed.root == tree.root)
        // Unchanged tree: the same checkpoint comes back.
        #expect(try await store.signCheckpoint(tenant: "acme") == checkpoint)
        let records = try await store.records(tenant: "acme", from: 5, limit: 2)
        #expect(records.map(\.index) == [5, 6])
        #expect(String(decoding: records[0].canonicalJSON, as: UTF8.self) == "{\"note\":\"r5\",\"seq\":5}")
        let summary = try await store.audit(tenant: "acme")
        #expect(summary.size == size && summary.checkpointsVerified == 1)
        // Other tenants are separate trees.
        #expect(try await store.tree(tenant: "other").size == 0)
    }

    @Test func rejectsRequestsOutsideTheTree() async throws {
        let scratch = try ScratchDirectory()
        let store = try makeStore(scratch)
        _ = try await store.append(tenant: "t", records: try (0..<5).map(record))
        await #expect(throws: StorageError.self) { try await store.inclusionProof(tenant: "t", index: 5) }
        await #expect(throws: StorageError.self) { try await store.inclusionProof(tenant: "t", index: 0, size: 6) }
        await #expect(throws: StorageError.self) { try await store.consistencyProof(tenant: "t", from: 4, to: 3) }
        await #expect(throws: StorageError.self) { try await store.consistencyProof(tenant: "t", from: 0, to: 3) }
        await #expect(throws: StorageError.self) { try await store.consistencyProof(tenant: "t", from: 2, to: 6) }
        await #expect(throws: StorageError.self) { try await store.append(tenant: "bad tenant", records: [try record(1)]) }
    }

    @Test func triggersRefuseUpdateAndDelete() async throws {
        let scratch = try ScratchDirectory()
        let store = try makeStore(scratch)
        _ = try await store.append(tenant: "t", records: try (0..<3).map(record))
        _ = try await store.signCheckpoint(tenant: "t")
        for sql in [
            "UPDATE ledger_records SET record = '{}' WHERE leaf_index = 1",
            "DELETE FROM ledger_records WHERE leaf_index = 2",
            "UPDATE ledger_checkpoints SET note = ''",
            "DELETE FROM ledger_checkpoints",
        ] {
            await #expect(throws: DatabaseError.self) {
                try await store.database.pool.write { db in try db.execute(sql: sql) }
            }
        }
        #expect(try await store.audit(tenant: "t").size == 3)
    }

    @Test func auditNamesTheTamperedLeaf() async throws {
        let scratch = try ScratchDirectory()
        let store = try makeStore(scratch)
        _ = try await store.append(tenant: "t", records: try (0..<40).map(record))
        _ = try await store.signCheckpoint(tenant: "t")
        // An administrator drops the trigger and edits a record behind the ledger's back.
        try await store.database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER ledger_records_no_update")
            try db.execute(sql: "UPDATE ledger_records SET record = '{\"note\":\"forged\",\"seq\":17}' WHERE leaf_index = 17")
        }
        let failure = await #expect(throws: LedgerAuditor.AuditFailure.self) { try await store.audit(tenant: "t") }
        #expect(failure?.location == .leaf(17))
        #expect(failure?.description.hasPrefix("leaf 17:") == true)
    }

    @Test func groupCommitIsolatesFailingSubmissions() async throws {
        let scratch = try ScratchDirectory()
        let store = try makeStore(scratch)
        let database = store.database
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<50 {
                group.addTask {
                    do {
                        _ = try await database.write { db -> [LeafReceipt] in
                            let receipts = try LedgerStore.append(db, tenant: "g", records: [try record(i)])
                            if i % 5 == 0 { throw StorageError(.corrupt, "deliberate failure") }
                            return receipts
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 40)
        let summary = try await store.audit(tenant: "g")
        #expect(summary.size == 40)
    }

    @Test func groupTransactionsFoldEveryTenantsLeavesOnceAndKeepReceiptsExact() async throws {
        let scratch = try ScratchDirectory()
        let store = try makeStore(scratch)
        let database = store.database
        // Concurrent submissions over three tenants, two records each, every seventh one
        // failing after its append: the group transactions defer the tree update and
        // roll back a failed submission's leaves.
        let results = try await withThrowingTaskGroup(of: (String, [LeafReceipt], [UInt8])?.self) { group in
            for i in 0..<300 {
                group.addTask {
                    let tenant = ["a", "b", "c"][i % 3]
                    let records = [try record(2 * i), try record(2 * i + 1)]
                    do {
                        let receipts = try await database.write { db -> [LeafReceipt] in
                            let receipts = try LedgerStore.append(db, tenant: tenant, records: records)
                            if i % 7 == 0 { throw StorageError(.corrupt, "deliberate failure") }
                            return receipts
                        }
                        return (tenant, receipts, records[0].canonicalJSON)
                    } catch {
                        return nil
                    }
                }
            }
            return try await group.reduce(into: [(String, [LeafReceipt], [UInt8])]()) { if let r = $1 { $0.append(r) } }
        }
        #expect(results.count == 300 - 43)
        for tenant in ["a", "b", "c"] {
            let mine = results.filter { $0.0 == tenant }
            let summary = try await store.audit(tenant: tenant)
            #expect(summary.size == UInt64(2 * mine.count))
            // Receipts are exactly the leaves 0..<size, two consecutive per submission.
            let indices = mine.flatMap { $0.1.map(\.index) }.sorted()
            #expect(indices == Array(0..<UInt64(2 * mine.count)))
            let stored = try await store.records(tenant: tenant, from: 0, limit: 10_000)
            let tree = try await store.tree(tenant: tenant)
            for (_, receipts, firstJSON) in mine {
                #expect(receipts[1].index == receipts[0].index + 1)
                #expect(stored[Int(receipts[0].index)].canonicalJSON == firstJSON)
                let proof = try await store.inclusionProof(tenant: tenant, index: receipts[0].index)
                #expect(proof.root == tree.root)
                try ProofVerifier.verifyInclusion(
                    leafHash: receipts[0].leafHash, index: receipts[0].index, size: tree.size, proof: proof.proof, root: tree.root)
            }
        }
    }

    @Test func instanceKeyIsPrivateAndStable() throws {
        let scratch = try ScratchDirectory()
        let first = try InstanceKey.loadOrCreate(dataDirectory: scratch.path, instanceName: "inst.example")
        let again = try InstanceKey.loadOrCreate(dataDirectory: scratch.path)
        #expect(first.verifierKey == again.verifierKey)
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.path + "/" + InstanceKey.fileName)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(throws: StorageError.self) { try InstanceKey.loadOrCreate(dataDirectory: scratch.path, instanceName: "other") }
    }
}
