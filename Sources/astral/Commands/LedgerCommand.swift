import ArgumentParser
import Dispatch
import Foundation
import Ledger
import Storage

/// `astral ledger`: the evidence ledger (CONTRACTS.md §3).
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Append to, prove and verify the evidence ledger.",
        subcommands: [
            Append.self, CheckpointCommand.self, Key.self, Prove.self, Consistency.self, Verify.self, Export.self,
            Bench.self,
        ]
    )
}

/// Options shared by the commands that address one tenant's log.
struct TenantOptions: ParsableArguments {
    @Option(help: "The tenant whose log to use.")
    var tenant: String = "default"
}

extension LedgerCommand {
    struct Append: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append JSON-lines records; prints {\"leaf_index\", \"leaf_hash\"} per record once durable.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var tenantOptions: TenantOptions
        @Option(help: "Largest record accepted, in bytes (default $ASTRAL_LEDGER_MAX_RECORD_BYTES or 1048576).")
        var maxRecordBytes: Int?
        @Argument(help: "JSON-lines file, or - for standard input (default).")
        var file: String?

        func validate() throws {
            if let maxRecordBytes, maxRecordBytes < 2 { throw ValidationError("--max-record-bytes must be at least 2") }
        }

        func run() async throws {
            try await LedgerCLI.mapErrors {
                let limit = try maxRecordBytes ?? LedgerCLI.configuredRecordLimit()
                try LedgerStore.validate(tenant: tenantOptions.tenant)
                let store = try LedgerCLI.openStore(global)
                let input: FileHandle
                if let file, file != "-" {
                    guard let handle = FileHandle(forReadingAtPath: file) else {
                        throw CommandFailure("cannot open \(file)")
                    }
                    input = handle
                } else {
                    input = FileHandle.standardInput
                }
                try await appendLines(from: input, store: store, limit: limit)
            }
        }

        private func appendLines(from input: FileHandle, store: LedgerStore, limit: Int) async throws {
            var carry: [UInt8] = []
            var lineNumber = 0
            var endOfInput = false
            while !endOfInput {
                let chunk = try await LedgerCLI.blocking { try input.read(upToCount: 1 << 20) ?? Data() }
                endOfInput = chunk.isEmpty
                carry.append(contentsOf: chunk)
                var records: [LedgerRecord] = []
                var failure: String?
                var start = 0
                func take(_ end: Int) {
                    lineNumber += 1
                    var stop = end
                    if stop > start && carry[stop - 1] == 0x0d { stop -= 1 }
                    let line = carry[start..<stop]
                    guard line.contains(where: { !($0 == 0x20 || $0 == 0x09) }) else { return }
                    do {
                        records.append(try LedgerRecord(json: line, maximumBytes: limit))
                    } catch let error as LedgerError {
                        failure = "line \(lineNumber): \(error.message)"
                    } catch {
                        failure = "line \(lineNumber): \(error)"
                    }
                }
                while failure == nil, let newline = carry[start...].firstIndex(of: 0x0a) {
                    take(newline)
                    start = newline + 1
                }
                if failure == nil && endOfInput && start < carry.count {
                    take(carry.count)
                    start = carry.count
                }
                carry.removeFirst(start)
                if failure == nil && carry.count > limit + 1 {
                    failure = "line \(lineNumber + 1): record exceeds the limit of \(limit) bytes"
                }
                if !records.isEmpty {
                    let receipts = try await store.append(tenant: tenantOptions.tenant, records: records)
                    var out = ""
                    out.reserveCapacity(receipts.count * 96)
                    for receipt in receipts {
                        out += "{\"leaf_index\":\(receipt.index),\"leaf_hash\":\"\(receipt.leafHash.hex)\"}\n"
                    }
                    try await LedgerCLI.writeStandardOutput(out)
                }
                if let failure { throw CommandFailure(failure) }
            }
        }
    }

    struct CheckpointCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint", abstract: "Sign and print a checkpoint of the committed tree.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var tenantOptions: TenantOptions

