/// The offline audit of an export directory's contents, with nothing but the
/// files and the verifier key (the caller reads the files).
public enum ExportAudit {
    /// Splits `checkpoints.txt` (signed notes separated by an empty line) into notes.
    public static func splitNotes(_ text: String) throws -> [String] {
        var notes: [String] = []
        var current: [Substring] = []
        var inSignatures = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            let isLast = i == lines.count - 1
            if line.isEmpty {
                if inSignatures {
                    notes.append(current.joined(separator: "\n") + "\n")
                    current = []
                    inSignatures = false
                } else if !current.isEmpty {
                    current.append(line)
                    inSignatures = true
                } else if !isLast {
                    throw LedgerError(.malformedNote, "checkpoints.txt: unexpected empty line \(i + 1)")
                }
            } else {
                if inSignatures && !line.hasPrefix("\u{2014} ") {
                    throw LedgerError(.malformedNote, "checkpoints.txt: line \(i + 1) should be a signature line")
                }
                current.append(line)
            }
        }
        if !current.isEmpty {
            guard inSignatures else { throw LedgerError(.malformedNote, "checkpoints.txt: the last note has no signature") }
            notes.append(current.joined(separator: "\n") + "\n")
        }
        return notes
    }

    /// Runs `body(0)`, `body(1)`, … `body(n − 1)`, possibly at the same time
    /// (e.g. `DispatchQueue.concurrentPerform`), and returns when all are done.
    public typealias ConcurrentPerform = (_ iterations: Int, _ body: @escaping @Sendable (Int) -> Void) -> Void

    /// Runs the iterations one after the other (no concurrency).
    public static func serialPerform(_ iterations: Int, _ body: @escaping @Sendable (Int) -> Void) {
        for i in 0..<iterations { body(i) }
    }

    /// Verifies an export.
    ///
    /// Records are canonicalised and hashed in blocks; within a block, `workers`
    /// slices are hashed through `perform` (pass `DispatchQueue.concurrentPerform`
    /// to use several cores), then folded into the tree in leaf order, so the
    /// result and the first failure reported are the same as a serial audit.
    ///
    /// - Parameters:
    ///   - records: the bytes of `records.jsonl` (one record per line, leaf order).
    ///   - checkpoints: the text of `checkpoints.txt`.
    ///   - leafHashes: the bytes of `leaf_hashes.bin` if present (lets a mismatch name its exact leaf).
    ///   - key: the verifier key the auditor trusts.
    ///   - workers: slices hashed at the same time per block (1 = serial).
    ///   - perform: runs the slices; called from the calling thread, must return when all have run.
    ///   - sliceBytes: about how many bytes of records one slice holds (it ends at a line end).
    /// - Returns: the audit summary and the checkpoints' origin.
    /// - Throws: `LedgerAuditor.AuditFailure` naming the first bad leaf or checkpoint.
    public static func verify(
        records: UnsafeBufferPointer<UInt8>, checkpoints text: String, leafHashes: [UInt8]?, key: NoteVerifierKey,
        workers: Int = 1, perform: ConcurrentPerform = serialPerform, sliceBytes: Int = 1 << 20
    ) throws -> (summary: LedgerAuditor.Summary, origin: String?) {
        let notes: [String]
        do {
            notes = try splitNotes(text)
        } catch let error as LedgerError {
            throw LedgerAuditor.AuditFailure(.checkpoint(number: 1, size: 0), error.message)
        }
        var checkpoints: [Checkpoint] = []
        var origin: String?
        for (i, note) in notes.enumerated() {
            let checkpoint: Checkpoint
            do {
                checkpoint = try Checkpoint.verified(note: note, key: key, expectedOrigin: origin)
            } catch let error as LedgerError {
                let size = (try? SignedNote(parsing: note)).flatMap { try? Checkpoint(text: $0.text) }?.size ?? 0
                throw LedgerAuditor.AuditFailure(.checkpoint(number: i + 1, size: size), error.message)
            }
            origin = checkpoint.origin
            checkpoints.append(checkpoint)
        }
        if let leafHashes, leafHashes.count % 32 != 0 {
            throw LedgerAuditor.AuditFailure(.leaf(UInt64(leafHashes.count / 32)), "leaf_hashes.bin is truncated")
        }
        var auditor = try LedgerAuditor(checkpoints: checkpoints)
        let workers = max(1, workers)
        var slices = [SliceResult](repeating: SliceResult(), count: workers)
        var start = 0
        let count = records.count
        while start < count {
            // One block: up to `workers` slices of about `sliceBytes` each, cut at line ends.
            var bounds: [Range<Int>] = []
            var sliceStart = start
            while bounds.count < workers && sliceStart < count {
                var end = min(count, sliceStart + max(1, sliceBytes))
                while end < count && records[end - 1] != 0x0a { end += 1 }
                bounds.append(sliceStart..<end)
                sliceStart = end
            }
            slices.withUnsafeMutableBufferPointer { results in
                let work = SliceWork(records: records, results: results, bounds: bounds)
                perform(bounds.count) { i in work.run(i) }
            }
            for i in 0..<bounds.count {
                for hash in slices[i].hashes {
                    try auditor.add(leafHash: hash, claimedLeafHash: try claimed(leafHashes, auditor.size))
                }
                if let message = slices[i].failure {
                    let index = auditor.size
                    _ = try claimed(leafHashes, index)
                    throw LedgerAuditor.AuditFailure(.leaf(index), "record is not a valid ledger record (\(message))")
                }
            }
            start = sliceStart
        }
        if let leafHashes, leafHashes.count / 32 != Int(auditor.size) {
            throw LedgerAuditor.AuditFailure(.leaf(auditor.size), "leaf_hashes.bin lists more leaves than records.jsonl")
        }
        return (try auditor.finish(), origin)
    }

    /// The listed hash of leaf `index`, if a list is given; throws if the list is too short.
    private static func claimed(_ leafHashes: [UInt8]?, _ index: UInt64) throws -> Hash? {
        guard let leafHashes else { return nil }
        let i = Int(index)
        guard (i + 1) * 32 <= leafHashes.count else {
            throw LedgerAuditor.AuditFailure(.leaf(index), "leaf_hashes.bin lists fewer leaves than records.jsonl")
        }
        return leafHashes.withUnsafeBytes { Hash(raw: $0, offset: i * 32) }
    }

    /// One block's slices: iteration i reads slice i of the records and writes only result i.
    ///
    /// `@unchecked Sendable` because it carries pointers: the records are only
    /// read, each iteration writes its own result, and `perform` returns only
    /// after every iteration has finished, while both buffers are still alive.
    private struct SliceWork: @unchecked Sendable {
        let records: UnsafeBufferPointer<UInt8>
        let results: UnsafeMutableBufferPointer<SliceResult>
        let bounds: [Range<Int>]

        func run(_ i: Int) {
            results[i].hash(UnsafeBufferPointer(rebasing: records[bounds[i]]))
        }
    }

    /// The leaf hashes of one slice of lines, up to its first invalid record.
    private struct SliceResult {
        var hashes: [Hash] = []
        var failure: String?
        var canonicalizer = JCS.Canonicalizer()
        var buffer: [UInt8] = []

        mutating func hash(_ lines: UnsafeBufferPointer<UInt8>) {
            hashes.removeAll(keepingCapacity: true)
            failure = nil
            var start = 0
            let count = lines.count
            while start < count {
                var end = start
                while end < count && lines[end] != 0x0a { end += 1 }
                do {
                    hashes.append(try LedgerRecord.leafHash(
                        json: UnsafeBufferPointer(rebasing: lines[start..<end]),
                        canonicalizer: &canonicalizer, buffer: &buffer))
                } catch let error as LedgerError {
                    failure = error.message
                    return
                } catch {
                    failure = "\(error)"
                    return
                }
                start = end + 1
            }
        }
    }
}
