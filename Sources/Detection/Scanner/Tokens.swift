/// A word of the text: a maximal run of ASCII letters and digits, or of letters
/// outside ASCII. Offsets are byte offsets into the UTF-8 text.
struct Token {
    var start: Int
    var end: Int
    /// FNV-1a hash of the lowercased bytes, compared against keyword tables.
    var hash: UInt64
    var digits: Int
    var letters: Int
    var uppers: Int
    var nonASCII: Bool

    var length: Int { end - start }
    var isNumber: Bool { digits == length }
    var isWord: Bool { digits == 0 }
}

/// Splits UTF-8 bytes into tokens in one pass.
enum Tokenizer {
    /// Whether the multi-byte sequence starting at `i` is punctuation (dashes,
    /// quotes, ellipsis, no-break space) rather than a letter.
    @inline(__always)
    static func isNonASCIIPunctuation(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let b = bytes[i]
        if b == 0xE2, i + 1 < bytes.count, bytes[i + 1] == 0x80 { return true }  // U+2000–U+203F
        if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] < 0xC0 { return true }   // U+0080–U+00BF (nbsp, «, », ©)
        if b == 0xE3, i + 1 < bytes.count, bytes[i + 1] == 0x80 { return true }  // CJK punctuation
        if b >= 0xF0 { return true }                                              // emoji and other astral symbols
        return false
    }

    @inline(__always)
    static func scalarLength(_ b: UInt8) -> Int {
        if b < 0x80 { return 1 }
        if b < 0xE0 { return 2 }
        if b < 0xF0 { return 3 }
        return 4
    }

    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [Token]) {
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if !Bytes.isAlnum(b) { i += 1; continue }
            } else if b < 0xC0 || isNonASCIIPunctuation(bytes, i) {
                i += b < 0xC0 ? 1 : scalarLength(b)
                continue
            }
            let start = i
            var h: UInt64 = 0xcbf29ce484222325
            var digits = 0, letters = 0, uppers = 0
            var nonASCII = false
            while i < n {
                let c = bytes[i]
                if c < 0x80 {
                    if Bytes.isDigit(c) { digits += 1 } else if Bytes.isAlpha(c) {
                        letters += 1
                        if Bytes.isUpper(c) { uppers += 1 }
                    } else { break }
                    h = (h ^ UInt64(Bytes.lower(c))) &* 0x100000001b3
                    i += 1
                } else {
                    if c >= 0xC0 && isNonASCIIPunctuation(bytes, i) { break }
                    nonASCII = true
                    if c >= 0xC0 { letters += 1 }
                    h = (h ^ UInt64(c)) &* 0x100000001b3
                    i += 1
                }
            }
            tokens.append(Token(start: start, end: i, hash: h, digits: digits, letters: letters, uppers: uppers, nonASCII: nonASCII))
        }
    }
}
