import Enforcement
import Foundation
import Hummingbird
import NIOCore
import Storage

/// An RFC 9457 problem: every error of the API is answered as `application/problem+json`.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable snake_case code (`invalid_field`, `version_conflict`, ...).
    public var code: String
    /// A human-readable explanation; never contains secrets or content.
    public var detail: String
    /// Extension members (`field`, `errors`, ...).
    public var extensions: [String: JSONValue]
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    /// Creates a problem.
    public init(
        _ status: HTTPResponse.Status, code: String, detail: String, extensions: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    /// 401 with a `WWW-Authenticate` challenge.
    public static func unauthorized(_ detail: String = "a valid API key is required (Authorization: Bearer <key>)") -> Problem {
        Problem(.unauthorized, code: "unauthorized", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// 400 naming the offending field.
    public static func invalidField(_ field: String, _ reason: String) -> Problem {
        Problem(.badRequest, code: "invalid_field", detail: "\(field): \(reason)", extensions: ["field": .string(field)])
    }

    /// The problem document.
    public var document: JSONValue {
        var object = extensions
        object["type"] = .string("urn:astral:problem:\(code)")
        object["title"] = .string(status.reasonPhrase)
        object["status"] = .integer(Int64(status.code))
        object["detail"] = .string(detail)
        object["code"] = .string(code)
        return .object(object)
    }

    /// The `application/problem+json` response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: document.serialized())))
    }
}

extension Problem {
    /// Maps any error to a problem; unknown errors become a bare 500 (the caller logs them).
    static func from(_ error: any Error) -> Problem? {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            switch error.status {
            case .notFound: return Problem(.notFound, code: "not_found", detail: "no such route")
            case .contentTooLarge: return Problem(.contentTooLarge, code: "payload_too_large", detail: "the request body is larger than the limit")
            case .methodNotAllowed: return Problem(.methodNotAllowed, code: "method_not_allowed", detail: "method not allowed on this route")
            default:
                return Problem(error.status, code: error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                    detail: error.body ?? error.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return Problem(.contentTooLarge, code: "payload_too_large", detail: "the request body is larger than the limit")
        case let error as GovernanceError:
            let status: HTTPResponse.Status
            switch error.code {
            case .tenantNotFound, .keyNotFound, .policyNotFound: status = .notFound
            case .tenantExists, .policyExists, .versionConflict, .policyActive: status = .conflict
            case .invalidName: status = .badRequest
            default: return nil
            }
            return Problem(status, code: error.code.description, detail: error.detail)
        case let error as PolicyCompilationError:
            let errors = error.diagnostics.map { d -> JSONValue in
                .object([
                    "code": .string(d.code), "message": .string(d.message), "file": d.file.map(JSONValue.string) ?? .null,
                    "line": d.line.map { .integer(Int64($0)) } ?? .null, "column": d.column.map { .integer(Int64($0)) } ?? .null,
                ])
            }
            return Problem(.unprocessableContent, code: "policy_compile_error",
                detail: "the policy does not compile (\(errors.count) error\(errors.count == 1 ? "" : "s"))",
                extensions: ["errors": .array(errors)])
        case let error as TenantSettings.Invalid:
            return invalidField(error.field, error.reason)
        case let error as DecodingError:
            return decodingProblem(error)
        default:
            return nil
        }
    }

    static func decodingProblem(_ error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            var out = ""
            for key in codingPath {
                if let index = key.intValue {
                    out += "[\(index)]"
                } else {
                    out += out.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return out.isEmpty ? "$" : out
        }
        switch error {
        case .keyNotFound(let key, let context):
            return invalidField(path(context.codingPath + [key]), "is required")
        case .typeMismatch(let type, let context):
            return invalidField(path(context.codingPath), "has the wrong type (expected \(typeName(type)))")
        case .valueNotFound(let type, let context):
            return invalidField(path(context.codingPath), "must not be null (expected \(typeName(type)))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return Problem(.badRequest, code: "malformed_json", detail: "the body is not valid JSON")
            }
            return invalidField(path(context.codingPath), "has an invalid value")
        @unknown default:
            return Problem(.badRequest, code: "malformed_json", detail: "the body could not be decoded")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int64.Type, is Double.Type: "number"
        default:
            String(describing: type).contains("Dictionary") ? "object" : (String(describing: type).contains("Array") ? "array" : "a valid value")
        }
    }
}
