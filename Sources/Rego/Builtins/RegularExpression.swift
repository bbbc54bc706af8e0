import Synchronization

/// A regular expression with RE2/Go syntax, matched in linear time by a Pike VM over Unicode scalars.
///
/// Matching never backtracks, so no pattern can make a match take more than
/// O(pattern × text) steps. Semantics follow Go's `regexp` package: leftmost-first
/// matches, `$` matches only at the end of the text unless `(?m)`, `\w \d \s \b` are ASCII.
public struct RegularExpression: Sendable {
    /// Why a pattern could not be compiled; `description` reads as Go's `error parsing regexp: ...`.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Go's short reason, e.g. `missing closing )`.
        public let reason: String
        /// The part of the pattern the reason is about.
        public let fragment: String
        /// The message Go's regexp package prints.
        public var description: String { "error parsing regexp: \(reason): `\(fragment)`" }
    }

    /// The source pattern.
    public let pattern: String
    /// Number of capture groups, not counting the whole match.
    public let groupCount: Int
    /// Names of capture groups by index (index 0 is the whole match, always nil).
    public let groupNames: [String?]
    let program: RegexProgram

    /// Compiles `pattern`, throwing a ``ParseError`` when it is not valid RE2 syntax.
    public init(_ pattern: String) throws(ParseError) {
        var parser = RegexParser(pattern: pattern)
        let node = try parser.parseTop()
        self.pattern = pattern
        self.groupCount = parser.groupCount
        var names: [String?] = Array(repeating: nil, count: parser.groupCount + 1)
        for (index, name) in parser.groupNames { names[index] = name }
        self.groupNames = names
        var compiler = RegexCompiler()
        self.program = compiler.compile(node, groupCount: parser.groupCount)
    }

    private static let cache = Mutex<[String: RegularExpression]>([:])

    /// Compiles `pattern` once and reuses it afterwards (bounded cache shared by all evaluations).
    public static func cached(_ pattern: String) throws(ParseError) -> RegularExpression {
        if let hit = cache.withLock({ $0[pattern] }) { return hit }
        let compiled = try RegularExpression(pattern)
        cache.withLock { table in
            if table.count >= 512 { table.removeAll(keepingCapacity: true) }
            table[pattern] = compiled
        }
        return compiled
    }

    /// Whether the expression matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        return execute(scalars, from: 0, captures: false) != nil
    }

    /// Matches found left to right, as scalar-offset pairs per group (nil for groups that did not take part).
    /// `limit` < 0 means all matches.
    public func allMatches(in text: String, limit: Int = -1) -> [[Range<Int>?]] {
        allMatches(scalars: Array(text.unicodeScalars), limit: limit)
    }

    func allMatches(scalars: [Unicode.Scalar], limit: Int) -> [[Range<Int>?]] {
        var results: [[Range<Int>?]] = []
        if limit == 0 { return results }
        var position = 0
        var previousEnd = -1
        while position <= scalars.count {
            guard let slots = execute(scalars, from: position, captures: true) else { break }
            let start = slots[0]!, end = slots[1]!
            var accept = true
            if start == end && end == previousEnd {
                // Go ignores an empty match right after the previous match.
                accept = false
            }
            if accept {
                var groups: [Range<Int>?] = []
                groups.reserveCapacity(groupCount + 1)
                for group in 0...groupCount {
                    if let s = slots[2 * group], let e = slots[2 * group + 1] {
                        groups.append(s..<e)
                    } else {
                        groups.append(nil)
                    }
                }
                results.append(groups)
                if limit > 0 && results.count >= limit { break }
            }
            previousEnd = end
            position = end > start ? end : end + 1
        }
        return results
    }

    /// Matched substrings, left to right; `limit` < 0 means all.
    public func findAll(in text: String, limit: Int = -1) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return allMatches(scalars: scalars, limit: limit).map { Self.slice(scalars, $0[0]!) }
    }

    /// Matched substrings with their groups (empty string for a group that did not take part).
    public func findAllSubmatches(in text: String, limit: Int = -1) -> [[String]] {
        let scalars = Array(text.unicodeScalars)
        return allMatches(scalars: scalars, limit: limit).map { groups in
            groups.map { $0.map { Self.slice(scalars, $0) } ?? "" }
        }
    }

    /// Splits `text` around the matches, like Go's `Regexp.Split(s, -1)`.
    public func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        if !pattern.isEmpty && scalars.isEmpty { return [""] }
        var pieces: [String] = []
        var begin = 0
        var end = 0
        for match in allMatches(scalars: scalars, limit: -1) {
            let range = match[0]!
            end = range.lowerBound
            if range.upperBound != 0 { pieces.append(Self.slice(scalars, begin..<end)) }
            begin = range.upperBound
        }
        if end != scalars.count { pieces.append(Self.slice(scalars, begin..<scalars.count)) }
        return pieces
    }

    /// Replaces every match with `template`, expanding `$1`, `${name}` and `$$` like Go's `ReplaceAllString`.
    public func replaceAll(in text: String, with template: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var last = 0
        let templateScalars = Array(template.unicodeScalars)
        for match in allMatches(scalars: scalars, limit: -1) {
            let range = match[0]!
            output.append(contentsOf: scalars[last..<range.lowerBound])
            expand(templateScalars, match: match, scalars: scalars, into: &output)
            last = range.upperBound
        }
        output.append(contentsOf: scalars[last...])
        return String(output)
    }

    private func expand(_ template: [Unicode.Scalar], match: [Range<Int>?], scalars: [Unicode.Scalar], into output: inout String.UnicodeScalarView) {
        var index = 0
        while index < template.count {
            let c = template[index]
            if c != "$" || index + 1 >= template.count {
                output.append(c); index += 1; continue
            }
            let next = template[index + 1]
            if next == "$" { output.append("$"); index += 2; continue }
            var name = ""
            var end = index + 1
            if next == "{" {
                var j = index + 2
                while j < template.count, Self.isNameScalar(template[j]) { j += 1 }
                if j < template.count, template[j] == "}", j > index + 2 {
                    name = String(String.UnicodeScalarView(template[(index + 2)..<j]))
                    end = j + 1
                } else {
                    output.append(c); index += 1; continue
                }
            } else {
                var j = index + 1
                while j < template.count, Self.isNameScalar(template[j]) { j += 1 }
                if j == index + 1 { output.append(c); index += 1; continue }
                name = String(String.UnicodeScalarView(template[(index + 1)..<j]))
                end = j
            }
            var groupIndex: Int? = nil
            if let number = Int(name), name.allSatisfy({ $0.isASCII && $0.isNumber }) {
                groupIndex = number
            } else {
                groupIndex = groupNames.firstIndex(where: { $0 == name })
            }
            if let g = groupIndex, g < match.count, let range = match[g] {
                output.append(contentsOf: scalars[range])
            }
            index = end
        }
    }

    private static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.value < 128 && (c.properties.isAlphabetic || ("0"..."9").contains(c)))
    }

    static func slice(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    /// Escapes every metacharacter in `text`, like Go's `regexp.QuoteMeta`.
    public static func quoteMeta(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if "\\.+*?()|[]{}^$".unicodeScalars.contains(c) { out.append("\\") }
            out.append(c)
        }
        return String(out)
    }

    // MARK: - Pike VM

    func execute(_ input: [Unicode.Scalar], from start: Int, captures: Bool) -> [Int?]? {
        let slotCount = captures ? 2 * (groupCount + 1) : 2
        var current = RegexThreads(size: program.instructions.count)
        var next = RegexThreads(size: program.instructions.count)
        var matched: [Int?]? = nil
        var position = start
        let anchoredStart = program.anchoredStart
        while true {
            if matched == nil && (!anchoredStart || position == 0) && !(anchoredStart && start > 0) {
                var slots = [Int?](repeating: nil, count: slotCount)
                slots[0] = position
                addThread(&current, pc: program.start, position: position, input: input, slots: slots)
            }
            if current.isEmpty {
                // Nothing alive: stop when done, otherwise try a fresh start at the next position.
                if matched != nil || anchoredStart || position >= input.count { break }
                current.clear()
                position += 1
                continue
            }
            let scalar: Unicode.Scalar? = position < input.count ? input[position] : nil
            var i = 0
            while i < current.count {
                let pc = current.pcs[i]
                let instruction = program.instructions[pc]
                switch instruction {
                case .match:
                    var slots = current.slots[i]
                    slots[1] = position
                    matched = slots
                    i = current.count  // lower-priority threads are cut off
                    continue
                case .scalar(let expected, let fold):
                    if let c = scalar, c == expected || (fold && RegexCompiler.foldEquals(c, expected)) {
                        addThread(&next, pc: pc + 1, position: position + 1, input: input, slots: current.slots[i])
                    }
                case .set(let set):
                    if let c = scalar, set.contains(c) {
                        addThread(&next, pc: pc + 1, position: position + 1, input: input, slots: current.slots[i])
                    }
                case .any(let newline):
                    if let c = scalar, newline || c != "\n" {
                        addThread(&next, pc: pc + 1, position: position + 1, input: input, slots: current.slots[i])
                    }
                default:
                    break
                }
                i += 1
            }
            if position >= input.count { break }
            position += 1
            swap(&current, &next)
            next.clear()
        }
        return matched
    }

    private func addThread(_ list: inout RegexThreads, pc start: Int, position: Int, input: [Unicode.Scalar], slots: [Int?]) {
        var stack: [(Int, [Int?])] = [(start, slots)]
        while let (pc, threadSlots) = stack.popLast() {
            if list.contains(pc) { continue }
            list.mark(pc)
            switch program.instructions[pc] {
            case .jump(let target):
                stack.append((target, threadSlots))
            case .split(let first, let second):
                stack.append((second, threadSlots))
                stack.append((first, threadSlots))
            case .save(let slot):
                if slot < threadSlots.count {
                    var copy = threadSlots
                    copy[slot] = position
                    stack.append((pc + 1, copy))
                } else {
                    stack.append((pc + 1, threadSlots))
                }
            case .assert(let kind):
                if Self.holds(kind, at: position, in: input) {
                    stack.append((pc + 1, threadSlots))
                }
            case .fail:
                break
            default:
                list.append(pc, threadSlots)
            }
        }
    }

    private static func holds(_ kind: RegexAssertion, at position: Int, in input: [Unicode.Scalar]) -> Bool {
        switch kind {
        case .beginText: return position == 0
        case .endText: return position == input.count
        case .beginLine: return position == 0 || input[position - 1] == "\n"
        case .endLine: return position == input.count || input[position] == "\n"
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && isWord(input[position - 1])
            let after = position < input.count && isWord(input[position])
            return (before != after) == (kind == .wordBoundary)
        }
    }

    static func isWord(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 95
    }
}

