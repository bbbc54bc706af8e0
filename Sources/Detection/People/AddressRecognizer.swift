/// STREET_ADDRESS by address grammar: house number, street name words, a street
/// suffix, an optional unit, and optionally ", City, ST 12345".
extension ScanContext {
    mutating func scanAddresses() {
        let lex = lexicon
        var i = 0
        let count = tokens.count
        while i < count {
            work += 1
            let t = tokens[i]
            if t.isNumber && t.length <= 6 && !Bytes.isAlnum(byte(t.start - 1)) && byte(t.start - 1) != UInt8(ascii: "-") && byte(t.start - 1) != UInt8(ascii: ".") {
                if let end = numberedAddress(at: i) {
                    add(t.start, end, EntityType.streetAddress, score: 0.8, priority: Priority.address)
                    while i < count && tokens[i].start < end { i += 1 }
                    continue
                }
            } else if t.isWord && isCapitalized(t) && i + 1 < count && tokens[i + 1].isNumber && tokens[i + 1].start == t.end + 1 && hasGermanStreetEnding(t) {
                var end = tokens[i + 1].end
                var next = i + 2
                if byte(end) == UInt8(ascii: "/"), next < count, tokens[next].start == end + 1, tokens[next].length <= 3 { end = tokens[next].end; next += 1 }
                if byte(end) == UInt8(ascii: ","), next + 1 < count, tokens[next].isNumber, tokens[next].length == 5, tokens[next].start == end + 2,
                   isCapitalized(tokens[next + 1]), tokens[next + 1].start == tokens[next].end + 1 {
                    end = tokens[next + 1].end
                }
                add(t.start, end, EntityType.streetAddress, score: 0.7, priority: Priority.address)
                i += 2
                continue
            } else if lex.unitWords.contains(t.hash) && isCapitalized(t) && isLineStart(t) {
                // A unit on its own line ("Apt. 852") in a multi-line address.
                if let end = unitEnd(at: i) {
                    let lineEnd = runEnd(from: end, limit: 3) { $0 == UInt8(ascii: " ") }
                    if byte(lineEnd) == UInt8(ascii: "\n") || lineEnd >= n {
                        add(t.start, end, EntityType.streetAddress, score: 0.6, priority: Priority.address)
                    }
                }
            } else if isCapitalized(t) && i > 0 {
                // Street named without a number: "the corner of Bradley Valleys St.", "lives on Tabitha Plains".
                let cue = tokens[i - 1].hash
                if cue == Self.hashOf || cue == Self.hashOn || cue == Self.hashAnd, i + 1 < count,
                   lex.streetSuffixes.contains(tokens[i + 1].hash), isCapitalized(tokens[i + 1]),
                   tokens[i + 1].start == t.end + 1, !lex.notNames.contains(t.hash) {
                    let suffixEnd = tokens[i + 1].end
                    let after = bytes[suffixEnd..<min(n, suffixEnd + 8)].map(Bytes.lower)
                    let punctuation = byte(suffixEnd) == UInt8(ascii: ".") || byte(suffixEnd) == UInt8(ascii: ",") || suffixEnd >= n
                    if after.starts(with: " st.".utf8) || after.starts(with: " street".utf8) || (cue != Self.hashAnd && punctuation) {
                        add(t.start, suffixEnd, EntityType.streetAddress, score: 0.6, priority: Priority.address)
                        i += 2
                        continue
                    }
                }
            }
            i += 1
        }
    }

    func hasGermanStreetEnding(_ t: Token) -> Bool {
        let word = bytes[t.start..<t.end].map(Bytes.lower)
        for ending in ["weg", "straße", "strasse", "str", "gasse", "platz", "allee", "ring", "damm", "ufer", "steig", "pfad"] {
            let e = Array(ending.utf8)
            if word.count > e.count + 2 && word.suffix(e.count).elementsEqual(e) { return true }
        }
        return false
    }

    static let hashOf = Bytes.hashLower("of"), hashOn = Bytes.hashLower("on"), hashAnd = Bytes.hashLower("and")

