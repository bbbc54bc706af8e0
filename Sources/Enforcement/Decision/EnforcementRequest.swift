import Detection
import Storage

/// The body of `POST /api/v1/enforce` (CONTRACTS.md §4).
public struct EnforcementRequest: Sendable, Hashable, Codable {
    /// Where the interaction happens.
    public enum Surface: String, Sendable, Hashable, Codable, CaseIterable {
        /// A direct API call.
        case api
        /// A browser extension.
        case browser
        /// A desktop application.
        case desktop
        /// An agent runtime.
        case agent
        /// An MCP tool call.
        case mcp
    }

    /// Whether the content goes to the model or comes from it.
    public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
        /// Prompt going to the provider.
        case request
        /// Completion coming back.
        case response
    }

    /// Where the interaction happens.
    public var surface: Surface
    /// Who acts.
    public var actor: String
    /// The AI provider (`openai`, `anthropic`, ...).
    public var provider: String
    /// The model.
    public var model: String?
    /// Request or response.
    public var direction: Direction
    /// The text to scan and decide on.
    public var content: String
    /// Free-form context passed to the policy as `input.metadata`.
    public var metadata: JSONValue

    /// Creates a request.
    public init(
        surface: Surface, actor: String, provider: String, model: String? = nil, direction: Direction,
        content: String, metadata: JSONValue = .object([:])
    ) {
        self.surface = surface
        self.actor = actor
        self.provider = provider
        self.model = model
        self.direction = direction
        self.content = content
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case surface, actor, model, direction, content, metadata
        case provider = "ai_provider"
    }

    /// Decodes the wire form; `metadata` must be an object when present.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        surface = try container.decode(Surface.self, forKey: .surface)
        actor = try container.decode(String.self, forKey: .actor)
        provider = try container.decode(String.self, forKey: .provider)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        direction = try container.decode(Direction.self, forKey: .direction)
        content = try container.decode(String.self, forKey: .content)
        let metadata = try container.decodeIfPresent(JSONValue.self, forKey: .metadata) ?? .object([:])
        guard case .object = metadata else {
            throw DecodingError.typeMismatch(
                [String: JSONValue].self,
                .init(codingPath: [CodingKeys.metadata], debugDescription: "metadata must be an object"))
        }
        self.metadata = metadata
    }
}

/// What the decision path answers (the body of the `200` of `/api/v1/enforce`).
public struct EnforcementOutcome: Sendable, Hashable {
    /// `allow`, `redact`, `warn`, `challenge` or `block`.
    public var decision: Decision
    /// The id of the recorded event.
    public var eventID: String
    /// The bundle revision that decided.
    public var policyVersion: String
    /// Why.
    public var reasons: [String]
    /// What the scan found.
    public var findings: [Finding]
    /// The injection verdict.
    public var injection: InjectionResult
    /// The content with the redacted spans replaced (the original when nothing is redacted; empty when blocked).
    public var redactedContent: String
    /// The ledger leaf index of the event.
    public var ledgerIndex: Int64?
    /// `closed` or `open` when the fail-mode decided instead of the policy.
    public var failMode: FailMode?
    /// Why the fail-mode decided, when it did.
    public var failure: Enforcer.Failure?
    /// Time spent deciding, in microseconds.
    public var latencyMicroseconds: Int64
}

/// The five actions, in increasing precedence.
public enum Decision: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Proceed.
    case allow
    /// Proceed, with a warning.
    case warn
    /// Proceed with sensitive spans replaced.
    case redact
    /// Ask the person to confirm.
    case challenge
    /// Do not proceed.
    case block

    var rank: Int {
        switch self {
        case .allow: 0
        case .warn: 1
        case .redact: 2
        case .challenge: 3
        case .block: 4
        }
    }

    /// Orders by precedence: block > challenge > redact > warn > allow.
    public static func < (lhs: Decision, rhs: Decision) -> Bool { lhs.rank < rhs.rank }
}

/// How a tenant resolves a check that could not run.
public enum FailMode: String, Sendable, Hashable, Codable {
    /// Block (the default).
    case closed
    /// Allow.
    case open
}
