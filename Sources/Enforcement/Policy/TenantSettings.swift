import Foundation
import Storage

/// A tenant's settings, stored as `data.astral.config` in its bundle so that
/// policies can read them. Unknown keys are kept and passed to policies as-is.
public struct TenantSettings: Sendable, Hashable {
    /// Providers a request may go to; empty means any.
    public var allowedProviders: [String]
    /// Providers with a Business Associate Agreement (PHI may be redacted instead of blocked).
    public var baaProviders: [String]
    /// Injection score at or above which the default policy treats content as an attack; `nil` = the detector's verdict.
    public var injectionThreshold: Double?
    /// Minimum finding score the default policy acts on.
    public var findingThreshold: Double?
    /// What happens when a check cannot run.
    public var failMode: FailMode
    /// Whether events keep the raw content.
    public var retainContent: Bool
    /// Per-request decision budget in milliseconds; `nil` = the server default.
    public var budgetMilliseconds: Double?
    /// The whole document, including keys Astral does not interpret.
    public var document: JSONValue

    /// The settings of a new tenant.
    public static let defaults = try! TenantSettings(document: .object([
        "allowed_providers": .array([]),
        "baa_providers": .array([]),
        "thresholds": .object([:]),
        "fail_mode": .string("closed"),
        "content_retention": .bool(false),
    ]))

    /// A configuration problem, naming the field.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        /// The JSON path of the offending field (`thresholds.injection`).
        public var field: String
        /// What is wrong with it.
        public var reason: String
        /// `field: reason`.
        public var description: String { "\(field): \(reason)" }
    }

    /// Validates and reads a configuration document.
    public init(document: JSONValue) throws(Invalid) {
        guard let members = document.objectValue else { throw Invalid(field: "$", reason: "must be an object") }
        func strings(_ key: String) throws(Invalid) -> [String] {
            guard let value = members[key], value != .null else { return [] }
            guard let array = value.arrayValue else { throw Invalid(field: key, reason: "must be an array of strings") }
            var out: [String] = []
            for element in array {
                guard let string = element.stringValue else { throw Invalid(field: key, reason: "must be an array of strings") }
                out.append(string)
            }
            return out
        }
        allowedProviders = try strings("allowed_providers")
        baaProviders = try strings("baa_providers")
        injectionThreshold = nil
        findingThreshold = nil
        if let thresholds = members["thresholds"], thresholds != .null {
            guard let object = thresholds.objectValue else { throw Invalid(field: "thresholds", reason: "must be an object") }
            for (key, value) in object {
                guard let number = value.doubleValue, (0...1).contains(number) else {
                    throw Invalid(field: "thresholds.\(key)", reason: "must be a number in [0, 1]")
                }
                if key == "injection" { injectionThreshold = number }
                if key == "finding" { findingThreshold = number }
            }
        }
        switch members["fail_mode"] {
        case nil, .null?: failMode = .closed
        case .string(let raw)?:
            guard let mode = FailMode(rawValue: raw) else { throw Invalid(field: "fail_mode", reason: "must be 'closed' or 'open'") }
            failMode = mode
        default: throw Invalid(field: "fail_mode", reason: "must be 'closed' or 'open'")
        }
        switch members["content_retention"] {
        case nil, .null?: retainContent = false
        case .bool(let flag)?: retainContent = flag
        default: throw Invalid(field: "content_retention", reason: "must be a boolean")
        }
        switch members["budget_ms"] {
        case nil, .null?: budgetMilliseconds = nil
        case let value?:
            guard let number = value.doubleValue, number > 0, number <= 10_000 else {
                throw Invalid(field: "budget_ms", reason: "must be a number of milliseconds in (0, 10000]")
            }
            budgetMilliseconds = number
        }
        self.document = document
    }
}
