import Crypto

/// A SHA-256 hash: a leaf hash, a node hash or a tree root (always 32 bytes).
///
/// Stored inline (four machine words, the bytes in order), so hashing a tree
/// allocates nothing per hash.
public struct Hash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes in memory order (a homogeneous tuple is laid out contiguously).
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The 32 bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the 32 bytes.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: self) { try body($0) }
    }

    /// A hash from exactly 32 bytes; throws `invalidHash` for any other length.
    public init(bytes: some Collection<UInt8>) throws {
        guard bytes.count == 32 else {
            throw LedgerError(.invalidHash, "a hash must be 32 bytes, not \(bytes.count)")
        }
        self.init(unchecked: Array(bytes))
    }

    /// A hash from a byte array the caller knows is 32 bytes.
    init(unchecked bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Hash(raw: $0) }
    }

    /// A hash from the first 32 bytes of `raw` (which must hold at least 32).
    @inline(__always)
    init(raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= 32)
        Swift.withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<32])) }
    }

    /// The hash at `offset` (in bytes) of `raw`, which must hold 32 bytes there.
    @inline(__always)
    init(raw: UnsafeRawBufferPointer, offset: Int) {
        precondition(offset >= 0 && offset + 32 <= raw.count)
        Swift.withUnsafeMutableBytes(of: &words) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 32]))
        }
    }

    /// A hash from 64 hex digits (either case).
    public init(hex: some StringProtocol) throws {
        guard let bytes = HexCoding.decode(hex), bytes.count == 32 else {
            throw LedgerError(.invalidHash, "a hash must be 64 hex digits")
        }
        self.init(unchecked: bytes)
    }

    /// A hash from standard base64 of 32 bytes.
    public init(base64: some StringProtocol) throws {
        guard let bytes = Base64.decode(base64), bytes.count == 32 else {
            throw LedgerError(.invalidHash, "a hash must be base64 of 32 bytes")
        }
        self.init(unchecked: bytes)
    }

    /// Whether both hashes have the same bytes.
    public static func == (a: Hash, b: Hash) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    /// Feeds the bytes to `hasher`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// Lowercase hex, as the JSON contracts write hashes.
    public var hex: String { withUnsafeBytes { HexCoding.encode($0) } }
    /// Standard base64, as checkpoints write the root.
    public var base64: String { withUnsafeBytes { Base64.encode($0) } }
    /// The hex form.
    public var description: String { hex }

    /// SHA-256 of nothing: the root of the empty tree.
    public static let emptyTree = Hash(unchecked: Array(SHA256.hash(data: [UInt8]())))
}

/// Lowercase hex encoding and decoding.
public enum HexCoding {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex string (either case), or nil if it is not hex.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Standard (RFC 4648 §4) base64 with padding, strict on decode.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// Padded base64 of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let n = UInt32(input[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of padded standard base64, or nil if `text` is not exactly that
    /// (no whitespace, no missing padding, no stray bits in the last group).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(input.count / 4 * 3)
        var i = 0
        while i < input.count {
            let last = i + 4 == input.count
            var values = [Int8](repeating: 0, count: 4)
            var padding = 0
            for j in 0..<4 {
                let c = input[i + j]
                if c == UInt8(ascii: "=") {
                    guard last, j >= 2 else { return nil }
                    padding += 1
                    values[j] = 0
                } else {
                    guard padding == 0 else { return nil }
                    let v = reverse[Int(c)]
                    guard v >= 0 else { return nil }
                    values[j] = v
                }
            }
            let n = UInt32(values[0]) << 18 | UInt32(values[1]) << 12 | UInt32(values[2]) << 6 | UInt32(values[3])
            out.append(UInt8(n >> 16 & 0xff))
            if padding < 2 { out.append(UInt8(n >> 8 & 0xff)) } else if n & 0xffff != 0 { return nil }
            if padding < 1 { out.append(UInt8(n & 0xff)) } else if n & 0xff != 0 { return nil }
            i += 4
        }
        return out
    }
}
