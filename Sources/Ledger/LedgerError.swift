/// An error from the ledger library: bad JSON, a malformed proof or note, an
/// impossible tree position. The message names what was wrong and where,
/// never the record's content or key material.
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; compare errors by code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Kind: Hashable, Sendable {
            case invalidJSON, notAnObject, recordTooLarge, invalidHash, outOfRange
            case malformedNote, malformedKey, malformedCheckpoint, verificationFailed
        }
        fileprivate let kind: Kind
        /// Input is not valid I-JSON (syntax, encoding, duplicate key, number out of range).
        public static let invalidJSON = Code(kind: .invalidJSON)
        /// A ledger record must be a JSON object.
        public static let notAnObject = Code(kind: .notAnObject)
        /// A record exceeds the configured size limit.
        public static let recordTooLarge = Code(kind: .recordTooLarge)
        /// A hash is not 32 bytes of hex or base64.
        public static let invalidHash = Code(kind: .invalidHash)
        /// A leaf index or tree size lies outside the tree, or sizes are out of order.
        public static let outOfRange = Code(kind: .outOfRange)
        /// A signed note does not follow the C2SP signed-note format.
        public static let malformedNote = Code(kind: .malformedNote)
        /// A verifier or signer key does not follow the note key format.
        public static let malformedKey = Code(kind: .malformedKey)
        /// A note's text is not a C2SP tlog checkpoint.
        public static let malformedCheckpoint = Code(kind: .malformedCheckpoint)
        /// A signature, proof or root does not verify.
        public static let verificationFailed = Code(kind: .verificationFailed)

        /// A stable snake_case name for the code.
        public var description: String {
            switch kind {
            case .invalidJSON: "invalid_json"
            case .notAnObject: "not_an_object"
            case .recordTooLarge: "record_too_large"
            case .invalidHash: "invalid_hash"
            case .outOfRange: "out_of_range"
            case .malformedNote: "malformed_note"
            case .malformedKey: "malformed_key"
            case .malformedCheckpoint: "malformed_checkpoint"
            case .verificationFailed: "verification_failed"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// An error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
    /// Errors are equal when their codes are.
    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
