#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds payloads hidden one encoding level deep — base64, base32, hex, URL percent-encoding,
/// Unicode tag characters — and returns their decoded text so the detector can scan
/// it as well. Rot13 is handled by the detector directly (it needs no search).
///
/// Only decodings that look like text (valid UTF-8, mostly printable) are kept, so
/// hashes, keys and random identifiers do not produce views.
enum EncodedViews {
    /// Shortest base64 run worth decoding (about 15 decoded bytes).
    static let minimumBase64 = 20
    /// Shortest hex run worth decoding (8 decoded bytes).
    static let minimumHex = 16
    /// Shortest base32 run worth decoding (10 decoded bytes).
    static let minimumBase32 = 16
    /// Cap on the number of decoded views per text, to keep cost bounded.
    static let maximumViews = 8

    /// Decoded texts found in `utf8` (the original, not normalised, bytes).
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, scalars: String.UnicodeScalarView) -> [String] {
        var views: [String] = []
        var i = 0
        let n = utf8.count
        var percentEscapes = 0
        // Tag characters (U+E0000...U+E007F) are encoded as F3 A0 ...; without an F3
        // byte there are none, and the scalar walk of `decodeTags` can be skipped.
        let mayHoldTags = n > 0 && memchr(utf8.baseAddress!, 0xF3, n) != nil
        let classes = byteClasses
        while i < n, views.count < maximumViews {
            let b = utf8[i]
            let c = classes[Int(b)]
            if c & base64Class == 0 {
                if b == 0x25, i + 2 < n, classes[Int(utf8[i + 1])] & hexClass != 0, classes[Int(utf8[i + 2])] & hexClass != 0 {
                    percentEscapes += 1
                }
                i += 1
                continue
            }
            var j = i
            var hexBytes = 0
            while j < n {
                let cj = classes[Int(utf8[j])]
                guard cj & base64Class != 0 else { break }
                hexBytes += Int(cj >> 1)
                j += 1
            }
            // Runs shorter than the shortest decodable payload are words, not encodings.
            guard j - i >= min(minimumHex, minimumBase32, minimumBase64) else { i = j; continue }
            let allHex = hexBytes == j - i
            let run = UnsafeBufferPointer(rebasing: utf8[i..<j])
            if allHex, run.count >= minimumHex, run.count % 2 == 0 {
                if let text = decodeHex(run) { views.append(text) }
            } else if run.count >= minimumBase32, let text = decodeBase32(run) {
                views.append(text)
            } else if run.count >= minimumBase64, let text = decodeBase64(run) {
                views.append(text)
            }
            i = j
        }
        if percentEscapes >= 3, views.count < maximumViews, let text = decodePercent(utf8) {
            views.append(text)
        }
        if mayHoldTags, views.count < maximumViews, let text = decodeTags(scalars) {
            views.append(text)
        }
        return views
    }

    /// The rot13 image of ASCII letters (other bytes unchanged).
    static func rot13(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map(rot13)
    }

    /// The rot13 image of one byte (non-letters unchanged).
    @inline(__always) static func rot13(_ b: UInt8) -> UInt8 {
        if b &- 0x61 < 26 { return (b &- 0x61 &+ 13) % 26 &+ 0x61 }
        if b &- 0x41 < 26 { return (b &- 0x41 &+ 13) % 26 &+ 0x41 }
        return b
    }

    private static let base64Class: UInt8 = 1, hexClass: UInt8 = 2
    /// Per byte: `base64Class` for the base64 alphabets (standard, URL-safe, `=`), plus `hexClass` for hex digits.
    private static let byteClasses: [UInt8] = (0..<256).map { value in
        let b = UInt8(value)
        return (isBase64Byte(b) ? base64Class : 0) | (hexValue(b) != nil ? hexClass : 0)
    }

    @inline(__always) private static func isBase64Byte(_ b: UInt8) -> Bool {
        b &- 0x41 < 26 || b &- 0x61 < 26 || b &- 0x30 < 10 || b == 0x2B || b == 0x2F || b == 0x3D || b == 0x2D || b == 0x5F
    }

    @inline(__always) private static func hexValue(_ b: UInt8) -> UInt8? {
        if b &- 0x30 < 10 { return b &- 0x30 }
        if b &- 0x61 < 6 { return b &- 0x61 &+ 10 }
        if b &- 0x41 < 6 { return b &- 0x41 &+ 10 }
        return nil
    }

    private static func base64Value(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x41...0x5A: return b - 0x41
        case 0x61...0x7A: return b - 0x61 + 26
        case 0x30...0x39: return b - 0x30 + 52
        case 0x2B, 0x2D: return 62  // + or URL-safe -
        case 0x2F, 0x5F: return 63  // / or URL-safe _
        default: return nil
        }
    }

    private static func decodeHex(_ run: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(run.count / 2)
        var k = 0
        while k + 1 < run.count {
            guard let hi = hexValue(run[k]), let lo = hexValue(run[k + 1]) else { return nil }
            out.append(hi << 4 | lo)
            k += 2
        }
        return textual(out)
    }

    private static func decodeBase64(_ run: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(run.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var letters = 0
        var digitsOrSymbols = 0
        for b in run {
            if b == 0x3D { break }  // padding ends the payload
            guard let v = base64Value(b) else { return nil }
            if b &- 0x41 < 26 || b &- 0x61 < 26 { letters += 1 } else { digitsOrSymbols += 1 }
            accumulator = accumulator << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // A long run of one letter case only is a word or an identifier, not base64.
        guard letters > 0, digitsOrSymbols > 0 || run.contains(where: { $0 &- 0x41 < 26 }) && run.contains(where: { $0 &- 0x61 < 26 }) else {
            return nil
        }
        return textual(out)
    }

    /// RFC 4648 base32 (upper case A–Z, 2–7, `=` padding); nil when the run has other bytes.
    private static func decodeBase32(_ run: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(run.count * 5 / 8)
        var accumulator: UInt32 = 0
        var bits = 0
        for b in run {
            if b == 0x3D { break }
            let v: UInt8
            switch b {
            case 0x41...0x5A: v = b - 0x41
            case 0x32...0x37: v = b - 0x32 + 26
            default: return nil
            }
            accumulator = accumulator << 5 | UInt32(v)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return textual(out)
    }

    private static func decodePercent(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == 0x25, i + 2 < utf8.count, let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(utf8[i] == 0x2B ? 0x20 : utf8[i])
                i += 1
            }
        }
        return textual(out)
    }

    /// ASCII smuggled as Unicode tag characters (U+E0020...U+E007E).
    private static func decodeTags(_ scalars: String.UnicodeScalarView) -> String? {
        var out: [UInt8] = []
        for scalar in scalars where (0xE0020...0xE007E).contains(scalar.value) {
            out.append(UInt8(scalar.value - 0xE0000))
        }
        return out.count >= 4 ? String(decoding: out, as: UTF8.self) : nil
    }

    /// The bytes as a String when they are valid UTF-8 and at least 85% printable
    /// (letters, digits, punctuation, spaces) — i.e. when they read as text.
    private static func textual(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 4 else { return nil }
        var printable = 0
        var letters = 0
        for b in bytes {
            if b >= 0x20 && b < 0x7F || b == 0x0A || b == 0x0D || b == 0x09 || b >= 0x80 { printable += 1 }
            if b &- 0x41 < 26 || b &- 0x61 < 26 { letters += 1 }
        }
        guard printable * 100 >= bytes.count * 85, letters * 2 >= bytes.count else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard !text.unicodeScalars.contains("\u{FFFD}") else { return nil }
        return text
    }
}
