import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite struct EventRouteTests {
    @Test func eventsFilterAndPageWithACursor() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let agent = fixture.headers("acme", .agent)
            for index in 0..<5 {
                _ = try await client.execute(uri: "/api/v1/enforce", method: .post, headers: agent, body: enforceBody(index % 2 == 0 ? "plain \(index)" : "ssn 123-45-6789"))
            }
            let auditor = fixture.headers("acme", .auditor)
            let redacted = try await client.execute(uri: "/api/v1/events?decision=redact", method: .get, headers: auditor)
            #expect(redacted.body.json["events"]?.arrayValue?.count == 2)

            var seen: [String] = []
            var uri = "/api/v1/events?kind=decision&limit=2"
            for _ in 0..<5 {
                let page = try await client.execute(uri: uri, method: .get, headers: auditor)
                seen += page.body.json["events"]?.arrayValue?.compactMap { $0["event_id"]?.stringValue } ?? []
                guard let cursor = page.body.json["next_cursor"]?.stringValue else { break }
                uri = "/api/v1/events?kind=decision&limit=2&cursor=\(cursor)"
            }
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)

            let future = try await client.execute(uri: "/api/v1/events?since=2999-01-01T00:00:00Z", method: .get, headers: auditor)
            #expect(future.body.json["events"] == [])
            let byActor = try await client.execute(uri: "/api/v1/events?actor=nobody", method: .get, headers: auditor)
            #expect(byActor.body.json["events"] == [])
            let bySurface = try await client.execute(uri: "/api/v1/events?surface=api&kind=decision", method: .get, headers: auditor)
            #expect(bySurface.body.json["events"]?.arrayValue?.count == 5)
            let badTime = try await client.execute(uri: "/api/v1/events?since=yesterday", method: .get, headers: auditor)
            #expect(badTime.body.json["field"] == "since")
            let badSurface = try await client.execute(uri: "/api/v1/events?surface=fax", method: .get, headers: auditor)
            #expect(badSurface.body.json["field"] == "surface")
        }
    }

    @Test func batchAcceptsValidEventsAndExplainsRejections() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let good: JSONValue = [
                "surface": "browser", "actor": "bob@example.com", "ai_provider": "openai", "direction": "request",
                "decision": "redact", "occurred_at": "2026-01-01T10:00:00Z", "reasons": ["US_SSN redacted"],
                "findings": [["type": "US_SSN", "start": 3, "end": 14, "score": 0.9]],
                "content_hmac": .string(String(repeating: "ab", count: 32)),
            ]
            var badDecision = good.objectValue!
            badDecision["decision"] = "maybe"
            var noActor = good.objectValue!
            noActor["actor"] = nil
            var badTime = good.objectValue!
            badTime["occurred_at"] = "soon"
            let body: JSONValue = ["events": [good, .object(badDecision), .object(noActor), .object(badTime), 7]]
            let response = try await client.execute(uri: "/api/v1/events/batch", method: .post, headers: fixture.headers("acme", .agent), body: body.buffer)
            #expect(response.status == .ok)
            #expect(response.body.json["accepted"]?.arrayValue?.count == 1)
            let rejected = response.body.json["rejected"]?.arrayValue ?? []
            #expect(rejected.map { $0["index"] } == [1, 2, 3, 4])
            #expect(rejected[0]["reason"]?.stringValue?.hasPrefix("decision") == true)
            #expect(rejected[1]["reason"] == "actor is required")
            #expect(rejected[2]["reason"]?.stringValue?.hasPrefix("occurred_at") == true)

            let id = try #require(response.body.json["accepted"]?.arrayValue?.first?["event_id"]?.stringValue)
            let event = try await client.execute(uri: "/api/v1/events/\(id)", method: .get, headers: fixture.headers("acme", .auditor))
            #expect(event.body.json["kind"] == "external")
            #expect(event.body.json["time"] == "2026-01-01T10:00:00.000Z")

            let tooMany: JSONValue = ["events": .array(Array(repeating: good, count: 101))]
            let over = try await client.execute(uri: "/api/v1/events/batch", method: .post, headers: fixture.headers("acme", .agent), body: tooMany.buffer)
            #expect(over.status == .badRequest)
            #expect(over.body.json["field"] == "events")
        }
    }
}
