import Storage

/// The OpenAPI 3.1 description of every route, served at `/openapi.json`.
public enum OpenAPIDocument {
    /// Every route as (method, path template, roles allowed; empty = no key needed).
    public static let routes: [(method: String, path: String, roles: [String])] = operations.map { ($0.method, $0.path, $0.roles) }

    struct Operation {
        var method: String
        var path: String
        var id: String
        var summary: String
        var roles: [String]
        var requestSchema: JSONValue?
        var responses: [String: (String, JSONValue?)]
        var query: [(String, String, Bool)] = []  // name, type, required
        var responseType = "application/json"
    }

    static let problem: JSONValue = ["$ref": "#/components/schemas/Problem"]
    static let object: JSONValue = ["type": "object"]
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static let errors: [String: (String, JSONValue?)] = [
        "400": ("Bad input; `field` names the offending field", problem),
        "401": ("Missing or unknown API key", problem),
        "403": ("The key's role may not use this route", problem),
        "429": ("Rate limited; see Retry-After", problem),
    ]

    static func with(_ extra: [String: (String, JSONValue?)]) -> [String: (String, JSONValue?)] {
        errors.merging(extra) { _, new in new }
    }

    static let operations: [Operation] = [
        Operation(method: "get", path: "/healthz", id: "health", summary: "Liveness", roles: [], requestSchema: nil,
            responses: ["200": ("Alive", object)]),
        Operation(method: "get", path: "/readyz", id: "ready", summary: "Readiness (database and default bundle)", roles: [],
            requestSchema: nil, responses: ["200": ("Ready", object), "503": ("Not ready", object)]),
        Operation(method: "get", path: "/metrics", id: "metrics", summary: "Prometheus metrics", roles: [], requestSchema: nil,
            responses: ["200": ("Text exposition format", ["type": "string"])], responseType: "text/plain"),
        Operation(method: "get", path: "/openapi.json", id: "openapi", summary: "This document", roles: [], requestSchema: nil,
            responses: ["200": ("OpenAPI 3.1", object)]),
        Operation(method: "post", path: "/api/v1/enforce", id: "enforce", summary: "Scan and decide on one AI interaction",
            roles: ["admin", "agent"], requestSchema: ref("EnforceRequest"),
            responses: with(["200": ("The decision, after its event and ledger leaf are committed", ref("EnforceResponse")),
                "413": ("Body too large", problem)])),
        Operation(method: "post", path: "/api/v1/events/batch", id: "submitEvents", summary: "Record up to 100 externally decided events",
            roles: ["admin", "agent"], requestSchema: ["type": "object", "required": ["events"], "properties": ["events": ["type": "array", "maxItems": 100, "items": object]]],
            responses: with(["200": ("Accepted and rejected events", ["type": "object", "properties": ["accepted": ["type": "array"], "rejected": ["type": "array"]]]),
                "413": ("Body too large", problem)])),
        Operation(method: "get", path: "/api/v1/events", id: "listEvents", summary: "Events of the tenant, newest first", roles: ["admin", "auditor"],
            requestSchema: nil, responses: with(["200": ("A page of events", ["type": "object", "properties": ["events": ["type": "array", "items": ref("Event")], "next_cursor": ["type": "string"]]])]),
            query: [("since", "string", false), ("until", "string", false), ("decision", "string", false), ("actor", "string", false),
                ("surface", "string", false), ("kind", "string", false), ("limit", "integer", false), ("cursor", "string", false)]),
        Operation(method: "get", path: "/api/v1/events/{id}", id: "getEvent", summary: "One event", roles: ["admin", "auditor"],
            requestSchema: nil, responses: with(["200": ("The event", ref("Event")), "404": ("No such event", problem)])),
        Operation(method: "get", path: "/api/v1/policies", id: "listPolicies", summary: "Policies of the tenant", roles: ["admin", "auditor"],
            requestSchema: nil, responses: with(["200": ("Policies", object)])),
        Operation(method: "post", path: "/api/v1/policies", id: "createPolicy", summary: "Store a new Rego policy (version 1)", roles: ["admin"],
            requestSchema: ["type": "object", "required": ["id", "module"], "properties": ["id": ["type": "string"], "module": ["type": "string"]]],
            responses: with(["201": ("Created", ref("PolicyVersion")), "409": ("Exists", problem), "422": ("Compile errors with line and column", problem)])),
        Operation(method: "get", path: "/api/v1/policies/bundle", id: "getBundle", summary: "The active bundle (OPA bundle, tar.gz)",
            roles: ["admin", "auditor"], requestSchema: nil,
            responses: with(["200": ("tar.gz with .manifest, .rego files and data.json; ETag", ["type": "string", "contentMediaType": "application/gzip"]),
                "304": ("Not modified (If-None-Match)", nil)]), responseType: "application/gzip"),
        Operation(method: "get", path: "/api/v1/policies/{id}", id: "getPolicy", summary: "A policy version (latest unless ?version=N)",
            roles: ["admin", "auditor"], requestSchema: nil, responses: with(["200": ("The version", ref("PolicyVersion")), "404": ("No such policy", problem)]),
            query: [("version", "integer", false)]),
        Operation(method: "put", path: "/api/v1/policies/{id}", id: "updatePolicy", summary: "Store a new version replacing `version`", roles: ["admin"],
            requestSchema: ["type": "object", "required": ["module", "version"], "properties": ["module": ["type": "string"], "version": ["type": "integer"]]],
            responses: with(["200": ("The new version", ref("PolicyVersion")), "404": ("No such policy", problem),
                "409": ("`version` is not the latest", problem), "422": ("Compile errors", problem)])),
        Operation(method: "delete", path: "/api/v1/policies/{id}", id: "deletePolicy", summary: "Delete an inactive policy", roles: ["admin"],
            requestSchema: nil, responses: with(["204": ("Deleted", nil), "404": ("No such policy", problem), "409": ("The policy is active", problem)])),
        Operation(method: "post", path: "/api/v1/policies/{id}/activate", id: "activatePolicy", summary: "Pin a version in a new active bundle revision",
            roles: ["admin"], requestSchema: ["type": "object", "properties": ["version": ["type": "integer"]]],
            responses: with(["200": ("The new bundle revision", ref("Bundle")), "404": ("No such policy", problem), "422": ("The bundle does not compile", problem)])),
        Operation(method: "post", path: "/api/v1/policies/{id}/deactivate", id: "deactivatePolicy", summary: "Remove a policy from the active bundle",
            roles: ["admin"], requestSchema: nil, responses: with(["200": ("The new bundle revision", ref("Bundle")), "404": ("Not active", problem)])),
        Operation(method: "post", path: "/api/v1/policies/{id}/simulate", id: "simulatePolicy", summary: "Replay stored inputs against a draft",
            roles: ["admin"], requestSchema: ["type": "object", "properties": ["days": ["type": "number"], "version": ["type": "integer"]]],
            responses: with(["200": ("Changed decisions by transition, with samples", object), "404": ("No such policy", problem), "422": ("Compile errors", problem)])),
        Operation(method: "get", path: "/api/v1/config", id: "getConfig", summary: "Tenant settings (data.astral.config)", roles: ["admin", "auditor"],
            requestSchema: nil, responses: with(["200": ("Settings", object)])),
        Operation(method: "put", path: "/api/v1/config", id: "setConfig", summary: "Replace tenant settings", roles: ["admin"],
            requestSchema: ["type": "object", "required": ["config"], "properties": ["config": ref("TenantConfig")]],
            responses: with(["200": ("The new settings", object)])),
        Operation(method: "get", path: "/api/v1/keys", id: "listKeys", summary: "API keys of the tenant (hashes never leave the server)",
            roles: ["admin", "auditor"], requestSchema: nil, responses: with(["200": ("Keys", object)])),
        Operation(method: "post", path: "/api/v1/keys", id: "createKey", summary: "Create a key; the raw key is in the answer, once", roles: ["admin"],
            requestSchema: ["type": "object", "required": ["role"], "properties": ["role": ["enum": ["admin", "agent", "auditor"]], "name": ["type": "string"]]],
            responses: with(["201": ("The key, with `key` shown once", object)])),
        Operation(method: "delete", path: "/api/v1/keys/{id}", id: "revokeKey", summary: "Revoke a key", roles: ["admin"], requestSchema: nil,
            responses: with(["200": ("The revoked key", object), "404": ("No such key", problem)])),
        Operation(method: "get", path: "/api/v1/ledger/checkpoint", id: "ledgerCheckpoint", summary: "Latest signed checkpoint (C2SP signed note)",
            roles: ["admin", "auditor"], requestSchema: nil, responses: with(["200": ("Signed note", ["type": "string"])]), responseType: "text/plain"),
        Operation(method: "get", path: "/api/v1/ledger/proof/inclusion", id: "ledgerInclusion", summary: "Inclusion proof (RFC 9162)",
            roles: ["admin", "auditor"], requestSchema: nil, responses: with(["200": ("Proof", object)]),
            query: [("index", "integer", true), ("size", "integer", false)]),
        Operation(method: "get", path: "/api/v1/ledger/proof/consistency", id: "ledgerConsistency", summary: "Consistency proof (RFC 9162)",
            roles: ["admin", "auditor"], requestSchema: nil, responses: with(["200": ("Proof", object)]),
            query: [("from", "integer", true), ("to", "integer", true)]),
        Operation(method: "get", path: "/api/v1/ledger/records", id: "ledgerRecords", summary: "Ledger records in leaf order",
            roles: ["admin", "auditor"], requestSchema: nil, responses: with(["200": ("Records", object)]),
            query: [("from", "integer", false), ("limit", "integer", false)]),
    ]

