import Detection
import Enforcement

/// Who is calling the proxy, as the Astral key presented says.
public struct ProxyCaller: Sendable, Hashable {
    /// The tenant the key belongs to.
    public var tenant: String
    /// The key's public id.
    public var keyID: String
    /// The actor recorded in events (the key's name or owner).
    public var actor: String

    /// Creates a caller.
    public init(tenant: String, keyID: String, actor: String) {
        self.tenant = tenant
        self.keyID = keyID
        self.actor = actor
    }
}

/// Whether text goes to the model or comes back from it.
public enum ProxyDirection: String, Sendable, Hashable {
    /// Text the upstream model will read.
    case request
    /// Text the model wrote, on its way to the client.
    case response
}

/// The context of one inspection.
public struct ProxyInspectionContext: Sendable, Hashable {
    /// The caller.
    public var caller: ProxyCaller
    /// The provider API being proxied.
    public var api: ProviderAPI
    /// The model the request names, if any.
    public var model: String?
    /// Request or response text.
    public var direction: ProxyDirection

    /// Creates an inspection context.
    public init(caller: ProxyCaller, api: ProviderAPI, model: String?, direction: ProxyDirection) {
        self.caller = caller
        self.api = api
        self.model = model
        self.direction = direction
    }

    /// The provider name (`openai`, `anthropic`).
    public var provider: String { api.provider }
}

/// How a proxied call ended.
public enum ProxyOutcome: String, Sendable, Hashable {
    /// The upstream answered and the answer went to the client.
    case forwarded
    /// The request was refused by policy; the upstream was not called.
    case requestBlocked = "request_blocked"
    /// The upstream's answer was refused by policy (a non-streaming 403, or a stream cut with an error event).
    case responseBlocked = "response_blocked"
    /// The upstream could not be reached, timed out, failed or answered malformed data.
    case upstreamFailed = "upstream_failed"
    /// The client went away before the answer was complete.
    case clientCancelled = "client_cancelled"
}

/// Everything recorded about one proxied call: the one event it produces.
public struct ProxiedCall: Sendable, Hashable {
    /// The caller.
    public var caller: ProxyCaller
    /// The provider API.
    public var api: ProviderAPI
    /// The model (the upstream's answer wins over the request's).
    public var model: String?
    /// Whether the answer was streamed.
    public var streamed: Bool
    /// The decision on the request text.
    public var requestAction: Inspection.Action
    /// Findings in the request (offsets into the request's texts joined by a blank line).
    public var requestFindings: [Finding]
    /// Policy reasons for the request decision.
    public var requestReasons: [String]
    /// The decision on the response text (`nil` when no response was inspected).
    public var responseAction: Inspection.Action?
    /// Finding types seen in the response.
    public var responseFindingTypes: [String]
    /// Policy reasons for the response decision.
    public var responseReasons: [String]
    /// How the call ended.
    public var outcome: ProxyOutcome
    /// The upstream's HTTP status, when it answered.
    public var upstreamStatus: Int?
    /// Input tokens the upstream reported.
    public var inputTokens: Int?
    /// Output tokens the upstream reported.
    public var outputTokens: Int?
    /// Wall time from request received to answer complete, in microseconds.
    public var latencyMicroseconds: Int64
    /// The request's model-readable texts joined by blank lines (after no
    /// redaction), for the content HMAC and for tenants that retain content.
    /// Never logged.
    public var requestText: String
    /// Fail-mode causes of checks that could not run (request or response).
    public var failures: [String]

    /// Creates a call record.
    public init(
        caller: ProxyCaller, api: ProviderAPI, model: String?, streamed: Bool,
        requestAction: Inspection.Action, requestFindings: [Finding], requestReasons: [String],
        responseAction: Inspection.Action?, responseFindingTypes: [String], responseReasons: [String],
        outcome: ProxyOutcome, upstreamStatus: Int?, inputTokens: Int?, outputTokens: Int?,
        latencyMicroseconds: Int64, requestText: String = "", failures: [String] = []
    ) {
        self.caller = caller
        self.api = api
        self.model = model
        self.streamed = streamed
        self.requestAction = requestAction
        self.requestFindings = requestFindings
        self.requestReasons = requestReasons
        self.responseAction = responseAction
        self.responseFindingTypes = responseFindingTypes
        self.responseReasons = responseReasons
        self.outcome = outcome
        self.upstreamStatus = upstreamStatus
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latencyMicroseconds = latencyMicroseconds
        self.requestText = requestText
        self.failures = failures
    }

    /// The call's overall decision: the stronger of request and response.
    public var decision: Inspection.Action { max(requestAction, responseAction ?? .allow) }
}

/// What the proxy needs from the rest of Astral: key authentication, the
/// decision pipeline without recording (a call is inspected many times while
/// it streams), and recording the call's one event in the ledger.
public protocol ProxyBackend: Sendable {
    /// The caller a presented Astral key belongs to, or `nil` when the key is unknown or revoked.
    func authenticate(apiKey: String) async -> ProxyCaller?
    /// Scans and decides one text (tenant policy, fail-mode applied); records nothing.
    func inspect(_ text: String, context: ProxyInspectionContext) async -> Inspection
    /// Records the call's event and ledger leaf durably; returns the event id.
    func record(_ call: ProxiedCall) async throws -> String
}