struct RegexThreads {
    var pcs: [Int] = []
    var slots: [[Int?]] = []
    var sparse: [Int]
    var count: Int { pcs.count }
    var isEmpty: Bool { pcs.isEmpty }
    var onList: [Bool]

    init(size: Int) {
        sparse = []
        onList = Array(repeating: false, count: size)
    }
    func contains(_ pc: Int) -> Bool { onList[pc] }
    mutating func mark(_ pc: Int) { onList[pc] = true; sparse.append(pc) }
    mutating func append(_ pc: Int, _ s: [Int?]) { pcs.append(pc); slots.append(s) }
    mutating func clear() {
        for pc in sparse { onList[pc] = false }
        sparse.removeAll(keepingCapacity: true)
        pcs.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
    }
}

enum RegexAssertion: Sendable, Equatable {
    case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary
}

/// A set of scalars: ranges plus Unicode categories, optionally negated and case-folded.
struct ScalarSet: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var categories: [(Set<Unicode.GeneralCategory>, Bool)] = []
    var negated = false
    var fold = false

    func contains(_ c: Unicode.Scalar) -> Bool {
        var hit = directlyContains(c)
        if !hit && fold {
            for variant in RegexCompiler.caseVariants(c) where variant != c {
                if directlyContains(variant) { hit = true; break }
            }
        }
        return hit != negated
    }

    private func directlyContains(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        for range in ranges where range.contains(v) { return true }
        for (set, negated) in categories where set.contains(c.properties.generalCategory) != negated { return true }
        return false
    }
}

