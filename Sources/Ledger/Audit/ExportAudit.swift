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

    /// Verifies an export.
    ///
    /// - Parameters:
    ///   - records: the bytes of `records.jsonl` (one record per line, leaf order).
    ///   - checkpoints: the text of `checkpoints.txt`.
    ///   - leafHashes: the bytes of `leaf_hashes.bin` if present (lets a mismatch name its exact leaf).
    ///   - key: the verifier key the auditor trusts.
    /// - Returns: the audit summary and the checkpoints' origin.
    /// - Throws: `LedgerAuditor.AuditFailure` naming the first bad leaf or checkpoint.
    public static func verify(
        records: UnsafeBufferPointer<UInt8>, checkpoints text: String, leafHashes: [UInt8]?, key: NoteVerifierKey
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
        var start = 0
        let count = records.count
        while start < count {
            var end = start
            while end < count && records[end] != 0x0a { end += 1 }
            let index = Int(auditor.size)
            var claimed: Hash?
            if let leafHashes {
                guard (index + 1) * 32 <= leafHashes.count else {
                    throw LedgerAuditor.AuditFailure(.leaf(UInt64(index)), "leaf_hashes.bin lists fewer leaves than records.jsonl")
                }
                claimed = Hash(unchecked: Array(leafHashes[index * 32..<index * 32 + 32]))
            }
            try auditor.add(recordJSON: UnsafeBufferPointer(rebasing: records[start..<end]), claimedLeafHash: claimed)
            start = end + 1
        }
        if let leafHashes, leafHashes.count / 32 != Int(auditor.size) {
            throw LedgerAuditor.AuditFailure(.leaf(auditor.size), "leaf_hashes.bin lists more leaves than records.jsonl")
        }
        return (try auditor.finish(), origin)
    }
}
