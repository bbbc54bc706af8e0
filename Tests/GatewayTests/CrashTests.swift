import AsyncHTTPClient
import Foundation
import NIOCore
import Storage
import Testing
import TestSupport

/// Runs the real `astral serve` binary as a child process.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process` and `output` are only touched by the test that owns this object, serially.
    let process = Process()
    let output = Pipe()
    private(set) var baseURL = ""
    private(set) var adminKey: String?

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["ASTRAL_BINARY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("astral"),
            SharedFixtures.packageRoot.appendingPathComponent(".build/debug/astral"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw StartFailure(description: "the astral binary was not found (run `swift build` first or set ASTRAL_BINARY)")
        }
        return found
    }

    /// Starts `astral serve` and waits (off the cooperative pool) for its listening line.
    static func start(dataDirectory: String) async throws -> ServerProcess {
        let server = try ServerProcess(dataDirectory: dataDirectory)
        try await offPool { try server.awaitListening() }
        return server
    }

    private init(dataDirectory: String) throws {
        process.executableURL = try Self.binary()
        process.arguments = ["serve", "--data-dir", dataDirectory, "--port", "0", "--log-level", "error"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Reads announcements until the listening line; EOF (the child died) ends the loop. Blocking.
    private func awaitListening() throws {
        var buffer = ""
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer += String(decoding: chunk, as: UTF8.self)
            for line in buffer.split(separator: "\n") {
                if line.hasPrefix("admin key (shown once): ") { adminKey = String(line.dropFirst("admin key (shown once): ".count)) }
                if line.hasPrefix("listening on ") { baseURL = String(line.dropFirst("listening on ".count)) }
            }
            if !baseURL.isEmpty { return }
        }
        stop()
        throw StartFailure(description: "astral serve did not start; output: \(buffer.prefix(500))")
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// One HTTP exchange through AsyncHTTPClient; a connection error (the server was killed) throws.
    func request(_ method: String, _ path: String, key: String, body: Data? = nil) async throws -> (Int, JSONValue) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), (try? JSONValue.parse(Data(bytes.readableBytesView))) ?? .null)
    }
}

@Suite(.serialized) struct CrashTests {
    @Test func killNineLosesNoAcknowledgedDecision() async throws {
        let directory = NSTemporaryDirectory() + "astral-crash-" + UUID().uuidString
        let first = try await ServerProcess.start(dataDirectory: directory)
        defer { first.stop() }
        let key = try #require(first.adminKey)
        let (health, _) = try await first.request("GET", "/healthz", key: key)
        #expect(health == 200)

        let body = try Data(JSONValue.object([
            "surface": "api", "actor": "crash@example.com", "ai_provider": "openai", "direction": "request",
            "content": "a prompt that will be recorded", "metadata": [:],
        ]).serialized().utf8)
        // Eight clients post decisions; after 60 acknowledgements the server is killed mid-stream.
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            let counter = Counter()
            for _ in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<40 {
                        guard let (status, answer) = try? await first.request("POST", "/api/v1/enforce", key: key, body: body) else { break }
                        guard status == 200, let id = answer["event_id"]?.stringValue else { break }
                        ids.append(id)
                        if counter.increment() == 60 { first.kill9() }
                    }
                    return ids
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(acknowledged.count >= 60)
        #expect(!first.process.isRunning)

        let second = try await ServerProcess.start(dataDirectory: directory)
        defer { second.stop() }
        #expect(second.adminKey == nil, "a restart must not create a new tenant or key")
        for id in acknowledged {
            let (status, event) = try await second.request("GET", "/api/v1/events/\(id)", key: key)
            #expect(status == 200, "acknowledged event \(id) lost")
            #expect(event["event_id"] == .string(id))
            #expect(event["ledger_index"]?.doubleValue != nil)
        }
        // A checkpoint over HTTP, then the full offline audit of the ledger.
        let (checkpointStatus, _) = try await second.request("GET", "/api/v1/ledger/checkpoint", key: key)
        #expect(checkpointStatus == 200)
        second.stop()
        let verify = Process()
        verify.executableURL = try ServerProcess.binary()
        verify.arguments = ["ledger", "verify", "--tenant", "default", "--data-dir", directory]
        verify.standardOutput = FileHandle.nullDevice
        verify.standardError = FileHandle.nullDevice
        try verify.run()
        try await offPool { verify.waitUntilExit() }
        #expect(verify.terminationStatus == 0, "astral ledger verify failed after the crash")
    }
}

final class Counter: @unchecked Sendable {
    // @unchecked: the value is only read and written under `lock`.
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
