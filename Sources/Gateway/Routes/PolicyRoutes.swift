import Enforcement
import Foundation
import Hummingbird
import Storage

/// Policies as code: CRUD with versions, activation, simulation and the OPA bundle.
struct PolicyRoutes {
    let services: GatewayServices

    func register(on router: Router<GatewayRequestContext>) {
        let governance = services.governance
        let limit = services.configuration.maxBodyBytes

        router.get("/api/v1/policies") { _, context in
            let principal = try context.require(.admin, .auditor)
            let policies = try await governance.policies(tenant: principal.tenantID)
            return Response.json(["policies": .array(policies.map(Self.summary))])
        }

        router.get("/api/v1/policies/bundle") { request, context in
            let principal = try context.require(.admin, .auditor)
            let archive = try await governance.bundleArchive(tenant: principal.tenantID)
            if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == archive.etag || tag == "W/" + archive.etag || tag == "*"
            }) {
                return Response(status: .notModified, headers: [.eTag: archive.etag])
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/gzip", .eTag: archive.etag,
                    .contentDisposition: "attachment; filename=\"bundle.tar.gz\"",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: archive.bytes)))
        }

        router.post("/api/v1/policies") { request, context in
            let principal = try context.require(.admin)
            let body = try await request.jsonObject(limit: limit)
            guard let id = body["id"]?.stringValue else { throw Problem.invalidField("id", "is required (a string)") }
            guard let module = body["module"]?.stringValue else { throw Problem.invalidField("module", "is required (Rego source)") }
            let version = try await governance.createPolicy(tenant: principal.tenantID, id: id, module: module, actor: principal.id)
            return Response.json(Self.version(version, versions: [version.version], active: nil), status: .created,
                headers: [.location: "/api/v1/policies/\(id)"])
        }

        router.get("/api/v1/policies/{id}") { request, context in
            let principal = try context.require(.admin, .auditor)
            let id = try context.parameters.require("id")
            let (version, versions) = try await governance.policy(tenant: principal.tenantID, id: id, version: try request.integerQuery("version"))
            let active = try await governance.policies.active(tenant: principal.tenantID).revision.members.first { $0.policyID == id }?.version
            return Response.json(Self.version(version, versions: versions, active: active))
        }

        router.put("/api/v1/policies/{id}") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await request.jsonObject(limit: limit)
            guard let module = body["module"]?.stringValue else { throw Problem.invalidField("module", "is required (Rego source)") }
            guard case .integer(let replacing)? = body["version"] else {
                throw Problem.invalidField("version", "is required: the version this update replaces (an integer)")
            }
            let version = try await governance.updatePolicy(
                tenant: principal.tenantID, id: id, replacing: Int(replacing), module: module, actor: principal.id)
            let (_, versions) = try await governance.policy(tenant: principal.tenantID, id: id)
            return Response.json(Self.version(version, versions: versions, active: nil))
        }

        router.delete("/api/v1/policies/{id}") { _, context in
            let principal = try context.require(.admin)
            try await governance.deletePolicy(tenant: principal.tenantID, id: try context.parameters.require("id"), actor: principal.id)
            return Response(status: .noContent)
        }

        router.post("/api/v1/policies/{id}/activate") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await Self.optionalObject(request, limit: limit)
            var version: Int?
            if let raw = body["version"], raw != .null {
                guard case .integer(let number) = raw else { throw Problem.invalidField("version", "must be an integer") }
                version = Int(number)
            }
            let revision = try await governance.activatePolicy(tenant: principal.tenantID, id: id, version: version, actor: principal.id)
            return Response.json(Self.bundle(revision))
        }

        router.post("/api/v1/policies/{id}/deactivate") { _, context in
            let principal = try context.require(.admin)
            let revision = try await governance.deactivatePolicy(
                tenant: principal.tenantID, id: try context.parameters.require("id"), actor: principal.id)
            return Response.json(Self.bundle(revision))
        }

        router.post("/api/v1/policies/{id}/simulate") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await Self.optionalObject(request, limit: limit)
            var days = 30.0
            if let raw = body["days"], raw != .null {
                guard let number = raw.doubleValue, number > 0, number <= 3650 else {
                    throw Problem.invalidField("days", "must be a number of days in (0, 3650]")
                }
                days = number
            }
            var version: Int?
            if let raw = body["version"], raw != .null {
                guard case .integer(let number) = raw else { throw Problem.invalidField("version", "must be an integer") }
                version = Int(number)
            }
            let report = try await governance.simulate(tenant: principal.tenantID, id: id, version: version, days: days)
            return Response.json([
                "policy_id": .string(report.policyID), "version": .integer(Int64(report.version)), "days": .number(report.days),
                "evaluated": .integer(Int64(report.evaluated)), "changed": .integer(Int64(report.changed)),
                "errors": .integer(Int64(report.errors)),
                "transitions": .object(report.transitions.mapValues { .integer(Int64($0)) }),
                "samples": .array(report.samples.map { sample in
                    ["event_id": .string(sample.eventID), "time": .time(sample.occurredAt), "from": .string(sample.from), "to": .string(sample.to)]
                }),
            ])
        }
    }

    static func optionalObject(_ request: Request, limit: Int) async throws -> [String: JSONValue] {
        let buffer = try await request.bodyBytes(limit: limit)
        if buffer.readableBytes == 0 { return [:] }
        guard let value = try? JSONValue.parse(Data(buffer.readableBytesView)) else {
            throw Problem(.badRequest, code: "malformed_json", detail: "the body is not valid JSON")
        }
        guard let object = value.objectValue else { throw Problem.invalidField("$", "must be a JSON object") }
        return object
    }

    static func summary(_ policy: PolicySummary) -> JSONValue {
        [
            "id": .string(policy.id), "latest_version": .integer(Int64(policy.latestVersion)),
            "active_version": policy.activeVersion.map { .integer(Int64($0)) } ?? .null,
            "created_at": .time(policy.createdAt), "updated_at": .time(policy.updatedAt),
        ]
    }

    static func version(_ version: PolicyVersion, versions: [Int], active: Int?) -> JSONValue {
        [
            "id": .string(version.policyID), "version": .integer(Int64(version.version)), "module": .string(version.module),
            "created_at": .time(version.createdAt), "versions": .array(versions.map { .integer(Int64($0)) }),
            "active_version": active.map { .integer(Int64($0)) } ?? .null,
        ]
    }

    static func bundle(_ revision: BundleRevision) -> JSONValue {
        [
            "policy_version": .string(String(revision.revision)),
            "members": .array(revision.members.map { ["policy_id": .string($0.policyID), "version": .integer(Int64($0.version))] }),
            "config": revision.configuration,
        ]
    }
}
