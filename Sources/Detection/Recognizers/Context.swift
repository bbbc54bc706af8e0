/// What a nearby word says about the number after it.
enum ContextKind: UInt8 {
    case ssn, itin, passport, driverLicense, routing, account, mrn, npi, dea, nhs, dob, icd, phone, crypto, card, medicalLicense
}

/// Keyword tables, hashed once (`Bytes.hashLower`).
enum Keywords {
    static let table: WordMap<ContextKind> = {
        var t: [(UInt64, ContextKind)] = []
        func put(_ kind: ContextKind, _ words: String) {
            for w in words.split(separator: " ") { t.append((Bytes.hashLower(String(w)), kind)) }
        }
        put(.ssn, "ssn ssns social")
        put(.itin, "itin")
        put(.passport, "passport passports")
        put(.driverLicense, "driver drivers license licence dl")
        put(.routing, "routing aba rtn transit")
        put(.account, "account acct accounts")
        put(.mrn, "mrn chart record records")
        put(.npi, "npi")
        put(.dea, "dea")
        put(.nhs, "nhs")
        put(.dob, "dob birth born birthday birthdate")
        put(.icd, "dx diagnosis diagnosed icd icd10 coded diagnoses")
        put(.phone, "phone tel telephone mobile cell fax call called text whatsapp desk")
        put(.crypto, "wallet eth ethereum btc bitcoin crypto")
        put(.card, "card visa mastercard amex")
        return WordMap(t)
    }()

    /// Words allowed between a keyword and its value ("number is", "no.", "#").
    static let fillers: WordSet = Bytes.hashSet([
        "number", "numbers", "no", "num", "nr", "is", "was", "are", "id", "of", "code", "the", "my", "his", "her", "their",
        "our", "on", "as", "date", "s", "to", "be", "at", "a", "an", "patient", "pt", "member", "medical", "security",
        "license", "licence", "account", "routing", "bank", "checking", "savings", "provider", "registration", "with", "and",
        "from", "me", "at",
    ])
    /// Extra words allowed between "date of birth" and the date ("It's", "was on").
    static let dobFillers: WordSet = Bytes.hashSet(["it", "its", "s", "was", "on", "please", "tell", "your", "me"])
}

extension ScanContext {
    /// The kind of the closest keyword within `within` tokens before token `i`.
    func nearestKeyword(before i: Int, within: Int) -> ContextKind? {
        var j = i - 1
        let stop = max(0, i - within)
        while j >= stop {
            if let kind = Keywords.table[tokens[j].hash] { return kind }
            j -= 1
        }
        return nil
    }

    /// Recognizers that need a keyword before the value: passport, licence,
    /// routing and account numbers, MRN, NPI, NHS, SSN without dashes, dates of birth, ICD-10.
    mutating func scanContextual() {
        var i = 0
        let count = tokens.count
        while i < count {
            work += 1
            guard let kind = Keywords.table[tokens[i].hash] else { i += 1; continue }
            // Skip filler words to the value; stop at a sentence end.
            var j = i + 1
            var skipped = 0
            while j < count && skipped < 5 {
                let h = tokens[j].hash
                let isFiller = (Keywords.fillers.contains(h) && Keywords.table[h] == nil) || (kind == .dob && (Keywords.table[h] == .dob || Keywords.dobFillers.contains(h)))
                // "PT-9358404151": a prefix joined to the value is part of it.
                if !isFiller || (byte(tokens[j].end) == UInt8(ascii: "-") && Bytes.isAlnum(byte(tokens[j].end + 1))) { break }
                j += 1
                skipped += 1
            }
            guard j < count else { break }
            // Nothing but spaces and light punctuation between keyword and value.
            if tokens[j].start - tokens[i].end > 48 { i += 1; continue }
            if kind != .dob && hasSentenceBreak(from: tokens[i].end, to: tokens[j].start) { i += 1; continue }
            recognizeValue(kind, at: j)
            i += 1
        }
    }

    func hasSentenceBreak(from: Int, to: Int) -> Bool {
        var p = from
        while p < to {
            let b = bytes[p]
            if b == UInt8(ascii: ".") && p + 1 < to && Bytes.isSpace(bytes[p + 1]) && p + 2 < n && Bytes.isUpper(byte(p + 2)) { return true }
            if b == UInt8(ascii: "\n") && p + 1 < to && bytes[p + 1] == UInt8(ascii: "\n") { return true }
            if b == UInt8(ascii: ";") || b == UInt8(ascii: "|") || b == UInt8(ascii: "?") || b == UInt8(ascii: "!") { return true }
            p += 1
        }
        return false
    }

    /// The end of an identifier value starting at `start`: letters, digits and inner dashes.
    func identifierEnd(_ start: Int) -> Int {
        var e = start
        let cap = min(n, start + 24)
        while e < cap && (Bytes.isAlnum(bytes[e]) || (bytes[e] == UInt8(ascii: "-") && Bytes.isAlnum(byte(e + 1)) && e > start)) { e += 1 }
        return e
    }

