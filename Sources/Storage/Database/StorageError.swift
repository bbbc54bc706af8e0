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

        /// A stable snake_case name for the code.
        public var description: String {
            switch kind {
            case .cannotOpen: "cannot_open"
            case .invalidTenant: "invalid_tenant"
            case .outOfRange: "out_of_range"
            case .corrupt: "corrupt"
            case .instanceKey: "instance_key"
            case .recordTooLarge: "record_too_large"
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
