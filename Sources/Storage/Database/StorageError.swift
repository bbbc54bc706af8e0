/// An error raised by the storage layer. Its description never contains SQL
/// arguments, record contents or key material.
public struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; compare errors by code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Kind: Hashable, Sendable {
            case cannotOpen
            case invalidTenant
            case outOfRange
            case corrupt
            case instanceKey
            case recordTooLarge
            case schemaTooNew
            case database
            case invalidConfiguration
        }
        fileprivate let kind: Kind
        /// The data directory or database could not be opened or created.
        public static let cannotOpen = Code(kind: .cannotOpen)
        /// A tenant name is empty or holds characters an origin line cannot carry.
        public static let invalidTenant = Code(kind: .invalidTenant)
        /// An index or size lies outside the stored tree, or sizes are out of order.
        public static let outOfRange = Code(kind: .outOfRange)
        /// Stored data contradicts itself (a missing tile, a gap in the records).
        public static let corrupt = Code(kind: .corrupt)
        /// The instance signing key could not be created, read or parsed.
        public static let instanceKey = Code(kind: .instanceKey)
        /// A record is larger than the configured limit.
        public static let recordTooLarge = Code(kind: .recordTooLarge)
        /// The database holds a newer schema than this build knows; it refuses to start.
        public static let schemaTooNew = Code(kind: .schemaTooNew)
        /// The database server refused a statement or could not be reached.
        public static let database = Code(kind: .database)
        /// A database URL or role name is malformed.
        public static let invalidConfiguration = Code(kind: .invalidConfiguration)

        /// A stable snake_case name for the code.
        public var description: String {
            switch kind {
            case .cannotOpen: "cannot_open"
            case .invalidTenant: "invalid_tenant"
            case .outOfRange: "out_of_range"
            case .corrupt: "corrupt"
            case .instanceKey: "instance_key"
            case .recordTooLarge: "record_too_large"
            case .schemaTooNew: "schema_too_new"
            case .database: "database"
            case .invalidConfiguration: "invalid_configuration"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation without secrets or SQL arguments.
    public let message: String

    /// An error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Errors are equal when their codes are.
    public static func == (lhs: StorageError, rhs: StorageError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
