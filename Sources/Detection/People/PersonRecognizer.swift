/// PERSON without a statistical model: capitalised word runs scored by the
/// census name lists, honorifics and cue words ("my name is", "Patient:", "Dear").
extension ScanContext {
    /// Whether the token looks like a capitalised name word: "Maria", "O'Neal" (as tokens), "Ángeles".
    @inline(__always) func isCapitalized(_ t: Token) -> Bool {
        guard t.letters >= 1, t.digits == 0 else { return false }
        let b = bytes[t.start]
        if Bytes.isUpper(b) {
            if t.length == 1 { return false }
            // Not ALL CAPS (acronyms), except short all-caps words are skipped too.
            return t.uppers < t.length || t.length == 1
        }
        // Latin-1 supplement capitals À–Þ (C3 80–C3 9E) and Latin Extended-A capitals (even code points, rough).
        if b == 0xC3, t.start + 1 < n { let c = bytes[t.start + 1]; return c >= 0x80 && c <= 0x9E && c != 0x97 }
        if b == 0xC4 || b == 0xC5 { return bytes[t.start + 1] & 1 == 0 }
        return false
    }

    func isSentenceStart(_ t: Token) -> Bool {
        var p = t.start - 1
        while p >= 0 && (bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\"") || bytes[p] == UInt8(ascii: "'") || bytes[p] == UInt8(ascii: "(") || bytes[p] == UInt8(ascii: "*")) { p -= 1 }
        if p < 0 { return true }
        let b = bytes[p]
        return b == UInt8(ascii: ".") || b == UInt8(ascii: "!") || b == UInt8(ascii: "?") || b == UInt8(ascii: "\n") || b == UInt8(ascii: ">") || b == UInt8(ascii: "\t")
    }

    /// Joins tokens i and i+1 into one name word when separated by "-" or "'" (Wells-Walker, O'Neal).
    func joinsName(_ i: Int) -> Bool {
        guard i + 1 < tokens.count, tokens[i + 1].start - tokens[i].end == 1 else { return false }
        let g = bytes[tokens[i].end]
        return (g == UInt8(ascii: "-") || g == UInt8(ascii: "'")) && isCapitalized(tokens[i + 1])
    }

    mutating func scanPeople() {
        let lex = lexicon
        var i = 0
        let count = tokens.count
        while i < count {
            work += 1
            let t = tokens[i]
            guard isCapitalized(t), !lex.notNames.contains(t.hash) || lex.titles.contains(t.hash) else { i += 1; continue }
            // A title starts the run but is not part of the name.
            var titled = false
            var first = i
            var titleStart = -1
            if lex.titles.contains(t.hash) {
                let next = i + 1
                let adjacent = next < count && ((tokens[next].start == t.end + 2 && bytes[t.end] == UInt8(ascii: ".") && bytes[t.end + 1] == UInt8(ascii: " ")) || (tokens[next].start == t.end + 1 && bytes[t.end] == UInt8(ascii: " ")))
                guard adjacent, isCapitalized(tokens[next]) else { i += 1; continue }
                titled = true
                first = next
                // "Dr." and "Prof." stay outside the name; Mr/Mrs/Ms/Miss before a full name belong to it.
                if !Self.excludedTitles.contains(t.hash) { titleStart = t.start }
            }
            // Collect up to four name words separated by single spaces (hyphenated parts join).
            var words: [(Int, Int)] = []  // (first token, last token) per word
            var j = first
            while j < count && words.count < 4 {
                let tj = tokens[j]
                guard isCapitalized(tj) else { break }
                if lex.notNames.contains(tj.hash) && !(lex.firstNames.contains(tj.hash) && words.isEmpty == false) { break }
                var last = j
                while joinsName(last) { last += 1 }
                words.append((j, last))
                j = last + 1
                guard j < count, tokens[j].start == tokens[last].end + 1, bytes[tokens[last].end] == UInt8(ascii: " ") else { break }
                // Name particles: "van der Plas", "de la Cruz".
                var p = j
                while p < count && p - j < 2 && Self.particles.contains(tokens[p].hash) && !isCapitalized(tokens[p]) && p + 1 < count && tokens[p + 1].start == tokens[p].end + 1 { p += 1 }
                if p > j && p < count && isCapitalized(tokens[p]) { j = p }
                if lex.streetSuffixes.contains(tokens[j].hash) && words.count >= 1 && !lex.surnames.contains(tokens[j].hash) && !titled { break }
            }
            guard !words.isEmpty else { i += 1; continue }
            // Organisation names are not people: "Gonzales Ltd", "Brown and Sons".
            let afterLast = words[words.count - 1].1 + 1
            if afterLast < count, lex.orgSuffixes.contains(tokens[afterLast].hash), tokens[afterLast].start - tokens[afterLast - 1].end <= 2 {
                i = afterLast + 1
                continue
            }
            // "Bailey, Taylor and Moore" is a firm; "New Ann", "Lake Ronald" are places.
            if words.count == 1 && !titled {
                let w = words[0]
                if afterLast + 1 < count, bytes[tokens[w.1].end] == UInt8(ascii: ","), isCapitalized(tokens[afterLast]),
                   afterLast + 2 < count, tokens[afterLast + 1].hash == Self.hashAnd || (afterLast + 2 < count && tokens[afterLast + 1].hash != Self.hashAnd && bytes[tokens[afterLast].end] == UInt8(ascii: ",")) {
                    var k = afterLast
                    while k < count && k - afterLast < 4 && (isCapitalized(tokens[k]) || tokens[k].hash == Self.hashAnd) { k += 1 }
                    i = k
                    continue
                }
                if w.0 != w.1 && !hasNameCue(before: first) { i = w.1 + 1; continue }
            }
            if first > 0, tokens[first].start - tokens[first - 1].end == 1, Self.placePrefixes.contains(tokens[first - 1].hash), isCapitalized(tokens[first - 1]) {
                i = words[words.count - 1].1 + 1
                continue
            }
            let firstWord = tokens[words[0].0]
            let lastWord = tokens[words[words.count - 1].1]
            let hyphenatedLast = words[words.count - 1].0 != words[words.count - 1].1
            let firstIsGiven = lex.firstNames.contains(firstWord.hash)
            let lastIsSurname = lex.surnames.contains(lastWord.hash) || (hyphenatedLast && lex.surnames.contains(tokens[words[words.count - 1].0].hash))
            let cue = titled || hasNameCue(before: first)
            var accept = false
            var score = 0.6
            if words.count >= 2 {
                if firstIsGiven && lastIsSurname { accept = true; score = 0.9 }
                else if firstIsGiven || lastIsSurname {
                    accept = cue || !isSentenceStart(firstWord) || (firstIsGiven && !lex.notNames.contains(firstWord.hash))
                    score = 0.7
                } else if cue { accept = true; score = 0.6 }
            } else {
                let single = firstWord
                if titled { accept = true; score = 0.8 }
                else if cue && (lex.firstNames.contains(single.hash) || lex.surnames.contains(single.hash)) { accept = true; score = 0.75 }
                else if lex.firstNames.contains(single.hash) && !isSentenceStart(single) { accept = true; score = 0.6 }
                else if cue && !isSentenceStart(single) { accept = true; score = 0.5 }
                else if isSentenceStart(single) && ((lex.firstNames.contains(single.hash) && nextStartsLowercaseVerb(afterLast)) || (lex.surnames.contains(single.hash) && afterLast < count && Self.verbs.contains(tokens[afterLast].hash))) {
                    accept = true
                    score = 0.5
                }
            }
            if accept {
                var end = lastWord.end
                // Post-nominals: "MD", "PhD", "Jr.", "B.Eng."
                if afterLast < count, tokens[afterLast].start - end <= 2, Self.postNominals.contains(tokens[afterLast].hash),
                   bytes[end..<tokens[afterLast].start].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") }) {
                    end = tokens[afterLast].end
                    if afterLast + 1 < count, byte(end) == UInt8(ascii: "."), tokens[afterLast + 1].start == end + 1, Self.postNominals.contains(tokens[afterLast + 1].hash) {
                        end = tokens[afterLast + 1].end
                    }
                    if byte(end) == UInt8(ascii: ".") && (end + 1 >= n || byte(end + 1) == UInt8(ascii: ",") || byte(end + 1) == UInt8(ascii: " ")) && !Bytes.isUpper(byte(end - 1)) { end += 1 }
                }
                let start = titleStart >= 0 && words.count >= 2 ? titleStart : firstWord.start
                add(start, end, EntityType.person, score: score, priority: Priority.person)
            }
            i = max(i + 1, words[words.count - 1].1 + 1)
        }
    }

    /// A cue word (or "name is") within the two tokens before token `i`.
    func hasNameCue(before i: Int) -> Bool {
        var j = i - 1
        var steps = 0
        while j >= 0 && steps < 2 {
            let h = tokens[j].hash
            if lexicon.nameCues.contains(h) { return true }
            if h == Self.hashIs || h == Self.hashAm {
                if j > 0 && (tokens[j - 1].hash == Self.hashName || tokens[j - 1].hash == Self.hashI) { return true }
            }
            j -= 1
            steps += 1
        }
        return false
    }

    /// Whether the token at `k` starts with a lowercase letter (a verb after a sentence-initial name).
    func nextStartsLowercaseVerb(_ k: Int) -> Bool {
        guard k < tokens.count, k > 0, tokens[k].start - tokens[k - 1].end == 1, bytes[tokens[k - 1].end] == UInt8(ascii: " ") else { return false }
        return Bytes.isLower(bytes[tokens[k].start]) && !lexicon.notNames.contains(tokens[k].hash) || Self.verbs.contains(tokens[k].hash)
    }

    static let excludedTitles = Bytes.hashSet(["dr", "prof", "doctor", "professor", "sir", "rev", "hon"])
    static let particles = Bytes.hashSet(["van", "von", "der", "den", "de", "la", "le", "da", "di", "del", "dos", "du", "ten", "ter", "bin", "al"])
    static let postNominals = Bytes.hashSet(["md", "phd", "dds", "dvm", "jr", "sr", "ii", "iii", "iv", "esq", "cpa", "rn", "b", "eng", "ba", "bsc", "msc", "ma", "mba"])
    static let placePrefixes = Bytes.hashSet(["north", "south", "east", "west", "new", "lake", "port", "fort", "mount", "saint", "sainte", "san", "santa", "st", "university", "college"])
    static let verbs = Bytes.hashSet(["is", "was", "has", "had", "began", "lives", "said", "says", "went", "flew", "will", "would", "can", "could"])
    static let hashIs = Bytes.hashLower("is"), hashAm = Bytes.hashLower("am"), hashName = Bytes.hashLower("name"), hashI = Bytes.hashLower("i")
}
