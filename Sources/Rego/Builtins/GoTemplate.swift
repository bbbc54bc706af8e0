/// A subset of Go's `text/template` for `strings.render_template`: text, `{{.a.b}}`, `{{.}}`,
/// variables (`$`, `$x := ...`, `range $i, $v := ...`), `if`/`else if`/`else`, `range` (with `else`),
/// `with`, comments, trim markers, literals, pipelines with `|`, and the functions `len index eq ne
/// lt le gt ge not and or print printf println`. Execution follows OPA's `missingkey=error`; values
/// are the JSON forms Go sees (numbers as float64).
struct GoTemplate {
    struct Failure: Error { var message: String }

    indirect enum Node {
        case text(String)
        case action(Pipeline, Int)
        case ifNode(Pipeline, [Node], [Node], Int)
        case range(Pipeline, [Node], [Node], Int)
        case with(Pipeline, [Node], [Node], Int)
    }

    struct Pipeline {
        var declarations: [String] = []
        var commands: [[Operand]] = []
    }

    indirect enum Operand {
        case field(base: String?, path: [String], pos: Int)   // base nil = dot; "$x" = variable
        case string(String)
        case number(Double)
        case bool(Bool)
        case nilValue
        case identifier(String)
        case pipeline(Pipeline)
    }

    let source: [Character]
    let name = "template"
    var nodes: [Node] = []

    // MARK: Lexing actions

    enum Item { case text(String); case action(String, Int) }

    static func split(_ s: [Character]) throws -> [Item] {
        var items: [Item] = []
        var i = 0
        var text = ""
        var trimNext = false
        while i < s.count {
            if s[i] == "{" && i + 1 < s.count && s[i + 1] == "{" {
                var start = i + 2
                if start + 1 < s.count && s[start] == "-" && s[start + 1] == " " {
                    while let l = text.last, l == " " || l == "\t" || l == "\n" || l == "\r" { text.removeLast() }
                    start += 2
                }
                if trimNext { text = String(text.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) }
                trimNext = false
                if !text.isEmpty { items.append(.text(text)) }
                text = ""
                var j = start
                var inString: Character?
                while j + 1 < s.count {
                    if let q = inString {
                        if s[j] == "\\" && q == "\"" { j += 2; continue }
                        if s[j] == q { inString = nil }
                    } else if s[j] == "\"" || s[j] == "`" {
                        inString = s[j]
                    } else if s[j] == "}" && s[j + 1] == "}" {
                        break
                    }
                    j += 1
                }
                guard j + 1 < s.count else { throw Failure(message: "unclosed action") }
                var end = j
                if end - 2 >= start && s[end - 1] == "-" && s[end - 2] == " " {
                    end -= 2
                    trimNext = true
                }
                let body = String(s[start..<max(start, end)])
                let trimmed = body.drop { $0 == " " }
                if !(trimmed.hasPrefix("/*")) { items.append(.action(body, start)) }
                i = j + 2
            } else {
                text.append(s[i])
                i += 1
            }
        }
        if trimNext { text = String(text.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) }
        if !text.isEmpty { items.append(.text(text)) }
        return items
    }

    // MARK: Parsing

    struct Words {
        var chars: [Character]
        var i = 0
        let base: Int

        mutating func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" { i += 1 } }

        mutating func word() -> (String, Int)? {
            skipSpace()
            guard i < chars.count else { return nil }
            let start = i
            let c = chars[i]
            if c == "(" || c == ")" || c == "|" || c == "," { i += 1; return (String(c), base + start) }
            if c == "\"" || c == "`" {
                i += 1
                while i < chars.count && chars[i] != c { if chars[i] == "\\" && c == "\"" { i += 1 }; i += 1 }
                i += 1
                return (String(chars[start..<min(i, chars.count)]), base + start)
            }
            if c == ":" && i + 1 < chars.count && chars[i + 1] == "=" { i += 2; return (":=", base + start) }
            while i < chars.count, !" \t\n()|,".contains(chars[i]), !(chars[i] == ":" && i + 1 < chars.count && chars[i + 1] == "=") { i += 1 }
            return (String(chars[start..<i]), base + start)
        }
    }

