/// One ledger record: a JSON object in RFC 8785 canonical form and its leaf hash.
public struct LedgerRecord: Sendable, Hashable {
    /// Default limit on a record's size, in bytes of its canonical JSON (1 MiB).
    public static let defaultMaximumBytes = 1 << 20

    /// The canonical JSON (RFC 8785) of the record: the leaf's data.
    public let canonicalJSON: [UInt8]
    /// SHA-256(0x00 ‖ canonicalJSON).
    public let leafHash: Hash

    /// Canonicalises the JSON text `json`, which must be an object of at most `maximumBytes` (as given and canonical).
    public init(json: [UInt8], maximumBytes: Int = LedgerRecord.defaultMaximumBytes) throws {
        try self.init(json: json[...], maximumBytes: maximumBytes)
    }

    /// Canonicalises the JSON text in `json` (a slice, to avoid copying lines out of a buffer).
    public init(json: ArraySlice<UInt8>, maximumBytes: Int = LedgerRecord.defaultMaximumBytes) throws {
        self = try json.withUnsafeBufferPointer { try LedgerRecord(json: $0, maximumBytes: maximumBytes) }
    }

    /// Canonicalises the JSON text in `json` (bytes borrowed from a larger buffer).
    public init(json: UnsafeBufferPointer<UInt8>, maximumBytes: Int = LedgerRecord.defaultMaximumBytes) throws {
        var canonicalizer = JCS.Canonicalizer()
        try self.init(json: json, maximumBytes: maximumBytes, canonicalizer: &canonicalizer)
    }

    /// Canonicalises the JSON text in `json` with a canonicaliser reused across records.
    public init(
        json: UnsafeBufferPointer<UInt8>, maximumBytes: Int = LedgerRecord.defaultMaximumBytes,
        canonicalizer: inout JCS.Canonicalizer
    ) throws {
        guard json.count <= maximumBytes else {
            throw LedgerError(.recordTooLarge, "record of \(json.count) bytes exceeds the limit of \(maximumBytes)")
        }
        if try canonicalizer.isCanonical(json) {
            try self.init(canonicalJSON: Array(json), maximumBytes: maximumBytes)
            return
        }
        var canonical: [UInt8] = []
        canonical.reserveCapacity(json.count)
        try canonicalizer.canonicalize(json, into: &canonical)
        try self.init(canonicalJSON: canonical, maximumBytes: maximumBytes)
    }

    /// The leaf hash of the record whose JSON text is `json`, canonicalised
    /// into the reusable `buffer` (no allocation per record once warm); the
    /// same checks and result as `LedgerRecord(json:maximumBytes:).leafHash`.
    public static func leafHash(
        json: UnsafeBufferPointer<UInt8>, maximumBytes: Int = LedgerRecord.defaultMaximumBytes,
        canonicalizer: inout JCS.Canonicalizer, buffer: inout [UInt8]
    ) throws -> Hash {
        guard json.count <= maximumBytes else {
            throw LedgerError(.recordTooLarge, "record of \(json.count) bytes exceeds the limit of \(maximumBytes)")
        }
        if try canonicalizer.isCanonical(json) {
            // Verified byte for byte to be its own canonical form: hash it in place.
            guard json.first == UInt8(ascii: "{") else {
                throw LedgerError(.notAnObject, "a ledger record must be a JSON object")
            }
            return Merkle.leafHash(UnsafeRawBufferPointer(json))
        }
        buffer.removeAll(keepingCapacity: true)
        try canonicalizer.canonicalize(json, into: &buffer)
        guard buffer.first == UInt8(ascii: "{") else {
            throw LedgerError(.notAnObject, "a ledger record must be a JSON object")
        }
        guard buffer.count <= maximumBytes else {
            throw LedgerError(.recordTooLarge, "record of \(buffer.count) bytes exceeds the limit of \(maximumBytes)")
        }
        return buffer.withUnsafeBytes { Merkle.leafHash($0) }
    }

    /// A record from a value built in code, which must be an object.
    public init(_ value: JSONValue, maximumBytes: Int = LedgerRecord.defaultMaximumBytes) throws {
        try self.init(canonicalJSON: JCS.canonicalize(value), maximumBytes: maximumBytes)
    }

    private init(canonicalJSON: [UInt8], maximumBytes: Int) throws {
        guard canonicalJSON.first == UInt8(ascii: "{") else {
            throw LedgerError(.notAnObject, "a ledger record must be a JSON object")
        }
        guard canonicalJSON.count <= maximumBytes else {
            throw LedgerError(.recordTooLarge, "record of \(canonicalJSON.count) bytes exceeds the limit of \(maximumBytes)")
        }
        self.canonicalJSON = canonicalJSON
        self.leafHash = Merkle.leafHash(canonicalJSON)
    }

    /// A record whose stored canonical bytes are trusted as canonical (read back from storage).
    ///
    /// Verification never uses this: it re-canonicalises instead.
    public init(storedCanonicalJSON: [UInt8], leafHash: Hash) {
        self.canonicalJSON = storedCanonicalJSON
        self.leafHash = leafHash
    }
}