enum RegexInstruction: Sendable {
    case scalar(Unicode.Scalar, fold: Bool)
    case set(ScalarSet)
    case any(newline: Bool)
    case split(Int, Int)
    case jump(Int)
    case save(Int)
    case assert(RegexAssertion)
    case match
    case fail
}

struct RegexProgram: Sendable {
    var instructions: [RegexInstruction]
    var start: Int
    var anchoredStart: Bool
}

// MARK: - Syntax tree

indirect enum RegexNode {
    case empty
    case scalar(Unicode.Scalar, fold: Bool)
    case set(ScalarSet)
    case any(newline: Bool)
    case assert(RegexAssertion)
    case group(RegexNode, index: Int?)
    case concat([RegexNode])
    case alternate([RegexNode])
    case repeatNode(RegexNode, min: Int, max: Int?, greedy: Bool)

    var beginsAnchored: Bool {
        switch self {
        case .assert(.beginText): return true
        case .concat(let items): return items.first?.beginsAnchored ?? false
        case .group(let inner, _): return inner.beginsAnchored
        case .alternate(let options): return !options.isEmpty && options.allSatisfy(\.beginsAnchored)
        default: return false
        }
    }
}

struct RegexFlags {
    var caseInsensitive = false
    var dotNewline = false
    var multiline = false
    var ungreedy = false
}

