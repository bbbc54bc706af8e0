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
        /// Which measurements to run.
        public var sections: Set<Section>

        /// Options with the given sizes.
        public init(
            appendRecords: Int, singleCommits: Int, proofTreeSize: UInt64, proofs: Int, exportRecords: Int,
            sections: Set<Section> = Set(Section.allCases)
        ) {
            self.appendRecords = appendRecords
            self.singleCommits = singleCommits
            self.proofTreeSize = proofTreeSize
            self.proofs = proofs
            self.exportRecords = exportRecords
            self.sections = sections
        }
    }

    /// One group of measurements.
    public enum Section: String, CaseIterable, Sendable {
        /// Batched, one-per-commit and concurrent single-record appends.
        case append
        /// Inclusion and consistency proofs on a large tree.
        case proofs
        /// Offline verification of a large export.
        case export
    }

    static func sampleRecord(_ i: Int) -> [UInt8] {
        Array("""
            {"surface":"api","actor":"user\(i % 977)@example.com","ai_provider":"openai","model":"gpt-4o","decision":"allow","event_id":"00000000-0000-4000-8000-\(String(format: "%012d", i))","policy_version":"v1","findings":[{"type":"EMAIL_ADDRESS","start":10,"end":27,"score":0.95}]}
            """.utf8)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// CPU time (user + system) this process has used so far, in seconds.
    ///
    /// Reported next to wall-clock figures: on a machine shared with other
    /// work, wall time measures the load as much as the code.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        let who = RUSAGE_SELF.rawValue
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The 1-minute load average, if the system reports it (Linux `/proc/loadavg`).
    static func loadAverage() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
            let first = text.split(separator: " ").first, Double(first) != nil
        else { return nil }
        return String(first)
    }

    /// Runs every measurement under `scratch` and returns the figures as one JSON object.
    public static func run(
        scratch: String, options: Options, progress: @escaping @Sendable (String) -> Void
    ) async throws -> String {
        let signer = try NoteSigner.generate(name: "bench.example")
        var figures: [String] = []
        if let load = loadAverage() {
            progress("load average (1 min) at start: \(load)")
            figures.append("\"load_average_at_start\":\(load)")
        }

        if options.sections.contains(.append) {
            try await appendFigures(scratch: scratch, options: options, signer: signer, progress: progress, into: &figures)
        }
        if options.sections.contains(.proofs) {
            try await proofFigures(scratch: scratch, options: options, signer: signer, progress: progress, into: &figures)
        }
        if options.sections.contains(.export) {
            try await exportFigures(scratch: scratch, options: options, signer: signer, progress: progress, into: &figures)
        }
        return "{" + figures.joined(separator: ",") + "}"
    }

    static func appendFigures(
        scratch: String, options: Options, signer: NoteSigner, progress: @escaping @Sendable (String) -> Void,
        into figures: inout [String]
    ) async throws {
        let clock = ContinuousClock()
        // 1. Batched appends: 8 concurrent writers of 1,000-record batches. The
        // JSON text is generated beforehand; parsing, canonicalisation, hashing
        // and the commit are timed.
        try? FileManager.default.removeItem(atPath: scratch + "/append")
        let appendStore = LedgerStore(database: try AppDatabase(dataDirectory: scratch + "/append"), signer: signer)
        let batches = max(1, options.appendRecords / 1000)
        let lines = (0..<(batches * 1000)).map { sampleRecord($0) }
        let start = clock.now
        let startCPU = cpuSeconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var batch = worker
                    while batch < batches {
                        var canonicalizer = JCS.Canonicalizer()
                        let records = try lines[(batch * 1000)..<(batch * 1000 + 1000)].map { line in
                            try line.withUnsafeBufferPointer { try LedgerRecord(json: $0, canonicalizer: &canonicalizer) }
                        }
                        _ = try await appendStore.append(tenant: "bench", records: records)
                        batch += 8
                    }
                }
            }
            try await group.waitForAll()
        }
        let batched = Double(batches * 1000) / seconds(clock.now - start)
        let batchedCPU = cpuSeconds() - startCPU
        progress("batched appends: \(Int(batched)) records/s (\(String(format: "%.2f", batchedCPU)) s of CPU for \(batches * 1000) records)")
        figures.append("\"append_batched_records_per_s\":\(Int(batched))")
        figures.append("\"append_batched_cpu_s\":\(String(format: "%.2f", batchedCPU))")

        // 2. One record per commit, one caller awaiting each commit.
        let singleStart = clock.now
        for i in 0..<options.singleCommits {
            _ = try await appendStore.append(tenant: "single", records: [try LedgerRecord(json: lines[i % lines.count])])
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
                        _ = try await appendStore.append(
                            tenant: "concurrent", records: [try LedgerRecord(json: lines[i % lines.count])])
                        i += 64
                    }
                }
            }
            try await group.waitForAll()
        }
        let concurrent = Double(options.singleCommits * 4) / seconds(clock.now - concurrentStart)
        progress("one record per call, 64 concurrent callers: \(Int(concurrent)) records/s")
        figures.append("\"append_one_per_call_64_callers_per_s\":\(Int(concurrent))")
        for (tenant, size) in [("bench", batches * 1000), ("single", options.singleCommits), ("concurrent", options.singleCommits * 4)] {
            let audit = try await appendStore.audit(tenant: tenant)
            precondition(audit.size == UInt64(size), "the \(tenant) ledger holds \(audit.size) leaves, not \(size)")
        }
    }

    static func proofFigures(
        scratch: String, options: Options, signer: NoteSigner, progress: @escaping @Sendable (String) -> Void,
        into figures: inout [String]
    ) async throws {
        let clock = ContinuousClock()
        // 4. Proofs on a large tree, built in bulk (100,000 leaves per transaction).
        // A tree of the requested size left in the scratch directory by an
        // earlier run is reused (its build time is then not reported).
        let proofStore = LedgerStore(database: try AppDatabase(dataDirectory: scratch + "/proofs"), signer: signer)
        let buildStart = clock.now
        var built = try await proofStore.tree(tenant: "big").size
        if built > options.proofTreeSize {
            throw StorageError(.outOfRange, "the scratch proof tree holds \(built) leaves, more than \(options.proofTreeSize)")
        }
        let reused = built == options.proofTreeSize
        while built < options.proofTreeSize {
            let count = Int(min(100_000, options.proofTreeSize - built))
            let first = built
            let records = try (0..<count).map { try LedgerRecord(json: Array("{\"i\":\(first + UInt64($0))}".utf8)) }
            _ = try await proofStore.database.pool.write { db in try LedgerStore.append(db, tenant: "big", records: records) }
            built += UInt64(count)
            if built % 1_000_000 == 0 { progress("built \(built) leaves") }
        }
        let buildSeconds = seconds(clock.now - buildStart)
        figures.append("\"proof_tree_size\":\(built)")
        if reused {
            progress("reusing the \(built)-leaf tree in \(scratch)/proofs")
        } else {
            progress("built a \(built)-leaf tree in \(String(format: "%.1f", buildSeconds)) s")
            figures.append("\"proof_tree_build_s\":\(String(format: "%.1f", buildSeconds))")
        }
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

    }

    static func exportFigures(
        scratch: String, options: Options, signer: NoteSigner, progress: @escaping @Sendable (String) -> Void,
        into figures: inout [String]
    ) async throws {
        let clock = ContinuousClock()
        // 5. Offline verification of an export (reused if an earlier run left one of this size).
        let exportDirectory = scratch + "/export-files"
        let existing = try? String(contentsOfFile: exportDirectory + "/size.txt", encoding: .utf8)
        if existing != String(options.exportRecords) {
            try? FileManager.default.removeItem(atPath: scratch + "/export")
            try? FileManager.default.removeItem(atPath: exportDirectory)
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
            _ = try await exportStore.export(tenant: "audit", to: exportDirectory)
            try Data(String(options.exportRecords).utf8).write(to: URL(fileURLWithPath: exportDirectory + "/size.txt"))
        }
        let key = try NoteVerifierKey(try String(contentsOfFile: exportDirectory + "/vkey.txt", encoding: .utf8))
        // Timed from reading the files to the verdict, as `astral ledger verify --export` does it.
        for workers in [1, ProcessInfo.processInfo.activeProcessorCount] {
            let verifyStart = clock.now
            let startCPU = cpuSeconds()
            let result = try LedgerExportVerification.verify(directory: exportDirectory, key: key, workers: workers)
            let verifySeconds = seconds(clock.now - verifyStart)
            let verifyCPU = cpuSeconds() - startCPU
            precondition(result.summary.size == UInt64(options.exportRecords))
            progress("verified a \(options.exportRecords)-record export with \(workers) worker(s) in \(String(format: "%.2f", verifySeconds)) s (\(String(format: "%.2f", verifyCPU)) s of CPU)")
            figures.append("\"export_verify_\(workers)_workers_s\":\(String(format: "%.2f", verifySeconds))")
            figures.append("\"export_verify_\(workers)_workers_cpu_s\":\(String(format: "%.2f", verifyCPU))")
        }
        figures.append("\"export_records\":\(options.exportRecords)")
    }
}
