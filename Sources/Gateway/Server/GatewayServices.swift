import Enforcement
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import Storage

/// Everything the routes use, assembled once per process.
public struct GatewayServices: Sendable {
    /// The configuration in force.
    public let configuration: GatewayConfiguration
    /// Durable writes and reads.
    public let runner: any TransactionRunner
    /// Administrative operations.
    public let governance: GovernanceService
    /// The decision path.
    public let enforcer: Enforcer
    /// API key resolution.
    public let authenticator: KeyAuthenticator
    /// Per-key token buckets.
    public let limiter: RateLimiter
    /// Prometheus metrics.
    public let metrics: GatewayMetrics
    /// Ledger reads over HTTP, when a ledger is attached.
    public let ledger: (any LedgerReading)?

    /// Assembles the services over `runner` with a detector and a policy engine.
    public init(
        configuration: GatewayConfiguration, runner: any TransactionRunner, scanner: any ContentScanner,
        engine: any PolicyEngine, ledger: (any LedgerReading)? = nil
    ) {
        self.configuration = configuration
        self.runner = runner
        let registry = PolicyRegistry(engine: engine, runner: runner)
        let governance = GovernanceService(runner: runner, policies: registry)
        let metrics = GatewayMetrics()
        self.governance = governance
        self.metrics = metrics
        self.enforcer = Enforcer(
            scanner: scanner, policies: registry, runner: runner,
            configuration: .init(budget: configuration.decisionBudget),
            observer: { metrics.recordStages($0) })
        self.authenticator = KeyAuthenticator(governance: governance, ttlSeconds: configuration.keyCacheSeconds)
        self.limiter = RateLimiter(rate: configuration.rateLimitPerSecond, burst: configuration.rateLimitBurst)
        self.ledger = ledger
    }
}

/// Ledger reads the HTTP API serves (CONTRACTS.md §4), per tenant.
public protocol LedgerReading: Sendable {
    /// The latest signed checkpoint (a C2SP signed note).
    func checkpoint(tenant: String) async throws -> String
    /// An inclusion proof as the JSON of `astral ledger prove`.
    func inclusionProof(tenant: String, index: Int, size: Int?) async throws -> JSONValue
    /// A consistency proof as the JSON of `astral ledger consistency`.
    func consistencyProof(tenant: String, from: Int, to: Int) async throws -> JSONValue
    /// Records from leaf `from`, at most `limit`.
    func records(tenant: String, from: Int, limit: Int) async throws -> JSONValue
    /// Leaves across all tenants (for metrics).
    func totalLeaves() async throws -> Int
}

/// Builds the HTTP application.
public enum Gateway {
    /// The router with every route and middleware; with an `upstream`, also the
    /// OpenAI- and Anthropic-compatible proxy routes (which authenticate in the
    /// provider's own way, so they are added before the API middleware).
    public static func router(services: GatewayServices, upstream: UpstreamClient? = nil) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        if let upstream {
            ProxyRoutes.register(on: router, services: services, upstream: upstream)
        }
        router.add(middleware: RequestMiddleware(metrics: services.metrics))
        router.add(middleware: AuthMiddleware(authenticator: services.authenticator, limiter: services.limiter))
        OperationsRoutes(services: services).register(on: router)
        DecisionRoutes(services: services).register(on: router)
        EventRoutes(services: services).register(on: router)
        PolicyRoutes(services: services).register(on: router)
        AdminRoutes(services: services).register(on: router)
        LedgerRoutes(services: services).register(on: router)
        return router
    }

    /// The application serving `router(services:)` on the configured address.
    public static func application(
        services: GatewayServices, logger: Logger, upstream: UpstreamClient? = nil,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(services: services, upstream: upstream),
            configuration: .init(
                address: .hostname(services.configuration.host, port: services.configuration.port), serverName: "astral"),
            onServerRunning: onServerRunning,
            logger: logger)
    }
}

// MARK: - Helpers shared by the routes

extension Response {
    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
    }
}

extension Request {
    /// The body as bytes, at most `limit` (larger → 413).
    func bodyBytes(limit: Int) async throws -> ByteBuffer {
        var copy = self
        return try await copy.collectBody(upTo: limit)
    }

    /// The body as a JSON object (400 when it is not one).
    func jsonObject(limit: Int) async throws -> [String: JSONValue] {
        let buffer = try await bodyBytes(limit: limit)
        guard let value = try? JSONValue.parse(Data(buffer.readableBytesView)) else {
            throw Problem(.badRequest, code: "malformed_json", detail: "the body is not valid JSON")
        }
        guard let object = value.objectValue else { throw Problem.invalidField("$", "must be a JSON object") }
        return object
    }

    /// A query parameter parsed as an integer (400 naming it when malformed).
    func integerQuery(_ name: String) throws -> Int? {
        guard let raw = uri.queryParameters[Substring(name)] else { return nil }
        guard let value = Int(raw) else { throw Problem.invalidField(name, "must be an integer") }
        return value
    }
}

extension JSONValue {
    static func time(_ date: Date) -> JSONValue { .string(EventRecord.rfc3339(date)) }
    static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
}
