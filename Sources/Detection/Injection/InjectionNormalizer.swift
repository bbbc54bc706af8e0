import Foundation

/// Folds a text into the canonical form both injection layers read: NFKC, invisible
/// characters removed, lower case, homoglyphs and leetspeak folded, whitespace runs
/// collapsed. The output is UTF-8 bytes.
///
/// Twin of `normalise` in tools/train_injection.py; the two must agree byte for byte
/// (tools/injection_golden.jsonl checks it).
enum InjectionNormalizer {
    /// The normalised UTF-8 bytes of `text`.
    static func normalize(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { normalize(utf8: $0) }
    }

    /// The normalised UTF-8 bytes of a text given as (valid) UTF-8.
    static func normalize(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let n = bytes.count
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii {
            // NFKC and the scalar tables are the identity on ASCII: lower-case and collapse in one go.
            return collapse(bytes, lowering: true)
        }
        var folded: [UInt8] = []
        folded.reserveCapacity(n)
        // NFKC only where it can change anything: each run of non-ASCII scalars
        // together with the ASCII scalar before it (a combining mark may compose
        // with it). ASCII never composes with what precedes it, so the result
        // equals NFKC of the whole text.
        var i = 0
        while i < n {
            let b = bytes[i]
            if b < 0x80, i + 1 == n || bytes[i + 1] < 0x80 {
                folded.append(b &+ (b &- 0x41 < 26 ? 0x20 : 0))
                i += 1
                continue
            }
            var end = i + 1
            while end < n, bytes[end] >= 0x80 { end += 1 }
            let segment = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
            for scalar in segment.precomposedStringWithCompatibilityMapping.unicodeScalars {
                appendFolded(scalar, to: &folded)
            }
            i = end
        }
        return folded.withUnsafeBufferPointer { collapse($0, lowering: false) }
    }

    /// Appends one scalar, dropped, lower-cased and homoglyph-folded, as UTF-8.
    private static func appendFolded(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let value = scalar.value
        if value < 0x80 {
            let byte = UInt8(value)
            out.append(byte &+ (byte &- 0x41 < 26 ? 0x20 : 0))
            return
        }
        if isDropped(value) { return }
        if value == 0x85 || value == 0x2028 || value == 0x2029 {
            out.append(0x0A)  // line breaks outside ASCII collapse like "\n"
            return
        }
        guard scalar.properties.changesWhenLowercased else {
            appendHomoglyphFolded(scalar, to: &out)
            return
        }
        for lower in scalar.properties.lowercaseMapping.unicodeScalars {
            appendHomoglyphFolded(lower, to: &out)
        }
    }

    @inline(__always) private static func appendHomoglyphFolded(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        if let ascii = homoglyphs[scalar.value] {
            out.append(ascii)
        } else {
            UTF8.encode(scalar) { out.append($0) }
        }
    }

    /// Invisible characters: zero-width, bidi controls, variation selectors, tags.
    static func isDropped(_ value: UInt32) -> Bool {
        switch value {
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069,
             0xFE00...0xFE0F, 0xE0000...0xE007F,
             0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0:
            return true
        default:
            return false
        }
    }

    /// Cyrillic and Greek lower-case letters that look like Latin ones.
    static let homoglyphs: [UInt32: UInt8] = {
        let pairs: [(Character, Character)] = [
            ("а", "a"), ("б", "b"), ("в", "b"), ("с", "c"), ("ԁ", "d"), ("е", "e"), ("ё", "e"),
            ("һ", "h"), ("н", "h"), ("і", "i"), ("ї", "i"), ("ј", "j"), ("к", "k"), ("ӏ", "l"),
            ("м", "m"), ("п", "n"), ("о", "o"), ("р", "p"), ("ԛ", "q"), ("г", "r"), ("ѕ", "s"),
            ("т", "t"), ("и", "u"), ("ц", "u"), ("ѵ", "v"), ("ԝ", "w"), ("ш", "w"), ("х", "x"),
            ("у", "y"), ("з", "3"),
            ("α", "a"), ("β", "b"), ("ϲ", "c"), ("δ", "d"), ("ε", "e"), ("η", "n"), ("ι", "i"),
            ("κ", "k"), ("ν", "v"), ("ο", "o"), ("ρ", "p"), ("τ", "t"), ("υ", "u"), ("χ", "x"),
            ("γ", "y"), ("ω", "w"), ("ς", "s"), ("μ", "u"),
            ("ɑ", "a"), ("ɡ", "g"), ("ı", "i"), ("ȷ", "j"), ("ɩ", "i"),
        ]
        var table: [UInt32: UInt8] = [:]
        for (from, to) in pairs {
            table[from.unicodeScalars.first!.value] = to.asciiValue!
        }
        return table
    }()

    /// Leetspeak inside runs that hold a letter; whitespace runs become one space,
    /// or one newline when the run holds a line break. With `lowering`, ASCII upper-case
    /// letters are lower-cased first (the ASCII fast path).
    private static func collapse(_ input: UnsafeBufferPointer<UInt8>, lowering: Bool) -> [UInt8] {
        let count = input.count
        @inline(__always) func at(_ k: Int) -> UInt8 {
            let b = input[k]
            return lowering && b &- 0x41 < 26 ? b | 0x20 : b
        }
        return [UInt8](unsafeUninitializedCapacity: count) { out, written in
            var o = 0
            var i = 0
            while i < count {
                let byte = at(i)
                if isSpace(byte) {
                    var newline = false
                    while i < count, isSpace(input[i]) {
                        newline = newline || input[i] != 0x20 && input[i] != 0x09
                        i += 1
                    }
                    out[o] = newline ? 0x0A : 0x20
                    o += 1
                } else if isLeetRun(byte) {
                    var j = i
                    var letters = false
                    while j < count {
                        let c = at(j)
                        guard isLeetRun(c) else { break }
                        letters = letters || c &- 0x61 < 26
                        j += 1
                    }
                    if letters {
                        for k in i..<j { out[o] = leet(at(k)); o += 1 }
                    } else {
                        for k in i..<j { out[o] = at(k); o += 1 }
                    }
                    i = j
                } else {
                    out[o] = byte
                    o += 1
                    i += 1
                }
            }
            written = o
        }
    }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }

    @inline(__always) private static func isLeetRun(_ b: UInt8) -> Bool {
        b &- 0x61 < 26 || b &- 0x30 < 10 || b == 0x40 || b == 0x24
    }

    @inline(__always) private static func leet(_ b: UInt8) -> UInt8 {
        switch b {
        case 0x30: return 0x6F  // 0 → o
        case 0x31: return 0x69  // 1 → i
        case 0x33: return 0x65  // 3 → e
        case 0x34: return 0x61  // 4 → a
        case 0x35: return 0x73  // 5 → s
        case 0x37: return 0x74  // 7 → t
        case 0x40: return 0x61  // @ → a
        case 0x24: return 0x73  // $ → s
        default: return b
        }
    }
}
