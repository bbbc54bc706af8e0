/// Parses Rego v1 source into a `Module`, a query, or a term.
public struct Parser {
    let file: String
    var tokens: [Token]
    var index = 0
    var depth = 0
    var generated = 0

    /// Maximum nesting of terms and bodies before the parser gives up.
    static let maxDepth = 100

    init(file: String, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
    }

    /// Parses a module.
    public static func parseModule(file: String, source: String) throws -> Module {
        var lexer = Lexer(file: file, source: source)
        var p = Parser(file: file, tokens: try lexer.tokenize())
        var module = try p.module()
        module.annotations = try Annotation.blocks(in: lexer.comments, module: module)
        return module
    }

    /// Parses a query (a body of expressions separated by `;` or newlines).
    public static func parseQuery(_ source: String, file: String = "query") throws -> [Expr] {
        var lexer = Lexer(file: file, source: source)
        var p = Parser(file: file, tokens: try lexer.tokenize())
        var body: [Expr] = []
        while p.cur.kind != .eof {
            body.append(try p.literal())
            if p.cur.isPunct(";") { p.next() } else if p.cur.kind != .eof && !p.cur.newlineBefore {
                throw p.unexpected("expected ; or newline")
            }
        }
        if body.isEmpty { throw RegoError(code: RegoError.Code.parse, message: "empty query", location: Location(file: file, row: 1, col: 1)) }
        return body
    }

    /// Parses a single term (e.g. an `input_term`).
    public static func parseTerm(_ source: String, file: String = "term") throws -> Term {
        var lexer = Lexer(file: file, source: source)
        var p = Parser(file: file, tokens: try lexer.tokenize())
        let t = try p.exprIn()
        guard p.cur.kind == .eof else { throw p.unexpected("expected end of term") }
        return t
    }

    // MARK: tokens

    var cur: Token { tokens[index] }

    /// Whether the current token is keyword `name` used as a keyword (not the head of a ref like `if.x`).
    func atKeyword(_ name: String) -> Bool {
        cur.isIdent(name) && !((peekToken.isPunct(".") || peekToken.isPunct("[")) && !peekToken.spaceBefore)
    }
    var peekToken: Token { tokens[min(index + 1, tokens.count - 1)] }
    mutating func next() { if index < tokens.count - 1 { index += 1 } }
    func loc(_ t: Token) -> Location { Location(file: file, row: t.row, col: t.col) }

