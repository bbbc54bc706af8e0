import Crypto

/// The Ed25519 signature algorithm byte of C2SP signed-note keys.
let ed25519AlgorithmByte: UInt8 = 0x01

/// The 4-byte key id of a note key: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
public func noteKeyID(name: String, publicKey: [UInt8]) -> UInt32 {
    var hasher = SHA256()
    Array(name.utf8).withUnsafeBytes { hasher.update(bufferPointer: $0) }
    [0x0a, ed25519AlgorithmByte].withUnsafeBytes { hasher.update(bufferPointer: $0) }
    publicKey.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    let digest = Array(hasher.finalize())
    return UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
}

/// Whether `name` is a valid note key name: non-empty, valid UTF-8, no whitespace, no '+'.
func isValidKeyName(_ name: String) -> Bool {
    !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
}

/// A C2SP signed-note verifier key: `<name>+<key id, 8 hex>+<base64(0x01 ‖ Ed25519 public key)>`.
public struct NoteVerifierKey: Sendable, Hashable, CustomStringConvertible {
    /// The key name (for Astral, the instance name).
    public let name: String
    /// The 4-byte key id.
    public let keyID: UInt32
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// Parses a verifier key, checking that its key id matches its name and public key.
    public init(_ text: some StringProtocol) throws {
        let trimmed = String(text).trimmingTrailingNewlines()
        let parts = trimmed.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw LedgerError(.malformedKey, "a verifier key is <name>+<key id>+<base64 key>")
        }
        let name = String(parts[0])
        guard isValidKeyName(name) else { throw LedgerError(.malformedKey, "invalid key name in verifier key") }
        guard parts[1].utf8.count == 8, let idBytes = HexCoding.decode(parts[1]) else {
            throw LedgerError(.malformedKey, "the key id of a verifier key is 8 hex digits")
        }
        guard let keyBytes = Base64.decode(parts[2]), keyBytes.count == 33, keyBytes[0] == ed25519AlgorithmByte else {
            throw LedgerError(.malformedKey, "a verifier key must hold an Ed25519 public key (algorithm 0x01, 32 bytes)")
        }
        let declared = idBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let publicKey = Array(keyBytes[1...])
        guard declared == noteKeyID(name: name, publicKey: publicKey) else {
            throw LedgerError(.malformedKey, "the key id of the verifier key does not match its name and public key")
        }
        self.name = name
        self.keyID = declared
        self.publicKey = publicKey
    }

    /// A verifier key for `publicKey` named `name`.
    public init(name: String, publicKey: [UInt8]) throws {
        guard isValidKeyName(name) else { throw LedgerError(.malformedKey, "invalid key name") }
        guard publicKey.count == 32 else { throw LedgerError(.malformedKey, "an Ed25519 public key is 32 bytes") }
        self.name = name
        self.publicKey = publicKey
        self.keyID = noteKeyID(name: name, publicKey: publicKey)
    }

    /// The key id as 8 lowercase hex digits.
    public var keyIDHex: String {
        HexCoding.encode([UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff)])
    }

    /// The text form `<name>+<id>+<base64>`.
    public var description: String { "\(name)+\(keyIDHex)+\(Base64.encode([ed25519AlgorithmByte] + publicKey))" }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// A C2SP signed-note signer: an Ed25519 private key with its name.
///
/// Its text form is Go's `PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)>`.
public struct NoteSigner: Sendable {
    /// The key name (the instance name).
    public let name: String
    /// The 32-byte seed; the key object is rebuilt per use because it is not `Sendable`.
    private let seed: [UInt8]
    private var privateKey: Curve25519.Signing.PrivateKey {
        // The seed was validated in `init`.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// A signer from a 32-byte Ed25519 seed.
    public init(name: String, seed: [UInt8]) throws {
        guard isValidKeyName(name) else { throw LedgerError(.malformedKey, "invalid key name") }
        guard seed.count == 32, (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)) != nil else {
            throw LedgerError(.malformedKey, "an Ed25519 seed is 32 bytes")
        }
        self.name = name
        self.seed = seed
    }

    /// A signer with a freshly generated key.
    public static func generate(name: String) throws -> NoteSigner {
        try NoteSigner(name: name, seed: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    /// Parses the `PRIVATE+KEY+…` text form, checking its key id.
    public init(privateKeyText text: some StringProtocol) throws {
        let trimmed = String(text).trimmingTrailingNewlines()
        let parts = trimmed.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY",
            let idBytes = HexCoding.decode(parts[3]), idBytes.count == 4,
            let keyBytes = Base64.decode(parts[4]), keyBytes.count == 33, keyBytes[0] == ed25519AlgorithmByte
        else {
            throw LedgerError(.malformedKey, "a signer key is PRIVATE+KEY+<name>+<key id>+<base64 seed>")
        }
        try self.init(name: String(parts[2]), seed: Array(keyBytes[1...]))
        let declared = idBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard declared == verifierKey.keyID else {
            throw LedgerError(.malformedKey, "the key id of the signer key does not match its key")
        }
    }

    /// The matching verifier key.
    public var verifierKey: NoteVerifierKey {
        // The name was validated and the public key is 32 bytes, so this cannot fail.
        try! NoteVerifierKey(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// The `PRIVATE+KEY+…` text form. Secret: store it with owner-only permissions.
    public var privateKeyText: String {
        let verifier = verifierKey
        return "PRIVATE+KEY+\(name)+\(verifier.keyIDHex)+\(Base64.encode([ed25519AlgorithmByte] + Array(privateKey.rawRepresentation)))"
    }

    /// The Ed25519 signature of `message`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try privateKey.signature(for: message))
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
