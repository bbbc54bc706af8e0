/// A failure of a governance storage operation. Equality compares `code` only;
/// descriptions never contain keys, content or SQL arguments.
public struct GovernanceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Backing: String, Sendable, Hashable {
            case tenantNotFound = "tenant_not_found"
            case tenantExists = "tenant_exists"
            case keyNotFound = "key_not_found"
            case policyNotFound = "policy_not_found"
            case policyExists = "policy_exists"
            case versionConflict = "version_conflict"
            case policyActive = "policy_active"
            case invalidName = "invalid_name"
            case corruptRecord = "corrupt_record"
        }
        fileprivate let backing: Backing
        /// The tenant does not exist.
        public static let tenantNotFound = Code(backing: .tenantNotFound)
        /// A tenant with that id already exists.
        public static let tenantExists = Code(backing: .tenantExists)
        /// No such API key in the tenant.
        public static let keyNotFound = Code(backing: .keyNotFound)
        /// No such policy in the tenant.
        public static let policyNotFound = Code(backing: .policyNotFound)
        /// A policy with that id already exists.
        public static let policyExists = Code(backing: .policyExists)
        /// The update names a version that is no longer the latest.
        public static let versionConflict = Code(backing: .versionConflict)
        /// The policy is part of the active bundle.
        public static let policyActive = Code(backing: .policyActive)
        /// An id or name does not have the allowed form.
        public static let invalidName = Code(backing: .invalidName)
        /// A stored row could not be read back.
        public static let corruptRecord = Code(backing: .corruptRecord)
        /// The snake_case code.
        public var description: String { backing.rawValue }
    }

    /// The stable code.
    public let code: Code
    /// A human-readable explanation free of secrets.
    public let detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The code and the explanation.
    public var description: String { "\(code): \(detail)" }

    /// Errors are equal when their codes are.
    public static func == (lhs: GovernanceError, rhs: GovernanceError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
