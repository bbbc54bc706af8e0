/// The L1 layer: curated phrase families matched over the tokens of normalised text.
///
/// Grammar (see the header of Resources/injection/signatures.txt): `[family strength]`
/// headers, then one pattern a line; `{a,b,}` alternatives, `..` a gap of up to three
/// tokens. Patterns are compiled to token hashes once; matching looks each text token
/// up by its hash and verifies only the patterns that start with it, so a scan is
/// linear in the text. Twin of `load_signatures` / `l1_match` in tools/train_injection.py.
struct SignatureSet: Sendable {
    /// Largest number of arbitrary tokens a `..` gap spans.
    static let maxGap = 3

    enum Slot: Sendable {
        /// One of several token sequences (an empty one makes the slot optional).
        case oneOf([[UInt64]])
        /// 0...maxGap arbitrary tokens.
        case gap
    }

    struct Pattern: Sendable {
        var family: Int
        var strength: Double
        var slots: [Slot]
    }

    /// Family ids in order of first appearance.
    private(set) var families: [String] = []
    private var patterns: [Pattern] = []
    /// First token hash → patterns that can start with it.
    private var byFirstToken = WordMap<[Int]>([])
    /// Bitset over the low bits of every first-token hash: a cheap pre-check that lets
    /// most text tokens skip the dictionary lookup (a set bit still needs the lookup).
    private var firstTokenFilter = [UInt64](repeating: 0, count: SignatureSet.filterWords)
    private static let filterWords = 64  // 4 096 bits

    @inline(__always) private static func filterSlot(_ hash: UInt64) -> (word: Int, bit: UInt64) {
        let index = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & (filterWords * 64 - 1)
        return (index >> 6, 1 << UInt64(index & 63))
    }

    /// Number of patterns (for tests and docs).
    var patternCount: Int { patterns.count }

