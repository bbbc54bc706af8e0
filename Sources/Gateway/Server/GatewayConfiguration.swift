import Foundation

/// Every knob of `astral serve`, with its default. The CLI fills it from flags,
/// then `ASTRAL_*` environment variables, then an optional config file.
public struct GatewayConfiguration: Sendable, Hashable {
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 picks a free one.
    public var port: Int
    /// The data directory (database, ledger key).
    public var dataDirectory: String
    /// Largest request body accepted, in bytes (larger → 413).
    public var maxBodyBytes: Int
    /// Sustained requests per second each API key may make.
    public var rateLimitPerSecond: Double
    /// Burst size of each key's token bucket.
    public var rateLimitBurst: Double
    /// Default per-request budget for scanning and deciding.
    public var decisionBudget: Duration
    /// How long an authenticated key is trusted before it is looked up again.
    public var keyCacheSeconds: Double
    /// The tenant created on first start.
    public var defaultTenant: String
    /// Instance name (checkpoint origin and key name).
    public var instanceName: String

    /// Creates a configuration; every parameter has the documented default.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./astral-data",
        maxBodyBytes: Int = 1 << 20, rateLimitPerSecond: Double = 1000, rateLimitBurst: Double = 2000,
        decisionBudget: Duration = .milliseconds(50), keyCacheSeconds: Double = 5, defaultTenant: String = "default",
        instanceName: String = "astral"
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.maxBodyBytes = maxBodyBytes
        self.rateLimitPerSecond = rateLimitPerSecond
        self.rateLimitBurst = rateLimitBurst
        self.decisionBudget = decisionBudget
        self.keyCacheSeconds = keyCacheSeconds
        self.defaultTenant = defaultTenant
        self.instanceName = instanceName
    }
}
