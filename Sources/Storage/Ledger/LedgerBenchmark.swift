import Foundation
import GRDB
import Ledger

/// The ledger benchmark behind `astral ledger bench`: append throughput,
/// proof latency on a large tree and offline verification of a large export.
/// Figures, not assertions: nothing here gates a build.
public enum LedgerBenchmark {
    /// What to measure and how much.
    public struct Options: Sendable {
        /// Records appended in batches.
        public var appendRecords: Int
        /// Records appended one per commit.
        public var singleCommits: Int
        /// Leaves of the tree proofs are measured on.
        public var proofTreeSize: UInt64
        /// Proofs timed per kind.
        public var proofs: Int
        /// Records in the export that is verified.
        public var exportRecords: Int

        /// Options with the given sizes.
        public init(appendRecords: Int, singleCommits: Int, proofTreeSize: UInt64, proofs: Int, exportRecords: Int) {
            self.appendRecords = appendRecords
            self.singleCommits = singleCommits
            self.proofTreeSize = proofTreeSize
            self.proofs = proofs
            self.exportRecords = exportRecords
        }
    }

    static func sampleRecord(_ i: Int) -> [UInt8] {
        Array("""
            {"surface":"api","actor":"user\(i % 977)@example.com","ai_provider":"openai","model":"gpt-4o","decision":"allow","event_id":"00000000-0000-4000-8000-\(String(format: "%012d", i))","policy_version":"v1","findings":[{"type":"EMAIL_ADDRESS","start":10,"end":27,"score":0.95}]}
            """.utf8)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Runs every measurement under `scratch` and returns the figures as one JSON object.
    public static func run(
        scratch: String, options: Options, progress: @escaping @Sendable (String) -> Void
    ) async throws -> String {
        let clock = ContinuousClock()
        let signer = try NoteSigner.generate(name: "bench.example")
        var figures: [String] = []

        // 1. Batched appends: 8 concurrent writers of 1,000-record batches, parsing included.
        let appendStore = LedgerStore(database: try AppDatabase(dataDirectory: scratch + "/append"), signer: signer)
        let batches = max(1, options.appendRecords / 1000)
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var batch = worker
                    while batch < batches {
                        let records = try (0..<1000).map { try LedgerRecord(json: sampleRecord(batch * 1000 + $0)) }
                        _ = try await appendStore.append(tenant: "bench", records: records)
                        batch += 8
                    }
                }
            }
            try await group.waitForAll()
        }
        let batched = Double(batches * 1000) / seconds(clock.now - start)
        progress("batched appends: \(Int(batched)) records/s")
        figures.append("\"append_batched_records_per_s\":\(Int(batched))")

        // 2. One record per commit, one caller awaiting each commit.
        let singleStart = clock.now
        for i in 0..<options.singleCommits {
            _ = try await appendStore.append(tenant: "single", records: [try LedgerRecord(json: sampleRecord(i))])
        }
        let single = Double(options.singleCommits) / seconds(clock.now - singleStart)
        progress("one record per commit, sequential: \(Int(single)) commits/s")
        figures.append("\"append_one_per_commit_sequential_per_s\":\(Int(single))")

        // 3. One record per call from 64 concurrent callers: group commit shares the fsync.
        let concurrentStart = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<64 {
                group.addTask {
                    var i = worker
                    while i < options.singleCommits * 4 {
                        _ = try await appendStore.append(tenant: "concurrent", records: [try LedgerRecord(json: sampleRecord(i))])
                        i += 64
                    }
                }
            }
            try await group.waitForAll()
        }
        let concurrent = Double(options.singleCommits * 4) / seconds(clock.now - concurrentStart)
        progress("one record per call, 64 concurrent callers: \(Int(concurrent)) records/s")
        figures.append("\"append_one_per_call_64_callers_per_s\":\(Int(concurrent))")
        let audit = try await appendStore.audit(tenant: "bench")
        precondition(audit.size == UInt64(batches * 1000))

        // 4. Proofs on a large tree, built in bulk (100,000 leaves per transaction).
        let proofStore = LedgerStore(database: try AppDatabase(dataDirectory: scratch + "/proofs"), signer: signer)
        let buildStart = clock.now
        var built: UInt64 = 0
        while built < options.proofTreeSize {
            let count = Int(min(100_000, options.proofTreeSize - built))
            let first = built
            let records = try (0..<count).map { try LedgerRecord(json: Array("{\"i\":\(first + UInt64($0))}".utf8)) }
            _ = try await proofStore.database.pool.write { db in try LedgerStore.append(db, tenant: "big", records: records) }
            built += UInt64(count)
            if built % 1_000_000 == 0 { progress("built \(built) leaves") }
        }
        let buildSeconds = seconds(clock.now - buildStart)
        progress("built a \(built)-leaf tree in \(String(format: "%.1f", buildSeconds)) s")
        figures.append("\"proof_tree_size\":\(built)")
        figures.append("\"proof_tree_build_s\":\(String(format: "%.1f", buildSeconds))")
        let state = try await proofStore.tree(tenant: "big")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {  // warm-up
            _ = try await proofStore.inclusionProof(tenant: "big", index: UInt64.random(in: 0..<built, using: &generator))
        }
        var inclusion: [Double] = []
        for _ in 0..<options.proofs {
            let index = UInt64.random(in: 0..<built, using: &generator)
            let t = clock.now
            let proof = try await proofStore.inclusionProof(tenant: "big", index: index)
            inclusion.append(seconds(clock.now - t) * 1e6)
            try ProofVerifier.verifyInclusion(
                leafHash: proof.leafHash, index: index, size: built, proof: proof.proof, root: state.root)
        }
        var consistency: [Double] = []
        for _ in 0..<options.proofs {
            let from = UInt64.random(in: 1...built, using: &generator)
            let t = clock.now
            let proof = try await proofStore.consistencyProof(tenant: "big", from: from, to: built)
            consistency.append(seconds(clock.now - t) * 1e6)
            try ProofVerifier.verifyConsistency(
                size1: from, size2: built, root1: proof.root1, root2: state.root, proof: proof.proof)
        }
        inclusion.sort()
        consistency.sort()
        let p = { (values: [Double], q: Double) in Int(values[min(values.count - 1, Int(Double(values.count) * q))]) }
        progress("inclusion proof: median \(p(inclusion, 0.5)) µs, p99 \(p(inclusion, 0.99)) µs")
        progress("consistency proof: median \(p(consistency, 0.5)) µs, p99 \(p(consistency, 0.99)) µs")
        figures.append("\"inclusion_proof_median_us\":\(p(inclusion, 0.5)),\"inclusion_proof_p99_us\":\(p(inclusion, 0.99))")
        figures.append("\"consistency_proof_median_us\":\(p(consistency, 0.5)),\"consistency_proof_p99_us\":\(p(consistency, 0.99))")

        // 5. Offline verification of an export.
        let exportStore = LedgerStore(database: try AppDatabase(dataDirectory: scratch + "/export"), signer: signer)
        var written = 0
        while written < options.exportRecords {
            let count = min(100_000, options.exportRecords - written)
            let first = written
            let records = try (0..<count).map { try LedgerRecord(json: sampleRecord(first + $0)) }
            _ = try await exportStore.database.pool.write { db in try LedgerStore.append(db, tenant: "audit", records: records) }
            written += count
            if written % 250_000 == 0 { _ = try await exportStore.signCheckpoint(tenant: "audit") }
        }
        let exportDirectory = scratch + "/export-files"
        _ = try await exportStore.export(tenant: "audit", to: exportDirectory)
        let verifyStart = clock.now
        let records = try Data(contentsOf: URL(fileURLWithPath: exportDirectory + "/records.jsonl"), options: .alwaysMapped)
        let notes = try String(contentsOfFile: exportDirectory + "/checkpoints.txt", encoding: .utf8)
        let hashes = Array(try Data(contentsOf: URL(fileURLWithPath: exportDirectory + "/leaf_hashes.bin")))
        let key = try NoteVerifierKey(try String(contentsOfFile: exportDirectory + "/vkey.txt", encoding: .utf8))
        let result = try records.withUnsafeBytes { raw in
            try ExportAudit.verify(records: raw.bindMemory(to: UInt8.self), checkpoints: notes, leafHashes: hashes, key: key)
        }
        let verifySeconds = seconds(clock.now - verifyStart)
        precondition(result.summary.size == UInt64(options.exportRecords))
        progress("verified a \(options.exportRecords)-record export in \(String(format: "%.2f", verifySeconds)) s")
        figures.append("\"export_records\":\(options.exportRecords),\"export_verify_s\":\(String(format: "%.2f", verifySeconds))")
        return "{" + figures.joined(separator: ",") + "}"
    }
}
