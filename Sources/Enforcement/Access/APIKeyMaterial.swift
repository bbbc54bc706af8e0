import Crypto
import Foundation

/// A freshly generated API key: the raw value (shown once) and what is stored.
public struct APIKeyMaterial: Sendable {
    /// The raw key, `ak_` followed by 43 base64url characters (256 bits of randomness).
    public let rawKey: String
    /// Lowercase hex SHA-256 of the raw key: what the database keeps.
    public let hash: String
    /// A public key id.
    public let id: String
    /// The first characters of the raw key, to recognise it in listings.
    public let prefix: String

    /// Generates a new key from the system's secure random source.
    public static func generate() -> APIKeyMaterial {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let idBytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let raw = "ak_" + Data(secret).base64URLEncoded
        return APIKeyMaterial(
            rawKey: raw, hash: hash(of: raw), id: "key_" + idBytes.map { String(format: "%02x", $0) }.joined(),
            prefix: String(raw.prefix(10)))
    }

    /// The stored hash of a presented raw key.
    public static func hash(of rawKey: String) -> String {
        SHA256.hash(data: Data(rawKey.utf8)).hexString
    }
}

/// Random secrets that never leave the server.
public enum Secrets {
    /// 32 random bytes as lowercase hex (a tenant's content-HMAC key).
    public static func randomHexKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

extension Data {
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits: [Character] = Array("0123456789abcdef")
        var out = ""
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return out
    }
}

extension SHA256.Digest {
    var hexString: String { Array(self).hexString }
}
