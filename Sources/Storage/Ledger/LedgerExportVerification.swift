import Dispatch
import Foundation
import Ledger

/// Offline verification of an export directory written by `LedgerStore.export`:
/// reads `records.jsonl`, `checkpoints.txt` and (if present) `leaf_hashes.bin`
/// and runs `ExportAudit.verify` on them, hashing records on every core.
public enum LedgerExportVerification {
    /// Verifies the export in `directory` against `key` (the key the auditor trusts).
    ///
    /// `workers` slices of records are canonicalised and hashed at the same
    /// time (default: one per active core); the outcome does not depend on it.
    /// Throws `StorageError` (`cannotOpen`) if a file cannot be read, and
    /// `LedgerAuditor.AuditFailure` naming the first bad leaf or checkpoint.
    public static func verify(
        directory: String, key: NoteVerifierKey, workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws -> (summary: LedgerAuditor.Summary, origin: String?) {
        let dir = URL(fileURLWithPath: directory)
        guard let records = try? Data(contentsOf: dir.appendingPathComponent("records.jsonl"), options: .alwaysMapped)
        else { throw StorageError(.cannotOpen, "cannot read \(directory)/records.jsonl") }
        guard let checkpoints = try? String(contentsOf: dir.appendingPathComponent("checkpoints.txt"), encoding: .utf8)
        else { throw StorageError(.cannotOpen, "cannot read \(directory)/checkpoints.txt") }
        let hashesURL = dir.appendingPathComponent("leaf_hashes.bin")
        var leafHashes: [UInt8]?
        if FileManager.default.fileExists(atPath: hashesURL.path) {
            guard let data = try? Data(contentsOf: hashesURL) else {
                throw StorageError(.cannotOpen, "cannot read \(directory)/leaf_hashes.bin")
            }
            leafHashes = Array(data)
        }
        return try records.withUnsafeBytes { raw in
            try ExportAudit.verify(
                records: raw.bindMemory(to: UInt8.self), checkpoints: checkpoints, leafHashes: leafHashes, key: key,
                workers: max(1, workers)
            ) { iterations, body in
                if iterations == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: iterations, execute: body) }
            }
        }
    }
}
