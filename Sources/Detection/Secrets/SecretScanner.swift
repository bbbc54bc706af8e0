#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Credential recognisers: fixed-prefix provider tokens, structured forms
/// (JWT, private key blocks, URLs with passwords, webhooks) and key/value
/// assignments whose value passes an entropy gate.
extension ScanContext {
    @inline(__always) static func isValueByte(_ b: UInt8) -> Bool {
        Bytes.isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: "/") || b == UInt8(ascii: "=") || b == UInt8(ascii: "~")
    }

    mutating func scanSecrets() {
        var i = 0
        while i < n {
            let b = bytes[i]
            if !Self.isValueByte(b) { i += 1; continue }
            let start = i
            let end = runEnd(from: i, limit: 4096, Self.isValueByte)
            work += end - start
            scanSecretRun(start, end)
            // "t=EZAK…", "assertion=eyJ…": a credential after "=" inside a run (a few per run keeps this linear).
            var k = end - start > 9 ? start + 1 : end
            var tries = 0
            while k < end - 8 && tries < 4 {
                if bytes[k] == UInt8(ascii: "=") && Bytes.isAlnum(bytes[k - 1]) && Bytes.isAlnum(bytes[k + 1]) {
                    scanSecretRun(k + 1, end)
                    tries += 1
                }
                k += 1
            }
            work += end - start
            i = end
        }
        scanAssignments()
        scanPrivateKeys()
        scanURLCredentials()
        scanKubernetesSecret()
    }

    /// A Kubernetes `kind: Secret` manifest: every base64 value under `data:`.
    mutating func scanKubernetesSecret() {
        guard n >= 20, let kind = firstIndex(of: "kind:", from: 0, limit: n) else { return }
        var p = kind + 5
        while p < n && (bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\"") || bytes[p] == UInt8(ascii: "'")) { p += 1 }
        guard bytes[p..<min(n, p + 6)].map(Bytes.lower).elementsEqual("secret".utf8) else { return }
        guard let data = firstIndex(of: "data:", from: 0, limit: n) else { return }
        // Lines after "data:" that are indented "key: value" pairs.
        var q = data + 5
        var lines = 0
        while q < n && lines < 40 {
            guard let newline = (q..<min(n, q + 4096)).first(where: { bytes[$0] == UInt8(ascii: "\n") }) else { break }
            q = newline + 1
            lines += 1
            var k = q
            while k < n && (bytes[k] == UInt8(ascii: " ") || bytes[k] == UInt8(ascii: "\t")) { k += 1 }
            guard k > q else { if lines > 1 { break } else { continue } }
            let keyEnd = runEnd(from: k, limit: 80) { $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "\n") }
            guard byte(keyEnd) == UInt8(ascii: ":") else { continue }
            var v = keyEnd + 1
            while v < n && (bytes[v] == UInt8(ascii: " ") || bytes[v] == UInt8(ascii: "\"") || bytes[v] == UInt8(ascii: "'") || bytes[v] == UInt8(ascii: "|") || bytes[v] == UInt8(ascii: ">") || bytes[v] == UInt8(ascii: "\n") || bytes[v] == UInt8(ascii: "\t")) { v += 1 }
            let e = runEnd(from: v, limit: 4096) { Bytes.isAlnum($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "=") }
            if e - v >= 12 && looksRandom(v, e, minLength: 12, strict: false) {
                add(v, e, EntityType.secret, score: 0.85, priority: Priority.secret - 5, rule: "kubernetes-secret-yaml")
            }
        }
    }

    /// First offset of an ASCII word (case-insensitive) in `from..<limit`.
    func firstIndex(of word: StaticString, from: Int, limit: Int) -> Int? {
        let w = word.withUTF8Buffer { Array($0) }
        guard let last = w.last else { return from }
        var i = from
        if !Bytes.isAlpha(last) {
            // Skip from one occurrence of the (caseless) last byte to the next.
            var e = next(last, from: from + w.count - 1)
            while e < limit {
                let s = e - (w.count - 1)
                var k = 0
                while k < w.count - 1 && Bytes.lower(bytes[s + k]) == w[k] { k += 1 }
                if k == w.count - 1 { return s }
                e = next(last, from: e + 1)
            }
            return nil
        }
        while i + w.count <= limit {
            if Bytes.lower(bytes[i]) == w[0] {
                var k = 1
                while k < w.count && Bytes.lower(bytes[i + k]) == w[k] { k += 1 }
                if k == w.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// One run of value bytes: provider prefixes and token shapes.
    mutating func scanSecretRun(_ start: Int, _ end: Int) {
        let first = bytes[start]
        let length = end - start
        // Cheap gates first: every shape below is at least 30 bytes long except the
        // digit-led Telegram and Facebook tokens, and each prefix rule has a minimum length.
        let prefixRulesPossible = length >= SecretRules.shortestMatchByFirstByte[Int(first)]
        if !prefixRulesPossible && length < 30 && !Bytes.isDigit(first) { return }
        if prefixRulesPossible { for rule in SecretRules.byFirstByte[Int(first)] {
            let p = rule.prefix
            guard end - start >= p.count + rule.minBody else { continue }
            var match = true
            for k in 1..<p.count where bytes[start + k] != p[k] { match = false; break }
            if !match { continue }
            var bodyEnd = end
            while bodyEnd > start + p.count && (bytes[bodyEnd - 1] == UInt8(ascii: ".") || bytes[bodyEnd - 1] == UInt8(ascii: "/")) { bodyEnd -= 1 }
            let bodyLength = bodyEnd - start - p.count
            guard bodyLength >= rule.minBody, bodyLength <= rule.maxBody + 8 else { continue }
            guard !isPlaceholder(start + p.count, bodyEnd), distinctBytes(start + p.count, bodyEnd) >= 6 || bodyLength < 14 else { continue }
            if rule.minBody == rule.maxBody && p.last == UInt8(ascii: "_") && !(start + p.count..<bodyEnd).allSatisfy({ Bytes.isAlnum(bytes[$0]) }) { continue }
            if rule.rule.hasPrefix("anthropic"), !(bytes[bodyEnd - 2] == UInt8(ascii: "A") && bytes[bodyEnd - 1] == UInt8(ascii: "A")) { continue }
            var ruleID = rule.rule
            if ruleID == "gitlab-pat", (start + p.count..<bodyEnd).contains(where: { bytes[$0] == UInt8(ascii: ".") }) { ruleID = "gitlab-pat-routable" }
            if ruleID == "gitlab-runner-authentication-token", bytes[start + p.count] == UInt8(ascii: "t"), Bytes.isDigit(byte(start + p.count + 1)), byte(start + p.count + 2) == UInt8(ascii: "_") { ruleID = "gitlab-runner-authentication-token-routable" }
            if ruleID == "slack-bot-token", dashCount(start, bodyEnd) < 3 { ruleID = "slack-legacy-bot-token" }
            add(start, bodyEnd, EntityType.secret, score: 0.95, priority: Priority.secret, rule: ruleID)
            return
        } }
        // JWT: header.payload.signature, base64url, header starting "ey".
        if first == UInt8(ascii: "e") && byte(start + 1) == UInt8(ascii: "y") && length >= 40 {
            let dots = (start..<end).filter { bytes[$0] == UInt8(ascii: ".") }
            if dots.count >= 2, dots[0] - start >= 19, byte(dots[0] + 1) == UInt8(ascii: "e"), byte(dots[0] + 2) == UInt8(ascii: "y"), dots[1] - dots[0] > 18 {
                add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "jwt")
                return
            }
        }
        // 1Password secret key: A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX
        if first == UInt8(ascii: "A") && byte(start + 1) == UInt8(ascii: "3") && byte(start + 2) == UInt8(ascii: "-") && length >= 36 && dashCount(start, end) >= 5
            && !isPlaceholder(start + 3, end) {
            add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "1password-secret-key")
            return
        }
        // Twitter bearer: 22 'A's then 80+ characters.
        if first == UInt8(ascii: "A") && length >= 100 && (start..<start + 20).allSatisfy({ bytes[$0] == UInt8(ascii: "A") }) {
            add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "twitter-bearer-token")
            return
        }
        // Mailchimp: 32 hex, "-us", 1–2 digits, then the end of the token (as gitleaks requires:
        // a quote, backtick, space, ';' or the end; "…-us18)" is a call argument, not a key).
        if length >= 36 && length <= 38, bytes[start + 32] == UInt8(ascii: "-"), bytes[start + 33] == UInt8(ascii: "u"), bytes[start + 34] == UInt8(ascii: "s"),
           isTokenBoundary(end), (start..<start + 32).allSatisfy({ Bytes.isHex(bytes[$0]) }) {
            add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "mailchimp-api-key")
            return
        }
        // Mailgun signing key: 32 hex - 8 hex - 8 hex.
        if length == 50, bytes[start + 32] == UInt8(ascii: "-"), bytes[start + 41] == UInt8(ascii: "-"),
           (start..<start + 32).allSatisfy({ Bytes.isHex(bytes[$0]) }) {
            add(start, end, EntityType.secret, score: 0.85, priority: Priority.secret, rule: "mailgun-signing-key")
            return
        }
        // Terraform Cloud: 14 chars ".atlasv1." 60–70 chars.
        if length >= 80, byte(start + 14) == UInt8(ascii: "."), bytes[start..<end].starts(with: []) {
            let tail = bytes[(start + 15)...].prefix(8)
            if tail.elementsEqual("atlasv1.".utf8) && !isPlaceholder(start, end) {
                add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "hashicorp-tf-api-token")
                return
            }
        }
        // Airtable personal access token: pat + 14 . 64 hex
        if first == UInt8(ascii: "p") && byte(start + 1) == UInt8(ascii: "a") && byte(start + 2) == UInt8(ascii: "t") && length == 82 && byte(start + 17) == UInt8(ascii: ".") {
            add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "airtable-personnal-access-token")
            return
        }
        // Mapbox: pk. / sk. + 60 . 22
        if (first == UInt8(ascii: "p") || first == UInt8(ascii: "s")) && byte(start + 1) == UInt8(ascii: "k") && byte(start + 2) == UInt8(ascii: ".") && length >= 80 {
            add(start, end, EntityType.secret, score: 0.85, priority: Priority.secret, rule: "mapbox-api-token")
            return
        }
        // Azure AD client secret: 3 chars, a digit, "Q~", 31–34 chars.
        if length >= 37 && length <= 40 && byte(start + 4) == UInt8(ascii: "Q") && byte(start + 5) == UInt8(ascii: "~") && Bytes.isDigit(byte(start + 3)) {
            add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "azure-ad-client-secret")
            return
        }
        // Authress: sc_|ext_|scauth_|authress_ ... ".acc_" ...
        if length >= 30, let dot = (start..<min(end, start + 40)).first(where: { bytes[$0] == UInt8(ascii: ".") }),
           bytes[(dot + 1)...].prefix(4).elementsEqual("acc_".utf8) || (bytes[(dot + 1)...].prefix(8).contains(UInt8(ascii: ".")) && bytes[start..<end].prefix(3).elementsEqual("sc_".utf8)) {
            if bytes[start..<end].prefix(3).elementsEqual("sc_".utf8) || bytes[start..<end].prefix(4).elementsEqual("ext_".utf8) || bytes[start..<end].prefix(9).elementsEqual("authress_".utf8) {
                add(start, end, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "authress-service-client-access-key")
                return
            }
        }
        // Telegram bot token: 5–16 digits ":" "A" 34 characters (the ':' ends the run).
        if Bytes.isDigit(first), length >= 5, length <= 16, byte(end) == UInt8(ascii: ":"), byte(end + 1) == UInt8(ascii: "A"),
           (start..<end).allSatisfy({ Bytes.isDigit(bytes[$0]) }) {
            let tokenEnd = runEnd(from: end + 2, limit: 40) { Bytes.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
            if tokenEnd - end - 2 == 34 && distinctBytes(end + 2, tokenEnd) >= 10 && !Bytes.isAlnum(byte(tokenEnd)) && byte(tokenEnd) != UInt8(ascii: "-") {
                add(start, tokenEnd, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "telegram-bot-api-token")
                return
            }
        }
        // Facebook access token: 15–16 digits "|" 27–40 characters.
        if Bytes.isDigit(first), length == 15 || length == 16, byte(end) == UInt8(ascii: "|") || byte(end) == UInt8(ascii: "%") {
            let tokenEnd = runEnd(from: end + 1, limit: 44) { Bytes.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
            if (27...40).contains(tokenEnd - end - 1) {
                add(start, tokenEnd, EntityType.secret, score: 0.9, priority: Priority.secret, rule: "facebook-access-token")
                return
            }
        }
    }

    /// Whether a token may end before offset `p`: end of text, whitespace, a quote or
    /// backtick, ';', or a literal `\n` / `\r` escape (gitleaks' token terminator).
    func isTokenBoundary(_ p: Int) -> Bool {
        guard p < n else { return true }
        let b = bytes[p]
        if Bytes.isSpace(b) || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "`") || b == UInt8(ascii: ";") { return true }
        return b == UInt8(ascii: "\\") && (byte(p + 1) == UInt8(ascii: "n") || byte(p + 1) == UInt8(ascii: "r"))
    }

    /// A Telegram bot token exactly: 5–16 digits, ":A", 34 of [A-Za-z0-9_-].
    func isTelegramToken(_ start: Int, _ end: Int) -> Bool {
        var p = start
        while p < end && Bytes.isDigit(bytes[p]) { p += 1 }
        guard (5...16).contains(p - start), end - p == 36, bytes[p] == UInt8(ascii: ":"), bytes[p + 1] == UInt8(ascii: "A") else { return false }
        return (p + 2..<end).allSatisfy { Bytes.isAlnum(bytes[$0]) || bytes[$0] == UInt8(ascii: "_") || bytes[$0] == UInt8(ascii: "-") }
    }

    func dashCount(_ start: Int, _ end: Int) -> Int {
        var c = 0
        for k in start..<end where bytes[k] == UInt8(ascii: "-") { c += 1 }
        return c
    }

    func distinctBytes(_ start: Int, _ end: Int) -> Int {
        var seen = (UInt64(0), UInt64(0))
        var count = 0
        for k in start..<min(end, start + 256) {
            let b = bytes[k] & 0x7F
            if b < 64 {
                if seen.0 & (1 << UInt64(b)) == 0 { seen.0 |= 1 << UInt64(b); count += 1 }
            } else if seen.1 & (1 << UInt64(b - 64)) == 0 { seen.1 |= 1 << UInt64(b - 64); count += 1 }
        }
        return count
    }

    /// Shannon entropy in bits per byte.
    func entropy(_ start: Int, _ end: Int) -> Double {
        let length = end - start
        guard length > 0 else { return 0 }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { counts -> Double in
            counts.initialize(repeating: 0)
            for k in start..<end { counts[Int(bytes[k] & 0x7F)] += 1 }
            var h = 0.0
            let total = Double(length)
            for c in counts where c > 0 {
                let p = Double(c) / total
                h -= p * log2(p)
            }
            return h
        }
    }

    /// Template values: runs of x/X/*/0, "your…", "<…>", "${…}", "example", "changeme".
    func isPlaceholder(_ start: Int, _ end: Int) -> Bool {
        guard end > start else { return true }
        var run = 1
        var longest = 1
        var k = start + 1
        while k < end {
            let b = Bytes.lower(bytes[k])
            if b == Bytes.lower(bytes[k - 1]) && (b == UInt8(ascii: "x") || b == UInt8(ascii: "*") || b == UInt8(ascii: "0") || b == UInt8(ascii: "#") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")) {
                run += 1
                longest = max(longest, run)
            } else { run = 1 }
            k += 1
        }
        if longest >= 6 { return true }
        let limit = min(end, start + 200)
        for word in Self.placeholderWords where containsLowered(word, from: start, limit: limit) { return true }
        let f = bytes[start]
        return f == UInt8(ascii: "<") || f == UInt8(ascii: "$") || f == UInt8(ascii: "{") || f == UInt8(ascii: "%")
    }

    /// The share (0...1) of the bytes that belong to capitalised words: a capital then three
    /// or more lower-case letters ("Agency", "Identification"). CamelCase identifiers score
    /// near 1; random mixed-case keys far lower (such a word starts at a given position of a
    /// base62 string with a probability of about 3 %), and all-lower-case keys score 0.
    func capitalisedWordShare(_ start: Int, _ end: Int) -> Double {
        guard end > start else { return 0 }
        var covered = 0
        var k = start
        while k < end {
            guard Bytes.isUpper(bytes[k]) else { k += 1; continue }
            var e = k + 1
            while e < end && Bytes.isLower(bytes[e]) { e += 1 }
            if e - k >= 4 { covered += e - k }
            k = e
        }
        return Double(covered) / Double(end - start)
    }

    /// Substrings that mark a template value rather than a credential (lower case).
    static let placeholderWords: [[UInt8]] = [
        "xxxx", "****", "your", "example", "changeme", "placeholder", "redacted", "dummy", "sample", "insert", "12345678", "abcdef", "....",
    ].map { Array($0.utf8) }

    /// Whether the ASCII-lowercased bytes in `from..<limit` contain `word` (given in lower case).
    @inline(__always) func containsLowered(_ word: [UInt8], from: Int, limit: Int) -> Bool {
        let count = word.count
        guard count > 0 else { return true }
        let first = word[0]
        var k = from
        while k + count <= limit {
            if Bytes.lower(bytes[k]) == first {
                var m = 1
                while m < count && Bytes.lower(bytes[k + m]) == word[m] { m += 1 }
                if m == count { return true }
            }
            k += 1
        }
        return false
    }

    /// Whether a value looks like a random credential rather than a word, path or identifier.
    func looksRandom(_ start: Int, _ end: Int, minLength: Int, strict: Bool) -> Bool {
        let length = end - start
        guard length >= minLength, length <= 400, !isPlaceholder(start, end) else { return false }
        var digits = 0, lowers = 0, uppers = 0, symbols = 0, dots = 0
        for k in start..<end {
            let b = bytes[k]
            if Bytes.isDigit(b) { digits += 1 } else if Bytes.isLower(b) { lowers += 1 } else if Bytes.isUpper(b) { uppers += 1 } else {
                symbols += 1
                if b == UInt8(ascii: ".") || b == UInt8(ascii: "/") { dots += 1 }
            }
        }
        if dots > 0 && digits == 0 { return false }  // settings.SECRET_KEY, os.environ, paths
        if let lastDot = (start..<end).last(where: { bytes[$0] == UInt8(ascii: ".") }), end - lastDot - 1 >= 2, end - lastDot - 1 <= 4,
           (lastDot + 1..<end).allSatisfy({ Bytes.isLower(bytes[$0]) || Bytes.isDigit(bytes[$0]) }), !(start..<end).contains(where: { bytes[$0] == UInt8(ascii: "=") }) {
            return false  // host names and file names: api.example.com, cert.p12
        }
        if bytes[start] == UInt8(ascii: "/") || bytes[start] == UInt8(ascii: ".") { return false }
        let h = entropy(start, end)
        let distinct = distinctBytes(start, end)
        if distinct < 6 { return false }
        let wordSymbols = (start..<end).filter { bytes[$0] == UInt8(ascii: "_") || bytes[$0] == UInt8(ascii: "-") }.count
        if digits == 0 && symbols == wordSymbols && uppers == 0 || digits == 0 && symbols == wordSymbols && lowers == 0 { return false }  // ACCESS_TOKEN, some-name
        if digits == 0 {
            // Plain words and CamelCase identifiers are not credentials unless long and varied or with symbols.
            if symbols == 0 && !(length >= 20 && h >= 4.0 && uppers > 0 && lowers > 0) { return false }
        }
        if digits == length { return !strict && length >= 16 && h >= 2.8 }
        // Mostly words: "clm28278:AgencyIdentificationCodeContentType" is a type name, not a key.
        if capitalisedWordShare(start, end) >= 0.6 { return false }
        let threshold = strict ? 3.5 : (length < 16 ? 2.7 : 3.0)
        return h >= threshold
    }

    // MARK: assignments

    /// `KEY = value`, `"key": "value"`, `<keyToken>value</…>`, `setProperty("KEY", "value")`,
    /// `Bearer value`, `Basic value`, `-a value` (redis-cli) and "my api key is value".
    mutating func scanAssignments() {
        var i = 0
        let count = tokens.count
        while i < count {
            let t = tokens[i]
            work += 1
            if (t.letters < 2 && !(t.length == 1 && bytes[t.start] == UInt8(ascii: "a"))) || t.nonASCII { i += 1; continue }
            // Identifier around the token: letters, digits, _ . -
            var idEnd = t.end
            while idEnd < n && idEnd - t.start < 80 && (Bytes.isAlnum(bytes[idEnd]) || bytes[idEnd] == UInt8(ascii: "_") || bytes[idEnd] == UInt8(ascii: "-") || bytes[idEnd] == UInt8(ascii: ".")) { idEnd += 1 }
            var idStart = t.start
            while idStart > 0 && t.end - idStart < 80 && (Bytes.isAlnum(bytes[idStart - 1]) || bytes[idStart - 1] == UInt8(ascii: "_") || bytes[idStart - 1] == UInt8(ascii: "-") || bytes[idStart - 1] == UInt8(ascii: ".")) { idStart -= 1 }
            // Only look at an identifier once: from its first token.
            if idStart < t.start && i > 0 && tokens[i - 1].end > idStart { i += 1; continue }
            // Every credential below is at least 8 bytes long: shorter values ("is a", "= 1")
            // need no key classification.
            if let (valueStart, valueEnd, kind) = assignedValue(afterIdentifier: idEnd, tokenIndex: i), valueEnd - valueStart >= 8 {
                if let rule = classifyKey(idStart, idEnd, kind: kind) {
                    if rule == "sidekiq-secret", valueEnd - valueStart == 17, bytes[valueStart + 8] == UInt8(ascii: ":"),
                       (valueStart..<valueEnd).allSatisfy({ Bytes.isHex(bytes[$0]) || $0 == valueStart + 8 }) {
                        add(valueStart, valueEnd, EntityType.secret, score: 0.85, priority: Priority.secret - 5, rule: rule)
                        i += 1
                        continue
                    }
                    if rule == "sidekiq-secret", valueEnd - valueStart == 8, byte(valueEnd) == UInt8(ascii: ":") {
                        let e = runEnd(from: valueEnd + 1, limit: 9) { Bytes.isHex($0) }
                        if e - valueEnd - 1 == 8 { add(valueStart, e, EntityType.secret, score: 0.85, priority: Priority.secret - 5, rule: rule) }
                        i += 1
                        continue
                    }
                    // A provider whose tokens have one exact shape accepts only that shape.
                    if rule == "telegram-bot-api-token" && !isTelegramToken(valueStart, valueEnd) {
                        i += 1
                        continue
                    }
                    // "ops_eyJzaWdu..[Redacted]", "sk-abc…": a value cut short is an example, not a credential.
                    if (byte(valueEnd) == UInt8(ascii: ".") && byte(valueEnd + 1) == UInt8(ascii: "."))
                        || (byte(valueEnd) == 0xE2 && byte(valueEnd + 1) == 0x80 && byte(valueEnd + 2) == 0xA6) {
                        i += 1
                        continue
                    }
                    let strict = kind == .prose
                    let isPassword = containsLowered(Self.passWord, from: idStart, limit: idEnd) || containsLowered(Self.pwdWord, from: idStart, limit: idEnd)
                    let minLength = isPassword ? 8 : (strict ? 16 : 12)
                    if looksRandom(valueStart, valueEnd, minLength: minLength, strict: strict) || (isPassword && looksLikePassword(valueStart, valueEnd)) {
                        add(valueStart, valueEnd, EntityType.secret, score: strict ? 0.75 : 0.85, priority: Priority.secret - 5, rule: rule)
                    }
                }
            }
            i += 1
        }
    }

    enum AssignmentKind { case assignment, header, flag, prose }

    static let hashBearer = Bytes.hashLower("bearer"), hashBasic = Bytes.hashLower("basic"), hashToken = Bytes.hashLower("token")

    /// A typed password with at least three character classes.
    func looksLikePassword(_ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 8, length <= 128, !isPlaceholder(start, end) else { return false }
        var classes = Set<Int>()
        for k in start..<end {
            let b = bytes[k]
            classes.insert(Bytes.isDigit(b) ? 0 : Bytes.isLower(b) ? 1 : Bytes.isUpper(b) ? 2 : 3)
        }
        return classes.count >= 3
    }

    static let passWord = Array("pass".utf8), pwdWord = Array("pwd".utf8)

    /// A key word and the set of lower-case letters it holds (a cheap pre-check: a word
    /// can only occur in a key that holds all its letters).
    struct KeyWord {
        var bytes: [UInt8]
        var letters: UInt32
        var rule: String

        init(_ word: String, rule: String) {
            bytes = Array(word.utf8)
            letters = KeyWord.letterMask(bytes[...])
            self.rule = rule
        }

        static func letterMask<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
            var mask: UInt32 = 0
            for b in bytes where Bytes.isAlpha(b) { mask |= 1 << UInt32(Bytes.lower(b) &- 0x61) }
            return mask
        }
    }

    static let providerWords: [KeyWord] = SecretRules.providers.map { KeyWord($0.0, rule: $0.1) }
    static let secretKeyWords: [KeyWord] = SecretRules.secretWords.map { KeyWord($0, rule: "generic-api-key") }
    static let keyExceptions: [String: [KeyWord]] = [
        "key": ["primary", "foreign", "schema"].map { KeyWord($0, rule: "") },
        "pass": ["passport", "compass", "bypass"].map { KeyWord($0, rule: "") },
        "auth": ["author"].map { KeyWord($0, rule: "") },
    ]
    static let keyExceptionList: [[KeyWord]] = SecretRules.secretWords.map { keyExceptions[$0] ?? [] }

    /// The rule for the key `bytes[start..<end]`, or nil when it does not name a credential. Provider names and
    /// credential words count only at word boundaries of the key (`etsyToken`, `ETSY_TOKEN`, not `SetSysctl`).
    func classifyKey(_ start: Int, _ end: Int, kind: AssignmentKind) -> String? {
        if kind == .header || kind == .flag { return "generic-api-key" }
        let count = end - start
        let present = KeyWord.letterMask(bytes[start..<end])
        func occurs(_ word: KeyWord, requireEnd: Bool, insideCaps: Bool = true) -> Bool {
            guard word.letters & ~present == 0 else { return false }
            let w = word.bytes
            guard count >= w.count else { return false }
            var k = 0
            while k + w.count <= count {
                if Bytes.lower(bytes[start + k]) == w[0] {
                    var m = 1
                    while m < w.count && Bytes.lower(bytes[start + k + m]) == w[m] { m += 1 }
                    if m == w.count {
                        let prev = k > 0 ? bytes[start + k - 1] : 0
                        let startOK = k == 0 || !Bytes.isAlpha(prev) || (Bytes.isUpper(bytes[start + k]) && (Bytes.isLower(prev) || insideCaps))
                        let after = k + w.count
                        let endOK = !requireEnd || after == count || !Bytes.isLower(bytes[start + after])
                            || bytes[start + after] == UInt8(ascii: "s") && (after + 1 == count || !Bytes.isLower(bytes[start + after + 1]))
                        if startOK && endOK { return true }
                    }
                }
                k += 1
            }
            return false
        }
        for word in Self.providerWords where occurs(word, requireEnd: false, insideCaps: false) {
            return word.rule
        }
        // Identifiers of credentials are not credentials: credentialsId, key_id, client_id.
        if count > 2 && Bytes.lower(bytes[end - 2]) == UInt8(ascii: "i") && Bytes.lower(bytes[end - 1]) == UInt8(ascii: "d") { return nil }
        for (index, word) in Self.secretKeyWords.enumerated() where occurs(word, requireEnd: true) {
            for exception in Self.keyExceptionList[index] where occurs(exception, requireEnd: false) { return nil }
            // A key that ends in an attribute word names something about a credential, not the
            // credential itself: key_down_event, token_type, password_policy, secretName.
            if Self.attributeWords.contains(lastKeyComponentHash(start, end)) { return nil }
            return word.rule
        }
        return nil
    }

    /// The lower-case hash of the key's last component (split at `_`, `-`, `.` and at a
    /// lower-to-upper case change).
    func lastKeyComponentHash(_ start: Int, _ end: Int) -> UInt64 {
        var s = end
        while s > start {
            let b = bytes[s - 1]
            if !Bytes.isAlnum(b) { break }
            if s - 1 > start && Bytes.isUpper(b) && Bytes.isLower(bytes[s - 2]) { s -= 1; break }
            s -= 1
        }
        return Bytes.hashLower(bytes, s, end)
    }

    /// Last key components that describe a credential rather than hold one.
    static let attributeWords = Bytes.hashSet([
        "event", "down", "up", "press", "pressed", "type", "types", "name", "names", "length", "len", "size", "count", "path", "file",
        "dir", "field", "label", "prompt", "policy", "format", "expiry", "expires", "expiration", "ttl", "timeout", "header",
        "param", "regex", "pattern", "min", "max", "hint", "enabled", "required", "rotation", "endpoint", "url", "uri", "mode",
    ])

    /// Finds the value assigned after an identifier ending at `idEnd`.
    func assignedValue(afterIdentifier idEnd: Int, tokenIndex i: Int) -> (Int, Int, AssignmentKind)? {
        var p = idEnd
        var kind = AssignmentKind.assignment
        let t = tokens[i]
        // Header schemes: "Bearer <token>", "Basic <base64>".
        if t.length == 6 || t.length == 5, byte(t.end) == UInt8(ascii: " ") {
            if t.hash == Self.hashBearer || t.hash == Self.hashBasic || (t.hash == Self.hashToken && byte(t.start - 2) == UInt8(ascii: ":")) {
                kind = .header
                p = t.end + 1
                return valueSpan(at: p, quoted: nil).map { ($0.0, $0.1, kind) }
            }
        }
        // redis-cli -a <password>, mysql -p<password>, --password <value>
        if t.length == 1 && bytes[t.start] == UInt8(ascii: "a") && byte(t.start - 1) == UInt8(ascii: "-") && byte(t.end) == UInt8(ascii: " ") {
            let lineStart = max(0, t.start - 80)
            if bytes[lineStart..<t.start].firstRange(of: Array("redis-cli".utf8)) != nil {
                return valueSpan(at: t.end + 1, quoted: nil).map { ($0.0, $0.1, AssignmentKind.flag) }
            }
        }
        // Closing quote of a quoted key, then spaces.
        var quote: UInt8? = nil
        if byte(p) == UInt8(ascii: "\"") || byte(p) == UInt8(ascii: "'") { p += 1 }
        while p < n && p - idEnd < 6 && (bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t")) { p += 1 }
        let op = byte(p)
        if op == UInt8(ascii: "=") {
            p += 1
            if byte(p) == UInt8(ascii: ">") || byte(p) == UInt8(ascii: "=") { p += 1 }
        } else if op == UInt8(ascii: ":") {
            p += 1
            if byte(p) == UInt8(ascii: "=") { p += 1 }
        } else if op == UInt8(ascii: ">") && idEnd > 0 {
            // <fooToken>value</fooToken>
            var k = tokens[i].start - 1
            while k > 0 && bytes[k] != UInt8(ascii: "<") && tokens[i].start - k < 80 && bytes[k] != UInt8(ascii: " ") { k -= 1 }
            guard byte(k) == UInt8(ascii: "<") else { return nil }
            p += 1
            guard let span = valueSpan(at: p, quoted: nil), byte(span.1) == UInt8(ascii: "<") else { return nil }
            return (span.0, span.1, .assignment)
        } else if op == UInt8(ascii: ",") && byte(idEnd) == UInt8(ascii: "\"") {
            p += 1  // setProperty("KEY", "value")
        } else if op == UInt8(ascii: "i") && byte(p + 1) == UInt8(ascii: "s") && byte(p + 2) == UInt8(ascii: " ") {
            p += 3
            kind = .prose
        } else {
            return nil
        }
        while p < n && p - idEnd < 12 && (bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t")) { p += 1 }
        if byte(p) == UInt8(ascii: "\"") || byte(p) == UInt8(ascii: "'") || byte(p) == UInt8(ascii: "`") { quote = bytes[p]; p += 1 }
        guard let span = valueSpan(at: p, quoted: quote) else { return nil }
        return (span.0, span.1, kind)
    }

    /// A value at `p`: up to the closing quote when quoted, else a run of value bytes.
    func valueSpan(at p: Int, quoted quote: UInt8?) -> (Int, Int)? {
        guard p < n else { return nil }
        var e = p
        if let quote {
            while e < n && e - p < 400 && bytes[e] != quote && bytes[e] != UInt8(ascii: "\n") && bytes[e] != UInt8(ascii: " ") { e += 1 }
            guard byte(e) == quote else { return nil }
        } else {
            while e < n && e - p < 400 && (Self.isValueByte(bytes[e]) || bytes[e] == UInt8(ascii: "!") || bytes[e] == UInt8(ascii: "@") || bytes[e] == UInt8(ascii: "#")
                    || bytes[e] == UInt8(ascii: "%") || bytes[e] == UInt8(ascii: "^") || bytes[e] == UInt8(ascii: "&") || bytes[e] == UInt8(ascii: "*")) { e += 1 }
            while e > p && (bytes[e - 1] == UInt8(ascii: ".") || bytes[e - 1] == UInt8(ascii: ",")) { e -= 1 }
        }
        return e > p ? (p, e) : nil
    }

    // MARK: private keys and URLs

    mutating func scanPrivateKeys() {
        let marker = Array("-----BEGIN".utf8)
        var i = 0
        while i + marker.count < n {
            i = next(UInt8(ascii: "-"), from: i)
            guard i + marker.count < n else { break }
            guard bytes[i..<i + marker.count].elementsEqual(marker) else { i += 1; continue }
            let headerEnd = runEnd(from: i + marker.count, limit: 60) { $0 != UInt8(ascii: "\n") }
            let header = bytes[i..<headerEnd]
            guard header.firstRange(of: Array("PRIVATE KEY".utf8)) != nil else { i = headerEnd; continue }
            // Body: base64 lines up to "-----END", at least 64 characters of key material.
            var p = headerEnd
            var material = 0
            while p < n && p - headerEnd < 16384 && bytes[p] != UInt8(ascii: "-") {
                if Bytes.isAlnum(bytes[p]) || bytes[p] == UInt8(ascii: "+") || bytes[p] == UInt8(ascii: "/") { material += 1 }
                p += 1
            }
            work += p - i
            var end = p
            if bytes[p..<min(n, p + 8)].elementsEqual("-----END".utf8) {
                end = runEnd(from: p + 8, limit: 60) { $0 != UInt8(ascii: "\n") }
            }
            if material >= 64 { add(i, end, EntityType.secret, score: 0.99, priority: Priority.secret + 1, rule: "private-key") }
            i = max(end, i + 1)
        }
    }

    /// scheme://user:password@host — database URLs and other credentials in URLs.
    mutating func scanURLCredentials() {
        var i = 0
        while i + 3 < n {
            i = next(UInt8(ascii: ":"), from: i)
            guard i + 3 < n else { break }
            guard bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/") else { i += 1; continue }
            work += 1
            var s = i
            while s > 0 && i - s < 20 && (Bytes.isAlnum(bytes[s - 1]) || bytes[s - 1] == UInt8(ascii: "+") || bytes[s - 1] == UInt8(ascii: ".") || bytes[s - 1] == UInt8(ascii: "-")) { s -= 1 }
            let scheme = bytes[s..<i].map(Bytes.lower)
            let authorityStart = i + 3
            let authorityEnd = runEnd(from: authorityStart, limit: 256) { $0 != UInt8(ascii: "/") && !Bytes.isSpace($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "`") }
            i = authorityStart
            guard let at = (authorityStart..<authorityEnd).last(where: { bytes[$0] == UInt8(ascii: "@") }),
                  let colon = (authorityStart..<at).first(where: { bytes[$0] == UInt8(ascii: ":") }) else {
                scanWebhook(scheme: scheme, from: authorityStart)
                continue
            }
            let passwordStart = colon + 1
            guard at - passwordStart >= 6, !isPlaceholder(passwordStart, at) else { continue }
            let host = bytes[(at + 1)..<authorityEnd].map(Bytes.lower)
            let rule: String
            if host.firstRange(of: Array("contribsys.com".utf8)) != nil { rule = "sidekiq-sensitive-url" }
            else if ["http", "https", "ftp", "ftps"].contains(where: { scheme.elementsEqual($0.utf8) }) { rule = "url-basic-auth" }
            else { rule = "database-url-password" }
            if entropy(passwordStart, at) >= 2.5 || rule == "sidekiq-sensitive-url" {
                add(passwordStart, at, EntityType.secret, score: 0.9, priority: Priority.secret, rule: rule)
            }
            i = authorityEnd
        }
    }

    mutating func scanWebhook(scheme: [UInt8], from start: Int) {
        let end = runEnd(from: start, limit: 400) { !Bytes.isSpace($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: ")") }
        let url = bytes[start..<end]
        if url.starts(with: "hooks.slack.com/".utf8), end - start > 40 {
            add(start - scheme.count - 3, end, EntityType.secret, score: 0.95, priority: Priority.secret, rule: "slack-webhook-url")
        } else if url.firstRange(of: Array(".webhook.office.com/webhookb2/".utf8)) != nil, end - start > 80 {
            add(start - scheme.count - 3, end, EntityType.secret, score: 0.95, priority: Priority.secret, rule: "microsoft-teams-webhook")
        }
    }
}