    /// Parses a signatures file; errors name the file and line.
    init(parsing text: String, fileName: String) throws {
        var familyIndex: [String: Int] = [:]
        var byFirst: [UInt64: [Int]] = [:]
        var current: (family: Int, strength: Double)?
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let where_ = "\(fileName):\(offset + 1)"
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("["), let second = line.dropFirst().first, second.isLowercase {
                let body = line.dropFirst().dropLast().split(separator: " ")
                guard line.hasSuffix("]"), body.count == 2, let strength = Double(body[1]) else {
                    throw InjectionModel.Error(code: .badSignatures, detail: "\(where_): family header must be [id strength]")
                }
                guard strength > 0, strength < 1 else {
                    throw InjectionModel.Error(code: .badSignatures, detail: "\(where_): strength must be in (0, 1)")
                }
                let id = String(body[0])
                let index: Int
                if let known = familyIndex[id] {
                    index = known
                } else {
                    index = families.count
                    familyIndex[id] = index
                    families.append(id)
                }
                current = (index, strength)
                continue
            }
            guard let current else {
                throw InjectionModel.Error(code: .badSignatures, detail: "\(where_): pattern before any family header")
            }
            let slots = try Self.parsePattern(line, where: where_)
            let patternIndex = patterns.count
            patterns.append(Pattern(family: current.family, strength: current.strength, slots: slots))
            guard case .oneOf(let firsts) = slots[0] else { continue }
            var seen = Set<UInt64>()
            for alternative in firsts where seen.insert(alternative[0]).inserted {
                byFirst[alternative[0], default: []].append(patternIndex)
                let slot = Self.filterSlot(alternative[0])
                firstTokenFilter[slot.word] |= slot.bit
            }
        }
        byFirstToken = WordMap(byFirst.map { ($0.key, $0.value) })
    }

    private static func parsePattern(_ line: String, where place: String) throws -> [Slot] {
        var slots: [Slot] = []
        let scalars = Array(line.unicodeScalars)
        var i = 0
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" }
        while i < scalars.count {
            if isSpace(scalars[i]) { i += 1; continue }
            if scalars[i] == "{" {
                guard let close = scalars[i...].firstIndex(of: "}") else {
                    throw InjectionModel.Error(code: .badSignatures, detail: "\(place): unclosed brace")
                }
                if close + 1 < scalars.count, !isSpace(scalars[close + 1]) {
                    throw InjectionModel.Error(code: .badSignatures, detail: "\(place): brace group must be followed by a space")
                }
                var body = String.UnicodeScalarView()
                body.append(contentsOf: scalars[(i + 1)..<close])
                let alternatives = String(body).split(separator: ",", omittingEmptySubsequences: false).map {
                    tokenHashes(InjectionNormalizer.normalize(String($0)))
                }
                slots.append(.oneOf(alternatives))
                i = close + 1
                continue
            }
            var end = i
            while end < scalars.count, !isSpace(scalars[end]) {
                if scalars[end] == "{" {
                    throw InjectionModel.Error(code: .badSignatures, detail: "\(place): brace group must start after a space")
                }
                end += 1
            }
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[i..<end])
            if String(piece) == ".." {
                slots.append(.gap)
            } else {
                for token in tokenHashes(InjectionNormalizer.normalize(String(piece))) {
                    slots.append(.oneOf([[token]]))
                }
            }
            i = end
        }
        guard case .oneOf(let firsts)? = slots.first, !firsts.contains(where: \.isEmpty) else {
            throw InjectionModel.Error(code: .badSignatures, detail: "\(place): a pattern must start with a required token")
        }
        return slots
    }

    /// Token hashes of normalised bytes (see `forEachToken`).
    static func tokenHashes(_ bytes: [UInt8]) -> [UInt64] {
        var out: [UInt64] = []
        bytes.withUnsafeBufferPointer { buffer in
            forEachToken(buffer) { out.append($0) }
        }
        return out
    }

    /// Calls `body` with the 64-bit FNV-1a hash of each token: a run of word bytes,
    /// or one symbol byte other than whitespace and `, . ; * ` ~ '`.
    @inline(__always)
    static func forEachToken(_ text: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
        forEachToken(text, rot13: false, body)
    }

    /// Token hashes of the rot13 image of normalised bytes, without building that image.
    static func rot13TokenHashes(_ bytes: [UInt8]) -> [UInt64] {
        var out: [UInt64] = []
        bytes.withUnsafeBufferPointer { buffer in
            forEachToken(buffer, rot13: true) { out.append($0) }
        }
        return out
    }

    /// Token hashes of normalised bytes and of their rot13 image, in one pass.
    static func tokenHashesAndRot13(_ text: UnsafeBufferPointer<UInt8>) -> (plain: [UInt64], rot13: [UInt64]) {
        var plain: [UInt64] = []
        var rotated: [UInt64] = []
        plain.reserveCapacity(text.count / 4 + 4)
        rotated.reserveCapacity(text.count / 4 + 4)
        let n = text.count
        var i = 0
        while i < n {
            let b = text[i]
            if FNV.isWordByte(b) {
                var h: UInt64 = 0xcbf2_9ce4_8422_2325
                var r: UInt64 = 0xcbf2_9ce4_8422_2325
                while i < n, FNV.isWordByte(text[i]) {
                    let c = text[i]
                    h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3
                    r = (r ^ UInt64(EncodedViews.rot13(c))) &* 0x0000_0100_0000_01B3
                    i += 1
                }
                plain.append(h)
                rotated.append(r)
            } else {
                i += 1
                switch b {
                case 0x20, 0x09...0x0D, 0x2C, 0x2E, 0x3B, 0x2A, 0x60, 0x7E, 0x27:
                    continue
                default:
                    let h = (0xcbf2_9ce4_8422_2325 ^ UInt64(b)) &* 0x0000_0100_0000_01B3
                    plain.append(h)
                    rotated.append(h)
                }
            }
        }
        return (plain, rotated)
    }

    /// `forEachToken`, optionally over the rot13 image of the bytes (rot13 maps ASCII
    /// letters to letters, so token boundaries are the same; only word hashes differ).
    @inline(__always)
    static func forEachToken(_ text: UnsafeBufferPointer<UInt8>, rot13: Bool, _ body: (UInt64) -> Void) {
        let n = text.count
        var i = 0
        while i < n {
            let b = text[i]
            if FNV.isWordByte(b) {
                var h: UInt64 = 0xcbf2_9ce4_8422_2325
                while i < n, FNV.isWordByte(text[i]) {
                    let c = rot13 ? EncodedViews.rot13(text[i]) : text[i]
                    h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3
                    i += 1
                }
                body(h)
            } else {
                i += 1
                switch b {
                case 0x20, 0x09...0x0D, 0x2C, 0x2E, 0x3B, 0x2A, 0x60, 0x7E, 0x27:
                    continue
                default:
                    body((0xcbf2_9ce4_8422_2325 ^ UInt64(b)) &* 0x0000_0100_0000_01B3)
                }
            }
        }
    }

    /// The strongest strength per matched family, as (family id, strength) pairs sorted by id.
    func match(tokens: [UInt64]) -> [(id: String, strength: Double)] {
        guard !patterns.isEmpty else { return [] }
        var best = [Double](repeating: 0, count: families.count)
        var any = false
        tokens.withUnsafeBufferPointer { tokens in
            patterns.withUnsafeBufferPointer { patterns in
            firstTokenFilter.withUnsafeBufferPointer { filter in
            for position in 0..<tokens.count {
                let slot = Self.filterSlot(tokens[position])
                guard filter[slot.word] & slot.bit != 0 else { continue }
                guard let candidates = byFirstToken[tokens[position]] else { continue }
                for index in candidates {
                    if best[patterns[index].family] >= patterns[index].strength { continue }
                    if Self.matches(patterns[index].slots, slot: 0, tokens: tokens, at: position) {
                        let pattern = patterns[index]
                        best[pattern.family] = pattern.strength
                        any = true
                    }
                }
            }
            }
            }
        }
        guard any else { return [] }
        return families.indices.filter { best[$0] > 0 }
            .map { (families[$0], best[$0]) }
            .sorted { $0.id < $1.id }
    }

    private static func matches(_ slots: [Slot], slot: Int, tokens: UnsafeBufferPointer<UInt64>, at position: Int) -> Bool {
        if slot == slots.count { return true }
        switch slots[slot] {
        case .gap:
            for skip in 0...maxGap where position + skip <= tokens.count {
                if matches(slots, slot: slot + 1, tokens: tokens, at: position + skip) { return true }
            }
            return false
        case .oneOf(let alternatives):
            for alternative in alternatives {
                guard position + alternative.count <= tokens.count else { continue }
                var equal = true
                for (k, token) in alternative.enumerated() where tokens[position + k] != token {
                    equal = false
                    break
                }
                if equal, matches(slots, slot: slot + 1, tokens: tokens, at: position + alternative.count) {
                    return true
                }
            }
            return false
        }
    }
}
