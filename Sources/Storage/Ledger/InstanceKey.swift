import Foundation
import Ledger

/// The instance's checkpoint signing key, kept in the data directory.
///
/// Created at first use as `ledger-signing.key` (mode 0600, owner only) in
/// Go's note private-key text form. The key name is the instance name:
/// `ASTRAL_INSTANCE_NAME` when the key is created, `astral` by default. Once
/// the key exists its stored name wins; asking for another name is an error,
/// because every earlier checkpoint names the old one.
public enum InstanceKey {
    /// The key file's name inside the data directory.
    public static let fileName = "ledger-signing.key"
    /// The instance name used when none is configured.
    public static let defaultInstanceName = "astral"

    /// The instance name from `ASTRAL_INSTANCE_NAME`, or nil when unset.
    public static var configuredInstanceName: String? {
        guard let name = ProcessInfo.processInfo.environment["ASTRAL_INSTANCE_NAME"], !name.isEmpty else { return nil }
        return name
    }

    /// Loads the signing key of `dataDirectory`, creating it if missing.
    ///
    /// - Parameter instanceName: the name wanted (default: `configuredInstanceName`, then `astral`).
    public static func loadOrCreate(dataDirectory: String, instanceName: String? = nil) throws -> NoteSigner {
        let wanted = instanceName ?? configuredInstanceName
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent(fileName).path
        if let existing = try load(path: path) {
            if let wanted, wanted != existing.name {
                throw StorageError(
                    .instanceKey,
                    "the instance key in \(dataDirectory) is named '\(existing.name)', not '\(wanted)' (unset ASTRAL_INSTANCE_NAME or use another data directory)")
            }
            return existing
        }
        let signer: NoteSigner
        do {
            signer = try NoteSigner.generate(name: wanted ?? defaultInstanceName)
        } catch {
            throw StorageError(.instanceKey, "invalid instance name: no spaces or '+' allowed")
        }
        try FileManager.default.createDirectory(
            atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Write a private temporary file, then link it into place: the link
        // fails if another process created the key first, and a crash never
        // leaves a half-written key under the real name.
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw StorageError(.instanceKey, "cannot create the instance key in \(dataDirectory)") }
        let bytes = Array((signer.privateKeyText + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        defer { unlink(temporary) }
        guard written == bytes.count, synced == 0 else {
            throw StorageError(.instanceKey, "cannot write the instance key in \(dataDirectory)")
        }
        if link(temporary, path) != 0 {
            if errno == EEXIST, let existing = try load(path: path) { return existing }
            throw StorageError(.instanceKey, "cannot store the instance key in \(dataDirectory)")
        }
        return signer
    }

    private static func load(path: String) throws -> NoteSigner? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StorageError(.instanceKey, "cannot read the instance key \(path)")
        }
        do {
            return try NoteSigner(privateKeyText: text)
        } catch {
            throw StorageError(.instanceKey, "the instance key \(path) is malformed")
        }
    }
}
