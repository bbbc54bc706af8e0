/// LOCATION, NRP (nationalities, religious and political groups) and ORGANIZATION
/// without a statistical model: gazetteers of public names (`PlaceData`), English
/// place-name morphology ("North …", "…ville" built on a personal name), company
/// designators ("… Inc", "… and Sons"), law-firm names ("Bailey, Taylor and Moore")
/// and context cues ("from Jordan", "in French").
extension ScanContext {
    mutating func scanPlaces() {
        let places = PlaceLexicon.shared
        let lex = lexicon
        let count = tokens.count
        var lastPlaceEnd = -1
        var i = 0
        while i < count {
            let t = tokens[i]
            guard t.digits == 0, t.letters > 0, startsUpper(t) else { i += 1; continue }
            work += 1
            // Organisation designators look back over the name before them.
            if places.orgSuffixes.contains(t.hash) || (t.hash == Self.hashSons && i >= 2) { organisation(endingWith: i) }
            if i + 2 < count, let end = lawFirm(at: i) {
                add(t.start, end, EntityType.organization, score: 0.7, priority: Priority.organization)
                while i < count && tokens[i].start < end { i += 1 }
                continue
            }
            if let end = hyphenatedFirm(at: i) {
                add(t.start, end, EntityType.organization, score: 0.6, priority: Priority.organization)
                i += 2
                continue
            }
            // Gazetteer places: countries, regions, cities.
            if let (matched, entry) = match(places.places, at: i), !followedByStreetSuffix(matched) {
                let (last, end) = withAlias(matched)
                if !entry.ambiguous || (!insideNameRun(i, last) && (hasPlaceCue(i, last, lastPlaceEnd: lastPlaceEnd) || (entry.country && countryInProse(i, last)))) {
                    add(t.start, end, EntityType.location, score: entry.ambiguous ? 0.6 : 0.8, priority: Priority.location)
                    lastPlaceEnd = end
                    i = last + 1
                    continue
                }
            }
            // "North Louis", "Lake Edwinberg", "Port Tyroneburgh".
            if isCapitalized(t), places.placePrefixes.contains(t.hash), i + 1 < count, adjacentBySpace(i, i + 1) {
                var last = i + 1
                while joinsName(last) { last += 1 }
                let w = tokens[i + 1]
                if isCapitalized(w), !lex.notNames.contains(w.hash), !lex.streetSuffixes.contains(w.hash),
                   lex.firstNames.contains(w.hash) || lex.surnames.contains(w.hash) || isNamedPlace(w) || match(places.places, at: i + 1) != nil,
                   !(last + 1 < count && adjacentBySpace(last, last + 1) && lex.streetSuffixes.contains(tokens[last + 1].hash) && isCapitalized(tokens[last + 1])) {
                    add(t.start, tokens[last].end, EntityType.location, score: 0.7, priority: Priority.location)
                    lastPlaceEnd = tokens[last].end
                    i = last + 1
                    continue
                }
            }
            // "Lisaview", "Harpershire", "Jacksontown": a personal name and a place-name ending.
            if isCapitalized(t), isNamedPlace(t), !(i + 1 < count && byte(t.end) == UInt8(ascii: "-")), !followedByStreetSuffix(i) {
                let ambiguous = lex.surnames.contains(t.hash)
                if (!ambiguous || hasPlaceCue(i, i, lastPlaceEnd: lastPlaceEnd)) && !insideNameRun(i, i) {
                    add(t.start, t.end, EntityType.location, score: ambiguous ? 0.55 : 0.65, priority: Priority.location)
                    lastPlaceEnd = t.end
                    i += 1
                    continue
                }
            }
            // Nationalities, religions, political groups.
            if let (last, entry) = match(places.groups, at: i) {
                if isGroupUse(i, last, ambiguous: entry.ambiguous) {
                    add(t.start, tokens[last].end, EntityType.nrp, score: 0.7, priority: Priority.group)
                    i = last + 1
                    continue
                }
            }
            i += 1
        }
    }

    /// Whether a token starts with a capital letter (all-caps words included: "USA").
    @inline(__always) func startsUpper(_ t: Token) -> Bool {
        Bytes.isUpper(bytes[t.start]) || (t.nonASCII && isCapitalized(t))
    }

    /// Whether tokens `a` and `a + 1`... are separated by exactly one space.
    @inline(__always) func adjacentBySpace(_ a: Int, _ b: Int) -> Bool {
        tokens[b].start == tokens[a].end + 1 && bytes[tokens[a].end] == UInt8(ascii: " ")
    }

