/// Recognizers for identifiers whose shape and check digits make them
/// recognisable without surrounding words: cards, SSNs, phones, e-mail,
/// network addresses, IBANs, DEA numbers, NINOs, crypto wallets.
extension ScanContext {
    mutating func scanStructured() {
        var i = 0
        let count = tokens.count
        while i < count {
            let t = tokens[i]
            work += 1
            let first = bytes[t.start]
            if t.isNumber {
                scanCard(at: i)
                scanDashedSSN(at: i)
                scanPhone(at: i)
                if t.length <= 3 { scanIPv4(at: i) }
            }
            if t.length <= 4 && (t.digits > 0 || t.letters <= 4) && Bytes.isHex(first) { scanIPv6(at: t.start) }
            if t.length == 2 || t.length == 4 || t.length == 12 { scanMAC(at: i) }
            if t.length >= 4 && Bytes.isUpper(first) && Bytes.isUpper(byte(t.start + 1)) && Bytes.isDigit(byte(t.start + 2)) && Bytes.isDigit(byte(t.start + 3)) {
                scanIBAN(at: i)
            }
            if t.length == 9 && t.digits == 7 { scanDEA(at: i) }
            if t.letters == 2 && t.digits == 0 && t.length == 2 || (t.length == 9 && t.digits == 6) { scanNINO(at: i) }
            if t.length >= 25 && t.length <= 62 && !t.nonASCII { scanCrypto(at: i) }
            i += 1
        }
        scanEmails()
    }

    // MARK: credit cards

    mutating func scanCard(at i: Int) {
        let t = tokens[i]
        if t.start > 0 && (bytes[t.start - 1] == UInt8(ascii: ".") || bytes[t.start - 1] == UInt8(ascii: "-")) && Bytes.isDigit(byte(t.start - 2)) { return }
        var digits: [UInt8] = []
        digits.reserveCapacity(19)
        var j = i
        var separator: UInt8? = nil
        var ends: [(Int, Int)] = []  // (digit count, end byte) after each group
        while j < tokens.count {
            let tj = tokens[j]
            guard tj.isNumber, digits.count + tj.length <= 19 else { break }
            digits.append(contentsOf: bytes[tj.start..<tj.end])
            ends.append((digits.count, tj.end))
            work += tj.length
            guard let g = gapByte(after: j), g == UInt8(ascii: " ") || g == UInt8(ascii: "-") else { break }
            if let s = separator, s != g { break }
            separator = g
            j += 1
        }
        for (k, end) in ends.reversed() where k >= 13 {
            if Bytes.isAlnum(byte(end)) { continue }
            if Validators.creditCard(Array(digits[0..<k])) {
                add(t.start, end, EntityType.creditCard, score: 0.95, priority: Priority.checksummed)
                return
            }
        }
    }

    // MARK: SSN / ITIN in 3-2-4 form

    mutating func scanDashedSSN(at i: Int) {
        guard i + 2 < tokens.count, tokens[i].length == 3, tokens[i + 1].length == 2, tokens[i + 2].length == 4,
              tokens[i + 1].isNumber, tokens[i + 2].isNumber,
              let g1 = gapByte(after: i), let g2 = gapByte(after: i + 1), g1 == g2,
              g1 == UInt8(ascii: "-") || g1 == UInt8(ascii: " ") else { return }
        let t = tokens[i], last = tokens[i + 2]
        if Bytes.isDigit(byte(t.start - 2)) && !Bytes.isSpace(byte(t.start - 1)) { return }
        if byte(last.end) == UInt8(ascii: "-") && Bytes.isDigit(byte(last.end + 1)) { return }
        let d = tokenText(t) + tokenText(tokens[i + 1]) + tokenText(last)
        let context = nearestKeyword(before: i, within: 6)
        if Validators.itin(d) {
            add(t.start, last.end, EntityType.itin, score: context == .itin ? 0.95 : 0.7, priority: Priority.structured)
        } else if Validators.ssn(d) {
            // Space-separated groups are common in other numbers; require words that say SSN.
            if g1 == UInt8(ascii: " ") && context != .ssn { return }
            add(t.start, last.end, EntityType.ssn, score: context == .ssn ? 0.95 : 0.8, priority: Priority.structured)
        }
    }

    // MARK: phone numbers

