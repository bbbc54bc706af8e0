import Enforcement
import Foundation
import Hummingbird
import Storage

/// `GET /api/v1/events` (filters and cursor) and `GET /api/v1/events/{id}`.
struct EventRoutes {
    let services: GatewayServices

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/v1/events") { request, context in
            let principal = try context.require(.admin, .auditor)
            let parameters = request.uri.queryParameters
            var query = EventQuery()
            func time(_ name: String) throws -> Date? {
                guard let raw = parameters[Substring(name)] else { return nil }
                guard let date = ExternalEvents.parseRFC3339(String(raw)) else {
                    throw Problem.invalidField(name, "must be an RFC 3339 time")
                }
                return date
            }
            query.since = try time("since")
            query.until = try time("until")
            if let decision = parameters["decision"] {
                let value = String(decision)
                guard Decision(rawValue: value) != nil || value.contains(".") else {
                    throw Problem.invalidField("decision", "must be one of allow, redact, warn, challenge, block")
                }
                query.decision = value
            }
            query.actor = parameters["actor"].map(String.init)
            if let surface = parameters["surface"] {
                guard EnforcementRequest.Surface(rawValue: String(surface)) != nil else {
                    throw Problem.invalidField("surface", "must be one of api, browser, desktop, agent, mcp")
                }
                query.surface = String(surface)
            }
            if let kind = parameters["kind"] {
                guard let value = EventRecord.Kind(rawValue: String(kind)) else {
                    throw Problem.invalidField("kind", "must be one of decision, external, admin")
                }
                query.kind = value
            }
            if let limit = try request.integerQuery("limit") {
                guard (1...1000).contains(limit) else { throw Problem.invalidField("limit", "must be between 1 and 1000") }
                query.limit = limit
            }
            if let cursor = parameters["cursor"] {
                guard let sequence = Int64(cursor), sequence > 0 else { throw Problem.invalidField("cursor", "is not a valid cursor") }
                query.beforeSequence = sequence
            }
            let page = query
            let events = try await services.runner.read { db in try EventStore.list(db, tenant: principal.tenantID, query: page) }
            var body: [String: JSONValue] = ["events": .array(events.map(Self.document))]
            if events.count == page.limit, let last = events.last?.sequence { body["next_cursor"] = .string(String(last)) }
            return Response.json(.object(body))
        }

        router.get("/api/v1/events/{id}") { _, context in
            let principal = try context.require(.admin, .auditor)
            let id = try context.parameters.require("id")
            guard let event = try await services.runner.read({ db in try EventStore.find(db, tenant: principal.tenantID, id: id) }) else {
                throw Problem(.notFound, code: "event_not_found", detail: "no such event in this tenant")
            }
            return Response.json(Self.document(event))
        }
    }

    static func document(_ event: EventRecord) -> JSONValue {
        var object: [String: JSONValue] = [
            "event_id": .string(event.id), "kind": .string(event.kind.rawValue), "time": .time(event.occurredAt),
            "surface": .optional(event.surface), "actor": .optional(event.actor), "ai_provider": .optional(event.provider),
            "model": .optional(event.model), "direction": .optional(event.direction), "decision": .optional(event.decision),
            "policy_version": .optional(event.policyVersion), "fail_mode": .optional(event.failMode),
            "content_hmac": .optional(event.contentHMAC), "input": event.input,
            "reasons": .array(event.reasons.map(JSONValue.string)),
            "latency_us": event.latencyMicroseconds.map(JSONValue.integer) ?? .null,
            "ledger_index": event.ledgerIndex.map(JSONValue.integer) ?? .null,
        ]
        if let content = event.content { object["content"] = .string(content) }
        return .object(object)
    }
}
