import Enforcement
import Foundation
import Hummingbird
import Storage

/// Tenant settings and API keys of the caller's tenant.
struct AdminRoutes {
    let services: GatewayServices

    func register(on router: Router<GatewayRequestContext>) {
        let governance = services.governance
        let limit = services.configuration.maxBodyBytes

        router.get("/api/v1/config") { _, context in
            let principal = try context.require(.admin, .auditor)
            let (document, revision) = try await governance.configuration(tenant: principal.tenantID)
            return Response.json(["config": document, "policy_version": .string(String(revision))])
        }

        router.put("/api/v1/config") { request, context in
            let principal = try context.require(.admin)
            let body = try await request.jsonObject(limit: limit)
            guard let document = body["config"] else { throw Problem.invalidField("config", "is required (an object)") }
            let revision = try await governance.setConfiguration(tenant: principal.tenantID, document: document, actor: principal.id)
            return Response.json(["config": revision.configuration, "policy_version": .string(String(revision.revision))])
        }

        router.get("/api/v1/keys") { _, context in
            let principal = try context.require(.admin, .auditor)
            let keys = try await governance.keys(tenant: principal.tenantID)
            return Response.json(["keys": .array(keys.map(Self.document))])
        }

        router.post("/api/v1/keys") { request, context in
            let principal = try context.require(.admin)
            let body = try await request.jsonObject(limit: limit)
            guard let roleName = body["role"]?.stringValue else { throw Problem.invalidField("role", "is required") }
            guard let role = Role(rawValue: roleName) else { throw Problem.invalidField("role", "must be admin, agent or auditor") }
            var name: String?
            if let raw = body["name"], raw != .null {
                guard let value = raw.stringValue, !value.isEmpty, value.count <= 200 else {
                    throw Problem.invalidField("name", "must be a non-empty string of at most 200 characters")
                }
                name = value
            }
            let (material, record) = try await governance.createKey(tenant: principal.tenantID, role: role, name: name, actor: principal.id)
            guard case .object(var document) = Self.document(record) else { return Response(status: .internalServerError) }
            document["key"] = .string(material.rawKey)
            return Response.json(.object(document), status: .created)
        }

        router.delete("/api/v1/keys/{id}") { _, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.require("id")
            let record = try await governance.revokeKey(tenant: principal.tenantID, id: id, actor: principal.id)
            services.authenticator.forget(keyID: id)
            return Response.json(Self.document(record))
        }
    }

    static func document(_ key: APIKeyRecord) -> JSONValue {
        [
            "id": .string(key.id), "tenant": .string(key.tenantID), "name": .string(key.name), "role": .string(key.role.rawValue),
            "prefix": .string(key.prefix), "created_at": .time(key.createdAt),
            "revoked_at": key.revokedAt.map(JSONValue.time) ?? .null,
        ]
    }
}