struct RegexParser {
    let scalars: [Unicode.Scalar]
    let pattern: String
    var index = 0
    var groupCount = 0
    var groupNames: [Int: String] = [:]
    var depth = 0

    init(pattern: String) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
    }

    func error(_ reason: String, _ fragment: String) -> RegularExpression.ParseError {
        RegularExpression.ParseError(reason: reason, fragment: fragment)
    }

    func text(_ range: Range<Int>) -> String {
        RegularExpression.slice(scalars, range.clamped(to: 0..<scalars.count))
    }

    mutating func parseTop() throws(RegularExpression.ParseError) -> RegexNode {
        var flags = RegexFlags()
        let node = try parseAlternation(&flags)
        if index < scalars.count {
            // Only an unmatched ')' stops the top-level alternation early.
            throw error("unexpected )", pattern)
        }
        return node
    }

    mutating func parseAlternation(_ flags: inout RegexFlags) throws(RegularExpression.ParseError) -> RegexNode {
        var options: [RegexNode] = [try parseConcat(&flags)]
        while index < scalars.count && scalars[index] == "|" {
            index += 1
            options.append(try parseConcat(&flags))
        }
        return options.count == 1 ? options[0] : .alternate(options)
    }

    mutating func parseConcat(_ flags: inout RegexFlags) throws(RegularExpression.ParseError) -> RegexNode {
        var items: [RegexNode] = []
        var lastWasRepeat = false
        var lastOpStart = index
        while index < scalars.count {
            let c = scalars[index]
            if c == "|" || c == ")" { break }
            if c == "*" || c == "+" || c == "?" || c == "{" {
                let opStart = index
                var minCount = 0, maxCount: Int? = nil
                if c == "{" {
                    guard let (lo, hi, end) = parseRepeatBraces(at: index) else {
                        // A '{' that does not start a valid repeat is a literal.
                        items.append(.scalar("{", fold: false))
                        index += 1; lastWasRepeat = false
                        continue
                    }
                    minCount = lo; maxCount = hi
                    index = end
                    if lo > 1000 || (hi ?? 0) > 1000 || (hi != nil && hi! < lo) {
                        throw error("invalid repeat count", text(opStart..<index))
                    }
                } else {
                    index += 1
                    switch c {
                    case "*": minCount = 0; maxCount = nil
                    case "+": minCount = 1; maxCount = nil
                    default: minCount = 0; maxCount = 1
                    }
                }
                var greedy = true
                if index < scalars.count && scalars[index] == "?" { greedy = false; index += 1 }
                if flags.ungreedy { greedy.toggle() }
                guard let last = items.popLast() else {
                    throw error("missing argument to repetition operator", text(opStart..<index))
                }
                if lastWasRepeat {
                    throw error("invalid nested repetition operator", text(lastOpStart..<index))
                }
                if case .empty = last {
                    throw error("missing argument to repetition operator", text(opStart..<index))
                }
                items.append(.repeatNode(last, min: minCount, max: maxCount, greedy: greedy))
                lastWasRepeat = true
                lastOpStart = opStart
                continue
            }
            lastWasRepeat = false
            if let atom = try parseAtom(&flags) {
                items.append(atom)
            } else {
                // A flag group like (?i) produces no node; it cannot be repeated.
                items.append(.empty)
            }
        }
        let filtered = items.filter { if case .empty = $0 { return false } else { return true } }
        if filtered.isEmpty { return .empty }
        return filtered.count == 1 ? filtered[0] : .concat(filtered)
    }

    func parseRepeatBraces(at start: Int) -> (Int, Int?, Int)? {
        var i = start + 1
        func number() -> Int? {
            let begin = i
            var value = 0
            while i < scalars.count, let d = Int(String(scalars[i])), scalars[i].isASCII {
                value = min(value * 10 + d, 100_000); i += 1
            }
            return i > begin ? value : nil
        }
        guard let lo = number() else { return nil }
        guard i < scalars.count else { return nil }
        if scalars[i] == "}" { return (lo, lo, i + 1) }
        guard scalars[i] == "," else { return nil }
        i += 1
        guard i < scalars.count else { return nil }
        if scalars[i] == "}" { return (lo, nil, i + 1) }
        guard let hi = number(), i < scalars.count, scalars[i] == "}" else { return nil }
        return (lo, hi, i + 1)
    }

    mutating func parseAtom(_ flags: inout RegexFlags) throws(RegularExpression.ParseError) -> RegexNode? {
        let c = scalars[index]
        switch c {
        case "(":
            return try parseGroup(&flags)
        case "[":
            return .set(try parseClass(flags))
        case ".":
            index += 1
            return .any(newline: flags.dotNewline)
        case "^":
            index += 1
            return .assert(flags.multiline ? .beginLine : .beginText)
        case "$":
            index += 1
            return .assert(flags.multiline ? .endLine : .endText)
        case "\\":
            return try parseEscapeAtom(flags)
        default:
            index += 1
            return .scalar(c, fold: flags.caseInsensitive && RegexCompiler.hasCase(c))
        }
    }

    mutating func parseGroup(_ flags: inout RegexFlags) throws(RegularExpression.ParseError) -> RegexNode? {
        let start = index
        index += 1
        depth += 1
        if depth > 1000 { throw error("expression nests too deeply", pattern) }
        defer { depth -= 1 }
        var capture: Int? = nil
        var inner = flags
        if index < scalars.count && scalars[index] == "?" {
            // (?P<name>...), (?<name>...), (?flags) or (?flags:...)
            if index + 1 < scalars.count && (scalars[index + 1] == "P" || scalars[index + 1] == "<") {
                var i = index + 1
                if scalars[i] == "P" { i += 1 }
                guard i < scalars.count, scalars[i] == "<" else {
                    throw error("invalid or unsupported Perl syntax", text(start..<min(i + 1, scalars.count)))
                }
                var j = i + 1
                while j < scalars.count && scalars[j] != ">" { j += 1 }
                guard j < scalars.count else {
                    throw error("invalid named capture", text(start..<scalars.count))
                }
                let name = text((i + 1)..<j)
                if name.isEmpty || !name.unicodeScalars.allSatisfy({ RegularExpression.isWord($0) }) {
                    throw error("invalid named capture", text(start..<(j + 1)))
                }
                if groupNames.values.contains(name) {
                    throw error("duplicate capture group name", text(start..<(j + 1)))
                }
                groupCount += 1
                capture = groupCount
                groupNames[groupCount] = name
                index = j + 1
            } else {
                var i = index + 1
                var negate = false
                var sawFlag = false
                var newFlags = flags
                while true {
                    guard i < scalars.count else {
                        throw error("missing closing )", text(start..<scalars.count))
                    }
                    let f = scalars[i]
                    switch f {
                    case "i": newFlags.caseInsensitive = !negate; sawFlag = true
                    case "s": newFlags.dotNewline = !negate; sawFlag = true
                    case "m": newFlags.multiline = !negate; sawFlag = true
                    case "U": newFlags.ungreedy = !negate; sawFlag = true
                    case "-":
                        if negate { throw error("invalid or unsupported Perl syntax", text(start..<(i + 1))) }
                        negate = true; sawFlag = false
                    case ")":
                        if negate && !sawFlag { throw error("invalid or unsupported Perl syntax", text(start..<(i + 1))) }
                        flags = newFlags
                        index = i + 1
                        return nil
                    case ":":
                        if negate && !sawFlag { throw error("invalid or unsupported Perl syntax", text(start..<(i + 1))) }
                        inner = newFlags
                        index = i + 1
                        let body = try parseAlternation(&inner)
                        guard index < scalars.count, scalars[index] == ")" else {
                            throw error("missing closing )", text(start..<scalars.count))
                        }
                        index += 1
                        return .group(body, index: nil)
                    default:
                        throw error("invalid or unsupported Perl syntax", text(start..<(i + 1)))
                    }
                    i += 1
                }
            }
        } else {
            groupCount += 1
            capture = groupCount
        }
        let body = try parseAlternation(&inner)
        guard index < scalars.count, scalars[index] == ")" else {
            throw error("missing closing )", pattern)
        }
        index += 1
        return .group(body, index: capture)
    }

    mutating func parseEscapeAtom(_ flags: RegexFlags) throws(RegularExpression.ParseError) -> RegexNode {
        let start = index
        guard index + 1 < scalars.count else {
            throw error("trailing backslash at end of expression", "")
        }
        let c = scalars[index + 1]
        switch c {
        case "A": index += 2; return .assert(.beginText)
        case "z": index += 2; return .assert(.endText)
        case "b": index += 2; return .assert(.wordBoundary)
        case "B": index += 2; return .assert(.notWordBoundary)
        case "Q":
            index += 2
            var items: [RegexNode] = []
            while index < scalars.count {
                if scalars[index] == "\\" && index + 1 < scalars.count && scalars[index + 1] == "E" {
                    index += 2; break
                }
                items.append(.scalar(scalars[index], fold: flags.caseInsensitive && RegexCompiler.hasCase(scalars[index])))
                index += 1
            }
            return items.isEmpty ? .empty : .concat(items)
        default:
            break
        }
        if let set = try parseClassEscape(flags: flags) {
            return .set(set)
        }
        let scalar = try parseSingleEscape(start: start)
        return .scalar(scalar, fold: flags.caseInsensitive && RegexCompiler.hasCase(scalar))
    }

    /// \d \w \s \D \W \S \pX \p{Name}; returns nil if the escape is not a class.
    mutating func parseClassEscape(flags: RegexFlags) throws(RegularExpression.ParseError) -> ScalarSet? {
        let start = index
        let c = scalars[index + 1]
        var set = ScalarSet()
        set.fold = flags.caseInsensitive
        switch c {
        case "d", "D": set.ranges = [48...57]; set.negated = c == "D"
        case "w", "W": set.ranges = [48...57, 65...90, 97...122, 95...95]; set.negated = c == "W"
        case "s", "S": set.ranges = [9...10, 12...13, 32...32]; set.negated = c == "S"
        case "p", "P":
            var i = index + 2
            guard i < scalars.count else { throw error("invalid character class range", text(start..<scalars.count)) }
            var name: String
            if scalars[i] == "{" {
                var j = i + 1
                while j < scalars.count && scalars[j] != "}" { j += 1 }
                guard j < scalars.count else { throw error("invalid character class range", text(start..<scalars.count)) }
                name = text((i + 1)..<j)
                i = j + 1
            } else {
                name = String(scalars[i]); i += 1
            }
            var negate = c == "P"
            if name.hasPrefix("^") { negate.toggle(); name.removeFirst() }
            guard let categories = RegexCompiler.categories(named: name) else {
                throw error("invalid character class range", text(start..<i))
            }
            set.categories = [(categories.0, categories.1)]
            set.negated = negate
            index = i
            return set
        default:
            return nil
        }
        index += 2
        return set
    }

    mutating func parseSingleEscape(start: Int) throws(RegularExpression.ParseError) -> Unicode.Scalar {
        let c = scalars[index + 1]
        index += 2
        switch c {
        case "a": return "\u{07}"
        case "f": return "\u{0C}"
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "v": return "\u{0B}"
        case "0"..."7":
            // Octal: \0 or up to three octal digits when not a back-reference (\1-\9 are invalid in RE2).
            if c != "0" && !(index < scalars.count && ("0"..."7").contains(scalars[index])) {
                throw error("invalid escape sequence", text(start..<index))
            }
            var value = c.value - 48
            var digits = 1
            while digits < 3, index < scalars.count, ("0"..."7").contains(scalars[index]) {
                value = value * 8 + (scalars[index].value - 48); index += 1; digits += 1
            }
            return Unicode.Scalar(value)!
        case "x":
            guard index < scalars.count else { throw error("invalid escape sequence", text(start..<index)) }
            if scalars[index] == "{" {
                var j = index + 1
                var value: UInt32 = 0
                while j < scalars.count, let d = Int(String(scalars[j]), radix: 16) {
                    value = value &* 16 &+ UInt32(d); j += 1
                    if value > 0x10FFFF { break }
                }
                guard j < scalars.count, scalars[j] == "}", j > index + 1, let s = Unicode.Scalar(value) else {
                    throw error("invalid escape sequence", text(start..<min(j + 1, scalars.count)))
                }
                index = j + 1
                return s
            }
            guard index + 1 < scalars.count,
                  let hi = Int(String(scalars[index]), radix: 16),
                  let lo = Int(String(scalars[index + 1]), radix: 16) else {
                throw error("invalid escape sequence", text(start..<min(index + 2, scalars.count)))
            }
            index += 2
            return Unicode.Scalar(UInt8(hi * 16 + lo))
        default:
            if c.value < 128 && !RegularExpression.isWord(c) {
                return c  // escaped punctuation
            }
            throw error("invalid escape sequence", text(start..<index))
        }
    }

    mutating func parseClass(_ flags: RegexFlags) throws(RegularExpression.ParseError) -> ScalarSet {
        let start = index
        index += 1
        var set = ScalarSet()
        set.fold = flags.caseInsensitive
        if index < scalars.count && scalars[index] == "^" {
            set.negated = true
            index += 1
            if !flags.dotNewline {
                // Go: a negated class does not match \n unless (?s)... except it does; RE2 `[^a]` matches \n.
            }
        }
        var first = true
        while true {
            guard index < scalars.count else {
                throw error("missing closing ]", text(start..<scalars.count))
            }
            let c = scalars[index]
            if c == "]" && !first { index += 1; break }
            first = false
            if c == "[" && index + 1 < scalars.count && scalars[index + 1] == ":" {
                // POSIX class [:name:] or [:^name:]
                var j = index + 2
                while j + 1 < scalars.count && !(scalars[j] == ":" && scalars[j + 1] == "]") { j += 1 }
                if j + 1 < scalars.count {
                    var name = text((index + 2)..<j)
                    var negate = false
                    if name.hasPrefix("^") { negate = true; name.removeFirst() }
                    guard let ranges = RegexCompiler.posixClass(name) else {
                        throw error("invalid character class range", text(index..<(j + 2)))
                    }
                    set.ranges.append(contentsOf: negate ? RegexCompiler.complement(ranges) : ranges)
                    index = j + 2
                    continue
                }
            }
            if c == "\\" {
                guard index + 1 < scalars.count else {
                    throw error("missing closing ]", text(start..<scalars.count))
                }
                let saved = index
                if let inner = try parseClassEscape(flags: RegexFlags()) {
                    if inner.categories.isEmpty {
                        set.ranges.append(contentsOf: inner.negated ? RegexCompiler.complement(inner.ranges) : inner.ranges)
                    } else {
                        let (cats, neg) = inner.categories[0]
                        set.categories.append((cats, neg != inner.negated))
                    }
                    _ = saved
                    continue
                }
            }
            let rangeStart = index
            let lo = try classScalar()
            if index + 1 < scalars.count && scalars[index] == "-" && scalars[index + 1] != "]" {
                index += 1
                let hi = try classScalar()
                if hi.value < lo.value {
                    throw error("invalid character class range", text(rangeStart..<index))
                }
                set.ranges.append(lo.value...hi.value)
            } else {
                set.ranges.append(lo.value...lo.value)
            }
        }
        return set
    }

    mutating func classScalar() throws(RegularExpression.ParseError) -> Unicode.Scalar {
        let c = scalars[index]
        if c == "\\" {
            guard index + 1 < scalars.count else { throw error("missing closing ]", pattern) }
            return try parseSingleEscape(start: index)
        }
        index += 1
        return c
    }
}

