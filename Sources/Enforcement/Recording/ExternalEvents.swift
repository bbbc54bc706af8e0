import Foundation
import Storage

/// Validation of externally decided events (`POST /api/v1/events/batch`), e.g.
/// from a browser extension that decided offline.
public enum ExternalEvents {
    /// The most events one batch may carry.
    public static let maximumBatch = 100

    /// An accepted event, or why one was rejected.
    public enum Validated: Sendable {
        /// The event to record.
        case accepted(EventRecord)
        /// The reason, naming the field.
        case rejected(String)
    }

    /// Validates one submitted event of `tenant`.
    public static func validate(_ value: JSONValue, tenant: String, now: Date = Date()) -> Validated {
        guard let object = value.objectValue else { return .rejected("event must be an object") }
        func string(_ key: String, required: Bool) -> Result<String?, Rejection> {
            switch object[key] {
            case nil, .null?: return required ? .failure(Rejection(message: "\(key) is required")) : .success(nil)
            case .string(let value)?: return .success(value)
            default: return .failure(Rejection(message: "\(key) must be a string"))
            }
        }
        do throws(Rejection) {
            let surface = try string("surface", required: true).get()!
            guard EnforcementRequest.Surface(rawValue: surface) != nil else {
                return .rejected("surface must be one of api, browser, desktop, agent, mcp")
            }
            let direction = try string("direction", required: true).get()!
            guard EnforcementRequest.Direction(rawValue: direction) != nil else {
                return .rejected("direction must be request or response")
            }
            let decision = try string("decision", required: true).get()!
            guard Decision(rawValue: decision) != nil else {
                return .rejected("decision must be one of allow, redact, warn, challenge, block")
            }
            let actor = try string("actor", required: true).get()!
            let provider = try string("ai_provider", required: true).get()!
            let model = try string("model", required: false).get()
            let policyVersion = try string("policy_version", required: false).get()
            let hmac = try string("content_hmac", required: false).get()
            if let hmac, hmac.count != 64 || !hmac.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
                return .rejected("content_hmac must be 64 lowercase hex digits")
            }
            let occurredText = try string("occurred_at", required: true).get()!
            guard let occurredAt = parseRFC3339(occurredText) else { return .rejected("occurred_at must be an RFC 3339 time") }
            guard occurredAt <= now.addingTimeInterval(300) else { return .rejected("occurred_at is in the future") }
            var reasons: [String] = []
            if let raw = object["reasons"], raw != .null {
                guard let array = raw.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                    return .rejected("reasons must be an array of strings")
                }
                reasons = array.compactMap(\.stringValue)
            }
            var findings: [JSONValue] = []
            if let raw = object["findings"], raw != .null {
                guard let array = raw.arrayValue else { return .rejected("findings must be an array") }
                for (index, finding) in array.enumerated() {
                    guard finding["type"]?.stringValue != nil, let start = finding["start"]?.doubleValue,
                        let end = finding["end"]?.doubleValue, start >= 0, end >= start
                    else {
                        return .rejected("findings[\(index)] needs type (string) and start <= end (non-negative numbers)")
                    }
                    findings.append(finding)
                }
            }
            let metadata = object["metadata"] ?? .object([:])
            guard metadata.objectValue != nil else { return .rejected("metadata must be an object") }
            if let id = try string("id", required: false).get(), UUID(uuidString: id) == nil {
                return .rejected("id must be a UUID")
            }
            let input: JSONValue = .object([
                "surface": .string(surface), "actor": .string(actor), "provider": .string(provider),
                "model": model.map(JSONValue.string) ?? .null, "direction": .string(direction),
                "findings": .array(findings), "metadata": metadata,
                "injection": object["injection"] ?? .null,
            ])
            return .accepted(EventRecord(
                id: (try string("id", required: false).get())?.lowercased() ?? UUID().uuidString.lowercased(),
                tenantID: tenant, kind: .external, occurredAt: occurredAt, surface: surface, actor: actor,
                provider: provider, model: model, direction: direction, decision: decision,
                policyVersion: policyVersion, contentHMAC: hmac, input: input, reasons: reasons))
        } catch {
            return .rejected(error.message)
        }
    }

    /// Parses an RFC 3339 time with or without fractional seconds.
    public static func parseRFC3339(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

private struct Rejection: Error {
    var message: String
}
