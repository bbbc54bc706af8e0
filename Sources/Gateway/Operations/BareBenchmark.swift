import Enforcement
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import Storage

/// A bare Hummingbird route that decodes and encodes the enforce JSON and does nothing else:
/// the baseline of the benchmark in bench/.
extension Gateway {
    static func bareApplication(
        configuration: GatewayConfiguration, logger: Logger, onRunning: @escaping @Sendable (String) -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        router.post("/api/v1/enforce") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: configuration.maxBodyBytes)
            let decoded = try JSONDecoder().decode(EnforcementRequest.self, from: Data(body.readableBytesView))
            let answer: JSONValue = [
                "decision": "allow", "event_id": .string(UUID().uuidString.lowercased()), "policy_version": "0",
                "reasons": [], "findings": [], "injection": ["score": 0, "attack": false, "signatures": []],
                "redacted_content": .string(decoded.content), "ledger_index": .null,
            ]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer.serialized())))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "astral-bare"),
            onServerRunning: { channel in
                onRunning(channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\($0.port ?? configuration.port)" } ?? "")
            },
            logger: logger)
    }
}


extension Gateway {
    /// The accepted log level names.
    public static let logLevels: Set<String> = Set(Logger.Level.allCases.map(\.rawValue))

    /// Runs the gateway until SIGTERM or SIGINT, then drains in-flight requests.
    /// `announce` receives `host:port` once the server listens.
    public static func run(
        services: GatewayServices, logLevel: String, upstream: UpstreamClient? = nil,
        announce: @escaping @Sendable (String) -> Void
    ) async throws {
        let logger = makeLogger(logLevel)
        let configuration = services.configuration
        let app = application(services: services, logger: logger, upstream: upstream) { channel in
            announce(channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\($0.port ?? configuration.port)" } ?? "")
        }
        try await app.runService()
    }

    /// Runs the bare benchmark route (decode and encode only) until SIGTERM or SIGINT.
    public static func runBareBenchmark(
        configuration: GatewayConfiguration, logLevel: String, announce: @escaping @Sendable (String) -> Void
    ) async throws {
        let app = bareApplication(configuration: configuration, logger: makeLogger(logLevel), onRunning: announce)
        try await app.runService()
    }

    static func makeLogger(_ level: String) -> Logger {
        var logger = Logger(label: "astral")
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}