        func run() async throws {
            try await LedgerCLI.mapErrors {
                let store = try LedgerCLI.openStore(global)
                let checkpoint = try await store.signCheckpoint(tenant: tenantOptions.tenant)
                try await LedgerCLI.writeStandardOutput(checkpoint.note)
            }
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the verifier key of this instance.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await LedgerCLI.mapErrors {
                let signer = try InstanceKey.loadOrCreate(dataDirectory: global.resolvedDataDirectory)
                try await LedgerCLI.writeStandardOutput(signer.verifierKey.description + "\n")
            }
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an inclusion proof for one leaf.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var tenantOptions: TenantOptions
        @Option(help: "The leaf index.") var index: UInt64
        @Option(help: "The tree size (default: the committed size).") var size: UInt64?

        func run() async throws {
            try await LedgerCLI.mapErrors {
                let store = try LedgerCLI.openStore(global)
                let proof = try await store.inclusionProof(tenant: tenantOptions.tenant, index: index, size: size)
                let hashes = proof.proof.map { "\"\($0.hex)\"" }.joined(separator: ",")
                try await LedgerCLI.writeStandardOutput(
                    "{\"leaf_index\":\(proof.leafIndex),\"tree_size\":\(proof.treeSize),\"leaf_hash\":\"\(proof.leafHash.hex)\",\"proof\":[\(hashes)],\"root\":\"\(proof.root.hex)\"}\n")
            }
        }
    }

    struct Consistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a consistency proof between two tree sizes.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var tenantOptions: TenantOptions
        @Option(help: "The smaller tree size (at least 1).") var from: UInt64
        @Option(help: "The larger tree size.") var to: UInt64

        func run() async throws {
            try await LedgerCLI.mapErrors {
                let store = try LedgerCLI.openStore(global)
                let proof = try await store.consistencyProof(tenant: tenantOptions.tenant, from: from, to: to)
                let hashes = proof.proof.map { "\"\($0.hex)\"" }.joined(separator: ",")
                try await LedgerCLI.writeStandardOutput(
                    "{\"size1\":\(proof.size1),\"size2\":\(proof.size2),\"root1\":\"\(proof.root1.hex)\",\"root2\":\"\(proof.root2.hex)\",\"proof\":[\(hashes)]}\n")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Audit the stored ledger, or an export with --export DIR --vkey KEY (offline, no database).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var tenantOptions: TenantOptions
        @Option(help: "Verify this export directory instead of the database.") var export: String?
        @Option(help: "The verifier key (its text, or a file holding it); required with --export.") var vkey: String?

        func validate() throws {
            if export != nil && vkey == nil { throw ValidationError("--export needs --vkey") }
            if export == nil && vkey != nil { throw ValidationError("--vkey is only used with --export") }
        }

        func run() async throws {
            try await LedgerCLI.mapErrors {
                if let export, let vkey {
                    try await verifyExport(directory: export, vkey: vkey)
                } else {
                    let store = try LedgerCLI.openStore(global)
                    let summary = try await store.audit(tenant: tenantOptions.tenant)
                    try await report(summary, origin: store.origin(tenant: tenantOptions.tenant))
                }
            }
        }

        private func verifyExport(directory: String, vkey: String) async throws {
            let keyText: String
            if FileManager.default.fileExists(atPath: vkey) {
                guard let text = try? String(contentsOfFile: vkey, encoding: .utf8) else {
                    throw CommandFailure("cannot read the verifier key file \(vkey)")
                }
                keyText = text
            } else {
                keyText = vkey
            }
            let key = try NoteVerifierKey(keyText)
            let (summary, origin) = try await LedgerCLI.blocking {
                try LedgerExportVerification.verify(directory: directory, key: key)
            }
            try await report(summary, origin: origin)
        }

        private func report(_ summary: LedgerAuditor.Summary, origin: String?) async throws {
            if summary.signedSize < summary.size {
                FileHandle.standardError.write(Data(
                    "astral: warning: leaves \(summary.signedSize)..<\(summary.size) are not covered by a checkpoint yet\n".utf8))
            }
            let originField = origin.map { "\"origin\":\"\(LedgerCLI.jsonEscaped($0))\"," } ?? ""
            try await LedgerCLI.writeStandardOutput(
                "{\"ok\":true,\(originField)\"tree_size\":\(summary.size),\"root\":\"\(summary.root.hex)\",\"checkpoints\":\(summary.checkpointsVerified),\"signed_size\":\(summary.signedSize)}\n")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write records.jsonl, checkpoints.txt, vkey.txt and leaf_hashes.bin for an offline audit.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var tenantOptions: TenantOptions
        @Option(help: "The directory to write.") var out: String

        func run() async throws {
            try await LedgerCLI.mapErrors {
                let store = try LedgerCLI.openStore(global)
                let checkpoint = try await store.export(tenant: tenantOptions.tenant, to: out)
                try await LedgerCLI.writeStandardOutput(
                    "{\"out\":\"\(LedgerCLI.jsonEscaped(out))\",\"tree_size\":\(checkpoint.size),\"root\":\"\(checkpoint.root.hex)\"}\n")
            }
        }
    }

    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure append throughput, proof latency and export verification (a benchmark, not a test).")

        @Option(help: "Scratch directory (default: a new temporary directory, removed afterwards).") var scratch: String?
        @Option(help: "Records for the batched append measurement.") var appendRecords = 200_000
        @Option(help: "Commits for the one-record-per-commit measurement.") var singleCommits = 2_000
        @Option(help: "Leaves of the tree the proofs are measured on.") var proofTreeSize = 10_000_000
        @Option(help: "Proofs of each kind to time.") var proofs = 2_000
        @Option(help: "Records in the exported ledger that is verified.") var exportRecords = 1_000_000
        @Option(help: "Measurements to run, comma-separated: append, proofs, export (default: all).") var only: String?

        func run() async throws {
            try await LedgerCLI.mapErrors {
                let scratch = scratch ?? NSTemporaryDirectory() + "astral-ledger-bench-\(getpid())"
                defer { if self.scratch == nil { try? FileManager.default.removeItem(atPath: scratch) } }
                var sections = Set(LedgerBenchmark.Section.allCases)
                if let only {
                    sections = Set(try only.split(separator: ",").map { name in
                        guard let section = LedgerBenchmark.Section(rawValue: String(name)) else {
                            throw CommandFailure("unknown benchmark section \(name): use append, proofs or export")
                        }
                        return section
                    })
                }
                let options = LedgerBenchmark.Options(
                    appendRecords: appendRecords, singleCommits: singleCommits, proofTreeSize: UInt64(proofTreeSize),
                    proofs: proofs, exportRecords: exportRecords, sections: sections)
                let results = try await LedgerBenchmark.run(scratch: scratch, options: options) { line in
                    FileHandle.standardError.write(Data(("bench: " + line + "\n").utf8))
                }
                try await LedgerCLI.writeStandardOutput(results + "\n")
            }
        }
    }
}

/// Shared plumbing of the ledger commands.
enum LedgerCLI {
    private static let ioQueue = DispatchQueue(label: "astral.ledger.io")

