// GraphQL documents for the `graphql.*` builtins: a lexer and parser for query and
// schema (SDL) documents following the GraphQL specification, with the error wording
// and AST shape of gqlparser (the library OPA uses), so results match OPA's.

/// GraphQL syntax: tokens, documents and their Rego value form.
enum GraphQL {
    /// A 1-based source position (line and column in Unicode scalars).
    struct Pos: Sendable, Hashable {
        var line = 0
        var column = 0
    }

    /// A syntax or validation error with its position.
    struct Failure: Error, Sendable {
        var message: String
        var pos: Pos?
    }

    // MARK: Tokens

    enum Kind: Sendable, Equatable {
        case invalid, eof, bang, dollar, amp, parenL, parenR, spread, colon, equals, at, bracketL, bracketR
        case braceL, braceR, pipe, name, int, float, string, blockString

        var text: String {
            switch self {
            case .invalid: return "<Invalid>"
            case .eof: return "<EOF>"
            case .bang: return "!"
            case .dollar: return "$"
            case .amp: return "&"
            case .parenL: return "("
            case .parenR: return ")"
            case .spread: return "..."
            case .colon: return ":"
            case .equals: return "="
            case .at: return "@"
            case .bracketL: return "["
            case .bracketR: return "]"
            case .braceL: return "{"
            case .braceR: return "}"
            case .pipe: return "|"
            case .name: return "Name"
            case .int: return "Int"
            case .float: return "Float"
            case .string: return "String"
            case .blockString: return "BlockString"
            }
        }
    }

    struct Token: Sendable {
        var kind: Kind
        var value: String = ""
        var pos: Pos
        var error: Failure?

        var description: String {
            value.isEmpty ? kind.text : kind.text + " " + GoFormat.quote(value)
        }
    }

    // MARK: Lexer

    struct Lexer {
        let input: [Unicode.Scalar]
        var end = 0
        var start = 0
        var line = 1
        var lineStart = 0

        init(_ text: String) { input = Array(text.unicodeScalars) }

        func at(_ i: Int) -> Unicode.Scalar? { i < input.count ? input[i] : nil }

        mutating func skipWhitespace() {
            while end < input.count {
                switch input[end] {
                case "\t", " ", ",", "\u{FEFF}":
                    end += 1
                case "\n":
                    end += 1; line += 1; lineStart = end
                case "\r":
                    end += 1; line += 1; lineStart = end
                    if end < input.count && input[end] == "\n" { end += 1 }
                case "#":
                    while end < input.count && input[end] != "\n" && input[end] != "\r" { end += 1 }
                default:
                    return
                }
            }
        }

        func token(_ kind: Kind, _ value: String = "") -> Token {
            Token(kind: kind, value: value, pos: Pos(line: line, column: start - lineStart + 1))
        }

        func error(_ message: String) -> Token {
            let pos = Pos(line: line, column: end - lineStart + 1)
            return Token(kind: .invalid, pos: pos, error: Failure(message: message, pos: pos))
        }

        func describe(_ i: Int) -> String {
            guard let c = at(i) else { return "<EOF>" }
            return GoFormat.quote(String(Character(c)))
        }

        mutating func next() -> Token {
            skipWhitespace()
            start = end
            guard end < input.count else { return token(.eof) }
            let c = input[end]
            end += 1
            switch c {
            case "!": return token(.bang)
            case "$": return token(.dollar)
            case "&": return token(.amp)
            case "(": return token(.parenL)
            case ")": return token(.parenR)
            case ":": return token(.colon)
            case "=": return token(.equals)
            case "@": return token(.at)
            case "[": return token(.bracketL)
            case "]": return token(.bracketR)
            case "{": return token(.braceL)
            case "}": return token(.braceR)
            case "|": return token(.pipe)
            case ".":
                if at(start + 1) == "." && at(start + 2) == "." {
                    end += 2
                    return token(.spread)
                }
            case "_", "A"..."Z", "a"..."z":
                while let n = at(end), n == "_" || ("0"..."9").contains(n) || ("A"..."Z").contains(n) || ("a"..."z").contains(n) {
                    end += 1
                }
                return token(.name, String(String.UnicodeScalarView(input[start..<end])))
            case "-", "0"..."9":
                return readNumber()
            case "\"":
                if at(start + 1) == "\"" && at(start + 2) == "\"" { return readBlockString() }
                return readString()
            default:
                break
            }
            end -= 1
            if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" {
                return error("Cannot contain the invalid character \"\\u\(String(format4: c.value))\"")
            }
            if c == "'" {
                return error("Unexpected single quote character ('), did you mean to use a double quote (\")?")
            }
            return error("Cannot parse the unexpected character \(GoFormat.quote(String(Character(c)))).")
        }