    mutating func recognizeValue(_ kind: ContextKind, at j: Int) {
        let t = tokens[j]
        let start = t.start
        switch kind {
        case .dob:
            if let end = parseDate(at: j) { add(start, end, EntityType.dateOfBirth, score: 0.85, priority: Priority.contextual) }
        case .icd:
            recognizeICD(at: j)
        case .passport:
            let s = tokenText(t)
            if t.length == 9 && (t.isNumber || (t.digits == 8 && Bytes.isUpper(s[0]))) && !Bytes.isAlnum(byte(t.end)) && byte(t.end) != UInt8(ascii: "-") {
                add(start, t.end, EntityType.passport, score: 0.85, priority: Priority.contextual)
            }
        case .driverLicense:
            let end = identifierEnd(start)
            let value = Array(bytes[start..<end])
            if isDriverLicense(value) { add(start, end, EntityType.driverLicense, score: 0.8, priority: Priority.contextual) }
        case .routing:
            if t.length == 9 && t.isNumber && Validators.abaRouting(tokenText(t)) {
                add(start, t.end, EntityType.aba, score: 0.9, priority: Priority.contextual)
            }
        case .account:
            if t.isNumber && t.length >= 6 && t.length <= 17 && !isJoinedToMore(t) {
                add(start, t.end, EntityType.bankNumber, score: 0.8, priority: Priority.contextual - 1)
            }
        case .mrn:
            let end = identifierEnd(start)
            var digits = 0
            for k in start..<end where Bytes.isDigit(bytes[k]) { digits += 1 }
            let lettersOK = (start..<end).allSatisfy { Bytes.isDigit(bytes[$0]) || Bytes.isUpper(bytes[$0]) || bytes[$0] == UInt8(ascii: "-") }
            if digits >= 5 && end - start <= 20 && lettersOK { add(start, end, EntityType.mrn, score: 0.8, priority: Priority.contextual) }
        case .npi:
            if t.length == 10 && t.isNumber && Validators.npi(tokenText(t)) && !isJoinedToMore(t) {
                add(start, t.end, EntityType.npi, score: 0.95, priority: Priority.checksummed)
            }
        case .nhs:
            var d = tokenText(t)
            var end = t.end
            if t.length == 3, j + 2 < tokens.count, tokens[j + 1].length == 3, tokens[j + 2].length == 4 {
                d += tokenText(tokens[j + 1]) + tokenText(tokens[j + 2])
                end = tokens[j + 2].end
            }
            if Validators.nhs(d) { add(start, end, EntityType.nhs, score: 0.9, priority: Priority.checksummed) }
        case .ssn:
            if t.length == 9 && t.isNumber && Validators.ssn(tokenText(t)) && !isJoinedToMore(t) {
                add(start, t.end, EntityType.ssn, score: 0.85, priority: Priority.contextual)
            }
        case .itin:
            if t.length == 9 && t.isNumber && Validators.itin(tokenText(t)) { add(start, t.end, EntityType.itin, score: 0.85, priority: Priority.contextual) }
        case .phone:
            if t.isNumber && (t.length == 10 || t.length == 11) && !isJoinedToMore(t) && byte(t.start - 1) != UInt8(ascii: "+") {
                add(start, t.end, EntityType.phone, score: 0.7, priority: Priority.phone)
            }
        case .crypto, .dea, .card, .medicalLicense:
            break
        }
    }

    /// Whether a number token continues into more digits or letters (`123-45`, `12.5`).
    func isJoinedToMore(_ t: Token) -> Bool {
        let after = byte(t.end)
        if Bytes.isAlnum(after) { return true }
        if (after == UInt8(ascii: "-") || after == UInt8(ascii: ".") || after == UInt8(ascii: "/")) && Bytes.isDigit(byte(t.end + 1)) { return true }
        let before = byte(t.start - 1)
        if (before == UInt8(ascii: "-") || before == UInt8(ascii: ".")) && Bytes.isDigit(byte(t.start - 2)) { return true }
        return false
    }

    /// Driver licence shapes used by US states: 1–2 letters then 3–14 digits, or 5–14 digits,
    /// or a few mixed forms (e.g. WA's 12 characters).
    func isDriverLicense(_ v: [UInt8]) -> Bool {
        guard v.count >= 5 && v.count <= 16 else { return false }
        let digits = v.filter(Bytes.isDigit).count
        guard digits >= 4, v.allSatisfy({ Bytes.isDigit($0) || Bytes.isUpper($0) || $0 == UInt8(ascii: "-") }) else { return false }
        return true
    }

