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
        var folded: [UInt8] = []
        folded.reserveCapacity(text.utf8.count)
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // NFKC and the scalar tables are the identity on ASCII.
            for byte in text.utf8 {
                folded.append(byte &+ (byte &- 0x41 < 26 ? 0x20 : 0))
            }
        } else {
            // NFKC only where it can change anything: each run of non-ASCII scalars
            // together with the ASCII scalar before it (a combining mark may compose
            // with it). ASCII never composes with what precedes it, so the result
            // equals NFKC of the whole text.
            let scalars = text.unicodeScalars
            var i = scalars.startIndex
            while i < scalars.endIndex {
                let next = scalars.index(after: i)
                if scalars[i].isASCII, next == scalars.endIndex || scalars[next].isASCII {
                    appendFolded(scalars[i], to: &folded)
                    i = next
                    continue
                }
                var end = next
                while end < scalars.endIndex, !scalars[end].isASCII { end = scalars.index(after: end) }
                let segment = String(String.UnicodeScalarView(scalars[i..<end]))
                for scalar in segment.precomposedStringWithCompatibilityMapping.unicodeScalars {
                    appendFolded(scalar, to: &folded)
                }
                i = end
            }
        }
        return collapse(folded)
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
    /// or one newline when the run holds a line break.
    private static func collapse(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        let count = input.count
        var i = 0
        while i < count {
            let byte = input[i]
            if isSpace(byte) {
                var newline = false
                while i < count, isSpace(input[i]) {
                    newline = newline || input[i] != 0x20 && input[i] != 0x09
                    i += 1
                }
                out.append(newline ? 0x0A : 0x20)
            } else if isLeetRun(byte) {
                var j = i
                var letters = false
                while j < count, isLeetRun(input[j]) {
                    letters = letters || input[j] &- 0x61 < 26
                    j += 1
                }
                if letters {
                    for k in i..<j { out.append(leet(input[k])) }
                } else {
                    out.append(contentsOf: input[i..<j])
                }
                i = j
            } else {
                out.append(byte)
                i += 1
            }
        }
        return out
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