    /// The longest entry of `table` starting at token `i`: its last token and the entry.
    /// Words after the first must be capitalised unless they are connectors ("and", "of");
    /// between words only spaces, hyphens, apostrophes, dots or parentheses (no line break).
    func match(_ table: WordMap<[PlaceLexicon.Entry]>, at i: Int) -> (Int, PlaceLexicon.Entry)? {
        guard let entries = table[tokens[i].hash] else { return nil }
        let connectors = PlaceLexicon.shared.connectors
        let first = tokens[i]
        // All-caps words only as short abbreviations (USA, UK, UAE), never shouted sentences.
        if first.uppers == first.length && first.length > 3 { return nil }
        for entry in entries {
            var k = i
            var ok = true
            for m in 1..<max(1, entry.words.count) where entry.words.count > 1 {
                let next = k + 1
                guard next < tokens.count, tokens[next].hash == entry.words[m] else { ok = false; break }
                let gap = tokens[next].start - tokens[k].end
                guard gap >= 1 && gap <= 3 else { ok = false; break }
                for p in tokens[k].end..<tokens[next].start {
                    let b = bytes[p]
                    if !(b == UInt8(ascii: " ") || b == UInt8(ascii: "-") || b == UInt8(ascii: "'") || b == UInt8(ascii: ".") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")) { ok = false; break }
                }
                if !ok { break }
                if !connectors.contains(tokens[next].hash) && !startsUpper(tokens[next]) { ok = false; break }
                k = next
            }
            if ok {
                // The whole name, not the start of a longer capitalised name ("Jordan Peterson").
                return (k, entry)
            }
        }
        return nil
    }

    /// Whether the token after `last` is a capitalised street suffix ("Washington Alley"): a street, not a place.
    func followedByStreetSuffix(_ last: Int) -> Bool {
        guard last + 1 < tokens.count, adjacentBySpace(last, last + 1) else { return false }
        let q = tokens[last + 1]
        return isCapitalized(q) && lexicon.streetSuffixes.contains(q.hash)
    }

    /// A place name followed by its other name in parentheses, "Falkland Islands (Malvinas)",
    /// "Slovakia (Slovak Republic)": the last token and the end offset of the whole.
    func withAlias(_ last: Int) -> (Int, Int) {
        let end = tokens[last].end
        let open = byte(end) == UInt8(ascii: "(") ? end : (byte(end) == UInt8(ascii: " ") && byte(end + 1) == UInt8(ascii: "(") ? end + 1 : -1)
        guard open >= 0 else { return (last, end) }
        var k = last + 1
        while k < tokens.count && k - last <= 4 && tokens[k].start < open + 48 && startsUpper(tokens[k]) && tokens[k].isWord {
            let after = tokens[k].end
            if byte(after) == UInt8(ascii: ")") { return (k, after + 1) }
            guard byte(after) == UInt8(ascii: " ") || byte(after) == UInt8(ascii: "-") else { break }
            k += 1
        }
        return (last, end)
    }

    /// A cue that the name at tokens `i...last` is a place: a preposition or travel verb before
    /// it, a postcode after it, or ", " right after another place ("Atlanta, Georgia").
    func hasPlaceCue(_ i: Int, _ last: Int, lastPlaceEnd: Int) -> Bool {
        let places = PlaceLexicon.shared
        let t = tokens[i]
        if i > 0, adjacentBySpace(i - 1, i), places.placeCues.contains(tokens[i - 1].hash) { return true }
        if lastPlaceEnd >= 0, t.start == lastPlaceEnd + 2, bytes[lastPlaceEnd] == UInt8(ascii: ","), bytes[lastPlaceEnd + 1] == UInt8(ascii: " ") { return true }
        // The line after a place line in an address block ("Joneston\nArgentina").
        if lastPlaceEnd >= 0, t.start > lastPlaceEnd, t.start - lastPlaceEnd <= 4,
           bytes[lastPlaceEnd..<t.start].contains(UInt8(ascii: "\n")),
           bytes[lastPlaceEnd..<t.start].allSatisfy({ Bytes.isSpace($0) || $0 == UInt8(ascii: ">") }) { return true }
        if last + 1 < tokens.count, adjacentBySpace(last, last + 1) {
            let z = tokens[last + 1]
            if z.isNumber && z.length >= 4 && z.length <= 6 { return true }
        }
        return false
    }

    /// A country name that is also a given name, used in running text: not at the start of a
    /// sentence, not after a name cue ("Dear Kenya"), not the subject of "said", "told", ...
    func countryInProse(_ first: Int, _ last: Int) -> Bool {
        if isSentenceStart(tokens[first]) || hasNameCue(before: first) { return false }
        if last + 1 < tokens.count, adjacentBySpace(last, last + 1), Self.personVerbs.contains(tokens[last + 1].hash) { return false }
        return true
    }

    static let personVerbs = Bytes.hashSet([
        "said", "says", "told", "tells", "asked", "asks", "wrote", "writes", "replied", "went", "lives", "lived", "has", "had",
        "thinks", "thought", "called", "calls", "wants", "wanted", "likes", "loves", "feels", "felt", "smiled", "laughed",
    ])

    /// Whether tokens `first...last` sit inside a run of capitalised name words (a person:
    /// "Michael Jordan", "Georgia Smith", "Mrs. Houston").
    func insideNameRun(_ first: Int, _ last: Int) -> Bool {
        let lex = lexicon
        if first > 0 {
            let p = tokens[first - 1]
            let gap = tokens[first].start - p.end
            let bySpace = gap == 1 && bytes[p.end] == UInt8(ascii: " ")
            let byTitleDot = gap == 2 && bytes[p.end] == UInt8(ascii: ".") && bytes[p.end + 1] == UInt8(ascii: " ")
            if (bySpace && isCapitalized(p) && !lex.notNames.contains(p.hash)) || ((bySpace || byTitleDot) && lex.titles.contains(p.hash)) { return true }
        }
        if last + 1 < tokens.count, adjacentBySpace(last, last + 1) {
            let q = tokens[last + 1]
            let places = PlaceLexicon.shared
            if isCapitalized(q) && !lex.notNames.contains(q.hash) && !lex.streetSuffixes.contains(q.hash) && places.places[q.hash] == nil
                && !places.orgSuffixes.contains(q.hash) { return true }
        }
        return false
    }

    /// Whether a word is a family name: in the census list or one of the common-word family names.
    @inline(__always) func isFamilyName(_ t: Token) -> Bool {
        lexicon.surnames.contains(t.hash) || PlaceLexicon.shared.familyWords.contains(t.hash)
    }

    /// A capitalised word made of a personal name and an English place-name ending, as
    /// towns are named after people: "Jacksonville", "Harrisburg", "Georgeshire".
    func isNamedPlace(_ t: Token) -> Bool {
        guard t.length >= 6, t.digits == 0, !t.nonASCII else { return false }
        let lex = lexicon
        if lex.notNames.contains(t.hash) || lex.firstNames.contains(t.hash) { return false }
        for suffix in PlaceLexicon.shared.placeSuffixes {
            let stemEnd = t.end - suffix.count
            guard stemEnd - t.start >= 3 else { continue }
            var same = true
            for m in 0..<suffix.count where Bytes.lower(bytes[stemEnd + m]) != suffix[m] { same = false; break }
            guard same else { continue }
            let stem = Bytes.hashLower(bytes, t.start, stemEnd)
            if lex.firstNames.contains(stem) || lex.surnames.contains(stem) || PlaceLexicon.shared.familyWords.contains(stem) { return true }
        }
        return false
    }

    /// Whether the group word(s) at `first...last` name people rather than a language or a person.
    func isGroupUse(_ first: Int, _ last: Int, ambiguous: Bool) -> Bool {
        let places = PlaceLexicon.shared
        let t = tokens[first]
        if t.uppers == t.length && t.length > 1 { return false }
        if first == last && places.languages.contains(t.hash) {
            if first > 0, places.languageCues.contains(tokens[first - 1].hash) { return false }
            // "French and German": a language listed after another.
            if first > 1, tokens[first - 1].hash == Self.hashAnd || tokens[first - 1].hash == Self.hashOr, places.languages.contains(tokens[first - 2].hash) { return false }
            if last + 1 < tokens.count, places.languageNouns.contains(tokens[last + 1].hash) { return false }
        }
        if insideNameRun(first, last) { return false }
        if ambiguous {
            // "Christian values" but not "Christian said": the word must qualify a following noun.
            guard last + 1 < tokens.count, adjacentBySpace(last, last + 1) else { return false }
            let next = tokens[last + 1]
            return Bytes.isLower(bytes[next.start]) && !Self.verbs.contains(next.hash) && !hasNameCue(before: first)
        }
        return true
    }

    // MARK: organisations

    /// "Thompson Ltd", "Brooks Group", "Howell and Sons", "Acme, Inc.": capitalised name words
    /// before a designator at token `s`.
    mutating func organisation(endingWith s: Int) {
        guard s >= 1 else { return }
        let lex = lexicon
        let suffix = tokens[s]
        var nameEnd = s - 1
        if suffix.hash == Self.hashSons {
            // "… and Sons" / "… & Sons"
            if tokens[s - 1].hash == Self.hashAnd && adjacentBySpace(s - 1, s) { nameEnd = s - 2 } else if suffix.start - tokens[s - 1].end == 3, bytes[tokens[s - 1].end + 1] == UInt8(ascii: "&") {
                nameEnd = s - 1
            } else { return }
        } else {
            guard isCapitalized(suffix) || suffix.uppers == suffix.length else { return }
            let gap = suffix.start - tokens[s - 1].end
            let separated = (gap == 1 && bytes[suffix.start - 1] == UInt8(ascii: " ")) || (gap == 2 && bytes[tokens[s - 1].end] == UInt8(ascii: ",") && bytes[suffix.start - 1] == UInt8(ascii: " "))
            guard separated else { return }
        }
        guard nameEnd >= 0 else { return }
        var first = nameEnd
        var words = 0
        var k = nameEnd
        while k >= 0 && words < 4 {
            let w = tokens[k]
            guard (isCapitalized(w) || (w.uppers == w.length && w.length >= 2 && w.length <= 5 && w.isWord)), !lex.notNames.contains(w.hash) || lex.surnames.contains(w.hash) else { break }
            first = k
            words += 1
            guard k > 0 else { break }
            let gap = w.start - tokens[k - 1].end
            let g = bytes[tokens[k - 1].end]
            if gap == 1 && (g == UInt8(ascii: " ") || g == UInt8(ascii: "-")) { k -= 1; continue }
            if gap == 3 && bytes[tokens[k - 1].end + 1] == UInt8(ascii: "&") { k -= 1; continue }
            break
        }
        guard words > 0 else { return }
        // Word designators ("Group", "Partners") follow a family name: "Smith Group", not "Focus Group".
        if !Self.abbreviatedDesignators.contains(suffix.hash) && suffix.hash != Self.hashSons {
            let w = tokens[nameEnd]
            guard isFamilyName(w) || lex.firstNames.contains(w.hash) || w.uppers == w.length else { return }
        }
        add(tokens[first].start, suffix.end, EntityType.organization, score: 0.75, priority: Priority.organization)
    }

    /// "Bailey, Taylor and Moore" (also "… & Moore"): three capitalised family names, at
    /// least two of them known, none a place or a common capitalised word; the end offset.
    func lawFirm(at i: Int) -> Int? {
        let lex = lexicon
        let a = tokens[i], b = tokens[i + 1]
        guard isCapitalized(a), isCapitalized(b), b.start == a.end + 2, bytes[a.end] == UInt8(ascii: ","), bytes[a.end + 1] == UInt8(ascii: " ") else { return nil }
        var c = i + 2
        if tokens[c].hash == Self.hashAnd, adjacentBySpace(i + 1, c) { c += 1 } else if !(tokens[c].start - b.end == 3 && bytes[b.end + 1] == UInt8(ascii: "&")) { return nil }
        guard c < tokens.count, isCapitalized(tokens[c]), tokens[c].start - tokens[c - 1].end <= 3 else { return nil }
        let words = [a, b, tokens[c]]
        let places = PlaceLexicon.shared
        if words.contains(where: { lex.notNames.contains($0.hash) || places.places[$0.hash] != nil || places.groups[$0.hash] != nil }) { return nil }
        guard words.filter({ isFamilyName($0) }).count >= 2 else { return nil }
        var last = c
        while joinsName(last) { last += 1 }
        return tokens[last].end
    }

    /// "Schultz-Bradley" alone (no given name or title before, no name after): two family
    /// names joined by a hyphen name a firm; the end offset. Two given names ("Jean-Pierre")
    /// do not.
    func hyphenatedFirm(at i: Int) -> Int? {
        guard i + 1 < tokens.count else { return nil }
        let lex = lexicon
        let a = tokens[i], b = tokens[i + 1]
        guard b.start == a.end + 1, bytes[a.end] == UInt8(ascii: "-"), a.length >= 3, b.length >= 3, isCapitalized(a), isCapitalized(b),
              !joinsName(i + 1) else { return nil }
        let aFamily = isFamilyName(a), bFamily = isFamilyName(b)
        guard aFamily || bFamily, aFamily || lex.firstNames.contains(a.hash), bFamily || lex.firstNames.contains(b.hash),
              !(lex.firstNames.contains(a.hash) && lex.firstNames.contains(b.hash)) else { return nil }
        if i > 0 && tokens[i - 1].end == a.start - 1 && bytes[a.start - 1] == UInt8(ascii: "-") { return nil }
        if insideNameRun(i, i + 1) || hasNameCue(before: i) { return nil }
        // After a postcode it is a town: "33718 Neu-Ulm".
        if i > 0, tokens[i - 1].isNumber, adjacentBySpace(i - 1, i) { return nil }
        return b.end
    }

    static let hashSons = Bytes.hashLower("sons"), hashOr = Bytes.hashLower("or")
    static let abbreviatedDesignators = Bytes.hashSet(["inc", "llc", "ltd", "plc", "corp", "co", "gmbh", "ag", "llp", "lp", "incorporated", "corporation", "limited"])
}
