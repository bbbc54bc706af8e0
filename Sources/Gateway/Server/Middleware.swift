import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import Storage

/// Outermost middleware: request id, structured log line, metrics, and the
/// mapping of every error to `application/problem+json`.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = request.headers[.xRequestID].flatMap { $0.count <= 128 ? $0 : nil } ?? UUID().uuidString.lowercased()
        context.requestID = requestID
        context.logger[metadataKey: "request.id"] = .string(requestID)
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            if let problem = Problem.from(error) {
                response = try problem.response(from: request, context: context)
            } else {
                context.logger.error("request failed", metadata: ["error.type": .string(String(describing: type(of: error)))])
                response = try Problem(.internalServerError, code: "internal_error", detail: "internal error")
                    .response(from: request, context: context)
            }
        }
        response.headers[.xRequestID] = requestID
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: Int(response.status.code), seconds: seconds)
        context.logger.info(
            "request",
            metadata: [
                "http.method": .string(request.method.rawValue), "http.route": .string(route),
                "http.status": .stringConvertible(response.status.code),
                "tenant.id": .string(context.principal?.tenantID ?? "-"),
                "duration_us": .stringConvertible(Int(seconds * 1_000_000)),
            ])
        return response
    }
}

/// Resolves `Authorization: Bearer <key>` to a principal and applies the per-key rate limit.
/// Operational routes (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`) need no key.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let authenticator: KeyAuthenticator
    let limiter: RateLimiter
    static let publicPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let rawKey = Self.presentedKey(request) else { throw Problem.unauthorized() }
        guard let record = try await authenticator.authenticate(rawKey: rawKey) else {
            throw Problem.unauthorized("the API key is unknown or revoked")
        }
        if let wait = limiter.acquire(key: record.id) {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw Problem(
                .tooManyRequests, code: "rate_limited", detail: "rate limit exceeded for this key",
                headers: [.retryAfter: String(seconds)])
        }
        var context = context
        context.principal = record
        context.logger[metadataKey: "key.id"] = .string(record.id)
        return try await next(request, context)
    }

    static func presentedKey(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let key = parts[1].trimmingCharacters(in: .whitespaces)
                return key.isEmpty ? nil : key
            }
            return nil
        }
        if let key = request.headers[HTTPField.Name("x-api-key")!], !key.isEmpty { return key }
        return nil
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
}