    mutating func scanPhone(at i: Int) {
        let t = tokens[i]
        var start = t.start
        let before = byte(t.start - 1)
        if before == UInt8(ascii: "+") || before == UInt8(ascii: "(") {
            start = t.start - 1
            if Bytes.isAlnum(byte(start - 1)) { return }
        } else if t.start > 0 && (Bytes.isAlnum(before) || before == UInt8(ascii: "-") || before == UInt8(ascii: ".") || before == UInt8(ascii: "/") || before == UInt8(ascii: ")")) {
            return
        }
        // A phone number is only ever recognised from its first group.
        if before != UInt8(ascii: "("), i > 0, tokens[i - 1].isNumber, tokens[i].start - tokens[i - 1].end <= 2 {
            let gap = bytes[tokens[i - 1].end..<tokens[i].start]
            if gap.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ")") || $0 == UInt8(ascii: "(") }) { return }
        }
        let plus = bytes[start] == UInt8(ascii: "+")
        var p = plus ? start + 1 : start
        var groups: [Int] = []
        var seps: [UInt8] = []
        var parenGroup = -1
        var digits = 0
        let cap = min(n, start + 32)
        while p < cap {
            work += 1
            var opened = false
            if bytes[p] == UInt8(ascii: "(") { opened = true; p += 1 }
            let gs = p
            while p < cap && Bytes.isDigit(bytes[p]) { p += 1 }
            let len = p - gs
            if len == 0 { if opened { p -= 1 }; break }
            if opened {
                guard p < n, bytes[p] == UInt8(ascii: ")") else { p = gs - 1; break }
                p += 1
                if parenGroup < 0 { parenGroup = groups.count }
            }
            groups.append(len)
            digits += len
            // Separator: one of space, dash, dot; "(" may follow directly.
            guard p < cap else { break }
            let s = bytes[p]
            if (s == UInt8(ascii: " ") || s == UInt8(ascii: "-") || s == UInt8(ascii: ".")) && p + 1 < n && (Bytes.isDigit(bytes[p + 1]) || bytes[p + 1] == UInt8(ascii: "(")) {
                seps.append(s)
                p += 1
            } else if s == UInt8(ascii: "(") || (opened && Bytes.isDigit(s)) {
                seps.append(0)
            } else {
                break
            }
        }
        // Trim a trailing separator that was not followed by a group.
        while p > start && !Bytes.isDigit(bytes[p - 1]) && bytes[p - 1] != UInt8(ascii: ")") { p -= 1 }
        if groups.isEmpty { return }
        var end = p
        if Bytes.isAlpha(byte(end)) && !(byte(end) == UInt8(ascii: "x") && Bytes.isDigit(byte(end + 1))) { return }
        // Extension: x1234
        if byte(end) == UInt8(ascii: "x") && Bytes.isDigit(byte(end + 1)) {
            let e = runEnd(from: end + 1, limit: 6) { Bytes.isDigit($0) }
            if !Bytes.isAlnum(byte(e)) { end = e }
        }
        if Bytes.isDigit(byte(end)) { return }
        if byte(end) == UInt8(ascii: "-") && Bytes.isDigit(byte(end + 1)) { return }
        if byte(end) == UInt8(ascii: ".") && Bytes.isDigit(byte(end + 1)) { return }
        var ok = false
        if plus {
            ok = digits >= 8 && digits <= 15 && groups.count <= 8
        } else {
            // After "(415)" the first separator may differ from the rest: "(415) 555-2671".
            let nonZeroSeps = (parenGroup == 0 && !seps.isEmpty ? Array(seps.dropFirst()) : seps).filter { $0 != 0 }
            let consistent = Set(nonZeroSeps).count <= 1
            let areaFirst = bytes[parenGroup == 0 ? start + 1 : start]
            switch groups {
            case [3, 3, 4]:
                ok = consistent && (parenGroup == 0 || !nonZeroSeps.isEmpty) && areaFirst >= UInt8(ascii: "2")
                if ok && nonZeroSeps == [UInt8(ascii: " "), UInt8(ascii: " ")] && parenGroup != 0 {
                    ok = nearestKeyword(before: i, within: 5) == .phone
                }
            case [1, 3, 3, 4]: ok = consistent && bytes[start] == UInt8(ascii: "1") && !nonZeroSeps.isEmpty
            case [3, 3, 3, 4]: ok = consistent && bytes[start] == UInt8(ascii: "0") && !nonZeroSeps.isEmpty
            default:
                // Other national formats only with words that say "phone".
                ok = digits >= 9 && digits <= 13 && groups.count >= 2 && nearestKeyword(before: i, within: 5) == .phone
            }
        }
        if ok { add(start, end, EntityType.phone, score: plus ? 0.8 : 0.75, priority: Priority.phone) }
    }

    // MARK: e-mail

    mutating func scanEmails() {
        var i = 0
        while i < n {
            i = next(UInt8(ascii: "@"), from: i)
            guard i < n else { break }
            work += 1
            func localByte(_ b: UInt8) -> Bool { Bytes.isAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "%") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b >= 0x80 }
            var s = i
            while s > 0 && i - s < 64 && localByte(bytes[s - 1]) { s -= 1; work += 1 }
            while s < i && (bytes[s] == UInt8(ascii: ".") || bytes[s] >= 0x80 && bytes[s] < 0xC0) { s += 1 }
            var e = i + 1
            var lastDot = -1
            while e < n && e - i < 255 && (Bytes.isAlnum(bytes[e]) || bytes[e] == UInt8(ascii: "-") || bytes[e] == UInt8(ascii: ".")) {
                if bytes[e] == UInt8(ascii: ".") { lastDot = e }
                e += 1
                work += 1
            }
            while e > i + 1 && (bytes[e - 1] == UInt8(ascii: ".") || bytes[e - 1] == UInt8(ascii: "-")) {
                e -= 1
                if lastDot >= e { lastDot = -1; var k = e - 1; while k > i { if bytes[k] == UInt8(ascii: ".") { lastDot = k; break }; k -= 1 } }
            }
            if s < i && lastDot > i + 1 && e - lastDot - 1 >= 2 && (lastDot + 1..<e).allSatisfy({ Bytes.isAlpha(bytes[$0]) }) {
                add(s, e, EntityType.email, score: 0.95, priority: Priority.checksummed)
            }
            i = max(i + 1, e)
        }
    }

    // MARK: IP and MAC addresses

    mutating func scanIPv4(at i: Int) {
        let t = tokens[i]
        let before = byte(t.start - 1)
        if t.start > 0 && (before == UInt8(ascii: ".") || Bytes.isAlnum(before)) { return }
        var parts = 0
        var p = t.start
        while parts < 4 {
            let e = runEnd(from: p, limit: 4) { Bytes.isDigit($0) }
            let len = e - p
            guard len >= 1 && len <= 3 else { return }
            var v = 0
            for k in p..<e { v = v * 10 + Bytes.digitValue(bytes[k]) }
            guard v <= 255 else { return }
            parts += 1
            p = e
            if parts < 4 {
                guard byte(p) == UInt8(ascii: "."), Bytes.isDigit(byte(p + 1)) else { return }
                p += 1
            }
        }
        work += 4
        if Bytes.isAlnum(byte(p)) || (byte(p) == UInt8(ascii: ".") && Bytes.isDigit(byte(p + 1))) { return }
        add(t.start, p, EntityType.ip, score: 0.9, priority: Priority.structured)
    }

    mutating func scanIPv6(at start: Int) {
        let before = byte(start - 1)
        if start > 0 && (Bytes.isHex(before) || before == UInt8(ascii: ":") || Bytes.isAlpha(before)) { return }
        let end0 = runEnd(from: start, limit: 45) { Bytes.isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        var end = end0
        while end > start && (bytes[end - 1] == UInt8(ascii: ".") || (bytes[end - 1] == UInt8(ascii: ":") && byte(end - 2) != UInt8(ascii: ":"))) { end -= 1 }
        if Bytes.isAlnum(byte(end)) { return }
        work += end - start
        var groups = 0, colons = 0, doubleColon = 0
        var groupLen = 0
        var hasDot = false
        var letters = false
        var p = start
        while p < end {
            let b = bytes[p]
            if b == UInt8(ascii: ":") {
                colons += 1
                if groupLen > 0 { groups += 1 } else if p > start && bytes[p - 1] == UInt8(ascii: ":") { doubleColon += 1 } else if p == start { if byte(p + 1) != UInt8(ascii: ":") { return } }
                groupLen = 0
            } else if b == UInt8(ascii: ".") {
                hasDot = true
                groupLen += 1
            } else {
                groupLen += 1
                if !Bytes.isDigit(b) { letters = true }
                if groupLen > 4 && !hasDot { return }
            }
            p += 1
        }
        if groupLen > 0 { groups += hasDot ? 2 : 1 }
        guard colons >= 2, doubleColon <= 1 else { return }
        if doubleColon == 0 && groups != 8 { return }
        if doubleColon == 1 && groups > 7 { return }
        if doubleColon == 1 && !letters && groups < 3 { return }  // "12::30"-style times and ratios
        add(start, end, EntityType.ip, score: 0.85, priority: Priority.structured)
    }

    mutating func scanMAC(at i: Int) {
        let t = tokens[i]
        let before = byte(t.start - 1)
        if t.start > 0 && (Bytes.isAlnum(before) || before == UInt8(ascii: ":") || before == UInt8(ascii: "-")) { return }
        if t.length == 2 {
            let sep = byte(t.end)
            guard sep == UInt8(ascii: ":") || sep == UInt8(ascii: "-") else { return }
            var p = t.start
            for g in 0..<6 {
                guard Bytes.isHex(byte(p)), Bytes.isHex(byte(p + 1)) else { return }
                p += 2
                if g < 5 { guard byte(p) == sep else { return }; p += 1 }
            }
            if Bytes.isAlnum(byte(p)) || byte(p) == sep { return }
            work += 17
            add(t.start, p, EntityType.mac, score: 0.85, priority: Priority.structured)
        } else if t.length == 4 {
            // Cisco dotted form 0011.2233.4455
            var p = t.start
            for g in 0..<3 {
                for k in 0..<4 { guard Bytes.isHex(byte(p + k)) else { return } }
                p += 4
                if g < 2 { guard byte(p) == UInt8(ascii: ".") else { return }; p += 1 }
            }
            if Bytes.isAlnum(byte(p)) || byte(p) == UInt8(ascii: ".") { return }
            add(t.start, p, EntityType.mac, score: 0.7, priority: Priority.structured)
        }
    }

    // MARK: IBAN

    mutating func scanIBAN(at i: Int) {
        let t = tokens[i]
        if t.start > 0 && Bytes.isAlnum(bytes[t.start - 1]) { return }
        var compact: [UInt8] = []
        compact.reserveCapacity(34)
        var ends: [(Int, Int)] = []
        var j = i
        while j < tokens.count && compact.count < 34 {
            let tj = tokens[j]
            if j > i {
                guard tokens[j - 1].end + 1 == tj.start, bytes[tokens[j - 1].end] == UInt8(ascii: " "), tj.length <= 4, !tj.nonASCII else { break }
            }
            guard tj.uppers == tj.letters, !tj.nonASCII, compact.count + tj.length <= 34 else { break }
            compact.append(contentsOf: bytes[tj.start..<tj.end])
            ends.append((compact.count, tj.end))
            work += tj.length
            if j == i && tj.length > 4 { break }
            j += 1
        }
        for (k, end) in ends.reversed() where k >= 15 {
            if Validators.iban(Array(compact[0..<k])) {
                add(t.start, end, EntityType.iban, score: 0.95, priority: Priority.checksummed)
                return
            }
        }
    }

    // MARK: DEA, NINO, NHS

    mutating func scanDEA(at i: Int) {
        let t = tokens[i]
        let s = tokenText(t)
        guard Validators.dea(s) else { return }
        let context = nearestKeyword(before: i, within: 6)
        add(t.start, t.end, EntityType.dea, score: context == .dea ? 0.95 : 0.75, priority: Priority.checksummed)
    }

    mutating func scanNINO(at i: Int) {
        let t = tokens[i]
        if t.length == 9 {
            if Validators.nino(tokenText(t)) { add(t.start, t.end, EntityType.nino, score: 0.85, priority: Priority.structured) }
            return
        }
        // Spaced form: AB 12 34 56 C
        guard i + 4 < tokens.count, t.uppers == 2 else { return }
        var s = tokenText(t)
        for k in 1...3 {
            guard tokens[i + k].length == 2, tokens[i + k].isNumber, gapByte(after: i + k - 1) == UInt8(ascii: " ") else { return }
            s += tokenText(tokens[i + k])
        }
        guard tokens[i + 4].length == 1, gapByte(after: i + 3) == UInt8(ascii: " ") else { return }
        s += tokenText(tokens[i + 4])
        if Validators.nino(s) { add(t.start, tokens[i + 4].end, EntityType.nino, score: 0.85, priority: Priority.structured) }
    }

    // MARK: crypto wallets

    mutating func scanCrypto(at i: Int) {
        let t = tokens[i]
        if t.start > 0 && (Bytes.isAlnum(bytes[t.start - 1]) || bytes[t.start - 1] == UInt8(ascii: "_")) { return }
        if Bytes.isAlnum(byte(t.end)) || byte(t.end) == UInt8(ascii: "_") || byte(t.end) == UInt8(ascii: "-") { return }
        let s = tokenText(t)
        work += s.count
        let first = s[0]
        if (first == UInt8(ascii: "1") || first == UInt8(ascii: "3")) && s.count <= 35 && Validators.base58Check(s) {
            add(t.start, t.end, EntityType.crypto, score: 0.95, priority: Priority.checksummed)
        } else if s.count >= 14 && (s.starts(with: Array("bc1".utf8)) || s.starts(with: Array("BC1".utf8))) && Validators.bech32(s) {
            add(t.start, t.end, EntityType.crypto, score: 0.95, priority: Priority.checksummed)
        } else if s.count == 42 && first == UInt8(ascii: "0") && (s[1] == UInt8(ascii: "x") || s[1] == UInt8(ascii: "X")) && s[2...].allSatisfy(Bytes.isHex) {
            // Ethereum: without Keccak we cannot check EIP-55, so ask for words that say wallet.
            if nearestKeyword(before: i, within: 8) == .crypto {
                add(t.start, t.end, EntityType.crypto, score: 0.8, priority: Priority.structured)
            }
        }
    }
}