    /// Runs blocking file I/O off the cooperative pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            ioQueue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Writes `text` to standard output unbuffered (so a reader sees each acknowledgement at once).
    static func writeStandardOutput(_ text: String) async throws {
        try await blocking { try FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) }
    }

    /// The record size limit from `ASTRAL_LEDGER_MAX_RECORD_BYTES`, or the default.
    static func configuredRecordLimit() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["ASTRAL_LEDGER_MAX_RECORD_BYTES"], !text.isEmpty else {
            return LedgerRecord.defaultMaximumBytes
        }
        guard let value = Int(text), value >= 2 else {
            throw CommandFailure("ASTRAL_LEDGER_MAX_RECORD_BYTES must be a number of bytes of at least 2")
        }
        return value
    }

    static func openStore(_ global: GlobalOptions) throws -> LedgerStore {
        let directory = global.resolvedDataDirectory
        let signer = try InstanceKey.loadOrCreate(dataDirectory: directory)
        let database = try AppDatabase(dataDirectory: directory)
        return LedgerStore(database: database, signer: signer)
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = [UInt8]()
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [0x5c, byte]
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Turns library errors into `CommandFailure`s (exit 1 with the message).
    static func mapErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as StorageError {
            throw CommandFailure(error.message)
        } catch let error as LedgerError {
            throw CommandFailure(error.message)
        } catch let error as LedgerAuditor.AuditFailure {
            throw CommandFailure("verification failed: \(error.description)")
        }
    }
}