struct RegexCompiler {
    var instructions: [RegexInstruction] = []

    mutating func compile(_ node: RegexNode, groupCount: Int) -> RegexProgram {
        instructions.append(.save(0))
        emit(node)
        instructions.append(.save(1))
        instructions.append(.match)
        return RegexProgram(instructions: instructions, start: 0, anchoredStart: node.beginsAnchored)
    }

    mutating func emit(_ node: RegexNode) {
        switch node {
        case .empty:
            break
        case .scalar(let c, let fold):
            instructions.append(.scalar(c, fold: fold))
        case .set(let set):
            instructions.append(.set(set))
        case .any(let newline):
            instructions.append(.any(newline: newline))
        case .assert(let kind):
            instructions.append(.assert(kind))
        case .group(let inner, let index):
            if let index {
                instructions.append(.save(2 * index))
                emit(inner)
                instructions.append(.save(2 * index + 1))
            } else {
                emit(inner)
            }
        case .concat(let items):
            for item in items { emit(item) }
        case .alternate(let options):
            var jumps: [Int] = []
            for (i, option) in options.enumerated() {
                if i < options.count - 1 {
                    let split = instructions.count
                    instructions.append(.fail)
                    emit(option)
                    jumps.append(instructions.count)
                    instructions.append(.fail)
                    instructions[split] = .split(split + 1, instructions.count)
                } else {
                    emit(option)
                }
            }
            for j in jumps { instructions[j] = .jump(instructions.count) }
        case .repeatNode(let inner, let minCount, let maxCount, let greedy):
            for _ in 0..<minCount { emit(inner) }
            if let maxCount {
                // x{n,m}: (m-n) nested optional copies.
                var pending: [Int] = []
                for _ in minCount..<maxCount {
                    let split = instructions.count
                    instructions.append(.fail)
                    pending.append(split)
                    emit(inner)
                }
                let end = instructions.count
                for split in pending {
                    instructions[split] = greedy ? .split(split + 1, end) : .split(end, split + 1)
                }
            } else {
                // x*: L: split body, out; body; jump L
                let split = instructions.count
                instructions.append(.fail)
                emit(inner)
                instructions.append(.jump(split))
                let end = instructions.count
                instructions[split] = greedy ? .split(split + 1, end) : .split(end, split + 1)
            }
        }
    }

