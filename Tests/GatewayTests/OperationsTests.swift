import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite struct OperationsTests {
    @Test func healthReadinessAndMetrics() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            // The fixture's default tenant does not exist: ready as long as the database answers.
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            _ = try await client.execute(uri: "/api/v1/enforce", method: .post, headers: fixture.headers("acme", .agent), body: enforceBody("ssn 123-45-6789"))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(text.contains("astral_http_requests_total{route=\"/api/v1/enforce\",method=\"POST\",status=\"200\"} 1"))
            #expect(text.contains("astral_decisions_total{decision=\"redact\"} 1"))
            #expect(text.contains("astral_decision_duration_seconds_count{decision=\"redact\"} 1"))
            #expect(text.contains("astral_detector_duration_seconds_count 1"))
            #expect(text.contains("astral_policy_duration_seconds_count 1"))
            #expect(text.contains("# TYPE astral_ledger_leaves gauge"))
        }
    }

    @Test func responsesCarryARequestID() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let given = try await client.execute(uri: "/healthz", method: .get, headers: [HTTPField.Name("X-Request-Id")!: "abc-123"])
            #expect(given.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
            let generated = try await client.execute(uri: "/healthz", method: .get)
            #expect(generated.headers[HTTPField.Name("X-Request-Id")!]?.count == 36)
        }
    }

    @Test func openAPIDocumentDescribesEveryRoute() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            let document = response.body.json
            #expect(document["openapi"] == "3.1.0")
            #expect(document["info"]?["title"]?.stringValue != nil)
            #expect(document["info"]?["version"]?.stringValue != nil)
            let paths = try #require(document["paths"]?.objectValue)
            let schemas = try #require(document["components"]?["schemas"]?.objectValue)
            var operationIDs = Set<String>()
            for (path, item) in paths {
                #expect(path.hasPrefix("/"))
                for (method, operation) in try #require(item.objectValue) {
                    #expect(["get", "put", "post", "delete", "patch"].contains(method))
                    let id = try #require(operation["operationId"]?.stringValue)
                    #expect(operationIDs.insert(id).inserted, "duplicate operationId \(id)")
                    let responses = try #require(operation["responses"]?.objectValue)
                    #expect(!responses.isEmpty)
                    for (status, response) in responses {
                        #expect(Int(status) != nil)
                        #expect(response["description"]?.stringValue != nil)
                    }
                    // Every path template parameter is declared.
                    if path.contains("{id}") {
                        #expect(operation["parameters"]?.arrayValue?.contains { $0["name"] == "id" && $0["in"] == "path" && $0["required"] == true } == true)
                    }
                    // Every $ref resolves.
                    for reference in Self.references(in: operation) {
                        #expect(schemas[String(reference.dropFirst("#/components/schemas/".count))] != nil, "dangling \(reference)")
                    }
                }
            }
            // Every documented route is served (not 404) and every served route is documented.
            for route in OpenAPIDocument.routes {
                let method = HTTPRequest.Method(rawValue: route.method.uppercased())!
                let uri = route.path.replacingOccurrences(of: "{id}", with: "default")
                let answer = try await client.execute(uri: uri, method: method, headers: fixture.headers("acme", .admin), body: ByteBuffer(string: "{}"))
                #expect(answer.body.json["code"] != "not_found", "\(route.method) \(route.path) is not served")
                #expect(paths[route.path]?[route.method] != nil)
            }
            #expect(paths.values.reduce(0) { $0 + ($1.objectValue?.count ?? 0) } == OpenAPIDocument.routes.count)
        }
    }

    static func references(in value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            var out: [String] = []
            if let ref = members["$ref"]?.stringValue { out.append(ref) }
            for member in members.values { out += references(in: member) }
            return out
        case .array(let values): return values.flatMap(references(in:))
        default: return []
        }
    }
}