    func tokenDescription(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "eof token"
        case .ident:
            if Parser.keywords.contains(t.text) { return "\(t.text) keyword" }
            return "ident token"
        case .number: return "number token"
        case .string, .rawString, .template: return "string token"
        case .punct:
            switch t.text {
            case "[": return "[ token"
            default: return "\(t.text) token"
            }
        }
    }

    static let keywords: Set<String> = ["package", "import", "as", "default", "else", "not", "with", "some", "in", "every", "contains", "if", "true", "false", "null"]

    func unexpected(_ expectation: String) -> RegoError {
        RegoError(code: RegoError.Code.parse, message: "unexpected \(tokenDescription(cur)): \(expectation)", location: loc(cur))
    }

    func error(_ message: String, _ t: Token) -> RegoError {
        RegoError(code: RegoError.Code.parse, message: message, location: loc(t))
    }

    mutating func expectPunct(_ p: String) throws {
        guard cur.isPunct(p) else { throw unexpected("expected \(p)") }
        next()
    }

    // MARK: module

    mutating func module() throws -> Module {
        guard cur.isIdent("package") else {
            throw error("package expected", cur)
        }
        let pkgTok = cur
        next()
        let pkg = try dottedPath(expect: "ident")
        var imports: [Import] = []
        var rules: [Rule] = []
        while cur.kind != .eof {
            if cur.isIdent("import"), !((peekToken.isPunct(".") || peekToken.isPunct("[")) && !peekToken.spaceBefore) {
                imports.append(try importDecl())
            } else if cur.isIdent("package"), !((peekToken.isPunct(".") || peekToken.isPunct("[")) && !peekToken.spaceBefore) {
                throw error("unexpected package keyword", cur)
            } else {
                rules.append(contentsOf: try rule())
            }
        }
        var path = pkg
        if path.first == "data" { path.removeFirst() }
        return Module(file: file, package: path, packageLocation: loc(pkgTok), imports: imports, rules: rules)
    }

    mutating func dottedPath(expect: String) throws -> [String] {
        guard cur.kind == .ident else { throw unexpected("expected \(expect)") }
        var parts = [cur.text]
        next()
        while true {
            if cur.isPunct("."), !cur.spaceBefore {
                next()
                guard cur.kind == .ident else { throw unexpected("expected ident") }
                parts.append(cur.text); next()
            } else if cur.isPunct("["), !cur.spaceBefore {
                next()
                guard cur.kind == .string else { throw unexpected("expected string") }
                parts.append(cur.text); next()
                try expectPunct("]")
            } else { break }
        }
        return parts
    }

    mutating func importDecl() throws -> Import {
        let t = cur
        next()
        let path = try dottedPath(expect: "ident")
        var alias: String? = nil
        if cur.isIdent("as") {
            next()
            guard cur.kind == .ident else { throw unexpected("expected var") }
            alias = cur.text; next()
        }
        guard let root = path.first, ["data", "input", "future", "rego"].contains(root) else {
            throw error("invalid path \(path.joined(separator: ".")): path must begin with input or data", t)
        }
        return Import(path: path, alias: alias, location: loc(t))
    }

    // MARK: rules

    mutating func ruleHeadRef() throws -> [Term] {
        guard cur.kind == .ident else { throw unexpected("expected ident") }
        var ref = [Term(.variable(cur.text), loc(cur))]
        next()
        while true {
            if cur.isPunct("."), !cur.spaceBefore {
                next()
                guard cur.kind == .ident else { throw unexpected("expected ident") }
                ref.append(Term(.value(.string(cur.text)), loc(cur))); next()
            } else if cur.isPunct("["), !cur.spaceBefore {
                next()
                ref.append(try exprIn())
                try expectPunct("]")
            } else { break }
        }
        return ref
    }

    mutating func rule() throws -> [Rule] {
        let start = cur
        var isDefault = false
        if cur.isIdent("default"), !(peekToken.isPunct(".") || peekToken.isPunct("[")) || peekToken.spaceBefore { isDefault = true; next() }
        let ref = try ruleHeadRef()
        var kind = Rule.Kind.single
        var args: [Term] = []
        var key: Term? = nil
        var value: Term? = nil
        var assign = false
        if cur.isPunct("("), !cur.spaceBefore {
            kind = .function
            next()
            while !cur.isPunct(")") {
                args.append(try exprIn())
                if cur.isPunct(",") { next() } else if !cur.isPunct(")") { throw unexpected("expected , or )") }
            }
            next()
        }
        if cur.isIdent("contains"), !((peekToken.isPunct(".") || peekToken.isPunct("[")) && !peekToken.spaceBefore) {
            kind = .multi
            next()
            key = try exprIn()
        }
        if cur.isPunct(":=") || cur.isPunct("=") {
            assign = cur.isPunct(":=")
            next()
            value = try exprIn()
        }
        if isDefault {
            guard value != nil else { throw error("default rules must have a value", start) }
            return [Rule(kind: kind == .function ? .function : .single, ref: ref, args: args, key: nil, value: value, assign: assign, isDefault: true, body: [], elseChain: [], location: loc(start))]
        }
        var body: [Expr] = []
        var hasBody = false
        if atKeyword("if") {
            next()
            body = try ruleBody()
            hasBody = true
        } else if cur.isPunct("{"), !cur.newlineBefore || value == nil {
            body = try braceBody()
            hasBody = true
        }
        if !hasBody, value == nil, key == nil, kind != .function {
            // `p` alone or `p[x]` alone is not a rule.
            if ref.count == 1 && !start.isIdent("default") {
                throw RegoError(code: RegoError.Code.parse, message: "unexpected \(tokenDescription(cur)): expected rule value term (e.g., \(ref[0].variableName ?? "p") := <VALUE> { ... })", location: loc(start))
            }
        }
        var elseChain: [Rule.ElseClause] = []
        while cur.isIdent("else"), !((peekToken.isPunct(".") || peekToken.isPunct("[")) && !peekToken.spaceBefore) {
            let et = cur
            if ref.dropFirst().contains(where: { if case .value = $0.kind { return false } else { return true } }) {
                throw error("else keyword cannot be used on rules with variables in head", et)
            }
            if kind == .multi {
                throw error("else keyword cannot be used on multi-value rules", et)
            }
            next()
            var ev: Term? = nil
            if cur.isPunct(":=") || cur.isPunct("=") { next(); ev = try exprIn() }
            var eb: [Expr] = []
            if atKeyword("if") { next(); eb = try ruleBody() } else if cur.isPunct("{") { eb = try braceBody() }
            elseChain.append(Rule.ElseClause(value: ev, body: eb, location: loc(et)))
        }
        var rules = [Rule(kind: kind, ref: ref, args: args, key: key, value: value, assign: assign, isDefault: false, body: body, elseChain: elseChain, location: loc(start))]
        // Additional bodies: `p { a } { b }` define the same rule twice.
        while cur.isPunct("{"), !cur.newlineBefore {
            var r = rules[0]
            r.body = try braceBody()
            r.elseChain = []
            rules.append(r)
        }
        return rules
    }

    mutating func ruleBody() throws -> [Expr] {
        if cur.isPunct("{") {
            // `if {` opens a block unless it is a term such as an object comprehension.
            let saved = self
            do {
                return try braceBody()
            } catch {
                let blockError = error
                self = saved
                if let lit = try? literal(), cur.newlineBefore || cur.kind == .eof || cur.isIdent("else") {
                    return [lit]
                }
                self = saved
                throw blockError
            }
        }
        return [try literal()]
    }

    mutating func braceBody() throws -> [Expr] {
        let open = cur
        try expectPunct("{")
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { throw error("rule body nested too deeply", open) }
        var body: [Expr] = []
        while !cur.isPunct("}") {
            if cur.kind == .eof { throw unexpected("expected }") }
            body.append(try literal())
            if cur.isPunct(";") { next() } else if !cur.isPunct("}") && !cur.newlineBefore {
                throw unexpected("expected \\n or ; or }")
            }
        }
        next()
        if body.isEmpty { throw error("found empty body", open) }
        return body
    }

    // MARK: expressions

    mutating func literal() throws -> Expr {
        let start = cur
        if cur.isIdent("some"), !(peekToken.isPunct(".") && !peekToken.spaceBefore) {
            next()
            var terms: [Term] = [try exprRel()]
            while cur.isPunct(",") { next(); terms.append(try exprRel()) }
            if atKeyword("in") {
                next()
                let coll = try exprRel()
                guard terms.count <= 2 else { throw error("unexpected , token: expected in", start) }
                let e = Expr(kind: .someIn(key: terms.count == 2 ? terms[0] : nil, value: terms.last!, collection: coll), negated: false, with: try withMods(), location: loc(start))
                return e
            }
            for t in terms where t.variableName == nil {
                throw RegoError(code: RegoError.Code.parse, message: "expected var or `x in xs` after some", location: t.location)
            }
            return Expr(kind: .someDecl(terms), negated: false, with: [], location: loc(start))
        }
        if cur.isIdent("every"), !(peekToken.isPunct(".") && !peekToken.spaceBefore) {
            next()
            var terms: [Term] = [try exprRel()]
            if cur.isPunct(",") { next(); terms.append(try exprRel()) }
            guard cur.isIdent("in") else { throw unexpected("expected in") }
            next()
            let domain = try exprRel()
            let body = try braceBody()
            return Expr(kind: .every(key: terms.count == 2 ? terms[0] : nil, value: terms.last!, domain: domain, body: body), negated: false, with: try withMods(), location: loc(start))
        }
        var negated = false
        if cur.isIdent("not") { negated = true; next() }
        let lhs = try exprIn(allowPair: true)
        var kind: Expr.Kind
        if cur.isPunct(":=") {
            next(); kind = .assign(lhs, try exprIn())
        } else if cur.isPunct("=") {
            next(); kind = .unify(lhs, try exprIn())
        } else {
            kind = .term(lhs)
        }
        return Expr(kind: kind, negated: negated, with: try withMods(), location: loc(start))
    }

    mutating func withMods() throws -> [WithModifier] {
        var mods: [WithModifier] = []
        while atKeyword("with") {
            let t = cur
            next()
            let target = try exprRel()
            guard cur.isIdent("as") else { throw unexpected("expected as") }
            next()
            let value = try exprIn()
            mods.append(WithModifier(target: target, value: value, location: loc(t)))
        }
        return mods
    }

    func call(_ op: String, _ args: [Term], _ l: Location) -> Term {
        Term(.call(op, args), l)
    }

    mutating func exprIn(noPipe: Bool = false, allowPair: Bool = false) throws -> Term {
        var lhs = try exprRel(noPipe: noPipe)
        if allowPair, cur.isPunct(",") {
            let saved = self
            next()
            if let value = try? exprRel(noPipe: noPipe), atKeyword("in") {
                next()
                let coll = try exprRel(noPipe: noPipe)
                lhs = call("internal.member_3", [lhs, value, coll], lhs.location)
            } else {
                self = saved
            }
        }
        while atKeyword("in") {
            let l = lhs.location
            next()
            let rhs = try exprRel(noPipe: noPipe)
            lhs = call("internal.member_2", [lhs, rhs], l)
        }
        // `k, v in xs` inside a term position is not supported here; literal() handles some.
        return lhs
    }

    static let relOps: [String: String] = ["==": "equal", "!=": "neq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"]

    mutating func exprRel(noPipe: Bool = false) throws -> Term {
        var lhs = try exprOr(noPipe: noPipe)
        while cur.kind == .punct, let op = Parser.relOps[cur.text] {
            next()
            let rhs = try exprOr(noPipe: noPipe)
            lhs = call(op, [lhs, rhs], lhs.location)
        }
        return lhs
    }

    mutating func exprOr(noPipe: Bool) throws -> Term {
        var lhs = try exprAnd(noPipe: noPipe)
        while !noPipe, cur.isPunct("|") {
            next()
            let rhs = try exprAnd(noPipe: noPipe)
            lhs = call("or", [lhs, rhs], lhs.location)
        }
        return lhs
    }

    mutating func exprAnd(noPipe: Bool) throws -> Term {
        var lhs = try exprArith()
        while cur.isPunct("&") {
            next()
            let rhs = try exprArith()
            lhs = call("and", [lhs, rhs], lhs.location)
        }
        return lhs
    }

    mutating func exprArith() throws -> Term {
        var lhs = try exprFactor()
        while cur.isPunct("+") || cur.isPunct("-") {
            let op = cur.text == "+" ? "plus" : "minus"
            next()
            let rhs = try exprFactor()
            lhs = call(op, [lhs, rhs], lhs.location)
        }
        return lhs
    }

    mutating func exprFactor() throws -> Term {
        var lhs = try unary()
        while cur.isPunct("*") || cur.isPunct("/") || cur.isPunct("%") {
            let op = cur.text == "*" ? "mul" : (cur.text == "/" ? "div" : "rem")
            next()
            let rhs = try unary()
            lhs = call(op, [lhs, rhs], lhs.location)
        }
        return lhs
    }

    mutating func unary() throws -> Term {
        if cur.isPunct("-") {
            let t = cur
            next()
            if cur.kind == .number, !cur.spaceBefore {
                guard let n = Number(text: "-" + cur.text) else { throw error("invalid number", cur) }
                next()
                return try postfix(Term(.value(.number(n)), loc(t)))
            }
            let operand = try unary()
            return call("minus", [Term(.value(.int(0)), loc(t)), operand], loc(t))
        }
        return try primary()
    }

    mutating func primary() throws -> Term {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { throw error("term nested too deeply", cur) }
        let t = cur
        let l = loc(t)
        switch t.kind {
        case .eof:
            throw unexpected("expected term")
        case .number:
            next()
            guard let n = Number(text: t.text) else { throw error("invalid number", t) }
            return Term(.value(.number(n)), l)
        case .string, .rawString:
            next()
            return try postfix(Term(.value(.string(t.text)), l))
        case .template:
            next()
            return Term(.template(try templateParts(t)), l)
        case .ident:
            let refFollows = (peekToken.isPunct(".") || peekToken.isPunct("[") || peekToken.isPunct("(")) && !peekToken.spaceBefore
            switch t.text {
            case _ where refFollows && ["true", "false", "null"].contains(t.text): break
            case "true": next(); return Term(.value(.bool(true)), l)
            case "false": next(); return Term(.value(.bool(false)), l)
            case "null": next(); return Term(.value(.null), l)
            case "set":
                if peekToken.isPunct("("), !peekToken.spaceBefore, tokens[min(index + 2, tokens.count - 1)].isPunct(")") {
                    next(); next(); next()
                    return Term(.set([]), l)
                }
            default: break
            }
            if Parser.reservedInTermPosition.contains(t.text), !refFollows {
                throw unexpected("expected term")
            }
            next()
            var name = t.text
            var pathTerms: [Term] = []
            // Collect dotted names for a possible call: a.b.c(...)
            var look = index
            var dotted = [t.text]
            while tokens[look].isPunct("."), !tokens[look].spaceBefore, tokens[look + 1].kind == .ident, !tokens[look + 1].spaceBefore {
                dotted.append(tokens[look + 1].text)
                look += 2
            }
            if tokens[look].isPunct("("), !tokens[look].spaceBefore {
                index = look
                name = dotted.joined(separator: ".")
                next()
                var args: [Term] = []
                while !cur.isPunct(")") {
                    if cur.kind == .eof { throw unexpected("expected )") }
                    args.append(try exprIn())
                    if cur.isPunct(",") { next() } else if !cur.isPunct(")") { throw unexpected("expected , or )") }
                }
                next()
                return try postfix(Term(.call(name, args), l))
            }
            _ = pathTerms
            pathTerms = []
            return try postfix(Term(.variable(name), l))
        case .punct:
            switch t.text {
            case "[":
                next()
                if cur.isPunct("]") { next(); return try postfix(Term(.array([]), l)) }
                let first = try exprIn(noPipe: true)
                if cur.isPunct("|") {
                    next()
                    let body = try comprehensionBody(close: "]")
                    return try postfix(Term(.arrayComprehension(first, body), l))
                }
                var items = [first]
                while cur.isPunct(",") {
                    next()
                    if cur.isPunct("]") { break }
                    items.append(try exprIn())
                }
                try expectPunct("]")
                return try postfix(Term(.array(items), l))
            case "{":
                next()
                if cur.isPunct("}") { next(); return try postfix(Term(.object([]), l)) }
                let first = try exprIn(noPipe: true)
                if cur.isPunct(":") {
                    next()
                    let firstValue = try exprIn(noPipe: true)
                    if cur.isPunct("|") {
                        next()
                        let body = try comprehensionBody(close: "}")
                        return try postfix(Term(.objectComprehension(first, firstValue, body), l))
                    }
                    var pairs = [(first, firstValue)]
                    while cur.isPunct(",") {
                        next()
                        if cur.isPunct("}") { break }
                        let k = try exprIn()
                        try expectPunct(":")
                        pairs.append((k, try exprIn()))
                    }
                    try expectPunct("}")
                    return try postfix(Term(.object(pairs), l))
                }
                if cur.isPunct("|") {
                    next()
                    let body = try comprehensionBody(close: "}")
                    return try postfix(Term(.setComprehension(first, body), l))
                }
                var items = [first]
                while cur.isPunct(",") {
                    next()
                    if cur.isPunct("}") { break }
                    items.append(try exprIn())
                }
                try expectPunct("}")
                return try postfix(Term(.set(items), l))
            case "(":
                next()
                let inner = try exprIn(allowPair: true)
                try expectPunct(")")
                return try postfix(inner)
            default:
                throw unexpected("expected term")
            }
        }
    }

    static let reservedInTermPosition: Set<String> = ["package", "import", "not", "with", "as", "default", "else", "some", "every", "in", "if", "contains"]

    mutating func comprehensionBody(close: String) throws -> [Expr] {
        var body: [Expr] = []
        while !cur.isPunct(close) {
            if cur.kind == .eof { throw unexpected("expected \(close)") }
            body.append(try literal())
            if cur.isPunct(";") { next() } else if !cur.isPunct(close) && !cur.newlineBefore {
                throw unexpected("expected \(close)")
            }
        }
        next()
        if body.isEmpty { throw unexpected("expected body") }
        return body
    }

    /// Reference continuation: `.name` or `[term]` directly after a term.
    mutating func postfix(_ head: Term) throws -> Term {
        var path: [Term] = []
        while true {
            if cur.isPunct("."), !cur.spaceBefore {
                next()
                guard cur.kind == .ident else { throw unexpected("expected ident") }
                path.append(Term(.value(.string(cur.text)), loc(cur)))
                next()
            } else if cur.isPunct("["), !cur.spaceBefore {
                next()
                path.append(try exprIn())
                try expectPunct("]")
            } else { break }
        }
        if path.isEmpty { return head }
        if case .ref(let h, let p) = head.kind { return Term(.ref(h, p + path), head.location) }
        return Term(.ref(head, path), head.location)
    }

    // MARK: templates

    mutating func templateParts(_ t: Token) throws -> [Term.TemplatePart] {
        let bytes = Array(t.text.utf8)
        var parts: [Term.TemplatePart] = []
        var literal: [UInt8] = []
        var i = 0
        var row = t.contentRow, col = t.contentCol
        func step(_ b: UInt8) { if b == 0x0A { row += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 } }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let e = bytes[i + 1]
                if e == UInt8(ascii: "{") { literal.append(e); step(b); step(e); i += 2; continue }
                if t.rawTemplate { literal.append(b); step(b); i += 1; continue }
                // decode a normal string escape by reusing the lexer
                var j = i + 2
                if e == UInt8(ascii: "u") { j = min(bytes.count, i + 6) }
                let escText = "\"" + String(decoding: bytes[i..<j], as: UTF8.self) + "\""
                var lx = Lexer(file: file, source: escText, startRow: row, startCol: col)
                let toks = try lx.tokenize()
                literal.append(contentsOf: Array(toks[0].text.utf8))
                for k in i..<j { step(bytes[k]) }
                i = j
                continue
            }
            if b == UInt8(ascii: "{") {
                if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))); literal = [] }
                var depth = 1
                var j = i + 1
                var inString = false
                while j < bytes.count {
                    let c = bytes[j]
                    if inString {
                        if c == UInt8(ascii: "\\") { j += 1 } else if c == UInt8(ascii: "\"") { inString = false }
                    } else if c == UInt8(ascii: "\"") { inString = true } else if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    j += 1
                }
                guard j < bytes.count else { throw error("unterminated template expression", t) }
                step(b)
                let src = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
                var lx = Lexer(file: file, source: src, startRow: row, startCol: col)
                var sub = Parser(file: file, tokens: try lx.tokenize())
                var term = try sub.exprIn()
                let mods = try sub.withMods()
                guard sub.cur.kind == .eof else { throw sub.unexpected("expected }") }
                if !mods.isEmpty {
                    // `{e with t as v}`: the value of `e` under the modifiers, `[x | x = e with t as v][0]`.
                    generated += 1
                    let l = term.location
                    let v = Term(.variable("__template\(generated)__"), l)
                    let body = [Expr(kind: .unify(v, term), negated: false, with: mods, location: l)]
                    term = Term(.ref(Term(.arrayComprehension(v, body), l), [Term(.value(.int(0)), l)]), l)
                }
                parts.append(.term(term))
                for k in (i + 1)...j { step(bytes[k]) }
                i = j + 1
                continue
            }
            literal.append(b)
            step(b)
            i += 1
        }
        if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
        return parts
    }
}
