/// Byte classes and small helpers for scanning UTF-8 text without decoding it.
@usableFromInline
enum Bytes {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 6 }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    @inline(__always) static func digitValue(_ b: UInt8) -> Int { Int(b &- 0x30) }
    @inline(__always) static func hexValue(_ b: UInt8) -> Int {
        if isDigit(b) { return Int(b - 0x30) }
        return Int((b | 0x20) - 0x61 + 10)
    }

    /// FNV-1a over the ASCII-lowercased bytes: how keywords are compared.
    @inline(__always) static func hashLower(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        var i = start
        while i < end {
            h = (h ^ UInt64(lower(bytes[i]))) &* 0x100000001b3
            i += 1
        }
        return h
    }

    /// The same hash for a Swift string literal (keyword tables).
    static func hashLower(_ word: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in word.utf8 { h = (h ^ UInt64(lower(b))) &* 0x100000001b3 }
        return h
    }

    static func hashSet(_ words: [String]) -> WordSet { WordSet(words.map { hashLower($0) }) }
}