    /// The document.
    public static let document: JSONValue = {
        var paths: [String: JSONValue] = [:]
        for operation in operations {
            var parameters: [JSONValue] = []
            if operation.path.contains("{id}") {
                parameters.append(["name": "id", "in": "path", "required": true, "schema": ["type": "string"]])
            }
            for (name, type, required) in operation.query {
                parameters.append(["name": .string(name), "in": "query", "required": .bool(required), "schema": ["type": .string(type)]])
            }
            var responses: [String: JSONValue] = [:]
            for (status, (description, schema)) in operation.responses {
                var response: [String: JSONValue] = ["description": .string(description)]
                if let schema {
                    let type = status.hasPrefix("2") ? operation.responseType : "application/problem+json"
                    response["content"] = [type: ["schema": schema]]
                }
                responses[status] = .object(response)
            }
            var op: [String: JSONValue] = [
                "operationId": .string(operation.id), "summary": .string(operation.summary), "responses": .object(responses),
                "security": operation.roles.isEmpty ? [] : [["bearer": []]],
                "x-astral-roles": .array(operation.roles.map(JSONValue.string)),
            ]
            if !parameters.isEmpty { op["parameters"] = .array(parameters) }
            if let schema = operation.requestSchema {
                op["requestBody"] = ["required": true, "content": ["application/json": ["schema": schema]]]
            }
            var item = paths[operation.path]?.objectValue ?? [:]
            item[operation.method] = .object(op)
            paths[operation.path] = .object(item)
        }
        let finding: JSONValue = ["type": "object", "required": ["type", "start", "end", "score"], "properties": [
            "type": ["type": "string"], "rule": ["type": "string"], "start": ["type": "integer"], "end": ["type": "integer"],
            "score": ["type": "number"],
        ]]
        let injection: JSONValue = ["type": "object", "properties": [
            "score": ["type": "number"], "attack": ["type": "boolean"], "signatures": ["type": "array", "items": ["type": "string"]],
        ]]
        let decision: JSONValue = ["enum": ["allow", "redact", "warn", "challenge", "block"]]
        return [
            "openapi": "3.1.0",
            "info": ["title": "Astral", "version": "1.0.0", "description": "Inline AI governance: decisions, policies as code, evidence ledger."],
            "servers": [["url": "/"]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": [
                    "Problem": ["type": "object", "required": ["type", "title", "status"], "properties": [
                        "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
                        "detail": ["type": "string"], "code": ["type": "string"], "field": ["type": "string"],
                        "errors": ["type": "array", "items": ["type": "object"]],
                    ]],
                    "Finding": finding,
                    "Injection": injection,
                    "EnforceRequest": ["type": "object", "required": ["surface", "actor", "ai_provider", "direction", "content"], "properties": [
                        "surface": ["enum": ["api", "browser", "desktop", "agent", "mcp"]], "actor": ["type": "string"],
                        "ai_provider": ["type": "string"], "model": ["type": "string"],
                        "direction": ["enum": ["request", "response"]], "content": ["type": "string"], "metadata": ["type": "object"],
                    ]],
                    "EnforceResponse": ["type": "object", "required": ["decision", "event_id", "policy_version"], "properties": [
                        "decision": decision, "event_id": ["type": "string", "format": "uuid"], "policy_version": ["type": "string"],
                        "reasons": ["type": "array", "items": ["type": "string"]],
                        "findings": ["type": "array", "items": ["$ref": "#/components/schemas/Finding"]],
                        "injection": ["$ref": "#/components/schemas/Injection"], "redacted_content": ["type": "string"],
                        "ledger_index": ["type": ["integer", "null"]], "fail_mode": ["enum": ["closed", "open"]],
                        "latency_us": ["type": "integer"],
                    ]],
                    "Event": ["type": "object", "required": ["event_id", "kind", "time"], "properties": [
                        "event_id": ["type": "string"], "kind": ["enum": ["decision", "external", "admin"]], "time": ["type": "string", "format": "date-time"],
                        "decision": ["type": ["string", "null"]], "policy_version": ["type": ["string", "null"]], "input": ["type": "object"],
                        "content_hmac": ["type": ["string", "null"]], "ledger_index": ["type": ["integer", "null"]],
                    ]],
                    "PolicyVersion": ["type": "object", "required": ["id", "version", "module"], "properties": [
                        "id": ["type": "string"], "version": ["type": "integer"], "module": ["type": "string"],
                        "versions": ["type": "array", "items": ["type": "integer"]], "active_version": ["type": ["integer", "null"]],
                    ]],
                    "Bundle": ["type": "object", "properties": [
                        "policy_version": ["type": "string"], "members": ["type": "array"], "config": ["type": "object"],
                    ]],
                    "TenantConfig": ["type": "object", "properties": [
                        "allowed_providers": ["type": "array", "items": ["type": "string"]],
                        "baa_providers": ["type": "array", "items": ["type": "string"]],
                        "thresholds": ["type": "object", "properties": ["injection": ["type": "number"], "finding": ["type": "number"]]],
                        "fail_mode": ["enum": ["closed", "open"]], "content_retention": ["type": "boolean"], "budget_ms": ["type": "number"],
                    ]],
                ],
            ],
        ]
    }()
}