    func isLineStart(_ t: Token) -> Bool {
        var p = t.start - 1
        while p >= 0 && (bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: ">")) { p -= 1 }
        return p < 0 || bytes[p] == UInt8(ascii: "\n")
    }

    /// End of "Apt. 123", "Suite 400", "Unit 5B", "# 12" starting at token `i`.
    func unitEnd(at i: Int) -> Int? {
        guard i + 1 < tokens.count else { return nil }
        let unit = tokens[i]
        let value = tokens[i + 1]
        guard value.start - unit.end <= 2, value.digits > 0, value.length <= 6 else { return nil }
        let gap = bytes[unit.end..<value.start]
        guard gap.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "#") }) else { return nil }
        return value.end
    }

    /// A numbered street address starting at number token `i`; returns its end byte.
    func numberedAddress(at i: Int) -> Int? {
        let lex = lexicon
        let count = tokens.count
        var j = i + 1
        guard j < count, tokens[j].start - tokens[i].end <= 2 else { return nil }
        let gap0 = bytes[tokens[i].end..<tokens[j].start]
        guard gap0.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") }) else { return nil }
        // French order: "114, avenue de Didier, 43191 Buisson"
        if gap0.contains(UInt8(ascii: ",")) || Bytes.isLower(bytes[tokens[j].start]) {
            return frenchAddress(at: i)
        }
        // Street name: 1–4 capitalised words (or ordinals like 5th), the last a suffix.
        var suffixToken = -1
        var words = 0
        while j < count && words < 5 {
            let tj = tokens[j]
            let ordinal = tj.digits > 0 && tj.letters == 2 && tj.length <= 4
            guard isCapitalized(tj) || ordinal || (tj.uppers == tj.letters && tj.length <= 2 && tj.digits == 0) else { break }
            words += 1
            if words >= 2 && lex.streetSuffixes.contains(tj.hash) { suffixToken = j }
            guard j + 1 < count, tokens[j + 1].start - tj.end <= 2 else { break }
            let g = bytes[tj.end..<tokens[j + 1].start]
            guard g.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else { break }
            if g.contains(UInt8(ascii: ".")) && suffixToken == j { break }
            j += 1
        }
        guard suffixToken >= 0 else { return nil }
        var end = tokens[suffixToken].end
        if byte(end) == UInt8(ascii: ".") && Self.suffixAbbreviations.contains(tokens[suffixToken].hash) && !(byte(end + 1) == UInt8(ascii: " ") && Bytes.isUpper(byte(end + 2)) && !lex.unitWords.contains(tokens[suffixToken + 1 < count ? suffixToken + 1 : suffixToken].hash)) {
            end += 1  // "St." / "Ave." abbreviation dot, unless it ends the sentence
        }
        var k = suffixToken + 1
        // Unit: " Apt. 123" / ", Suite 400" on the same line.
        if k < count, lex.unitWords.contains(tokens[k].hash), tokens[k].start - end <= 2, !bytes[end..<tokens[k].start].contains(UInt8(ascii: "\n")),
           let ue = unitEnd(at: k) {
            end = ue
            k += 2
        } else if k < count, byte(end) == UInt8(ascii: " ") && byte(end + 1) == UInt8(ascii: "#"), let ue = unitHashEnd(end + 1) {
            end = ue
            while k < count && tokens[k].start < end { k += 1 }
        }
        // ", City, ST 12345" or ", City ST 12345"
        if let cityEnd = cityStateZip(from: end, tokenIndex: k) { end = cityEnd }
        return end
    }

    func unitHashEnd(_ p: Int) -> Int? {
        let e = runEnd(from: p + 1, limit: 6) { Bytes.isAlnum($0) }
        return e > p + 1 ? e : nil
    }

    /// ", City, ST 12345" (US) or ", City, AB1 2CD" (UK postcode) after an address ending at `end`.
    func cityStateZip(from end: Int, tokenIndex k0: Int) -> Int? {
        let lex = lexicon
        guard byte(end) == UInt8(ascii: ","), byte(end + 1) == UInt8(ascii: " ") else { return nil }
        var k = k0
        let count = tokens.count
        guard k < count, tokens[k].start == end + 2 else { return nil }
        // City: 1–3 capitalised words.
        var words = 0
        while k < count && words < 3 && isCapitalized(tokens[k]) {
            words += 1
            if k + 1 < count && tokens[k + 1].start == tokens[k].end + 1 && bytes[tokens[k].end] == UInt8(ascii: " ") && isCapitalized(tokens[k + 1]) { k += 1 } else { break }
        }
        guard words > 0, k < count else { return nil }
        let cityEnd = tokens[k].end
        var p = cityEnd
        if byte(p) == UInt8(ascii: ",") { p += 1 }
        guard byte(p) == UInt8(ascii: " ") else { return nil }
        p += 1
        guard k + 1 < count, tokens[k + 1].start == p else { return nil }
        let st = tokens[k + 1]
        if st.length == 2 && st.uppers == 2 && lex.states.contains(st.hash), k + 2 < count {
            let zip = tokens[k + 2]
            guard zip.start == st.end + 1, zip.isNumber, zip.length == 5 else { return nil }
            var e = zip.end
            if byte(e) == UInt8(ascii: "-") && k + 3 < count && tokens[k + 3].length == 4 && tokens[k + 3].isNumber && tokens[k + 3].start == e + 1 { e = tokens[k + 3].end }
            return e
        }
        // UK postcode: outward (2–4, letter first, contains a digit) + inward (digit + 2 letters).
        if st.length >= 2 && st.length <= 4 && st.digits >= 1 && Bytes.isUpper(bytes[st.start]) && st.uppers == st.letters, k + 2 < count {
            let inward = tokens[k + 2]
            if inward.start == st.end + 1 && inward.length == 3 && Bytes.isDigit(bytes[inward.start]) && inward.uppers == 2 { return inward.end }
        }
        return nil
    }

    /// "114, avenue de Didier, 43191 Buisson" and "12 rue des Lilas".
    func frenchAddress(at i: Int) -> Int? {
        let count = tokens.count
        var j = i + 1
        let streetTypes = Self.frenchStreetTypes
        guard j < count, streetTypes.contains(tokens[j].hash) else { return nil }
        j += 1
        var end = tokens[j - 1].end
        var words = 0
        while j < count && words < 5 && tokens[j].start - end <= 2 {
            let tj = tokens[j]
            let lowerParticle = Self.frenchParticles.contains(tj.hash)
            guard isCapitalized(tj) || lowerParticle else { break }
            end = tj.end
            words += 1
            j += 1
        }
        guard words > 0 else { return nil }
        // ", 43191 Buisson"
        if byte(end) == UInt8(ascii: ","), j + 1 < count, tokens[j].isNumber, tokens[j].length == 5, tokens[j].start == end + 2,
           isCapitalized(tokens[j + 1]), tokens[j + 1].start == tokens[j].end + 1 {
            var e = tokens[j + 1].end
            var k = j + 2
            while k < count && tokens[k].start == e + 1 && (isCapitalized(tokens[k]) || (bytes[e] == UInt8(ascii: "-") && Self.frenchParticles.contains(tokens[k].hash)) || (bytes[e] == UInt8(ascii: "-") && Self.hyphenWords.contains(tokens[k].hash))) && (bytes[e] == UInt8(ascii: " ") || bytes[e] == UInt8(ascii: "-")) { e = tokens[k].end; k += 1 }
            end = e
        }
        return end
    }

    static let suffixAbbreviations = Bytes.hashSet(["st", "ave", "av", "rd", "blvd", "ln", "dr", "ct", "pl", "sq", "hwy", "pkwy", "ter", "cir", "trl", "mt", "ft", "cres", "expy", "fwy", "jct", "ste"])
    static let frenchStreetTypes = Bytes.hashSet(["rue", "avenue", "boulevard", "chemin", "place", "allée", "impasse", "quai", "route", "cours", "passage", "square", "via", "calle", "strasse", "straße", "avenida", "plaza"])
    static let hyphenWords = Bytes.hashSet(["sur", "sous", "en", "lès", "les", "am", "an", "im", "bei", "ob"])
    static let frenchParticles = Bytes.hashSet(["de", "du", "des", "la", "le", "les", "d", "l", "del", "di", "da"])
}
