import Foundation
import Ledger
import Storage
import Testing
import TestSupport

/// Runs the built `astral` binary (beside the test bundle, or `$ASTRAL_BINARY`).
enum AstralBinary {
    static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["ASTRAL_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [beside, beside.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("astral")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw CommandMissing()
    }

    struct CommandMissing: Error, CustomStringConvertible {
        var description: String { "the astral executable was not built beside the tests (swift build, or set ASTRAL_BINARY)" }
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `astral arguments...` to completion, off the cooperative pool.
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> Output {
        try await offPool { try runSynchronously(arguments, stdin: stdin) }
    }

    static func runSynchronously(_ arguments: [String], stdin: String?) throws -> Output {
        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { try input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

@Suite(.serialized) struct LedgerProcessTests {
    /// kill -9 in the middle of `astral ledger append`: every acknowledged
    /// record is durable, and the tree and the records agree afterwards.
    @Test func crashLosesNothingAcknowledged() async throws {
        let scratch = try ScratchDirectory()
        let total = 200_000
        var input = ""
        input.reserveCapacity(total * 40)
        for i in 0..<total { input += "{\"seq\":\(i),\"pad\":\"crash-test\"}\n" }
        let inputPath = scratch.path + "/input.jsonl"
        try Data(input.utf8).write(to: URL(fileURLWithPath: inputPath))

        let process = Process()
        process.executableURL = try AstralBinary.url()
        process.arguments = ["ledger", "append", "--data-dir", scratch.path + "/data", "--tenant", "crash", inputPath]
        process.environment = ["ASTRAL_INSTANCE_NAME": "crash.example"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Wait for acknowledgements (not for time), then kill while more are pending.
        let reader = out.fileHandleForReading
        let pid = process.processIdentifier
        let received = try await offPool { () -> Data in
            var received = Data()
            while received.count(of: 0x0a) < 10_000 {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                received.append(chunk)
            }
            kill(pid, SIGKILL)
            received.append(reader.readDataToEndOfFile())
            return received
        }
        process.waitUntilExit()  // the child is dead: this returns at once
        #expect(process.terminationReason == .uncaughtSignal, "the child finished before it could be killed")

        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        // Only complete lines are acknowledgements; a torn last line is not.
        let acknowledged = lines.dropLast().map(String.init)
        #expect(acknowledged.count >= 10_000)
        #expect(acknowledged.count < total)

        let store = LedgerStore(
            database: try AppDatabase(dataDirectory: scratch.path + "/data"),
            signer: try InstanceKey.loadOrCreate(dataDirectory: scratch.path + "/data"))
        let tree = try await store.tree(tenant: "crash")
        #expect(tree.size >= UInt64(acknowledged.count))
        let stored = try await store.records(tenant: "crash", from: 0, limit: acknowledged.count)
        #expect(stored.count == acknowledged.count)
        for (i, line) in acknowledged.enumerated() {
            let ack = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(ack["leaf_index"] as? Int == i)
            #expect(ack["leaf_hash"] as? String == stored[i].leafHash.hex)
            // Leaf i holds input line i.
            if i % 997 == 0 {
                #expect(String(decoding: stored[i].canonicalJSON, as: UTF8.self) == "{\"pad\":\"crash-test\",\"seq\":\(i)}")
            }
        }
        // No half-written batch: the records, tiles and tree agree.
        let summary = try await store.audit(tenant: "crash")
        #expect(summary.size == tree.size && summary.root == tree.root)
        let verify = try await AstralBinary.run(["ledger", "verify", "--data-dir", scratch.path + "/data", "--tenant", "crash"])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// Edit one record of an export: the offline verification names its index.
    @Test func tamperedExportNamesTheRecord() async throws {
        let scratch = try ScratchDirectory()
        let data = scratch.path + "/data"
        let records = (0..<50).map { "{\"seq\":\($0),\"decision\":\"allow\"}" }.joined(separator: "\n") + "\n"
        let appended = try await AstralBinary.run(["ledger", "append", "--data-dir", data], stdin: records)
        #expect(appended.status == 0, "\(appended.stderr)")
        #expect(appended.stdout.split(separator: "\n").count == 50)
        let export = scratch.path + "/export"
        #expect(try await AstralBinary.run(["ledger", "export", "--data-dir", data, "--out", export]).status == 0)
        let key = try await AstralBinary.run(["ledger", "key", "--data-dir", data]).stdout
        let clean = try await AstralBinary.run(["ledger", "verify", "--export", export, "--vkey", export + "/vkey.txt"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect((try String(contentsOfFile: export + "/vkey.txt", encoding: .utf8)) == key)

        let path = export + "/records.jsonl"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[23] = lines[23].replacingOccurrences(of: "allow", with: "block")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let tampered = try await AstralBinary.run(["ledger", "verify", "--export", export, "--vkey", key])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("leaf 23:"), "\(tampered.stderr)")

        // Without leaf_hashes.bin the signed checkpoint still catches it.
        try FileManager.default.removeItem(atPath: export + "/leaf_hashes.bin")
        let unhashed = try await AstralBinary.run(["ledger", "verify", "--export", export, "--vkey", key])
        #expect(unhashed.status == 1)
        #expect(unhashed.stderr.contains("checkpoint 1 (tree size 50)"), "\(unhashed.stderr)")

        // A removed record is caught as well.
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let truncated = try await AstralBinary.run(["ledger", "verify", "--export", export, "--vkey", key])
        #expect(truncated.status == 1)
    }

    @Test func commandsRejectBadInput() async throws {
        let scratch = try ScratchDirectory()
        let data = scratch.path + "/data"
        let bad = try await AstralBinary.run(["ledger", "append", "--data-dir", data], stdin: "{\"ok\":1}\nnot json\n{\"ok\":2}\n")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 2"), "\(bad.stderr)")
        #expect(bad.stdout.split(separator: "\n").count == 1)
        let array = try await AstralBinary.run(["ledger", "append", "--data-dir", data], stdin: "[1,2]\n")
        #expect(array.status == 1 && array.stderr.contains("object"))
        let big = try await AstralBinary.run(
            ["ledger", "append", "--data-dir", data, "--max-record-bytes", "16"], stdin: "{\"a\":\"0123456789abcdef\"}\n")
        #expect(big.status == 1 && big.stderr.contains("limit"))
        let outside = try await AstralBinary.run(["ledger", "prove", "--data-dir", data, "--index", "5"])
        #expect(outside.status == 1 && outside.stderr.contains("outside"))
        let order = try await AstralBinary.run(["ledger", "consistency", "--data-dir", data, "--from", "1", "--to", "0"])
        #expect(order.status == 1 && order.stderr.contains("order"))
        let usage = try await AstralBinary.run(["ledger", "prove", "--data-dir", data])
        #expect(usage.status == 2)

        let proof = try await AstralBinary.run(["ledger", "prove", "--data-dir", data, "--index", "0"])
        #expect(proof.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(proof.stdout.utf8)) as? [String: Any])
        #expect(object["tree_size"] as? Int == 1 && (object["proof"] as? [Any])?.isEmpty == true)
        let checkpoint = try await AstralBinary.run(["ledger", "checkpoint", "--data-dir", data])
        let key = try NoteVerifierKey(try await AstralBinary.run(["ledger", "key", "--data-dir", data]).stdout)
        let parsed = try Checkpoint.verified(note: checkpoint.stdout, key: key)
        #expect(parsed.size == 1 && parsed.origin == "\(key.name)/default")
    }
}

extension Data {
    func count(of byte: UInt8) -> Int { reduce(0) { $0 + ($1 == byte ? 1 : 0) } }
}
