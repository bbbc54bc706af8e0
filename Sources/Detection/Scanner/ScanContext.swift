#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One candidate span, in byte offsets, before overlaps are resolved.
struct Candidate {
    var start: Int
    var end: Int
    var type: String
    var rule: String?
    var score: Double
    var priority: Int
}

/// Entity type names (CONTRACTS.md §1).
enum EntityType {
    static let person = "PERSON", dateOfBirth = "DATE_OF_BIRTH", streetAddress = "STREET_ADDRESS", location = "LOCATION"
    static let email = "EMAIL_ADDRESS", phone = "PHONE_NUMBER", ip = "IP_ADDRESS", mac = "MAC_ADDRESS", url = "URL"
    static let ssn = "US_SSN", itin = "US_ITIN", passport = "US_PASSPORT", driverLicense = "US_DRIVER_LICENSE"
    static let nhs = "UK_NHS", nino = "UK_NINO"
    static let creditCard = "CREDIT_CARD", iban = "IBAN_CODE", aba = "ABA_ROUTING_NUMBER", bankNumber = "US_BANK_NUMBER", crypto = "CRYPTO"
    static let mrn = "MEDICAL_RECORD_NUMBER", npi = "US_NPI", dea = "DEA_NUMBER", icd10 = "ICD10_CODE", medicalLicense = "MEDICAL_LICENSE"
    static let secret = "SECRET"
    static let organization = "ORGANIZATION", nrp = "NRP"
}

/// Priorities when candidates overlap: the more specific, validated kind wins.
enum Priority {
    static let secret = 100, checksummed = 90, structured = 80, contextual = 70, phone = 60, url = 55, address = 50
    static let organization = 47, location = 45, group = 44, person = 40
}

/// All the state of one scan: the bytes, their tokens and the candidates found.
struct ScanContext {
    let bytes: UnsafeBufferPointer<UInt8>
    let lexicon: Lexicon
    var tokens: [Token] = []
    var candidates: [Candidate] = []
    /// Elementary steps taken, for the linear-time property test.
    var work = 0

    init(bytes: UnsafeBufferPointer<UInt8>, lexicon: Lexicon) {
        self.bytes = bytes
        self.lexicon = lexicon
        tokens.reserveCapacity(bytes.count / 5 + 4)
    }

    var n: Int { bytes.count }

    @inline(__always) func byte(_ i: Int) -> UInt8 { i >= 0 && i < bytes.count ? bytes[i] : 0 }

    /// The offset of the first `target` byte at or after `from`, or `n` when there is none
    /// (a vectorised `memchr`: recognisers that start at one rare byte skip to it).
    @inline(__always) func next(_ target: UInt8, from: Int) -> Int {
        guard from < n, let base = bytes.baseAddress else { return n }
        guard let hit = memchr(base + from, Int32(target), n - from) else { return n }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    mutating func add(_ start: Int, _ end: Int, _ type: String, score: Double, priority: Int, rule: String? = nil) {
        candidates.append(Candidate(start: start, end: end, type: type, rule: rule, score: score, priority: priority))
    }

    mutating func run() {
        Tokenizer.tokenize(bytes, into: &tokens)
        work += n
        scanStructured()
        scanContextual()
        scanSecrets()
        scanPeople()
        scanAddresses()
        scanPlaces()
        scanURLs()
    }

    /// Keeps the best of overlapping candidates and converts byte offsets to scalar offsets.
    func resolve() -> [Finding] {
        if candidates.isEmpty { return [] }
        let order = candidates.indices.sorted {
            let a = candidates[$0], b = candidates[$1]
            if a.priority != b.priority { return a.priority > b.priority }
            if a.end - a.start != b.end - b.start { return a.end - a.start > b.end - b.start }
            return a.start < b.start
        }
        var taken = [Bool](repeating: false, count: n)
        var accepted: [Candidate] = []
        for index in order {
            let c = candidates[index]
            guard c.start < c.end, c.end <= n else { continue }
            var free = true
            for i in c.start..<c.end where taken[i] { free = false; break }
            if !free { continue }
            for i in c.start..<c.end { taken[i] = true }
            accepted.append(c)
        }
        accepted.sort { $0.start != $1.start ? $0.start < $1.start : $0.end < $1.end }
        // One pass turns byte offsets into scalar offsets: count non-continuation bytes.
        var boundaries: [(Int, Int)] = []  // (byte offset, slot)
        boundaries.reserveCapacity(accepted.count * 2)
        for (k, c) in accepted.enumerated() {
            boundaries.append((c.start, 2 * k))
            boundaries.append((c.end, 2 * k + 1))
        }
        boundaries.sort { $0.0 < $1.0 }
        var scalarAt = [Int](repeating: 0, count: boundaries.count)
        var scalars = 0
        var position = 0
        for (offset, slot) in boundaries {
            while position < offset {
                if bytes[position] & 0xC0 != 0x80 { scalars += 1 }
                position += 1
            }
            scalarAt[slot] = scalars
        }
        return accepted.enumerated().map { k, c in
            Finding(type: c.type, rule: c.rule, start: scalarAt[2 * k], end: scalarAt[2 * k + 1], score: c.score)
        }
    }

    // MARK: token helpers

    /// The separator bytes between token `i` and token `i + 1`, when that gap is a single byte.
    @inline(__always) func gapByte(after i: Int) -> UInt8? {
        guard i + 1 < tokens.count else { return nil }
        let g = tokens[i + 1].start - tokens[i].end
        return g == 1 ? bytes[tokens[i].end] : nil
    }

    /// Whether the text between two byte offsets is only spaces and the given punctuation.
    func onlyFiller(_ from: Int, _ to: Int, allowing extra: StaticString = ":#.-,") -> Bool {
        if to - from > 8 { return false }
        var i = from
        while i < to {
            let b = bytes[i]
            if !(Bytes.isSpace(b) || extra.withUTF8Buffer { $0.contains(b) }) { return false }
            i += 1
        }
        return true
    }

    func tokenText(_ t: Token) -> [UInt8] { Array(bytes[t.start..<t.end]) }

    /// The end of the maximal run starting at `start` of bytes accepted by `accept`, capped at `limit` bytes.
    @inline(__always) func runEnd(from start: Int, limit: Int, _ accept: (UInt8) -> Bool) -> Int {
        var i = start
        let cap = min(n, start + limit)
        while i < cap && accept(bytes[i]) { i += 1 }
        return i
    }
}