        mutating func acceptDigits() -> Int {
            var n = 0
            while let c = at(end), ("0"..."9").contains(c) { end += 1; n += 1 }
            return n
        }

        mutating func readNumber() -> Token {
            var isFloat = false
            end -= 1
            if at(end) == "-" { end += 1 }
            if at(end) == "0" {
                end += 1
                let consumed = acceptDigits()
                if consumed != 0 {
                    end -= consumed
                    return error("Invalid number, unexpected digit after 0: \(describe(end)).")
                }
            } else if acceptDigits() == 0 {
                return error("Invalid number, expected digit but got: \(describe(end)).")
            }
            if at(end) == "." {
                end += 1
                isFloat = true
                if acceptDigits() == 0 { return error("Invalid number, expected digit but got: \(describe(end)).") }
            }
            if at(end) == "e" || at(end) == "E" {
                end += 1
                isFloat = true
                if at(end) == "-" || at(end) == "+" { end += 1 }
                if acceptDigits() == 0 { return error("Invalid number, expected digit but got: \(describe(end)).") }
            }
            return token(isFloat ? .float : .int, String(String.UnicodeScalarView(input[start..<end])))
        }

        mutating func readString() -> Token {
            var out = String.UnicodeScalarView()
            while end < input.count {
                let c = input[end]
                if c == "\n" || c == "\r" { break }
                if c.value < 0x20 && c != "\t" {
                    return error("Invalid character within String: \"\\u\(String(format4: c.value))\".")
                }
                switch c {
                case "\"":
                    // gqlparser reports a string at the character after its opening quote.
                    var t = token(.string, String(out))
                    t.pos.column += 1
                    end += 1
                    return t
                case "\\":
                    guard let e = at(end + 1) else {
                        end += 1
                        return error("Invalid character escape sequence.")
                    }
                    switch e {
                    case "u":
                        if end + 6 >= input.count {
                            end += 1
                            return error("Invalid character escape sequence: \\\(String(String.UnicodeScalarView(input[end...]))).")
                        }
                        let hex = String(String.UnicodeScalarView(input[(end + 2)..<(end + 6)]))
                        guard let v = UInt32(hex, radix: 16), hex.allSatisfy(\.isHexDigit) else {
                            end += 1
                            return error("Invalid character escape sequence: \\\(String(String.UnicodeScalarView(input[end..<(end + 5)]))).")
                        }
                        out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                        end += 6
                    default:
                        let mapped: Unicode.Scalar
                        switch e {
                        case "\"", "/", "\\": mapped = e
                        case "b": mapped = "\u{8}"
                        case "f": mapped = "\u{C}"
                        case "n": mapped = "\n"
                        case "r": mapped = "\r"
                        case "t": mapped = "\t"
                        default:
                            end += 1
                            return error("Invalid character escape sequence: \\\(String(Character(e))).")
                        }
                        out.append(mapped)
                        end += 2
                    }
                default:
                    out.append(c)
                    end += 1
                }
            }
            return error("Unterminated string.")
        }

