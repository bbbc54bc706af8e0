import Hummingbird
import Storage

/// The request context of every Gateway route: who is calling and the request id.
public struct GatewayRequestContext: RequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated key, once the auth middleware ran.
    public var principal: APIKeyRecord?
    /// The request id (from `X-Request-Id` or generated).
    public var requestID: String

    /// Creates the context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        requestID = ""
    }

    /// The calling key, which must have one of `roles` (otherwise 401/403).
    public func require(_ roles: Role...) throws -> APIKeyRecord {
        guard let principal else { throw Problem.unauthorized() }
        guard roles.contains(principal.role) else {
            throw Problem(.forbidden, code: "forbidden", detail: "the \(principal.role.rawValue) role may not use this route")
        }
        return principal
    }
}