    static func hasCase(_ c: Unicode.Scalar) -> Bool {
        caseVariants(c).count > 1
    }

    static func caseVariants(_ c: Unicode.Scalar) -> [Unicode.Scalar] {
        if c.isASCII {
            let v = c.value
            if v >= 65 && v <= 90 { return [c, Unicode.Scalar(v + 32)!] }
            if v >= 97 && v <= 122 { return [c, Unicode.Scalar(v - 32)!] }
            return [c]
        }
        var out = [c]
        let props = c.properties
        for mapping in [props.lowercaseMapping, props.uppercaseMapping, props.titlecaseMapping] {
            let s = mapping.unicodeScalars
            if s.count == 1, let m = s.first, !out.contains(m) { out.append(m) }
        }
        return out
    }

    static func foldEquals(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
        caseVariants(a).contains(b)
    }

    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in sorted {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = max(next, r.upperBound &+ 1)
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }

    static func posixClass(_ name: String) -> [ClosedRange<UInt32>]? {
        switch name {
        case "alnum": return [48...57, 65...90, 97...122]
        case "alpha": return [65...90, 97...122]
        case "ascii": return [0...127]
        case "blank": return [9...9, 32...32]
        case "cntrl": return [0...31, 127...127]
        case "digit": return [48...57]
        case "graph": return [33...126]
        case "lower": return [97...122]
        case "print": return [32...126]
        case "punct": return [33...47, 58...64, 91...96, 123...126]
        case "space": return [9...13, 32...32]
        case "upper": return [65...90]
        case "word": return [48...57, 65...90, 97...122, 95...95]
        case "xdigit": return [48...57, 65...70, 97...102]
        default: return nil
        }
    }

