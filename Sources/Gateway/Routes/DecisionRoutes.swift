import Enforcement
import Foundation
import Hummingbird
import Storage

/// `POST /api/v1/enforce` and `POST /api/v1/events/batch`.
struct DecisionRoutes {
    let services: GatewayServices

    func register(on router: Router<GatewayRequestContext>) {
        router.post("/api/v1/enforce") { request, context in
            let principal = try context.require(.admin, .agent)
            let body = try await request.bodyBytes(limit: services.configuration.maxBodyBytes)
            let enforcement: EnforcementRequest
            do {
                enforcement = try JSONDecoder().decode(EnforcementRequest.self, from: Data(body.readableBytesView))
            } catch let error as DecodingError {
                throw Problem.decodingProblem(error)
            }
            let outcome = try await services.enforcer.decide(request: enforcement, tenant: principal.tenantID, key: principal.id)
            services.metrics.recordDecision(outcome, observation: nil)
            return Response.json(Self.document(outcome))
        }

        router.post("/api/v1/events/batch") { request, context in
            let principal = try context.require(.admin, .agent)
            let body = try await request.jsonObject(limit: services.configuration.maxBodyBytes)
            guard let events = body["events"]?.arrayValue else { throw Problem.invalidField("events", "must be an array") }
            guard events.count <= ExternalEvents.maximumBatch else {
                throw Problem.invalidField("events", "at most \(ExternalEvents.maximumBatch) events per batch")
            }
            var accepted: [(Int, EventRecord)] = []
            var rejected: [JSONValue] = []
            for (index, value) in events.enumerated() {
                switch ExternalEvents.validate(value, tenant: principal.tenantID) {
                case .accepted(let event): accepted.append((index, event))
                case .rejected(let reason): rejected.append(["index": .integer(Int64(index)), "reason": .string(reason)])
                }
            }
            let toStore = accepted
            let stored: [(Int, Result<EventRecord, BatchRejection>)] = try await services.runner.write { db in
                var results: [(Int, Result<EventRecord, BatchRejection>)] = []
                for (index, event) in toStore {
                    // A resubmitted id is reported, not stored twice.
                    if try EventStore.find(db, tenant: event.tenantID, id: event.id) != nil {
                        results.append((index, .failure(BatchRejection(reason: "an event with this id was already recorded"))))
                        continue
                    }
                    results.append((index, .success(try EventRecording.append(db, event))))
                }
                return results
            }
            var acceptedDocuments: [JSONValue] = []
            for (index, result) in stored {
                switch result {
                case .success(let event):
                    acceptedDocuments.append([
                        "index": .integer(Int64(index)), "event_id": .string(event.id),
                        "ledger_index": event.ledgerIndex.map(JSONValue.integer) ?? .null,
                    ])
                case .failure(let rejection):
                    rejected.append(["index": .integer(Int64(index)), "reason": .string(rejection.reason)])
                }
            }
            rejected.sort { ($0["index"]?.doubleValue ?? 0) < ($1["index"]?.doubleValue ?? 0) }
            return Response.json(["accepted": .array(acceptedDocuments), "rejected": .array(rejected)])
        }
    }

    static func document(_ outcome: EnforcementOutcome) -> JSONValue {
        var object: [String: JSONValue] = [
            "decision": .string(outcome.decision.rawValue),
            "event_id": .string(outcome.eventID),
            "policy_version": .string(outcome.policyVersion),
            "reasons": .array(outcome.reasons.map(JSONValue.string)),
            "findings": .array(outcome.findings.map(Enforcer.findingDocument)),
            "injection": [
                "score": .number(outcome.injection.score), "attack": .bool(outcome.injection.attack),
                "signatures": .array(outcome.injection.signatures.map(JSONValue.string)),
            ],
            "redacted_content": .string(outcome.redactedContent),
            "ledger_index": outcome.ledgerIndex.map(JSONValue.integer) ?? .null,
            "latency_us": .integer(outcome.latencyMicroseconds),
        ]
        if let failMode = outcome.failMode { object["fail_mode"] = .string(failMode.rawValue) }
        return .object(object)
    }
}

/// Why one event of a batch was not stored.
struct BatchRejection: Error {
    var reason: String
}
