import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite struct AccessTests {
    @Test func everyRouteEnforcesItsRoles() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            for route in OpenAPIDocument.routes where !route.roles.isEmpty {
                let method = HTTPRequest.Method(rawValue: route.method.uppercased())!
                // `nothing` is a policy/key/event id that exists nowhere: allowed roles get past the check.
                let uri = route.path.replacingOccurrences(of: "{id}", with: "nothing")
                for role in Role.allCases {
                    let response = try await client.execute(uri: uri, method: method, headers: fixture.headers("acme", role), body: ByteBuffer(string: "{}"))
                    if route.roles.contains(role.rawValue) {
                        #expect(response.status != .forbidden && response.status != .unauthorized, "\(role) on \(route.method) \(route.path)")
                    } else {
                        #expect(response.status == .forbidden, "\(role) on \(route.method) \(route.path) gave \(response.status)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
                let anonymous = try await client.execute(uri: uri, method: method, body: ByteBuffer(string: "{}"))
                #expect(anonymous.status == .unauthorized, "no key on \(route.method) \(route.path)")
                #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }

    @Test func unknownAndRevokedKeysAreRejected() async throws {
        let fixture = try await Fixture.make(configuration: GatewayConfiguration(decisionBudget: .seconds(30), keyCacheSeconds: 0))
        try await fixture.application.test(.router) { client in
            let bogus = try await client.execute(uri: "/api/v1/events", method: .get, headers: [.authorization: "Bearer ak_nope"])
            #expect(bogus.status == .unauthorized)

            let created = try await client.execute(
                uri: "/api/v1/keys", method: .post, headers: fixture.headers("acme", .admin),
                body: JSONValue.object(["role": "auditor", "name": "temp"]).buffer)
            #expect(created.status == .created)
            let raw = try #require(created.body.json["key"]?.stringValue)
            let id = try #require(created.body.json["id"]?.stringValue)
            let works = try await client.execute(uri: "/api/v1/events", method: .get, headers: [.authorization: "Bearer \(raw)"])
            #expect(works.status == .ok)

            let listed = try await client.execute(uri: "/api/v1/keys", method: .get, headers: fixture.headers("acme", .auditor))
            #expect(listed.body.json["keys"]?.arrayValue?.contains { $0["id"]?.stringValue == id } == true)
            #expect(!String(buffer: listed.body).contains(raw))

            let revoked = try await client.execute(uri: "/api/v1/keys/\(id)", method: .delete, headers: fixture.headers("acme", .admin))
            #expect(revoked.status == .ok)
            #expect(revoked.body.json["revoked_at"] != .null)
            let after = try await client.execute(uri: "/api/v1/events", method: .get, headers: [.authorization: "Bearer \(raw)"])
            #expect(after.status == .unauthorized)

            // Key changes are admin events.
            let events = try await client.execute(uri: "/api/v1/events?kind=admin", method: .get, headers: fixture.headers("acme", .auditor))
            let actions = events.body.json["events"]?.arrayValue?.compactMap { $0["decision"]?.stringValue } ?? []
            #expect(actions.contains("key.create"))
            #expect(actions.contains("key.revoke"))
        }
    }

    @Test func aKeyOfOneTenantNeverReadsOrChangesAnother() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let acme = fixture.headers("acme", .admin)
            let globex = fixture.headers("globex", .admin)
            // acme-only data: a policy, a decision, a key, settings.
            let created = try await client.execute(
                uri: "/api/v1/policies", method: .post, headers: acme,
                body: JSONValue.object(["id": "acme-only", "module": "US_SSN=block\n"]).buffer)
            #expect(created.status == .created)
            let decision = try await client.execute(uri: "/api/v1/enforce", method: .post, headers: acme, body: enforceBody("secret plan 123-45-6789"))
            let eventID = try #require(decision.body.json["event_id"]?.stringValue)
            let key = try await client.execute(uri: "/api/v1/keys", method: .post, headers: acme, body: JSONValue.object(["role": "agent"]).buffer)
            let keyID = try #require(key.body.json["id"]?.stringValue)
            _ = try await client.execute(uri: "/api/v1/config", method: .put, headers: acme, body: JSONValue.object(["config": ["allowed_providers": ["openai"]]]).buffer)

            // globex sees none of it and cannot touch it.
            let notFound: [(HTTPRequest.Method, String, JSONValue?)] = [
                (.get, "/api/v1/policies/acme-only", nil),
                (.put, "/api/v1/policies/acme-only", ["module": "x=block", "version": 1]),
                (.delete, "/api/v1/policies/acme-only", nil),
                (.post, "/api/v1/policies/acme-only/activate", [:]),
                (.post, "/api/v1/policies/acme-only/deactivate", nil),
                (.post, "/api/v1/policies/acme-only/simulate", ["days": 1]),
                (.get, "/api/v1/events/\(eventID)", nil),
                (.delete, "/api/v1/keys/\(keyID)", nil),
            ]
            for (method, uri, body) in notFound {
                let response = try await client.execute(uri: uri, method: method, headers: globex, body: body?.buffer)
                #expect(response.status == .notFound, "\(method) \(uri) gave \(response.status)")
            }
            let policies = try await client.execute(uri: "/api/v1/policies", method: .get, headers: globex)
            #expect(!String(buffer: policies.body).contains("acme-only"))
            let events = try await client.execute(uri: "/api/v1/events?limit=1000", method: .get, headers: globex)
            #expect(!String(buffer: events.body).contains(eventID))
            #expect(events.body.json["events"]?.arrayValue?.allSatisfy { $0["actor"]?.stringValue != "alice@example.com" } == true)
            let keys = try await client.execute(uri: "/api/v1/keys", method: .get, headers: globex)
            #expect(!String(buffer: keys.body).contains(keyID))
            #expect(keys.body.json["keys"]?.arrayValue?.allSatisfy { $0["tenant"] == "globex" } == true)
            let config = try await client.execute(uri: "/api/v1/config", method: .get, headers: globex)
            #expect(config.body.json["config"]?["allowed_providers"] == [])
            let acmeBundle = try await client.execute(uri: "/api/v1/policies/bundle", method: .get, headers: acme)
            let globexBundle = try await client.execute(uri: "/api/v1/policies/bundle", method: .get, headers: globex)
            #expect(acmeBundle.headers[.eTag] != globexBundle.headers[.eTag])
            // acme's key still works: globex's attempt changed nothing.
            let stillThere = try await client.execute(uri: "/api/v1/events/\(eventID)", method: .get, headers: acme)
            #expect(stillThere.status == .ok)
            let acmePolicy = try await client.execute(uri: "/api/v1/policies/acme-only", method: .get, headers: acme)
            #expect(acmePolicy.body.json["version"] == 1)
        }
    }
}