    mutating func recognizeICD(at j: Int) {
        var k = j
        var found = 0
        while k < tokens.count && found < 4 {
            let t = tokens[k]
            guard let end = icdEnd(t) else { break }
            add(t.start, end, EntityType.icd10, score: 0.85, priority: Priority.contextual)
            found += 1
            // Lists of codes: "E11.9, I10 and N18.3"
            var next = k + 1
            while next < tokens.count && bytes[tokens[next].start] != 0 && tokens[next].start < end { next += 1 }
            guard next < tokens.count, tokens[next].start - end <= 6, onlyFiller(end, tokens[next].start, allowing: ",;/ and") || bytes[tokens[next].start...].starts(with: "and ".utf8) else { break }
            if bytes[tokens[next].start...].starts(with: "and ".utf8) { next += 1 }
            k = next
        }
    }

    /// ICD-10-CM code shape: letter (not U), digit, digit or letter, then optionally "." and 1–4 characters.
    func icdEnd(_ t: Token) -> Int? {
        guard t.length == 3, !t.nonASCII else { return nil }
        let a = bytes[t.start], b = bytes[t.start + 1], c = bytes[t.start + 2]
        guard Bytes.isUpper(a), a != UInt8(ascii: "U"), Bytes.isDigit(b), Bytes.isDigit(c) || Bytes.isUpper(c) else { return nil }
        var end = t.end
        if byte(end) == UInt8(ascii: ".") && Bytes.isAlnum(byte(end + 1)) {
            let e = runEnd(from: end + 1, limit: 5) { Bytes.isDigit($0) || Bytes.isUpper($0) }
            guard e - end - 1 <= 4, !Bytes.isAlnum(byte(e)) else { return nil }
            end = e
        } else if Bytes.isAlnum(byte(end)) {
            return nil
        }
        return end
    }

    // MARK: dates

    static let months: WordMap<Int> = {
        var m: [UInt64: Int] = [:]
        let names = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        for (k, name) in names.enumerated() {
            m[Bytes.hashLower(name)] = k + 1
            m[Bytes.hashLower(String(name.prefix(3)))] = k + 1
        }
        m[Bytes.hashLower("sept")] = 9
        return WordMap(m.map { ($0.key, $0.value) })
    }()

    func number(_ t: Token) -> Int {
        var v = 0
        for k in t.start..<t.end { v = v * 10 + Bytes.digitValue(bytes[k]) }
        return v
    }

    /// Parses a date starting at token `j` and returns its end byte: 1990-05-17, 05/17/1990,
    /// 17.05.1990, May 17, 1990, 17 May 1990, May 1990.
    func parseDate(at j: Int) -> Int? {
        guard j < tokens.count else { return nil }
        let t = tokens[j]
        if t.isNumber {
            // Numeric forms
            if j + 2 < tokens.count, let g1 = gapByte(after: j), let g2 = gapByte(after: j + 1), g1 == g2,
               g1 == UInt8(ascii: "-") || g1 == UInt8(ascii: "/") || g1 == UInt8(ascii: "."),
               tokens[j + 1].isNumber, tokens[j + 2].isNumber {
                let a = number(t), b = number(tokens[j + 1]), c = number(tokens[j + 2])
                let la = t.length, lb = tokens[j + 1].length, lc = tokens[j + 2].length
                var ok = false
                if la == 4 && lb <= 2 && lc <= 2 { ok = (1...12).contains(b) && (1...31).contains(c) }
                else if la <= 2 && lb <= 2 && (lc == 4 || lc == 2) { ok = ((1...12).contains(a) && (1...31).contains(b)) || ((1...31).contains(a) && (1...12).contains(b)) }
                if ok && !Bytes.isAlnum(byte(tokens[j + 2].end)) { return tokens[j + 2].end }
                return nil
            }
            // 17 May 1990
            if t.length <= 2, j + 2 < tokens.count, Self.months[tokens[j + 1].hash] != nil, tokens[j + 2].isNumber, tokens[j + 2].length == 4,
               tokens[j + 1].start - t.end <= 2, tokens[j + 2].start - tokens[j + 1].end <= 3 {
                let d = number(t)
                if (1...31).contains(d) { return tokens[j + 2].end }
            }
            return nil
        }
        // May 17, 1990 / May 1990 / Dec. 10 1992
        guard Self.months[t.hash] != nil, j + 1 < tokens.count, tokens[j + 1].isNumber, tokens[j + 1].start - t.end <= 3 else { return nil }
        let d = tokens[j + 1]
        if d.length == 4 { return d.end }
        guard d.length <= 2, (1...31).contains(number(d)) else { return nil }
        var end = d.end
        // Ordinal suffix: May 17th, 1990
        if j + 2 < tokens.count, tokens[j + 1].end == tokens[j + 2].start { return nil }
        if j + 2 < tokens.count, tokens[j + 2].isNumber, tokens[j + 2].length == 4, tokens[j + 2].start - d.end <= 3,
           onlyFiller(d.end, tokens[j + 2].start, allowing: ",") {
            end = tokens[j + 2].end
            return end
        }
        return nil
    }
}
