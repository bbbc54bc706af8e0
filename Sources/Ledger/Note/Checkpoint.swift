/// A C2SP tlog checkpoint: origin, tree size and root hash, plus optional extension lines.
public struct Checkpoint: Sendable, Hashable {
    /// Names the log: for Astral `<instance name>/<tenant>`.
    public let origin: String
    /// Number of leaves.
    public let size: UInt64
    /// MTH of the first `size` leaves.
    public let root: Hash
    /// Extension lines after the root, if any.
    public let extensions: [String]

    /// A checkpoint body.
    public init(origin: String, size: UInt64, root: Hash, extensions: [String] = []) throws {
        guard !origin.isEmpty, !origin.contains("\n") else {
            throw LedgerError(.malformedCheckpoint, "a checkpoint origin must be one non-empty line")
        }
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// Parses the text of a note as a checkpoint.
    public init(text: String) throws {
        guard text.hasSuffix("\n") else { throw LedgerError(.malformedCheckpoint, "checkpoint text must end with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3 else {
            throw LedgerError(.malformedCheckpoint, "a checkpoint has an origin, a size and a root line")
        }
        guard !lines[0].isEmpty else { throw LedgerError(.malformedCheckpoint, "empty checkpoint origin") }
        let sizeLine = lines[1]
        guard !sizeLine.isEmpty, sizeLine.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            sizeLine == "0" || !sizeLine.hasPrefix("0"), let size = UInt64(sizeLine)
        else {
            throw LedgerError(.malformedCheckpoint, "the checkpoint size must be a decimal number without leading zeros")
        }
        guard let root = try? Hash(base64: lines[2]) else {
            throw LedgerError(.malformedCheckpoint, "the checkpoint root must be base64 of 32 bytes")
        }
        let extensions = lines.dropFirst(3).map(String.init)
        guard !extensions.contains(where: \.isEmpty) else {
            throw LedgerError(.malformedCheckpoint, "checkpoint extension lines must not be empty")
        }
        self.origin = String(lines[0])
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// The note text of the checkpoint.
    public var text: String {
        "\(origin)\n\(size)\n\(root.base64)\n" + extensions.map { $0 + "\n" }.joined()
    }

    /// The checkpoint signed by `signer`, as a complete signed note.
    public func signed(by signer: NoteSigner) throws -> SignedNote {
        try SignedNote(signing: text, with: signer)
    }

    /// Parses a signed note, verifies it with `key` and reads its checkpoint,
    /// checking the origin when `expectedOrigin` is given.
    public static func verified(note: String, key: NoteVerifierKey, expectedOrigin: String? = nil) throws -> Checkpoint {
        let signed = try SignedNote(parsing: note)
        try signed.verify(with: key)
        let checkpoint = try Checkpoint(text: signed.text)
        if let expectedOrigin, checkpoint.origin != expectedOrigin {
            throw LedgerError(.verificationFailed, "checkpoint origin is not \(expectedOrigin)")
        }
        return checkpoint
    }
}
