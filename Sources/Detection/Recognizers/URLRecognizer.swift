/// URL: `scheme://host…` (any letter-led scheme, a host with a dot, `localhost`, an IPv6
/// literal or a port) and bare `www.` addresses, up to the first space, quote or angle
/// bracket; trailing sentence punctuation and unbalanced closing brackets are left out.
extension ScanContext {
    mutating func scanURLs() {
        var i = 0
        while i + 3 < n {
            i = next(UInt8(ascii: ":"), from: i)
            guard i + 3 < n else { break }
            guard bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/") else { i += 1; continue }
            work += 1
            var s = i
            while s > 0 && i - s < 16 && (Bytes.isAlnum(bytes[s - 1]) || bytes[s - 1] == UInt8(ascii: "+") || bytes[s - 1] == UInt8(ascii: ".") || bytes[s - 1] == UInt8(ascii: "-")) { s -= 1 }
            while s < i && !Bytes.isAlpha(bytes[s]) { s += 1 }
            guard s < i else { i += 3; continue }
            let end = urlEnd(from: i + 3)
            if hasHost(i + 3, end) { add(s, end, EntityType.url, score: 0.9, priority: Priority.url) }
            i = max(i + 3, end)
        }
        // www.example.com without a scheme.
        for t in tokens where t.length == 3 && t.hash == Self.hashWWW && byte(t.end) == UInt8(ascii: ".") {
            work += 1
            let k = t.start
            if k > 0 && (bytes[k - 1] == UInt8(ascii: "/") || bytes[k - 1] == UInt8(ascii: ".") || bytes[k - 1] == UInt8(ascii: "@") || bytes[k - 1] == UInt8(ascii: "_") || bytes[k - 1] == UInt8(ascii: "-")) { continue }
            let end = urlEnd(from: k)
            if hasHost(k, end) { add(k, end, EntityType.url, score: 0.8, priority: Priority.url) }
        }
    }

    static let hashWWW = Bytes.hashLower("www")

    /// The end of a URL starting at `start`: the run of URL bytes, less trailing punctuation
    /// and closing brackets that have no opening partner inside the URL.
    func urlEnd(from start: Int) -> Int {
        var e = start
        let cap = min(n, start + 2048)
        while e < cap {
            let b = bytes[e]
            if b <= 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "`")
                || b == UInt8(ascii: "{") || b == UInt8(ascii: "}") || b == UInt8(ascii: "|") || b == UInt8(ascii: "\\") || b == UInt8(ascii: "^") || b == 0x7F { break }
            if b >= 0xC0 && Tokenizer.isNonASCIIPunctuation(bytes, e) { break }
            e += 1
        }
        // Bracket balance in one pass, so trimming stays linear.
        var parens = 0, squares = 0
        for p in start..<e {
            switch bytes[p] {
            case UInt8(ascii: "("): parens += 1
            case UInt8(ascii: ")"): parens -= 1
            case UInt8(ascii: "["): squares += 1
            case UInt8(ascii: "]"): squares -= 1
            default: break
            }
        }
        while e > start {
            let b = bytes[e - 1]
            if b == UInt8(ascii: ".") || b == UInt8(ascii: ",") || b == UInt8(ascii: ";") || b == UInt8(ascii: ":") || b == UInt8(ascii: "!") || b == UInt8(ascii: "?") || b == UInt8(ascii: "*") {
                e -= 1
                continue
            }
            if b == UInt8(ascii: ")") && parens < 0 { parens += 1; e -= 1; continue }
            if b == UInt8(ascii: "]") && squares < 0 { squares += 1; e -= 1; continue }
            break
        }
        return e
    }

    /// Whether `start..<end` begins with a host: a dotted name with a letter-only last
    /// label of 2+ letters, an IPv4 address, `localhost`, or a bracketed IPv6 literal.
    func hasHost(_ start: Int, _ end: Int) -> Bool {
        guard start < end else { return false }
        if bytes[start] == UInt8(ascii: "[") { return (start..<end).contains { bytes[$0] == UInt8(ascii: "]") } }
        var hostStart = start
        var e = start
        while e < end && bytes[e] != UInt8(ascii: "/") && bytes[e] != UInt8(ascii: "?") && bytes[e] != UInt8(ascii: "#") {
            if bytes[e] == UInt8(ascii: "@") { hostStart = e + 1 }
            e += 1
        }
        var hostEnd = hostStart
        while hostEnd < e && bytes[hostEnd] != UInt8(ascii: ":") { hostEnd += 1 }
        let host = bytes[hostStart..<hostEnd]
        guard !host.isEmpty, host.allSatisfy({ Bytes.isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 >= 0x80 }) else { return false }
        if host.count == 9 && host.map(Bytes.lower).elementsEqual("localhost".utf8) { return true }
        guard let lastDot = host.lastIndex(of: UInt8(ascii: ".")), lastDot > hostStart else { return false }
        let tld = bytes[(lastDot + 1)..<hostEnd]
        if tld.count >= 2 && tld.allSatisfy({ Bytes.isAlpha($0) || $0 >= 0x80 }) { return true }
        return host.allSatisfy { Bytes.isDigit($0) || $0 == UInt8(ascii: ".") } && host.filter({ $0 == UInt8(ascii: ".") }).count == 3
    }
}
