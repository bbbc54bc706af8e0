import Detection
import Enforcement
import Foundation
import Hummingbird
import Storage

/// The `ProxyBackend` of `astral serve`: keys through the gateway's
/// `KeyAuthenticator`, inspections through the same detector and tenant Rego
/// bundle as `/api/v1/enforce` (same input document, fail-mode and budget),
/// and one event plus ledger leaf per proxied call through the group commit.
public struct EnforcerProxyBackend: ProxyBackend {
    let enforcer: Enforcer
    let authenticator: KeyAuthenticator

    /// Creates the backend over the gateway's decision path and key authenticator.
    public init(enforcer: Enforcer, authenticator: KeyAuthenticator) {
        self.enforcer = enforcer
        self.authenticator = authenticator
    }

    /// A live `admin` or `agent` key; `auditor` keys are read-only and may not proxy.
    public func authenticate(apiKey: String) async -> ProxyCaller? {
        guard let record = try? await authenticator.authenticate(rawKey: apiKey), record.role != .auditor else { return nil }
        return ProxyCaller(tenant: record.tenantID, keyID: record.id, actor: record.name)
    }

    /// Scan → input document → tenant bundle, as `/api/v1/enforce` does, without recording.
    public func inspect(_ text: String, context: ProxyInspectionContext) async -> Inspection {
        let clock = ContinuousClock()
        let start = clock.now
        let policy: ActivePolicy
        do {
            policy = try await enforcer.policies.active(tenant: context.caller.tenant)
        } catch {
            // No readable policy: closed is the only safe answer.
            return Inspection(action: .block, reasons: ["fail-mode closed: policy_error"], failure: "closed: policy_error")
        }
        let request = EnforcementRequest(
            surface: .api, actor: context.caller.actor, provider: context.provider, model: context.model,
            direction: context.direction == .request ? .request : .response, content: text,
            metadata: .object(["proxy_api": .string(context.api.rawValue)]))
        let judgement = enforcer.judge(request, policy: policy, keyID: context.caller.keyID, since: start, clock: clock)
        let scan = judgement.scan
        let decision = judgement.decision
        let reasons = judgement.reasons
        let redactTypes = judgement.redactTypes
        if let failure = judgement.failure {
            let mode = policy.settings.failMode
            let cause = "\(mode.rawValue): \(failure.rawValue)"
            return Inspection(
                action: mode == .closed ? .block : .allow, reasons: ["fail-mode \(cause)"], findings: scan.findings,
                failure: cause)
        }
        let redactions = decision == .redact
            ? scan.findings.filter { redactTypes?.contains($0.type) ?? true }
                .map { Inspection.Redaction(type: $0.type, start: $0.start, end: $0.end) }
            : []
        return Inspection(
            action: decision, redactions: redactions, reasons: reasons,
            findings: scan.findings)
    }

    /// Appends the call's one event (and its ledger leaf) and returns its id once committed.
    public func record(_ call: ProxiedCall) async throws -> String {
        let policy = try await enforcer.policies.active(tenant: call.caller.tenant)
        let input: JSONValue = .object([
            "surface": .string("api"),
            "actor": .string(call.caller.actor),
            "provider": .string(call.api.provider),
            "model": call.model.map(JSONValue.string) ?? .null,
            "direction": .string("request"),
            "key_id": .string(call.caller.keyID),
            "content_length": .integer(Int64(call.requestText.unicodeScalars.count)),
            "findings": .array(call.requestFindings.map(Enforcer.findingDocument)),
            "metadata": .object([
                "proxy": .object([
                    "api": .string(call.api.rawValue),
                    "streamed": .bool(call.streamed),
                    "outcome": .string(call.outcome.rawValue),
                    "request_decision": .string(call.requestAction.rawValue),
                    "response_decision": call.responseAction.map { JSONValue.string($0.rawValue) } ?? .null,
                    "response_finding_types": .array(call.responseFindingTypes.map(JSONValue.string)),
                    "upstream_status": call.upstreamStatus.map { JSONValue.integer(Int64($0)) } ?? .null,
                    "usage": .object([
                        "input_tokens": call.inputTokens.map { JSONValue.integer(Int64($0)) } ?? .null,
                        "output_tokens": call.outputTokens.map { JSONValue.integer(Int64($0)) } ?? .null,
                    ]),
                ]),
            ]),
        ])
        let event = EventRecord(
            id: UUID().uuidString.lowercased(), tenantID: call.caller.tenant, kind: .decision, occurredAt: Date(),
            surface: "api", actor: call.caller.actor, provider: call.api.provider, model: call.model,
            direction: "request", decision: call.decision.rawValue, policyVersion: policy.policyVersion,
            latencyMicroseconds: call.latencyMicroseconds, failMode: call.failures.first.map { String($0.prefix { $0 != ":" }) },
            contentHMAC: policy.contentHMAC(of: call.requestText), content: policy.settings.retainContent ? call.requestText : nil, input: input,
            reasons: call.requestReasons + call.responseReasons)
        let stored = try await enforcer.runner.write { db in try EventRecording.append(db, event) }
        return stored.id
    }
}

extension ProxyRoutes {
    /// Registers the proxy routes backed by the gateway's own services — the
    /// call `Gateway.router(services:)` makes, before adding its `/api/v1`
    /// middleware (the proxy answers errors in the providers' shapes).
    public static func register<Context: RequestContext>(
        on router: Router<Context>, services: GatewayServices, upstream: UpstreamClient
    ) {
        register(
            on: router, backend: EnforcerProxyBackend(enforcer: services.enforcer, authenticator: services.authenticator),
            upstream: upstream)
    }
}
