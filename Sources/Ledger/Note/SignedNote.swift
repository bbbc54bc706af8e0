/// A C2SP signed note: UTF-8 text ending in a newline, a blank line, then
/// signature lines `— <name> <base64(key id ‖ signature)>`.
public struct SignedNote: Sendable, Hashable {
    /// One signature line.
    public struct Signature: Sendable, Hashable {
        /// The signer's key name.
        public let name: String
        /// The key id the signature claims.
        public let keyID: UInt32
        /// The raw signature bytes.
        public let signature: [UInt8]

        /// The signature line, with its trailing newline.
        public var line: String {
            let id = [UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff)]
            return "\u{2014} \(name) \(Base64.encode(id + signature))\n"
        }
    }

    /// The signed text, ending in a newline.
    public let text: String
    /// The signatures, in order.
    public let signatures: [Signature]

    /// Most signature lines a note may carry.
    public static let maximumSignatures = 100

    /// Parses a signed note; throws `malformedNote` if it does not follow the format.
    public init(parsing note: String) throws {
        let bytes = Array(note.utf8)
        guard bytes.last == 0x0a else { throw LedgerError(.malformedNote, "a signed note must end with a newline") }
        for byte in bytes where byte < 0x20 && byte != 0x0a {
            throw LedgerError(.malformedNote, "a signed note may not contain control characters")
        }
        // The signature block follows the last blank line.
        guard let split = bytes.indices.dropLast().last(where: { bytes[$0] == 0x0a && bytes[$0 + 1] == 0x0a }) else {
            throw LedgerError(.malformedNote, "a signed note needs a blank line before its signatures")
        }
        let textBytes = Array(bytes[...split])
        let signatureBytes = bytes[(split + 2)...]
        var signatures: [Signature] = []
        for lineBytes in signatureBytes.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast() {
            let line = String(decoding: lineBytes, as: UTF8.self)
            guard line.hasPrefix("\u{2014} ") else {
                throw LedgerError(.malformedNote, "a signature line must start with an em dash and a space")
            }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, isValidKeyName(String(fields[0])),
                let blob = Base64.decode(fields[1]), blob.count >= 5
            else {
                throw LedgerError(.malformedNote, "a signature line is '\u{2014} <name> <base64 signature>'")
            }
            let id = UInt32(blob[0]) << 24 | UInt32(blob[1]) << 16 | UInt32(blob[2]) << 8 | UInt32(blob[3])
            signatures.append(Signature(name: String(fields[0]), keyID: id, signature: Array(blob[4...])))
        }
        guard !signatures.isEmpty else { throw LedgerError(.malformedNote, "a signed note needs a signature") }
        guard signatures.count <= Self.maximumSignatures else {
            throw LedgerError(.malformedNote, "a signed note has too many signatures")
        }
        self.text = String(decoding: textBytes, as: UTF8.self)
        self.signatures = signatures
    }

    /// Signs `text` (which must end in a newline and hold no blank-line-free control characters) with `signer`.
    public init(signing text: String, with signer: NoteSigner) throws {
        guard text.hasSuffix("\n") else { throw LedgerError(.malformedNote, "note text must end with a newline") }
        for byte in text.utf8 where byte < 0x20 && byte != 0x0a {
            throw LedgerError(.malformedNote, "note text may not contain control characters")
        }
        let signature = try signer.sign(Array(text.utf8))
        self.text = text
        self.signatures = [Signature(name: signer.name, keyID: signer.verifierKey.keyID, signature: signature)]
    }

    /// The full note: text, blank line, signature lines.
    public var serialized: String { text + "\n" + signatures.map(\.line).joined() }

    /// Checks that `key` signed the note. Signatures by other keys are ignored;
    /// throws `verificationFailed` if none is by `key` or if `key`'s does not verify.
    public func verify(with key: NoteVerifierKey) throws {
        let message = Array(text.utf8)
        let mine = signatures.filter { $0.name == key.name && $0.keyID == key.keyID }
        guard !mine.isEmpty else {
            throw LedgerError(.verificationFailed, "the note carries no signature by \(key.name)+\(key.keyIDHex)")
        }
        for signature in mine where !key.isValidSignature(signature.signature, for: message) {
            throw LedgerError(.verificationFailed, "the signature by \(key.name) does not verify")
        }
    }
}