    /// Unicode general categories for `\p{..}`; the Bool says the set is to be negated (for `Any`).
    static func categories(named name: String) -> (Set<Unicode.GeneralCategory>, Bool)? {
        typealias G = Unicode.GeneralCategory
        let table: [String: [G]] = [
            "L": [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter],
            "Lu": [.uppercaseLetter], "Ll": [.lowercaseLetter], "Lt": [.titlecaseLetter],
            "Lm": [.modifierLetter], "Lo": [.otherLetter],
            "M": [.spacingMark, .enclosingMark, .nonspacingMark], "Mn": [.nonspacingMark],
            "Mc": [.spacingMark], "Me": [.enclosingMark],
            "N": [.decimalNumber, .letterNumber, .otherNumber], "Nd": [.decimalNumber],
            "Nl": [.letterNumber], "No": [.otherNumber],
            "P": [.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                  .initialPunctuation, .finalPunctuation, .otherPunctuation],
            "Pc": [.connectorPunctuation], "Pd": [.dashPunctuation], "Ps": [.openPunctuation],
            "Pe": [.closePunctuation], "Pi": [.initialPunctuation], "Pf": [.finalPunctuation],
            "Po": [.otherPunctuation],
            "S": [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol],
            "Sm": [.mathSymbol], "Sc": [.currencySymbol], "Sk": [.modifierSymbol], "So": [.otherSymbol],
            "Z": [.spaceSeparator, .lineSeparator, .paragraphSeparator], "Zs": [.spaceSeparator],
            "Zl": [.lineSeparator], "Zp": [.paragraphSeparator],
            "C": [.control, .format, .surrogate, .privateUse, .unassigned], "Cc": [.control],
            "Cf": [.format], "Co": [.privateUse], "Cs": [.surrogate],
        ]
        if name == "Any" { return ([], true) }
        guard let list = table[name] else { return nil }
        return (Set(list), false)
    }
}
