import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// The pooled HTTP client Astral calls providers with. Owns one
/// AsyncHTTPClient instance (connection pooling, connect and read timeouts);
/// a call runs in the caller's task, so cancelling the task — which Hummingbird
/// does when the client disconnects — cancels the upstream request.
public final class UpstreamClient: Sendable {
    let client: HTTPClient
    let configuration: ProxyConfiguration

    /// Creates a client for `configuration`'s timeouts and pool size.
    public init(configuration: ProxyConfiguration) {
        self.configuration = configuration
        let clientConfiguration = HTTPClient.Configuration(
            timeout: .init(
                connect: .seconds(Int64(configuration.connectTimeoutSeconds)),
                read: .seconds(Int64(configuration.readTimeoutSeconds))
            ),
            connectionPool: .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionsPerHost
            ),
            decompression: .disabled
        )
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    /// Closes pooled connections. Call once, when the server stops.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Why an upstream call failed, mapped to the status the SDKs expect.
    struct Failure: Error, Sendable {
        enum Kind: Sendable { case unreachable, timeout, malformed, serverError }
        var kind: Kind
        var upstreamStatus: Int?

        /// 504 for timeouts, 502 otherwise.
        var status: HTTPResponse.Status { kind == .timeout ? .gatewayTimeout : .badGateway }

        /// A message that names what failed, never any content.
        var message: String {
            switch kind {
            case .unreachable: "The upstream provider could not be reached"
            case .timeout: "The upstream provider did not answer in time"
            case .malformed: "The upstream provider sent a malformed answer"
            case .serverError: "The upstream provider failed (HTTP \(upstreamStatus ?? 0))"
            }
        }
    }

    /// Sends a request; returns the response head and its unread body.
    func send(
        url: String, method: HTTPMethod, headers: HTTPHeaders, body: [UInt8]?
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            return try await client.execute(request, timeout: .seconds(Int64(configuration.readTimeoutSeconds)))
        } catch {
            throw Self.classify(error)
        }
    }

    /// Maps a transport error to a failure kind.
    static func classify(_ error: any Error) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return CancellationError()
            case .readTimeout, .writeTimeout, .deadlineExceeded: return Failure(kind: .timeout)
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return Failure(kind: .unreachable)
            default: return Failure(kind: .unreachable)
            }
        }
        return Failure(kind: .unreachable)
    }

    /// Collects a whole body, failing with `.malformed` past `limit` bytes and
    /// with `.timeout` when the upstream stalls.
    static func collect(_ body: HTTPClientResponse.Body, upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await buffer in body {
                if bytes.count + buffer.readableBytes > limit { throw Failure(kind: .malformed) }
                bytes.append(contentsOf: buffer.readableBytesView)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw classify(error)
        }
        return bytes
    }
}
