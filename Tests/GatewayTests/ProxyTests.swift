import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct ProxyTests {
    static let auth: HTTPFields = [.authorization: "Bearer \(FakeBackend.key)", .contentType: "application/json"]

    /// Runs `body` with a live fake provider and a proxy client pointed at it.
    func withProxy(
        provider: FakeProvider = FakeProvider(), backend: FakeBackend = FakeBackend(),
        _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await provider.application().test(.live) { upstreamClient in
            let upstream = makeUpstreamClient(port: upstreamClient.port!)
            do {
                try await proxyApplication(backend: backend, upstream: upstream).test(.router, body)
            } catch {
                try await upstream.shutdown()
                throw error
            }
            try await upstream.shutdown()
        }
    }

    @Test func benignRequestPassesUnchangedAndIsRecorded() async throws {
        let provider = FakeProvider()
        let backend = FakeBackend()
        let request = #"{"model":"gpt-fake","messages":[{"role":"user","content":"What is 2+2?"}],"temperature":0.5}"#
        try await withProxy(provider: provider, backend: backend) { client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "Hello there.")
                #expect(response.headers[HTTPField.Name("x-astral-event-id")!] == "evt_1")
            }
        }
        #expect(provider.received == [request])
        let call = try #require(backend.recorded.first)
        #expect(backend.recorded.count == 1)
        #expect(call.outcome == .forwarded)
        #expect(call.upstreamStatus == 200)
        #expect(call.inputTokens == 5 && call.outputTokens == 3)
        #expect(call.decision == .allow)
        #expect(call.api == .openAIChatCompletions)
    }

    @Test func ssnIsRedactedBeforeTheUpstream() async throws {
        let provider = FakeProvider()
        let backend = FakeBackend()
        let request = #"{"model":"gpt-fake","messages":[{"role":"system","content":"ok"},{"role":"user","content":"my ssn is 123-45-6789"}]}"#
        try await withProxy(provider: provider, backend: backend) { client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(provider.received.count == 1)
        #expect(provider.received.first?.contains("123-45-6789") == false)
        #expect(provider.received.first?.contains("my ssn is [REDACTED:US_SSN]") == true)
        #expect(backend.recorded.first?.requestAction == .redact)
        #expect(backend.recorded.first?.requestFindings.map(\.type) == ["US_SSN"])
    }

    @Test func blockedRequestIs403InOpenAIShapeAndNeverSent() async throws {
        let provider = FakeProvider()
        let backend = FakeBackend()
        try await withProxy(provider: provider, backend: backend) { client in
            let request = #"{"model":"gpt-fake","messages":[{"role":"user","content":"FORBIDDEN"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .forbidden)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["error"]?["type"]?.stringValue == "policy_violation")
                #expect(json["error"]?["message"]?.stringValue?.isEmpty == false)
            }
        }
        #expect(provider.received.isEmpty)
        #expect(backend.recorded.first?.outcome == .requestBlocked)
        #expect(backend.recorded.first?.upstreamStatus == nil)
    }

    @Test func blockedRequestIs403InAnthropicShape() async throws {
        let provider = FakeProvider()
        try await withProxy(provider: provider) { client in
            let request = #"{"model":"claude","max_tokens":5,"system":"FORBIDDEN","messages":[{"role":"user","content":"hi"}]}"#
            let headers: HTTPFields = [HTTPField.Name("x-api-key")!: FakeBackend.key, .contentType: "application/json"]
            try await client.execute(uri: "/v1/messages", method: .post, headers: headers, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .forbidden)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["type"]?.stringValue == "error")
                #expect(json["error"]?["type"]?.stringValue == "policy_violation")
            }
        }
        #expect(provider.received.isEmpty)
    }

    @Test func streamedSecretSplitAcrossChunksNeverReachesTheClient() async throws {
        let secret = "sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"
        let provider = FakeProvider(reply: "The key is \(secret) and that is all you need to know.")
        let backend = FakeBackend()
        try await withProxy(provider: provider, backend: backend) { client in
            let request = #"{"model":"gpt-fake","stream":true,"messages":[{"role":"user","content":"key?"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                var parser = ServerSentEventParser()
                let events = parser.consume(response.body.readableBytesView) + parser.finish()
                let client = try reassembleOpenAI(events)
                #expect(client.content == "The key is [REDACTED:SECRET] and that is all you need to know.")
                #expect(client.done)
                #expect(!String(buffer: response.body).contains("sk-ABC"))
            }
        }
        let call = try #require(backend.recorded.first)
        #expect(call.streamed)
        #expect(call.responseAction == .redact)
        #expect(call.responseFindingTypes == ["SECRET"])
        #expect(call.outcome == .forwarded)
    }

    @Test func responseTextIsRedactedWhenNotStreamed() async throws {
        let provider = FakeProvider(reply: "Your SSN is 123-45-6789.")
        try await withProxy(provider: provider) { client in
            let request = #"{"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
            let headers: HTTPFields = [HTTPField.Name("x-api-key")!: FakeBackend.key, .contentType: "application/json"]
            try await client.execute(uri: "/v1/messages", method: .post, headers: headers, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["content"]?.arrayValue?.first?["text"]?.stringValue == "Your SSN is [REDACTED:US_SSN].")
            }
        }
    }

    @Test func missingOrWrongKeyIs401() async throws {
        let provider = FakeProvider()
        try await withProxy(provider: provider) { client in
            let request = #"{"model":"gpt-fake","messages":[]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/messages", method: .post, headers: [HTTPField.Name("x-api-key")!: "nope"], body: ByteBuffer(string: request)) { response in
                #expect(response.status == .unauthorized)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["error"]?["type"]?.stringValue == "authentication_error")
            }
        }
        #expect(provider.received.isEmpty)
    }

    @Test func malformedRequestIs400NamingThePosition() async throws {
        try await withProxy { client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.auth, body: ByteBuffer(string: "{\"model\": ")) { response in
                #expect(response.status == .badRequest)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["error"]?["message"]?.stringValue?.contains("byte 10") == true)
            }
        }
    }

    @Test func upstream5xxIs502() async throws {
        let backend = FakeBackend()
        try await withProxy(provider: FakeProvider(status: .internalServerError), backend: backend) { client in
            let request = #"{"model":"gpt-fake","messages":[{"role":"user","content":"hi"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .badGateway)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["error"]?["type"]?.stringValue == "upstream_error")
            }
        }
        #expect(backend.recorded.first?.outcome == .upstreamFailed)
        #expect(backend.recorded.first?.upstreamStatus == 500)
    }

    @Test func upstreamDownIs502() async throws {
        // A port that was just free: nothing listens on it.
        let port = try await FakeProvider().application().test(.live) { client in client.port! }
        let backend = FakeBackend()
        let upstream = makeUpstreamClient(port: port)
        do {
            try await proxyApplication(backend: backend, upstream: upstream).test(.router) { client in
                let request = #"{"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
                let headers: HTTPFields = [HTTPField.Name("x-api-key")!: FakeBackend.key]
                try await client.execute(uri: "/v1/messages", method: .post, headers: headers, body: ByteBuffer(string: request)) { response in
                    #expect(response.status == .badGateway || response.status == .gatewayTimeout)
                    let json = try OrderedJSON(parsing: response.body.readableBytesView)
                    #expect(json["type"]?.stringValue == "error")
                }
            }
        } catch {
            try await upstream.shutdown()
            throw error
        }
        try await upstream.shutdown()
        #expect(backend.recorded.first?.outcome == .upstreamFailed)
    }

    @Test func aCallThatCannotBeRecordedIsNotAcknowledged() async throws {
        try await withProxy(backend: FakeBackend(failRecording: true)) { client in
            let request = #"{"model":"gpt-fake","messages":[{"role":"user","content":"hi"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .internalServerError)
            }
        }
    }

    @Test func configurationFromEnvironment() throws {
        let configuration = try ProxyConfiguration.fromEnvironment([
            "ASTRAL_UPSTREAM_OPENAI": "http://127.0.0.1:9/v1", "ASTRAL_OPENAI_API_KEY": "k", "ASTRAL_STREAM_WINDOW": "64",
        ])
        #expect(configuration.openAIBaseURL == "http://127.0.0.1:9/v1")
        #expect(configuration.openAIAPIKey == "k")
        #expect(configuration.anthropicAPIKey == nil)
        #expect(configuration.streamWindow == 64)
        #expect(throws: ProxyConfiguration.Error.self) { try ProxyConfiguration.fromEnvironment(["ASTRAL_UPSTREAM_ANTHROPIC": "ftp://x"]) }
        #expect(throws: ProxyConfiguration.Error.self) { try ProxyConfiguration.fromEnvironment(["ASTRAL_STREAM_WINDOW": "-1"]) }
    }
}
