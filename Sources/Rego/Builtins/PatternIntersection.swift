/// Whether two patterns can match a common string (`regex.globs_match`), decided on their
/// automata: a breadth-first walk over pairs of state sets, so it always terminates.
enum PatternIntersection {
    /// Checks the restricted syntax OPA accepts (literals, `.`, `[...]`, `*`, `+`, `?`, `\`).
    static func validate(_ pattern: String) throws {
        var depth = 0
        var escaped = false
        for (offset, c) in pattern.unicodeScalars.enumerated() {
            if escaped { escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case "[": depth += 1
            case "]":
                if depth == 0 {
                    throw BuiltinError.builtin(
                        "input:\(pattern), pos:\(offset + 1), set-close ']' with no preceding '[': the input provided is invalid")
                }
                depth -= 1
            default: break
            }
        }
    }

    static func closure(_ program: RegexProgram, _ starts: [Int]) -> Set<Int> {
        var seen = Set<Int>()
        var stack = starts
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch program.instructions[pc] {
            case .jump(let target): stack.append(target)
            case .split(let a, let b): stack.append(a); stack.append(b)
            case .save, .assert: stack.append(pc + 1)
            default: break
            }
        }
        return seen
    }

    static func accepts(_ instruction: RegexInstruction, _ c: Unicode.Scalar) -> Bool {
        switch instruction {
        case .scalar(let s, let fold): return c == s || (fold && RegexCompiler.foldEquals(c, s))
        case .set(let set): return set.contains(c)
        case .any(let newline): return newline || c != "\n"
        default: return false
        }
    }

    static func step(_ program: RegexProgram, _ states: Set<Int>, _ c: Unicode.Scalar) -> Set<Int> {
        let next = states.filter { accepts(program.instructions[$0], c) }.map { $0 + 1 }
        return closure(program, next)
    }

    static func isMatch(_ program: RegexProgram, _ states: Set<Int>) -> Bool {
        states.contains { if case .match = program.instructions[$0] { return true }; return false }
    }

    /// Characters that stand for every class of characters the two programs can tell apart.
    static func candidates(_ programs: [RegexProgram]) -> [Unicode.Scalar] {
        var values: Set<UInt32> = [0x61, 0x30, 0x20, 0x0A, 0x7E, 0xE9, 0x10FFFF]
        func add(_ v: UInt32) {
            for w in [v &- 1, v, v &+ 1] where w <= 0x10FFFF && Unicode.Scalar(w) != nil { values.insert(w) }
        }
        for program in programs {
            for instruction in program.instructions {
                switch instruction {
                case .scalar(let s, _):
                    for variant in RegexCompiler.caseVariants(s) { add(variant.value) }
                case .set(let set):
                    for range in set.ranges { add(range.lowerBound); add(range.upperBound) }
                default: break
                }
            }
        }
        return values.sorted().compactMap(Unicode.Scalar.init)
    }

    /// Whether some string matches both patterns in full.
    static func intersects(_ first: RegularExpression, _ second: RegularExpression, limit: Int = 100_000) -> Bool {
        let a = first.program, b = second.program
        let alphabet = candidates([a, b])
        let start = (closure(a, [a.start]), closure(b, [b.start]))
        var seen = Set<[Set<Int>]>([[start.0, start.1]])
        var queue = [start]
        var head = 0
        while head < queue.count && head < limit {
            let (x, y) = queue[head]
            head += 1
            if isMatch(a, x) && isMatch(b, y) { return true }
            for c in alphabet {
                let nx = step(a, x, c)
                if nx.isEmpty { continue }
                let ny = step(b, y, c)
                if ny.isEmpty { continue }
                if seen.insert([nx, ny]).inserted { queue.append((nx, ny)) }
            }
        }
        return false
    }

    static let all: [Builtin] = [
        Builtin("regex.globs_match", [.string, .string], .boolean) { a, _ in
            let first = try a.string(0), second = try a.string(1)
            try validate(first)
            try validate(second)
            return .bool(intersects(try PatternBuiltins.compile("\\A(?:" + first + ")\\z"),
                                    try PatternBuiltins.compile("\\A(?:" + second + ")\\z")))
        },
    ]
}