    static func unquote(_ text: String) throws -> String {
        if text.hasPrefix("`") { return String(text.dropFirst().dropLast()) }
        var out = ""
        var chars = Array(text.dropFirst().dropLast())
        var i = 0
        while i < chars.count {
            if chars[i] == "\\", i + 1 < chars.count {
                i += 1
                switch chars[i] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                default: throw Failure(message: "invalid syntax")
                }
            } else {
                out.append(chars[i])
            }
            i += 1
        }
        chars = []
        return out
    }

    static func pipeline(_ w: inout Words, inParens: Bool = false, depth: Int = 0) throws -> Pipeline {
        if depth > 100 { throw Failure(message: "template: template: parentheses nest too deeply") }
        var p = Pipeline()
        // Declarations: `$x :=` or `$i, $v :=`.
        let save = w.i
        var names: [String] = []
        while let (word, _) = w.word(), word.hasPrefix("$") {
            names.append(word)
            guard let (next, _) = w.word() else { break }
            if next == "," { continue }
            if next == ":=" || next == "=" { p.declarations = names }
            break
        }
        if p.declarations.isEmpty { w.i = save }
        var command: [Operand] = []
        while true {
            let mark = w.i
            guard let (word, pos) = w.word() else { break }
            if word == ")" {
                if inParens { break }
                throw Failure(message: "unexpected \")\" in operand")
            }
            if word == "|" {
                p.commands.append(command)
                command = []
                continue
            }
            if word == "(" {
                command.append(.pipeline(try pipeline(&w, inParens: true, depth: depth + 1)))
                continue
            }
            _ = mark
            command.append(try operand(word, pos))
        }
        if !command.isEmpty { p.commands.append(command) }
        if p.commands.isEmpty { throw Failure(message: "missing value for command") }
        return p
    }

    static func operand(_ word: String, _ pos: Int) throws -> Operand {
        if word == "." { return .field(base: nil, path: [], pos: pos) }
        if word.hasPrefix(".") { return .field(base: nil, path: word.dropFirst().split(separator: ".").map(String.init), pos: pos) }
        if word.hasPrefix("$") {
            let parts = word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            return .field(base: parts[0], path: Array(parts.dropFirst()), pos: pos)
        }
        if word.hasPrefix("\"") || word.hasPrefix("`") { return .string(try unquote(word)) }
        if word == "true" || word == "false" { return .bool(word == "true") }
        if word == "nil" { return .nilValue }
        if let d = Double(word) { return .number(d) }
        return .identifier(word)
    }

    init(_ text: String) throws {
        source = Array(text)
        var items = try GoTemplate.split(source)[...]
        var stack: [(keyword: String, pipe: Pipeline, pos: Int, body: [Node], elseBody: [Node]?)] = []
        var current: [Node] = []
        func append(_ n: Node) {
            if stack.isEmpty { current.append(n) } else if stack[stack.count - 1].elseBody != nil {
                stack[stack.count - 1].elseBody!.append(n)
            } else {
                stack[stack.count - 1].body.append(n)
            }
        }
        func close() {
            let top = stack.removeLast()
            let node: Node
            switch top.keyword {
            case "if": node = .ifNode(top.pipe, top.body, top.elseBody ?? [], top.pos)
            case "range": node = .range(top.pipe, top.body, top.elseBody ?? [], top.pos)
            default: node = .with(top.pipe, top.body, top.elseBody ?? [], top.pos)
            }
            append(node)
        }
        while let item = items.popFirst() {
            switch item {
            case .text(let t): append(.text(t))
            case .action(let body, let pos):
                var w = Words(chars: Array(body), base: pos)
                let save = w.i
                let first = w.word()?.0
                switch first {
                case "if", "range", "with":
                    stack.append((first!, try GoTemplate.pipeline(&w), pos, [], nil))
                case "else":
                    guard !stack.isEmpty else { throw Failure(message: "unexpected {{else}}") }
                    let rest = w.i
                    if let next = w.word()?.0, next == "if" || next == "with" {
                        // `else if`: an if nested in the else branch, closed by the same {{end}}.
                        stack[stack.count - 1].elseBody = []
                        stack.append((next + "-chain", try GoTemplate.pipeline(&w), pos, [], nil))
                    } else {
                        w.i = rest
                        stack[stack.count - 1].elseBody = []
                    }
                case "end":
                    guard !stack.isEmpty else { throw Failure(message: "unexpected {{end}}") }
                    while let top = stack.last, top.keyword.hasSuffix("-chain") {
                        let t = stack.removeLast()
                        let node: Node = t.keyword.hasPrefix("if") ? .ifNode(t.pipe, t.body, t.elseBody ?? [], t.pos) : .with(t.pipe, t.body, t.elseBody ?? [], t.pos)
                        append(node)
                    }
                    close()
                default:
                    w.i = save
                    append(.action(try GoTemplate.pipeline(&w), pos))
                }
            }
        }
        if !stack.isEmpty { throw Failure(message: "unexpected EOF") }
        nodes = current
    }

    // MARK: Execution

    func location(_ pos: Int) -> String {
        let before = source[..<min(pos, source.count)]
        let line = 1 + before.filter { $0 == "\n" }.count
        let col = before.lastIndex(of: "\n").map { pos - $0 - 1 } ?? pos
        return "\(name):\(line):\(col)"
    }

    func fail(_ pos: Int, _ context: String, _ message: String) -> Failure {
        Failure(message: "template: \(location(pos)): executing \"\(name)\" at <\(context)>: \(message)")
    }

    struct Scope {
        var dot: Value?
        var vars: [(String, Value?)]
        func lookup(_ name: String) -> Value?? {
            for (n, v) in vars.reversed() where n == name { return .some(v) }
            return nil
        }
    }

    func render(_ data: Value) throws -> String {
        var out = ""
        var scope = Scope(dot: data, vars: [("$", data)])
        try run(nodes, &scope, &out)
        return out
    }

    func run(_ nodes: [Node], _ scope: inout Scope, _ out: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let t): out += t
            case .action(let p, _):
                let v = try eval(p, &scope)
                if p.declarations.isEmpty { out += GoTemplate.print(v) }
            case .ifNode(let p, let body, let elseBody, _):
                let depth = scope.vars.count
                let v = try eval(p, &scope)
                try run(GoTemplate.truth(v) ? body : elseBody, &scope, &out)
                scope.vars.removeLast(scope.vars.count - depth)
            case .with(let p, let body, let elseBody, _):
                let depth = scope.vars.count
                let v = try eval(p, &scope)
                if GoTemplate.truth(v) {
                    var inner = scope
                    inner.dot = v
                    try run(body, &inner, &out)
                } else {
                    try run(elseBody, &scope, &out)
                }
                scope.vars.removeLast(scope.vars.count - depth)
            case .range(var p, let body, let elseBody, _):
                let names = p.declarations
                p.declarations = []
                let v = try eval(p, &scope)
                var pairs: [(Value, Value)] = []
                switch v {
                case .array(let items)?: pairs = items.enumerated().map { (.int($0.offset), $0.element) }
                case .set(let s)?: pairs = s.elements.enumerated().map { (.int($0.offset), $0.element) }
                case .object(let o)?: pairs = Array(o.entries)
                case .number(let n)?:
                    if let count = n.intValue { pairs = (0..<max(0, count)).map { (.int($0), .int($0)) } }
                case nil, .null?: pairs = []
                default: throw Failure(message: "template: \(name): range can't iterate over \(GoTemplate.print(v))")
                }
                if pairs.isEmpty { try run(elseBody, &scope, &out); continue }
                for (k, e) in pairs {
                    var inner = scope
                    inner.dot = e
                    if names.count == 1 { inner.vars.append((names[0], e)) }
                    if names.count == 2 { inner.vars.append((names[0], k)); inner.vars.append((names[1], e)) }
                    try run(body, &inner, &out)
                }
            }
        }
    }

    func eval(_ p: Pipeline, _ scope: inout Scope) throws -> Value? {
        var last: Value?? = nil
        for command in p.commands {
            last = .some(try call(command, previous: last, &scope))
        }
        let v = last ?? nil
        for name in p.declarations { scope.vars.append((name, v)) }
        return v
    }

    func operandValue(_ o: Operand, _ scope: inout Scope) throws -> Value? {
        switch o {
        case .string(let s): return .string(s)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .number(.real(d))
        case .bool(let b): return .bool(b)
        case .nilValue: return nil
        case .pipeline(let p): return try eval(p, &scope)
        case .identifier(let name): return try function(name, [], pos: 0, &scope)
        case .field(let base, let path, let pos):
            var value: Value?
            var context = "."
            if let base {
                guard let found = scope.lookup(base) else { throw Failure(message: "template: \(location(pos)): undefined variable \"\(base)\"") }
                value = found
                context = base
            } else {
                value = scope.dot
                context = ""
            }
            for key in path {
                context += "." + key
                switch value {
                case .object(let o)?:
                    guard let v = o[key] else { throw fail(pos, context, "map has no entry for key \"\(key)\"") }
                    value = v
                case nil, .null?:
                    throw fail(pos, context, "nil pointer evaluating interface {}.\(key)")
                default:
                    throw fail(pos, context, "can't evaluate field \(key) in type \(GoTemplate.goType(value))")
                }
            }
            return value
        }
    }

    func call(_ command: [Operand], previous: Value??, _ scope: inout Scope) throws -> Value? {
        guard let first = command.first else { throw Failure(message: "empty command") }
        if case .identifier(let name) = first {
            var args: [Value?] = try command.dropFirst().map { try operandValue($0, &scope) }
            if let previous { args.append(previous) }
            return try function(name, args, pos: 0, &scope)
        }
        if command.count > 1 || previous != nil {
            throw Failure(message: "template: \(name): can't give argument to non-function")
        }
        return try operandValue(first, &scope)
    }

    func function(_ fn: String, _ args: [Value?], pos: Int, _ scope: inout Scope) throws -> Value? {
        func want(_ n: Int) throws {
            if args.count != n { throw Failure(message: "template: \(name): wrong number of args for \(fn): want \(n) got \(args.count)") }
        }
        switch fn {
        case "len":
            try want(1)
            switch args[0] {
            case .string(let s)?: return .int(s.utf8.count)
            case .array(let a)?: return .int(a.count)
            case .object(let o)?: return .int(o.count)
            case .set(let s)?: return .int(s.count)
            default: throw Failure(message: "template: \(name): error calling len: len of type \(GoTemplate.goType(args[0]))")
            }
        case "index":
            guard var v = args.first ?? nil else { throw Failure(message: "template: \(name): error calling index: index of untyped nil") }
            for key in args.dropFirst() {
                switch (v, key) {
                case (.array(let a), .number(let n)?):
                    guard let i = n.intValue, i >= 0, i < a.count else { throw Failure(message: "template: \(name): error calling index: index out of range: \(GoTemplate.print(key))") }
                    v = a[i]
                case (.object(let o), .string(let k)?):
                    guard let x = o[k] else { return nil }
                    v = x
                default:
                    throw Failure(message: "template: \(name): error calling index: can't index item of type \(GoTemplate.goType(v))")
                }
            }
            return v
        case "not":
            try want(1)
            return .bool(!GoTemplate.truth(args[0]))
        case "and":
            for a in args where !GoTemplate.truth(a) { return a }
            return args.last ?? nil
        case "or":
            for a in args where GoTemplate.truth(a) { return a }
            return args.last ?? nil
        case "eq":
            guard let first = args.first else { throw Failure(message: "template: \(name): missing argument for comparison") }
            return .bool(args.dropFirst().contains { $0 == first })
        case "ne":
            try want(2)
            return .bool(args[0] != args[1])
        case "lt", "le", "gt", "ge":
            try want(2)
            guard let a = args[0], let b = args[1] else { throw Failure(message: "template: \(name): error calling \(fn): invalid type for comparison") }
            let c = Value.compare(a, b)
            switch fn {
            case "lt": return .bool(c < 0)
            case "le": return .bool(c <= 0)
            case "gt": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case "print":
            var out = ""
            for (i, a) in args.enumerated() {
                let isString: (Value?) -> Bool = { if case .string? = $0 { return true }; return false }
                if i > 0 && !isString(a) && !isString(args[i - 1]) { out += " " }
                out += GoTemplate.print(a)
            }
            return .string(out)
        case "println":
            return .string(args.map(GoTemplate.print).joined(separator: " ") + "\n")
        case "printf":
            guard case .string(let format)? = args.first else { throw Failure(message: "template: \(name): printf needs a format") }
            return .string(GoFormat.sprintf(format, args.dropFirst().map { $0 ?? .null }))
        default:
            throw Failure(message: "template: \(name):1: function \"\(fn)\" not defined")
        }
    }

    // MARK: Values as Go sees them

    static func truth(_ v: Value?) -> Bool {
        switch v {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case .number(let n)?: return !(n == .int(0))
        case .string(let s)?: return !s.isEmpty
        case .array(let a)?: return !a.isEmpty
        case .set(let s)?: return !s.isEmpty
        case .object(let o)?: return !o.isEmpty
        }
    }

    static func goType(_ v: Value?) -> String {
        switch v {
        case nil, .null?: return "<nil>"
        case .bool?: return "bool"
        case .number?: return "float64"
        case .string?: return "string"
        case .array?, .set?: return "[]interface {}"
        case .object?: return "map[string]interface {}"
        }
    }

    /// Go's `%v` of a float64 (`%g` with shortest digits: exponent form below 1e-4 or from 1e6).
    static func goG(_ d: Double) -> String {
        if d == 0 { return "0" }
        // Shortest round-trip digits.
        var text = "\(d)"   // Swift prints the shortest representation, e.g. 1e-05, 1000000.0, 1.5
        if text.hasSuffix(".0") { text.removeLast(2) }
        var mantissa = text, exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        var digits = mantissa.replacingDot()
        var pointPos = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count) + exponent
        let leading = digits.prefix { $0 == "0" }.count
        digits.removeFirst(leading)
        pointPos -= leading
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.isEmpty { return "0" }
        let exp = pointPos - 1
        var out: String
        if exp < -4 || exp >= 6 {
            out = String(digits.first!) + (digits.count > 1 ? "." + digits.dropFirst() : "")
            out += "e" + (exp < 0 ? "-" : "+") + (abs(exp) < 10 ? "0" : "") + String(abs(exp))
        } else if exp < 0 {
            out = "0." + String(repeating: "0", count: -exp - 1) + digits
        } else if digits.count <= exp + 1 {
            out = digits + String(repeating: "0", count: exp + 1 - digits.count)
        } else {
            out = String(digits.prefix(exp + 1)) + "." + digits.dropFirst(exp + 1)
        }
        return (negative ? "-" : "") + out
    }

    static func print(_ v: Value?) -> String {
        switch v {
        case nil: return "<no value>"
        case .null?: return "<nil>"
        case .bool(let b)?: return b ? "true" : "false"
        case .number(let n)?: return goG(Double(RegoText.render(.number(n))) ?? 0)
        case .string(let s)?: return s
        case .array(let a)?: return "[" + a.map { inner($0) }.joined(separator: " ") + "]"
        case .set(let s)?: return "[" + s.elements.map { inner($0) }.joined(separator: " ") + "]"
        case .object(let o)?: return "map[" + o.entries.map { k, v in "\(k.stringValue ?? inner(k)):\(inner(v))" }.joined(separator: " ") + "]"
        }
    }

    static func inner(_ v: Value) -> String { v == .null ? "<nil>" : print(v) }
}

extension String {
    fileprivate func replacingDot() -> String { String(filter { $0 != "." }) }
}
