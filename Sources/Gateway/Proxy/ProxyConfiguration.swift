/// Settings of the provider proxy. Every field has a documented default; the
/// environment (`fromEnvironment`) overrides them, and `astral serve` flags
/// may override the environment.
public struct ProxyConfiguration: Sendable, Hashable {
    /// OpenAI-compatible upstream base URL (`ASTRAL_UPSTREAM_OPENAI`), with or
    /// without the trailing `/v1`. Default `https://api.openai.com`.
    public var openAIBaseURL: String
    /// Anthropic-compatible upstream base URL (`ASTRAL_UPSTREAM_ANTHROPIC`), with
    /// or without the trailing `/v1`. Default `https://api.anthropic.com`.
    public var anthropicBaseURL: String
    /// The credential Astral presents to the OpenAI upstream (`ASTRAL_OPENAI_API_KEY`).
    public var openAIAPIKey: String?
    /// The credential Astral presents to the Anthropic upstream (`ASTRAL_ANTHROPIC_API_KEY`).
    public var anthropicAPIKey: String?
    /// `anthropic-version` sent when the client sent none. Default `2023-06-01`.
    public var anthropicVersion: String
    /// Time to open a connection to the upstream (`ASTRAL_UPSTREAM_CONNECT_TIMEOUT`, seconds). Default 10.
    public var connectTimeoutSeconds: Int
    /// Longest silence from the upstream before the call fails with 504
    /// (`ASTRAL_UPSTREAM_READ_TIMEOUT`, seconds). Default 600: models can think long.
    public var readTimeoutSeconds: Int
    /// Largest request body accepted from a client (`ASTRAL_PROXY_MAX_BODY_BYTES`). Default 32 MiB.
    public var maxRequestBodyBytes: Int
    /// Largest non-streaming upstream answer accepted. Default 64 MiB.
    public var maxResponseBodyBytes: Int
    /// How many Unicode scalars a streamed response holds back — the longest a
    /// finding may be (`ASTRAL_STREAM_WINDOW`). Default 256.
    public var streamWindow: Int
    /// Idle pooled upstream connections per host. Default 64.
    public var connectionsPerHost: Int

    /// Creates a configuration; every argument has the documented default.
    public init(
        openAIBaseURL: String = "https://api.openai.com",
        anthropicBaseURL: String = "https://api.anthropic.com",
        openAIAPIKey: String? = nil,
        anthropicAPIKey: String? = nil,
        anthropicVersion: String = "2023-06-01",
        connectTimeoutSeconds: Int = 10,
        readTimeoutSeconds: Int = 600,
        maxRequestBodyBytes: Int = 32 << 20,
        maxResponseBodyBytes: Int = 64 << 20,
        streamWindow: Int = 256,
        connectionsPerHost: Int = 64
    ) {
        self.openAIBaseURL = openAIBaseURL
        self.anthropicBaseURL = anthropicBaseURL
        self.openAIAPIKey = openAIAPIKey
        self.anthropicAPIKey = anthropicAPIKey
        self.anthropicVersion = anthropicVersion
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.maxResponseBodyBytes = maxResponseBodyBytes
        self.streamWindow = streamWindow
        self.connectionsPerHost = connectionsPerHost
    }

    /// An error in a proxy setting; names the variable, never its value.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// The variable at fault.
        public var variable: String
        /// What is wrong with it.
        public var reason: String
        /// Safe to print.
        public var description: String { "\(variable): \(reason)" }
    }

    /// The defaults overridden by `ASTRAL_*` variables of `environment`.
    public static func fromEnvironment(_ environment: [String: String]) throws(Error) -> ProxyConfiguration {
        var configuration = ProxyConfiguration()
        func nonEmpty(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
            return value
        }
        func url(_ name: String) throws(Error) -> String? {
            guard let value = nonEmpty(name) else { return nil }
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw Error(variable: name, reason: "must be an http:// or https:// URL")
            }
            return value
        }
        func positive(_ name: String) throws(Error) -> Int? {
            guard let value = nonEmpty(name) else { return nil }
            guard let number = Int(value), number > 0 else {
                throw Error(variable: name, reason: "must be a positive integer")
            }
            return number
        }
        if let value = try url("ASTRAL_UPSTREAM_OPENAI") { configuration.openAIBaseURL = value }
        if let value = try url("ASTRAL_UPSTREAM_ANTHROPIC") { configuration.anthropicBaseURL = value }
        configuration.openAIAPIKey = nonEmpty("ASTRAL_OPENAI_API_KEY")
        configuration.anthropicAPIKey = nonEmpty("ASTRAL_ANTHROPIC_API_KEY")
        if let value = try positive("ASTRAL_UPSTREAM_CONNECT_TIMEOUT") { configuration.connectTimeoutSeconds = value }
        if let value = try positive("ASTRAL_UPSTREAM_READ_TIMEOUT") { configuration.readTimeoutSeconds = value }
        if let value = try positive("ASTRAL_PROXY_MAX_BODY_BYTES") { configuration.maxRequestBodyBytes = value }
        if let value = try positive("ASTRAL_STREAM_WINDOW") { configuration.streamWindow = value }
        return configuration
    }

    /// The full upstream URL of `path` (which starts with `/v1/`) for a provider family.
    func upstreamURL(_ path: String, anthropic: Bool) -> String {
        var base = anthropic ? anthropicBaseURL : openAIBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        return base + path
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
