import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Storage
import Testing

/// The proxy routes over the real gateway services: tenant policy, key
/// authentication, event store and ledger (with the marker detector double).
@Suite struct ProxyPipelineTests {
    func withProxy(
        provider: FakeProvider, _ body: @Sendable @escaping (any TestClientProtocol, Fixture) async throws -> Void
    ) async throws {
        let fixture = try await Fixture.make()
        try await provider.application().test(.live) { upstreamClient in
            let upstream = makeUpstreamClient(port: upstreamClient.port!)
            let router = Router()
            ProxyRoutes.register(on: router, services: fixture.services, upstream: upstream)
            do {
                try await Application(router: router).test(.router) { client in try await body(client, fixture) }
            } catch {
                try await upstream.shutdown()
                throw error
            }
            try await upstream.shutdown()
        }
    }

    func recordedEvents(_ fixture: Fixture, tenant: String) async throws -> [EventRecord] {
        try await fixture.services.runner.read { db in
            try EventStore.list(db, tenant: tenant, query: EventQuery(kind: .decision))
        }
    }

    @Test func ssnIsRedactedByTenantPolicyAndTheCallIsOneLedgerEvent() async throws {
        let provider = FakeProvider()
        try await withProxy(provider: provider) { client, fixture in
            let request = #"{"model":"gpt-4o","messages":[{"role":"user","content":"my ssn is 123-45-6789"}]}"#
            let key = fixture.keys["acme"]![.agent]!
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: [.authorization: "Bearer \(key)"],
                body: ByteBuffer(string: request)
            ) { response in
                #expect(response.status == .ok)
                let eventID = response.headers[HTTPField.Name("x-astral-event-id")!]
                let events = try await recordedEvents(fixture, tenant: "acme")
                #expect(events.count == 1)
                let event = try #require(events.first)
                #expect(event.id == eventID)
                #expect(event.decision == "redact")
                #expect(event.provider == "openai")
                #expect(event.surface == "api")
                #expect(event.ledgerIndex != nil)
                #expect(event.input["metadata"]?["proxy"]?["upstream_status"] == .integer(200))
                #expect(event.input["metadata"]?["proxy"]?["usage"]?["input_tokens"] == .integer(5))
                // The event keeps an HMAC of the content, never the content itself.
                let hmac = try #require(event.contentHMAC)
                #expect(hmac.count == 64 && hmac.allSatisfy { $0.isHexDigit && !$0.isUppercase })
                #expect(event.content == nil)
                #expect(!event.input.serialized().contains("123-45-6789"))
                #expect(try await recordedEvents(fixture, tenant: "globex").isEmpty)
            }
        }
        #expect(provider.received.count == 1)
        #expect(provider.received.first?.contains("123-45-6789") == false)
        #expect(provider.received.first?.contains("[REDACTED:US_SSN]") == true)
    }

    @Test func secretInRequestIsBlockedAndNeverSent() async throws {
        let provider = FakeProvider()
        try await withProxy(provider: provider) { client, fixture in
            let request = #"{"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"key AKIAIOSFODNN7EXAMPLE"}]}"#
            let key = fixture.keys["globex"]![.admin]!
            try await client.execute(
                uri: "/v1/messages", method: .post, headers: [HTTPField.Name("x-api-key")!: key], body: ByteBuffer(string: request)
            ) { response in
                #expect(response.status == .forbidden)
                let json = try OrderedJSON(parsing: response.body.readableBytesView)
                #expect(json["error"]?["type"]?.stringValue == "policy_violation")
                let events = try await recordedEvents(fixture, tenant: "globex")
                #expect(events.map(\.decision) == ["block"])
                #expect(events.first?.input["metadata"]?["proxy"]?["outcome"] == .string("request_blocked"))
            }
        }
        #expect(provider.received.isEmpty)
    }

    @Test func auditorKeysMayNotProxy() async throws {
        let provider = FakeProvider()
        try await withProxy(provider: provider) { client, fixture in
            let key = fixture.keys["acme"]![.auditor]!
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: [.authorization: "Bearer \(key)"],
                body: ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
            ) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(provider.received.isEmpty)
    }

    @Test func streamedSSNIsRedactedByTenantPolicy() async throws {
        let provider = FakeProvider(reply: "Sure, the number on file is 123-45-6789, as requested earlier today.")
        try await withProxy(provider: provider) { client, fixture in
            let key = fixture.keys["acme"]![.agent]!
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: [.authorization: "Bearer \(key)"],
                body: ByteBuffer(string: #"{"model":"m","stream":true,"messages":[{"role":"user","content":"number?"}]}"#)
            ) { response in
                #expect(response.status == .ok)
                var parser = ServerSentEventParser()
                let client = try reassembleOpenAI(parser.consume(response.body.readableBytesView) + parser.finish())
                #expect(client.content == "Sure, the number on file is [REDACTED:US_SSN], as requested earlier today.")
                let events = try await recordedEvents(fixture, tenant: "acme")
                #expect(events.count == 1)
                #expect(events.first?.decision == "redact")
                #expect(events.first?.input["metadata"]?["proxy"]?["response_decision"] == .string("redact"))
            }
        }
    }
}
