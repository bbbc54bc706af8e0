import Foundation
import Storage

// `swift run -c release ledger-bench [records-in-tree] [export-records] [--only append,proofs,export] [--scratch DIR]`:
// the ledger benchmark without building the server. `astral ledger bench` runs the same code.
// With --scratch the directory is kept, and a later run reuses the proof tree and the export in it.
var positional: [Int] = []
var sections = Set(LedgerBenchmark.Section.allCases)
var keptScratch: String?
var arguments = CommandLine.arguments.dropFirst()[...]
while let argument = arguments.popFirst() {
    switch argument {
    case "--only":
        guard let list = arguments.popFirst() else { fatalError("--only needs a list such as append,proofs,export") }
        sections = Set(try list.split(separator: ",").map { name in
            guard let section = LedgerBenchmark.Section(rawValue: String(name)) else {
                fatalError("unknown section \(name): use append, proofs or export")
            }
            return section
        })
    case "--scratch":
        guard let directory = arguments.popFirst() else { fatalError("--scratch needs a directory") }
        keptScratch = directory
    default:
        guard let number = Int(argument) else { fatalError("unexpected argument \(argument)") }
        positional.append(number)
    }
}
let options = LedgerBenchmark.Options(
    appendRecords: 200_000, singleCommits: 2_000,
    proofTreeSize: UInt64(positional.first ?? 10_000_000), proofs: 2_000,
    exportRecords: positional.dropFirst().first ?? 1_000_000, sections: sections)
let scratch = keptScratch ?? NSTemporaryDirectory() + "astral-ledger-bench-\(getpid())"
defer { if keptScratch == nil { try? FileManager.default.removeItem(atPath: scratch) } }
let results = try await LedgerBenchmark.run(scratch: scratch, options: options) { line in
    FileHandle.standardError.write(Data(("bench: " + line + "\n").utf8))
}
print(results)