        mutating func readBlockString() -> Token {
            var raw = String.UnicodeScalarView()
            end += 2
            let startLine = line, startColumn = start - lineStart + 4
            while end < input.count {
                let c = input[end]
                if c == "\"" && at(end + 1) == "\"" && at(end + 2) == "\"" {
                    let t = Token(kind: .blockString, value: GraphQL.blockStringValue(String(raw)), pos: Pos(line: startLine, column: startColumn))
                    end += 3
                    return t
                }
                if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" {
                    return error("Invalid character within String: \"\\u\(String(format4: c.value))\".")
                }
                if c == "\\" && at(end + 1) == "\"" && at(end + 2) == "\"" && at(end + 3) == "\"" {
                    raw.append(contentsOf: "\"\"\"".unicodeScalars)
                    end += 4
                } else if c == "\r" {
                    if at(end + 1) == "\n" { end += 1 }
                    raw.append("\n")
                    end += 1
                    line += 1
                    lineStart = end
                } else {
                    raw.append(c)
                    end += 1
                    if c == "\n" { line += 1; lineStart = end }
                }
            }
            return error("Unterminated string.")
        }
    }

    /// gqlparser's block string dedent (every line counts towards the common indent).
    static func blockStringValue(_ raw: String) -> String {
        var lines = raw.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        func leading(_ line: [Unicode.Scalar]) -> Int? {
            for (i, c) in line.enumerated() where c != " " && c != "\t" { return i }
            return nil
        }
        var common = Int.max
        for line in lines {
            if let indent = leading(line), indent < common {
                common = indent
                if common == 0 { break }
            }
        }
        if common != Int.max {
            for i in lines.indices.dropFirst() {
                lines[i] = lines[i].count < common ? [] : Array(lines[i][common...])
            }
        }
        var lo = 0, hi = lines.count
        while lo < hi && leading(lines[lo]) == nil { lo += 1 }
        while lo < hi && leading(lines[hi - 1]) == nil { hi -= 1 }
        return lines[lo..<hi].map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
    }

    // MARK: AST

    enum ValueKind: Int, Sendable {
        case variable = 0, int, float, string, block, boolean, null, enumValue, list, object
    }

    final class GValue: @unchecked Sendable {
        var raw: String
        var kind: ValueKind
        var children: [(name: String, value: GValue, pos: Pos?)]
        var pos: Pos?
        var expectedTypeHasDefault = false
        init(raw: String, kind: ValueKind, children: [(name: String, value: GValue, pos: Pos?)] = [], pos: Pos?) {
            self.raw = raw; self.kind = kind; self.children = children; self.pos = pos
        }

        /// gqlparser's `Value.String()`.
        var text: String {
            switch kind {
            case .variable: return "$" + raw
            case .int, .float, .enumValue, .boolean, .null: return raw
            case .string, .block: return GoFormat.quote(raw)
            case .list: return "[" + children.map(\.value.text).joined(separator: ",") + "]"
            case .object: return "{" + children.map { "\($0.name):\($0.value.text)" }.joined(separator: ",") + "}"
            }
        }
    }

    final class GType: @unchecked Sendable {
        var named: String
        var elem: GType?
        var nonNull: Bool
        var pos: Pos?
        init(named: String, elem: GType?, nonNull: Bool, pos: Pos?) {
            self.named = named; self.elem = elem; self.nonNull = nonNull; self.pos = pos
        }
        var name: String { elem?.name ?? named }
        var text: String { (elem.map { "[\($0.text)]" } ?? named) + (nonNull ? "!" : "") }
        func isCompatible(_ other: GType) -> Bool {
            if named != other.named || nonNull != other.nonNull { return false }
            if let e = elem, let o = other.elem { return e.isCompatible(o) }
            return elem == nil && other.elem == nil
        }
    }

    struct Argument { var name: String; var value: GValue; var pos: Pos? }
    struct Directive { var name: String; var arguments: [Argument]; var pos: Pos? }
    struct VariableDefinition {
        var variable: String; var type: GType; var defaultValue: GValue?; var directives: [Directive]; var pos: Pos?
    }
    indirect enum Selection {
        case field(Field)
        case spread(name: String, directives: [Directive], pos: Pos?)
        case inline(typeCondition: String, directives: [Directive], selections: [Selection], pos: Pos?)
    }
    struct Field {
        var alias: String; var name: String; var arguments: [Argument]; var directives: [Directive]
        var selections: [Selection]; var pos: Pos?
    }
    struct Operation {
        var operation: String; var name: String; var variables: [VariableDefinition]; var directives: [Directive]
        var selections: [Selection]; var pos: Pos?
    }
    struct Fragment {
        var name: String; var variables: [VariableDefinition]; var typeCondition: String; var directives: [Directive]
        var selections: [Selection]; var pos: Pos?
    }
    struct QueryDocument { var operations: [Operation] = []; var fragments: [Fragment] = [] }

    struct ArgumentDefinition {
        var description: String; var name: String; var defaultValue: GValue?; var type: GType; var directives: [Directive]; var pos: Pos?
    }
    typealias FieldDefinition = ArgumentDefinition
    final class FieldDef: @unchecked Sendable {
        var description: String; var name: String; var arguments: [ArgumentDefinition]; var defaultValue: GValue?
        var type: GType; var directives: [Directive]; var pos: Pos?
        init(description: String, name: String, arguments: [ArgumentDefinition], defaultValue: GValue?, type: GType, directives: [Directive], pos: Pos?) {
            self.description = description; self.name = name; self.arguments = arguments; self.defaultValue = defaultValue
            self.type = type; self.directives = directives; self.pos = pos
        }
    }
    struct EnumValueDefinition { var description: String; var name: String; var directives: [Directive]; var pos: Pos? }
    final class Definition: @unchecked Sendable {
        var kind: String; var description: String; var name: String; var directives: [Directive] = []
        var interfaces: [String] = []; var fields: [FieldDef] = []; var types: [String] = []
        var enumValues: [EnumValueDefinition] = []; var pos: Pos?; var builtIn = false
        init(kind: String, description: String, name: String, pos: Pos?) {
            self.kind = kind; self.description = description; self.name = name; self.pos = pos
        }
        func field(_ name: String) -> FieldDef? { fields.first { $0.name == name } }
    }
    struct DirectiveDefinition {
        var description: String; var name: String; var arguments: [ArgumentDefinition]; var locations: [String]
        var isRepeatable: Bool; var pos: Pos?
    }
    struct OperationTypeDefinition { var operation: String; var type: String; var pos: Pos? }
    struct SchemaDefinition { var description: String; var directives: [Directive]; var operationTypes: [OperationTypeDefinition]; var pos: Pos? }
    struct SchemaDocument {
        var schema: [SchemaDefinition] = []; var schemaExtension: [SchemaDefinition] = []
        var directives: [DirectiveDefinition] = []; var definitions: [Definition] = []; var extensions: [Definition] = []
    }

    static let directiveLocations: Set<String> = [
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE",
        "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION",
    ]

    // MARK: Parser

    struct Parser {
        var lexer: Lexer
        var peeked: Token?
        var prev: Token
        var builtIn = false
        var depth = 0
        /// Nesting bound for values, selections and types, so deep input cannot exhaust the stack.
        static let maxDepth = 200

        mutating func enter() throws {
            depth += 1
            if depth > Parser.maxDepth { throw fail(peek(), "Document nests more than \(Parser.maxDepth) levels") }
        }

        init(_ text: String) {
            lexer = Lexer(text)
            prev = Token(kind: .eof, pos: Pos(line: 1, column: 1))
        }

        mutating func peek() -> Token {
            if let p = peeked { return p }
            let t = lexer.next()
            peeked = t
            return t
        }

        @discardableResult
        mutating func next() throws -> Token {
            let t = peek()
            peeked = nil
            if let e = t.error { throw e }
            prev = t
            return t
        }

        func fail(_ t: Token, _ message: String) -> Failure { Failure(message: message, pos: t.pos) }

        mutating func unexpected(_ t: Token? = nil) -> Failure {
            let t = t ?? peek()
            return fail(t, "Unexpected \(t.description)")
        }

        @discardableResult
        mutating func expect(_ kind: Kind) throws -> Token {
            let t = peek()
            if t.kind == kind { return try next() }
            throw fail(t, "Expected \(kind.text), found \(t.kind.text)")
        }

        mutating func expectKeyword(_ word: String) throws {
            let t = peek()
            if t.kind == .name && t.value == word { try next(); return }
            throw fail(t, "Expected \(GoFormat.quote(word)), found \(t.description)")
        }

        mutating func skip(_ kind: Kind) throws -> Bool {
            if peek().kind != kind { return false }
            try next()
            return true
        }

        /// `start item+ end` (gqlparser's `some`).
        mutating func some(_ start: Kind, _ end: Kind, _ item: (inout Parser) throws -> Void) throws {
            guard try skip(start) else { return }
            var called = false
            while peek().kind != end {
                called = true
                try item(&self)
            }
            if !called { throw fail(peek(), "expected at least one definition, found \(peek().kind.text)") }
            try next()
        }

        /// `start item* end` (gqlparser's `many`).
        mutating func many(_ start: Kind, _ end: Kind, _ item: (inout Parser) throws -> Void) throws {
            guard try skip(start) else { return }
            while peek().kind != end { try item(&self) }
            try next()
        }

        mutating func name() throws -> String { try expect(.name).value }

        // Query documents

        mutating func queryDocument() throws -> QueryDocument {
            var doc = QueryDocument()
            while peek().kind != .eof {
                let t = peek()
                switch t.kind {
                case .name:
                    switch t.value {
                    case "query", "mutation", "subscription": doc.operations.append(try operation())
                    case "fragment": doc.fragments.append(try fragmentDefinition())
                    default: throw unexpected()
                    }
                case .braceL:
                    doc.operations.append(try operation())
                default:
                    throw unexpected()
                }
            }
            return doc
        }

        mutating func operation() throws -> Operation {
            let pos = peek().pos
            if peek().kind == .braceL {
                return Operation(operation: "query", name: "", variables: [], directives: [], selections: try requiredSelectionSet(), pos: pos)
            }
            let op = try operationType()
            var name = ""
            if peek().kind == .name { name = try next().value }
            let vars = try variableDefinitions()
            let dirs = try directives(const: false)
            return Operation(operation: op, name: name, variables: vars, directives: dirs, selections: try requiredSelectionSet(), pos: pos)
        }

        mutating func operationType() throws -> String {
            let t = try next()
            switch t.value {
            case "query", "mutation", "subscription": return t.value
            default: throw unexpected(t)
            }
        }

        mutating func variableDefinitions() throws -> [VariableDefinition] {
            var defs: [VariableDefinition] = []
            try some(.parenL, .parenR) { p in
                let pos = p.peek().pos
                try p.expect(.dollar)
                let name = try p.name()
                try p.expect(.colon)
                let type = try p.typeReference()
                var def: GValue?
                if try p.skip(.equals) { def = try p.valueLiteral(const: true) }
                defs.append(VariableDefinition(variable: name, type: type, defaultValue: def, directives: try p.directives(const: false), pos: pos))
            }
            return defs
        }

        mutating func requiredSelectionSet() throws -> [Selection] {
            guard peek().kind == .braceL else { throw fail(peek(), "Expected {, found \(peek().kind.text)") }
            var selections: [Selection] = []
            try some(.braceL, .braceR) { p in selections.append(try p.selection()) }
            return selections
        }

        mutating func selection() throws -> Selection {
            try enter()
            defer { depth -= 1 }
            if peek().kind == .spread {
                try expect(.spread)
                let t = peek()
                if t.kind == .name && t.value != "on" {
                    let name = try fragmentName()
                    return .spread(name: name, directives: try directives(const: false), pos: t.pos)
                }
                let pos = peek().pos
                var condition = ""
                if peek().value == "on" {
                    try next()
                    condition = try name()
                }
                let dirs = try directives(const: false)
                return .inline(typeCondition: condition, directives: dirs, selections: try requiredSelectionSet(), pos: pos)
            }
            let pos = peek().pos
            let alias = try name()
            var fieldName = alias
            if try skip(.colon) { fieldName = try name() }
            let args = try arguments(const: false)
            let dirs = try directives(const: false)
            var selections: [Selection] = []
            if peek().kind == .braceL {
                try some(.braceL, .braceR) { p in selections.append(try p.selection()) }
            }
            return .field(Field(alias: alias, name: fieldName, arguments: args, directives: dirs, selections: selections, pos: pos))
        }

        mutating func fragmentName() throws -> String {
            if peek().value == "on" { throw unexpected() }
            return try name()
        }

        mutating func fragmentDefinition() throws -> Fragment {
            let pos = peek().pos
            try expectKeyword("fragment")
            let name = try fragmentName()
            let vars = try variableDefinitions()
            try expectKeyword("on")
            let condition = try self.name()
            let dirs = try directives(const: false)
            return Fragment(name: name, variables: vars, typeCondition: condition, directives: dirs, selections: try requiredSelectionSet(), pos: pos)
        }

        mutating func arguments(const: Bool) throws -> [Argument] {
            var args: [Argument] = []
            try some(.parenL, .parenR) { p in
                let pos = p.peek().pos
                let name = try p.name()
                try p.expect(.colon)
                args.append(Argument(name: name, value: try p.valueLiteral(const: const), pos: pos))
            }
            return args
        }

        mutating func directives(const: Bool) throws -> [Directive] {
            var dirs: [Directive] = []
            while peek().kind == .at {
                try expect(.at)
                let pos = peek().pos
                let name = try self.name()
                dirs.append(Directive(name: name, arguments: try arguments(const: const), pos: pos))
            }
            return dirs
        }

        mutating func valueLiteral(const: Bool) throws -> GValue {
            try enter()
            defer { depth -= 1 }
            let t = peek()
            let kind: ValueKind
            switch t.kind {
            case .bracketL:
                var children: [(name: String, value: GValue, pos: Pos?)] = []
                try many(.bracketL, .bracketR) { p in
                    let pos = p.peek().pos
                    children.append((name: "", value: try p.valueLiteral(const: const), pos: pos))
                }
                return GValue(raw: "", kind: .list, children: children, pos: t.pos)
            case .braceL:
                var children: [(name: String, value: GValue, pos: Pos?)] = []
                try many(.braceL, .braceR) { p in
                    let pos = p.peek().pos
                    let name = try p.name()
                    try p.expect(.colon)
                    children.append((name: name, value: try p.valueLiteral(const: const), pos: pos))
                }
                return GValue(raw: "", kind: .object, children: children, pos: t.pos)
            case .dollar:
                if const { throw unexpected() }
                try expect(.dollar)
                return GValue(raw: try name(), kind: .variable, pos: t.pos)
            case .int: kind = .int
            case .float: kind = .float
            case .string: kind = .string
            case .blockString: kind = .block
            case .name:
                switch t.value {
                case "true", "false": kind = .boolean
                case "null": kind = .null
                default: kind = .enumValue
                }
            default:
                throw unexpected()
            }
            try next()
            return GValue(raw: t.value, kind: kind, pos: t.pos)
        }

        mutating func typeReference() throws -> GType {
            try enter()
            defer { depth -= 1 }
            let type: GType
            if try skip(.bracketL) {
                let pos = peek().pos
                let elem = try typeReference()
                try expect(.bracketR)
                type = GType(named: "", elem: elem, nonNull: false, pos: pos)
            } else {
                let pos = peek().pos
                type = GType(named: try name(), elem: nil, nonNull: false, pos: pos)
            }
            if try skip(.bang) { type.nonNull = true }
            return type
        }

        // Schema documents

        mutating func schemaDocument() throws -> SchemaDocument {
            var doc = SchemaDocument()
            while peek().kind != .eof {
                var description = ""
                if peek().kind == .blockString || peek().kind == .string { description = try next().value }
                guard peek().kind == .name else { throw unexpected() }
                switch peek().value {
                case "scalar", "type", "interface", "union", "enum", "input":
                    doc.definitions.append(try typeDefinition(description, extending: false))
                case "schema":
                    try expectKeyword("schema")
                    let pos = peek().pos
                    let dirs = try directives(const: true)
                    var ops: [OperationTypeDefinition] = []
                    try some(.braceL, .braceR) { p in ops.append(try p.operationTypeDefinition()) }
                    doc.schema.append(SchemaDefinition(description: description, directives: dirs, operationTypes: ops, pos: pos))
                case "directive":
                    doc.directives.append(try directiveDefinition(description))
                case "extend":
                    if !description.isEmpty { throw unexpected(prev) }
                    try extensionDefinition(&doc)
                default:
                    throw unexpected()
                }
            }
            return doc
        }

        mutating func operationTypeDefinition() throws -> OperationTypeDefinition {
            let pos = peek().pos
            let op = try operationType()
            try expect(.colon)
            return OperationTypeDefinition(operation: op, type: try name(), pos: pos)
        }

        mutating func description() throws -> String {
            if peek().kind == .blockString || peek().kind == .string { return try next().value }
            return ""
        }

        mutating func typeDefinition(_ description: String, extending: Bool) throws -> Definition {
            let word = peek().value
            try expectKeyword(word)
            let pos = peek().pos
            let kinds = ["scalar": "SCALAR", "type": "OBJECT", "interface": "INTERFACE", "union": "UNION", "enum": "ENUM", "input": "INPUT_OBJECT"]
            let def = Definition(kind: kinds[word] ?? word, description: description, name: try name(), pos: pos)
            def.builtIn = builtIn
            switch word {
            case "type", "interface":
                def.interfaces = try implements()
                def.directives = try directives(const: true)
                def.fields = try fieldsDefinition(input: false)
                if extending && def.interfaces.isEmpty && def.directives.isEmpty && def.fields.isEmpty { throw unexpected() }
            case "union":
                def.directives = try directives(const: true)
                if try skip(.equals) {
                    _ = try skip(.pipe)
                    def.types.append(try name())
                    while try skip(.pipe) { def.types.append(try name()) }
                }
                if extending && def.directives.isEmpty && def.types.isEmpty { throw unexpected() }
            case "enum":
                def.directives = try directives(const: true)
                try some(.braceL, .braceR) { p in
                    let pos = p.peek().pos
                    let description = try p.description()
                    let name = try p.name()
                    def.enumValues.append(EnumValueDefinition(description: description, name: name, directives: try p.directives(const: true), pos: pos))
                }
                if extending && def.directives.isEmpty && def.enumValues.isEmpty { throw unexpected() }
            case "input":
                def.directives = try directives(const: true)
                def.fields = try fieldsDefinition(input: true)
                if extending && def.directives.isEmpty && def.fields.isEmpty { throw unexpected() }
            default:
                def.directives = try directives(const: true)
                if extending && def.directives.isEmpty { throw unexpected() }
            }
            return def
        }

        mutating func implements() throws -> [String] {
            var types: [String] = []
            if peek().value == "implements" {
                try next()
                _ = try skip(.amp)
                types.append(try name())
                while try skip(.amp) { types.append(try name()) }
            }
            return types
        }

        mutating func fieldsDefinition(input: Bool) throws -> [FieldDef] {
            var fields: [FieldDef] = []
            try some(.braceL, .braceR) { p in
                let pos = p.peek().pos
                let description = try p.description()
                let name = try p.name()
                let args = input ? [] : try p.argumentDefinitions()
                try p.expect(.colon)
                let type = try p.typeReference()
                var def: GValue?
                if input, try p.skip(.equals) { def = try p.valueLiteral(const: true) }
                fields.append(FieldDef(description: description, name: name, arguments: args, defaultValue: def, type: type,
                                       directives: try p.directives(const: true), pos: pos))
            }
            return fields
        }

        mutating func argumentDefinitions() throws -> [ArgumentDefinition] {
            var args: [ArgumentDefinition] = []
            try some(.parenL, .parenR) { p in
                let pos = p.peek().pos
                let description = try p.description()
                let name = try p.name()
                try p.expect(.colon)
                let type = try p.typeReference()
                var def: GValue?
                if try p.skip(.equals) { def = try p.valueLiteral(const: true) }
                args.append(ArgumentDefinition(description: description, name: name, defaultValue: def, type: type,
                                               directives: try p.directives(const: true), pos: pos))
            }
            return args
        }

        mutating func extensionDefinition(_ doc: inout SchemaDocument) throws {
            try expectKeyword("extend")
            switch peek().value {
            case "schema":
                try expectKeyword("schema")
                let pos = peek().pos
                let dirs = try directives(const: true)
                var ops: [OperationTypeDefinition] = []
                try some(.braceL, .braceR) { p in ops.append(try p.operationTypeDefinition()) }
                if dirs.isEmpty && ops.isEmpty { throw unexpected() }
                doc.schemaExtension.append(SchemaDefinition(description: "", directives: dirs, operationTypes: ops, pos: pos))
            case "scalar", "type", "interface", "union", "enum", "input":
                doc.extensions.append(try typeDefinition("", extending: true))
            default:
                throw unexpected()
            }
        }

        mutating func directiveDefinition(_ description: String) throws -> DirectiveDefinition {
            try expectKeyword("directive")
            try expect(.at)
            let pos = peek().pos
            let name = try self.name()
            let args = try argumentDefinitions()
            var repeatable = false
            if peek().kind == .name && peek().value == "repeatable" {
                repeatable = true
                try next()
            }
            try expectKeyword("on")
            _ = try skip(.pipe)
            var locations = [try directiveLocation()]
            while try skip(.pipe) { locations.append(try directiveLocation()) }
            return DirectiveDefinition(description: description, name: name, arguments: args, locations: locations, isRepeatable: repeatable, pos: pos)
        }

        mutating func directiveLocation() throws -> String {
            let t = try expect(.name)
            if GraphQL.directiveLocations.contains(t.value) { return t.value }
            throw unexpected(t)
        }
    }

    static func parseQuery(_ text: String) throws -> QueryDocument {
        var p = Parser(text)
        return try p.queryDocument()
    }

    static func parseSchema(_ text: String, builtIn: Bool = false) throws -> SchemaDocument {
        var p = Parser(text)
        p.builtIn = builtIn
        return try p.schemaDocument()
    }
}

extension String {
    init(format4 value: UInt32) {
        // gqlparser formats the rune with %04d (decimal).
        let digits = String(value)
        self = String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }
}
