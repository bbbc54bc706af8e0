import Foundation
import Storage

// `swift run -c release ledger-bench [records-in-tree] [export-records]`: the
// ledger benchmark without building the server. `astral ledger bench` runs the same code.
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let options = LedgerBenchmark.Options(
    appendRecords: 200_000, singleCommits: 2_000,
    proofTreeSize: UInt64(arguments.first ?? 10_000_000), proofs: 2_000,
    exportRecords: arguments.dropFirst().first ?? 1_000_000)
let scratch = NSTemporaryDirectory() + "astral-ledger-bench-\(getpid())"
defer { try? FileManager.default.removeItem(atPath: scratch) }
let results = try await LedgerBenchmark.run(scratch: scratch, options: options) { line in
    FileHandle.standardError.write(Data(("bench: " + line + "\n").utf8))
}
print(results)
