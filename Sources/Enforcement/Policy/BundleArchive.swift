import Crypto
import Foundation
import Storage

/// An active bundle in OPA's bundle format: a gzip-compressed tar holding
/// `.manifest` (with the revision), one `.rego` file per policy and `data.json`.
public struct BundleArchive: Sendable {
    /// The `.tar.gz` bytes.
    public let bytes: [UInt8]
    /// A strong entity tag derived from the content (quoted).
    public let etag: String

    /// Builds the archive of a bundle revision.
    public init(revision: BundleRevision, modules: [String: String]) {
        let data = PolicyRegistry.data(configuration: revision.configuration)
        let manifest: JSONValue = .object([
            "revision": .string(String(revision.revision)),
            "roots": .array([.string("astral")]),
        ])
        var files: [(String, [UInt8])] = [(".manifest", Array(manifest.serialized().utf8))]
        for name in modules.keys.sorted() {
            files.append(("astral/" + name, Array(modules[name]!.utf8)))
        }
        files.append(("data.json", Array(data.serialized().utf8)))
        let tar = Tar.archive(files, modificationTime: Int(revision.createdAt.timeIntervalSince1970))
        bytes = Gzip.storedOnly(tar)
        etag = "\"" + String(SHA256.hash(data: tar).hexString.prefix(32)) + "\""
    }
}

/// A minimal POSIX ustar writer.
enum Tar {
    static func archive(_ files: [(String, [UInt8])], modificationTime: Int) -> [UInt8] {
        var out: [UInt8] = []
        for (name, content) in files {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int, length: Int) {
                let bytes = Array(text.utf8.prefix(length))
                header.replaceSubrange(offset..<offset + bytes.count, with: bytes)
            }
            func octal(_ value: Int, length: Int) -> String {
                let digits = String(value, radix: 8)
                return String(repeating: "0", count: max(0, length - 1 - digits.count)) + digits
            }
            put(name, at: 0, length: 100)
            put(octal(0o644, length: 8), at: 100, length: 7)
            put(octal(0, length: 8), at: 108, length: 7)
            put(octal(0, length: 8), at: 116, length: 7)
            put(octal(content.count, length: 12), at: 124, length: 11)
            put(octal(modificationTime, length: 12), at: 136, length: 11)
            put("        ", at: 148, length: 8)
            header[156] = UInt8(ascii: "0")
            put("ustar", at: 257, length: 6)
            put("00", at: 263, length: 2)
            let checksum = header.reduce(0) { $0 + Int($1) }
            put(octal(checksum, length: 7), at: 148, length: 6)
            header[154] = 0
            header[155] = UInt8(ascii: " ")
            out += header
            out += content
            let padding = (512 - content.count % 512) % 512
            out += [UInt8](repeating: 0, count: padding)
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }
}

/// gzip (RFC 1952) with stored deflate blocks: valid for every reader, no compression library needed.
enum Gzip {
    static func storedOnly(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let length = min(65_535, input.count - offset)
            let final: UInt8 = offset + length >= input.count ? 1 : 0
            out.append(final)
            out.append(UInt8(length & 0xff))
            out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xff))
            out.append(UInt8((~length >> 8) & 0xff))
            out += input[offset..<offset + length]
            offset += length
        } while offset < input.count
        let crc = crc32(input)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xff)) }
        let size = UInt32(truncatingIfNeeded: input.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xff)) }
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xedb8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
