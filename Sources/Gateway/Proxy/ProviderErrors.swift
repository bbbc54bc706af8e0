import Enforcement
import HTTPTypes
import Hummingbird
import NIOCore

/// The error bodies official SDKs expect, so a refusal or failure surfaces as
/// the SDK's normal exception (`PermissionDeniedError`, `APIStatusError`, ...).
enum ProviderError {
    /// An error response in the provider's own shape.
    static func response(
        _ status: HTTPResponse.Status, type: String, message: String, provider: ProviderFamily,
        eventID: String? = nil
    ) -> Response {
        let body: OrderedJSON
        switch provider {
        case .openAI:
            body = .object([
                .init("error", .object([
                    .init("message", .string(message)),
                    .init("type", .string(type)),
                    .init("param", .null),
                    .init("code", .string(type)),
                ])),
            ])
        case .anthropic:
            body = .object([
                .init("type", .string("error")),
                .init("error", .object([
                    .init("type", .string(type)),
                    .init("message", .string(message)),
                ])),
            ])
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        if let eventID { headers[ProxyHeader.eventID] = eventID }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.serializedBytes())))
    }
}

/// The two wire families the proxy speaks.
enum ProviderFamily: Sendable {
    case openAI
    case anthropic

    init(_ api: ProviderAPI) {
        self = api.provider == "anthropic" ? .anthropic : .openAI
    }

    var authenticationErrorType: String { self == .anthropic ? "authentication_error" : "invalid_request_error" }
    var invalidRequestType: String { "invalid_request_error" }
    var tooLargeType: String { self == .anthropic ? "request_too_large" : "invalid_request_error" }
    var upstreamErrorType: String { self == .anthropic ? "api_error" : "upstream_error" }
    var timeoutErrorType: String { self == .anthropic ? "timeout_error" : "timeout" }
}

/// Header names the proxy reads or writes.
enum ProxyHeader {
    static let apiKey = HTTPField.Name("x-api-key")!
    static let anthropicVersion = HTTPField.Name("anthropic-version")!
    static let anthropicBeta = HTTPField.Name("anthropic-beta")!
    static let openAIOrganization = HTTPField.Name("openai-organization")!
    static let openAIProject = HTTPField.Name("openai-project")!
    /// The id of the event that recorded the call (non-streaming answers).
    static let eventID = HTTPField.Name("x-astral-event-id")!
}
