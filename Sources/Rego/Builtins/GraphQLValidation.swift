// GraphQL schema building and query validation (GraphQL spec §5), with gqlparser's rules,
// rule order and messages, which OPA reports.

extension GraphQL {
    /// The implicit definitions every schema has (scalars, directives, introspection types).
    static let prelude = #"""
    scalar Int
    scalar Float
    scalar String
    scalar Boolean
    scalar ID
    directive @defer(if: Boolean = true, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
    directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
    directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
    directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
    directive @specifiedBy(url: String!) on SCALAR
    directive @oneOf on INPUT_OBJECT
    type __Schema { description: String types: [__Type!]! queryType: __Type! mutationType: __Type subscriptionType: __Type directives: [__Directive!]! }
    type __Type { kind: __TypeKind! name: String description: String specifiedByURL: String fields(includeDeprecated: Boolean = false): [__Field!] interfaces: [__Type!] possibleTypes: [__Type!] enumValues(includeDeprecated: Boolean = false): [__EnumValue!] inputFields: [__InputValue!] ofType: __Type isOneOf: Boolean }
    type __Field { name: String! description: String args: [__InputValue!]! type: __Type! isDeprecated: Boolean! deprecationReason: String }
    type __InputValue { name: String! description: String type: __Type! defaultValue: String }
    type __EnumValue { name: String! description: String isDeprecated: Boolean! deprecationReason: String }
    enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
    type __Directive { name: String! description: String locations: [__DirectiveLocation!]! args: [__InputValue!]! isRepeatable: Boolean! }
    enum __DirectiveLocation { QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD INLINE_FRAGMENT VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION INTERFACE UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION }
    """#

    /// A validated schema.
    final class Schema {
        var types: [String: Definition] = [:]
        var directives: [String: DirectiveDefinition] = [:]
        var possibleTypes: [String: [Definition]] = [:]
        var query: Definition?
        var mutation: Definition?
        var subscription: Definition?

        func addPossibleType(_ name: String, _ def: Definition?) {
            guard let def else { return }
            possibleTypes[name, default: []].append(def)
        }

        func possible(_ def: Definition) -> [Definition] {
            def.kind == "OBJECT" ? [def] : possibleTypes[def.name] ?? []
        }
    }

    static func isInput(_ d: Definition) -> Bool { ["SCALAR", "ENUM", "INPUT_OBJECT"].contains(d.kind) }
    static func isComposite(_ d: Definition) -> Bool { ["OBJECT", "INTERFACE", "UNION"].contains(d.kind) }
    static func isLeaf(_ d: Definition) -> Bool { d.kind == "ENUM" || d.kind == "SCALAR" }

    static func compatible(_ t: GType, _ other: GType) -> Bool {
        if t.named != other.named { return false }
        if let e = t.elem {
            guard let o = other.elem, compatible(e, o) else { return false }
        }
        if other.nonNull { return t.nonNull }
        return true
    }

    // MARK: Schema

    /// Builds and checks a schema from a document merged with the prelude (gqlparser's `ValidateSchemaDocument`).
    static func buildSchema(_ user: SchemaDocument) throws -> Schema {
        var doc = user
        let pre = try parseSchema(prelude, builtIn: true)
        doc.definitions += pre.definitions
        doc.directives += pre.directives
        let schema = Schema()
        for def in doc.definitions {
            if schema.types[def.name] != nil { throw Failure(message: "Cannot redeclare type \(def.name).", pos: def.pos) }
            schema.types[def.name] = def
        }
        var defs = doc.definitions
        for ext in doc.extensions {
            let def: Definition
            if let existing = schema.types[ext.name] {
                def = existing
            } else {
                def = Definition(kind: ext.kind, description: "", name: ext.name, pos: ext.pos)
                schema.types[ext.name] = def
                defs.append(def)
            }
            if def.kind != ext.kind {
                throw Failure(message: "Cannot extend type \(ext.name) because the base type is a \(def.kind), not \(ext.kind).", pos: ext.pos)
            }
            def.directives += ext.directives
            def.interfaces += ext.interfaces
            def.fields += ext.fields
            def.types += ext.types
            def.enumValues += ext.enumValues
        }
        for def in defs {
            switch def.kind {
            case "UNION":
                for t in def.types { schema.addPossibleType(def.name, schema.types[t]) }
            case "INPUT_OBJECT", "OBJECT":
                for i in def.interfaces { schema.addPossibleType(i, def) }
                schema.addPossibleType(def.name, def)
            case "INTERFACE":
                for i in def.interfaces { schema.addPossibleType(i, def) }
            default: break
            }
        }
        for dir in doc.directives {
            if schema.directives[dir.name] != nil {
                switch dir.name {
                case "include", "skip", "deprecated", "specifiedBy", "defer", "oneOf": continue
                default: throw Failure(message: "Cannot redeclare directive \(dir.name).", pos: dir.pos)
                }
            }
            schema.directives[dir.name] = dir
        }
        if doc.schema.count > 1 {
            throw Failure(message: "Cannot have multiple schema entry points, consider schema extensions instead.", pos: doc.schema[1].pos)
        }
        for (index, entry) in (doc.schema + doc.schemaExtension).enumerated() {
            for op in entry.operationTypes {
                guard let def = schema.types[op.type] else {
                    throw Failure(message: "Schema root \(op.operation) refers to a type \(op.type) that does not exist.", pos: op.pos)
                }
                switch op.operation {
                case "query": schema.query = def
                case "mutation": schema.mutation = def
                default: schema.subscription = def
                }
            }
            _ = index
            try checkDirectives(schema, entry.directives, "SCHEMA", current: nil)
        }
        for name in schema.types.keys.sorted() { try checkDefinition(schema, schema.types[name]!) }
        for name in schema.directives.keys.sorted() {
            let dir = schema.directives[name]!
            try checkName(dir.name, dir.pos)
            try checkArguments(schema, dir.arguments, current: dir)
        }
        if doc.schema.isEmpty {
            if schema.query == nil { schema.query = schema.types["Query"] }
            if schema.mutation == nil { schema.mutation = schema.types["Mutation"] }
            if schema.subscription == nil { schema.subscription = schema.types["Subscription"] }
        }
        if let q = schema.query {
            q.fields.append(FieldDef(description: "", name: "__schema", arguments: [], defaultValue: nil,
                                     type: GType(named: "__Schema", elem: nil, nonNull: true, pos: nil), directives: [], pos: nil))
            q.fields.append(FieldDef(description: "", name: "__type",
                                     arguments: [ArgumentDefinition(description: "", name: "name", defaultValue: nil,
                                                                    type: GType(named: "String", elem: nil, nonNull: true, pos: nil), directives: [], pos: nil)],
                                     defaultValue: nil, type: GType(named: "__Type", elem: nil, nonNull: false, pos: nil), directives: [], pos: nil))
        }
        return schema
    }

    static func checkName(_ name: String, _ pos: Pos?) throws {
        if name.hasPrefix("__") {
            throw Failure(message: "Name \"\(name)\" must not begin with \"__\", which is reserved by GraphQL introspection.", pos: pos)
        }
    }

    static func checkTypeRef(_ schema: Schema, _ type: GType) throws {
        if schema.types[type.name] == nil { throw Failure(message: "Undefined type \(type.name).", pos: type.pos) }
    }

    static func checkArguments(_ schema: Schema, _ args: [ArgumentDefinition], current: DirectiveDefinition?) throws {
        for arg in args {
            try checkName(arg.name, arg.pos)
            try checkTypeRef(schema, arg.type)
            let def = schema.types[arg.type.name]!
            if !isInput(def) {
                throw Failure(message: "cannot use \(arg.type.text) as argument \(arg.name) because \(def.kind) is not a valid input type", pos: arg.pos)
            }
            try checkDirectives(schema, arg.directives, "ARGUMENT_DEFINITION", current: current)
        }
    }

    static func checkDirectives(_ schema: Schema, _ dirs: [Directive], _ location: String, current: DirectiveDefinition?) throws {
        for dir in dirs {
            try checkName(dir.name, dir.pos)
            if let current, current.name == dir.name {
                throw Failure(message: "Directive \(current.name) cannot refer to itself.", pos: dir.pos)
            }
            guard let def = schema.directives[dir.name] else {
                throw Failure(message: "Undefined directive \(dir.name).", pos: dir.pos)
            }
            if !def.locations.contains(location) {
                throw Failure(message: "Directive \(dir.name) is not applicable on \(location).", pos: dir.pos)
            }
            for arg in dir.arguments where !def.arguments.contains(where: { $0.name == arg.name }) {
                throw Failure(message: "Undefined argument \(arg.name) for directive \(dir.name).", pos: arg.pos)
            }
            for arg in def.arguments where arg.type.nonNull && arg.defaultValue == nil {
                let given = dir.arguments.first { $0.name == arg.name }
                if given == nil || given!.value.kind == .null {
                    throw Failure(message: "Argument \(arg.name) for directive \(dir.name) cannot be null.", pos: dir.pos)
                }
            }
        }
    }

    static func covariant(_ schema: Schema, _ required: GType, _ actual: GType) -> Bool {
        if required.nonNull && !actual.nonNull { return false }
        if !required.named.isEmpty {
            if required.named == actual.named { return true }
            return (schema.possibleTypes[required.named] ?? []).contains { $0.name == actual.named }
        }
        guard let re = required.elem, let ae = actual.elem else { return required.elem == nil }
        return covariant(schema, re, ae)
    }

    static func checkDefinition(_ schema: Schema, _ def: Definition) throws {
        for field in def.fields {
            try checkName(field.name, field.pos)
            try checkTypeRef(schema, field.type)
            try checkArguments(schema, field.arguments, current: nil)
            try checkDirectives(schema, field.directives, def.kind == "INPUT_OBJECT" ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION", current: nil)
        }
        for t in def.types {
            guard let typeDef = schema.types[t] else { throw Failure(message: "Undefined type \(GoFormat.quote(t)).", pos: def.pos) }
            if typeDef.kind != "OBJECT" { throw Failure(message: "\(def.kind) type \(GoFormat.quote(t)) must be OBJECT.", pos: def.pos) }
        }
        for name in def.interfaces { try checkImplements(schema, def, name) }
        switch def.kind {
        case "OBJECT", "INTERFACE":
            if def.fields.isEmpty { throw Failure(message: "\(def.kind) \(def.name): must define one or more fields.", pos: def.pos) }
            for field in def.fields {
                if let t = schema.types[field.type.name], !["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM"].contains(t.kind) {
                    throw Failure(message: "\(def.kind) \(def.name): field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM.", pos: field.pos)
                }
            }
        case "ENUM":
            if def.enumValues.isEmpty { throw Failure(message: "\(def.kind) \(def.name): must define one or more unique enum values.", pos: def.pos) }
            for value in def.enumValues where ["true", "false", "null"].contains(value.name) {
                throw Failure(message: "\(def.kind) \(def.name): non-enum value \(value.name).", pos: def.pos)
            }
        case "INPUT_OBJECT":
            if def.fields.isEmpty { throw Failure(message: "\(def.kind) \(def.name): must define one or more input fields.", pos: def.pos) }
            for field in def.fields {
                if let t = schema.types[field.type.name], !["SCALAR", "ENUM", "INPUT_OBJECT"].contains(t.kind) {
                    throw Failure(message: "\(t.kind) \(field.name): field must be one of SCALAR, ENUM, INPUT_OBJECT.", pos: field.pos)
                }
            }
        default: break
        }
        for (i, f1) in def.fields.enumerated() {
            for f2 in def.fields[(i + 1)...] where f1.name == f2.name {
                throw Failure(message: "Field \(def.name).\(f2.name) can only be defined once.", pos: f2.pos)
            }
        }
        if !def.builtIn { try checkName(def.name, def.pos) }
        try checkDirectives(schema, def.directives, def.kind, current: nil)
    }

    static func checkImplements(_ schema: Schema, _ def: Definition, _ name: String) throws {
        guard let intf = schema.types[name] else { throw Failure(message: "Undefined type \(GoFormat.quote(name)).", pos: def.pos) }
        if intf.kind != "INTERFACE" { throw Failure(message: "\(GoFormat.quote(name)) is a non interface type \(intf.kind).", pos: def.pos) }
        for required in intf.fields {
            guard let found = def.field(required.name) else {
                throw Failure(message: "For \(def.name) to implement \(intf.name) it must have a field called \(required.name).", pos: def.pos)
            }
            if !covariant(schema, required.type, found.type) {
                throw Failure(message: "For \(def.name) to implement \(intf.name) the field \(required.name) must have type \(required.type.text).", pos: found.pos)
            }
            for arg in required.arguments {
                guard let foundArg = found.arguments.first(where: { $0.name == arg.name }) else {
                    throw Failure(message: "For \(def.name) to implement \(intf.name) the field \(required.name) must have the same arguments but it is missing \(arg.name).", pos: found.pos)
                }
                if !compatible(arg.type, foundArg.type) {
                    throw Failure(message: "For \(def.name) to implement \(intf.name) the field \(required.name) must have the same arguments but \(arg.name) has the wrong type.", pos: foundArg.pos)
                }
            }
            for arg in found.arguments where !required.arguments.contains(where: { $0.name == arg.name }) && arg.type.nonNull && arg.defaultValue == nil {
                throw Failure(message: "For \(def.name) to implement \(intf.name) any additional arguments on \(found.name) must be optional or have a default value but \(arg.name) is required.", pos: arg.pos)
            }
        }
        for transitive in intf.interfaces where !def.interfaces.contains(transitive) {
            if transitive == def.name {
                throw Failure(message: "\(def.name) cannot implement \(name) because it would create a circular reference.", pos: def.pos)
            }
            throw Failure(message: "\(def.name) must implement \(transitive) because it is implemented by \(name).", pos: def.pos)
        }
    }

    // MARK: Query validation

    static func lexicalDistance(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x == y { return 1 }
        var row = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var prev = row[0]
            row[0] = i
            for j in 1...max(1, y.count) where !y.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (x[i - 1] == y[j - 1] ? 0 : 1))
                prev = old
            }
        }
        return x.isEmpty ? y.count : row[y.count]
    }

    static func suggestions(_ input: String, _ options: [String]) -> [String] {
        let threshold = max(1, Int(Double(input.utf8.count) * 0.4) + 1)
        var found: [(String, Int)] = []
        for option in options {
            let d = lexicalDistance(input, option)
            if d <= threshold { found.append((option, d)) }
        }
        return found.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.map(\.element.0)
    }

    static func orList(_ items: [String]) -> String {
        let n = min(items.count, 5)
        switch n {
        case 0: return ""
        case 1: return items[0]
        case 2: return items[0] + " or " + items[1]
        default: return items[..<(n - 1)].joined(separator: ", ") + ", or " + items[n - 1]
        }
    }

    static func didYouMean(_ prefix: String, _ typed: String, _ options: [String], quoted: Bool = true) -> String {
        let s = suggestions(typed, options)
        if s.isEmpty { return "" }
        return " \(prefix) " + orList(quoted ? s.map { "\"\($0)\"" } : s) + "?"
    }

    struct Validator {
        let schema: Schema
        let doc: QueryDocument
        var errors: [Failure] = []
        var operation: Operation?
        var used: Set<String> = []
        var visitedSpreads: Set<String> = []
        var inFragmentDefinition = false
        var fragmentsUsed: Set<String> = []
        var seenFragments: Set<String> = []
        var seenOperations: Set<String> = []
        var cycleVisited: Set<String> = []

        init(schema: Schema, doc: QueryDocument) {
            self.schema = schema
            self.doc = doc
        }

        mutating func add(_ message: String, _ pos: Pos?) { errors.append(Failure(message: message, pos: pos)) }

        func fragment(_ name: String) -> Fragment? { doc.fragments.first { $0.name == name } }

        mutating func run() {
            for op in doc.operations {
                visitedSpreads = []
                walkOperation(op)
            }
            for f in doc.fragments {
                visitedSpreads = []
                walkFragment(f)
            }
        }

        mutating func walkOperation(_ op: Operation) {
            operation = op
            used = []
            for v in op.variables where schema.types[v.type.name] == nil {
                add("Unknown type \"\(v.type.name)\".", v.pos)
            }
            let root: Definition?
            let location: String
            switch op.operation {
            case "mutation": root = schema.mutation; location = "MUTATION"
            case "subscription": root = schema.subscription; location = "SUBSCRIPTION"
            default: root = schema.query; location = "QUERY"
            }
            for v in op.variables {
                if let d = v.defaultValue { walkValue(d, expected: v.type, definition: schema.types[v.type.name]) }
                walkDirectives(v.directives, "VARIABLE_DEFINITION")
            }
            walkDirectives(op.directives, location)
            walkSelections(root, op.selections)
            // Operation observers, in rule order.
            if root == nil { add("Schema does not support operation type \"\(op.operation)\"", op.pos) }
            if op.name.isEmpty && doc.operations.count > 1 {
                add("This anonymous operation must be the only defined operation.", op.pos)
            }
            for v in op.variables where !used.contains(v.variable) {
                if op.name.isEmpty {
                    add("Variable \"$\(v.variable)\" is never used.", v.pos)
                } else {
                    add("Variable \"$\(v.variable)\" is never used in operation \"\(op.name)\".", v.pos)
                }
            }
            overlapping(root, op.selections)
            if schema.subscription != nil && op.operation == "subscription" {
                var fields: [(String, Pos?)] = []
                var visited: Set<String> = []
                collectTopFields(op.selections, &fields, &visited)
                let name = op.name.isEmpty ? "Anonymous Subscription" : "Subscription \(GoFormat.quote(op.name))"
                if fields.count > 1 { add("\(name) must select only one top level field.", fields[1].1) }
                for f in fields where f.0.hasPrefix("__") { add("\(name) must not select an introspection top level field.", f.1) }
            }
            if seenOperations.contains(op.name) { add("There can be only one operation named \"\(op.name)\".", op.pos) }
            seenOperations.insert(op.name)
            var seenVars: [String: Int] = [:]
            for v in op.variables {
                if seenVars[v.variable] == 1 { add("There can be only one variable named \"$\(v.variable)\".", v.pos) }
                seenVars[v.variable, default: 0] += 1
            }
            for v in op.variables {
                if let d = schema.types[v.type.name], !isInput(d) {
                    add("Variable \"$\(v.variable)\" cannot be non-input type \"\(v.type.text)\".", v.pos)
                }
            }
            operation = nil
        }

        func collectTopFields(_ selections: [Selection], _ out: inout [(String, Pos?)], _ visited: inout Set<String>) {
            for s in selections {
                switch s {
                case .field(let f):
                    if !out.contains(where: { $0.0 == f.name }) { out.append((f.name, f.pos)) }
                case .inline(_, _, let inner, _):
                    collectTopFields(inner, &out, &visited)
                case .spread(let name, _, _):
                    if visited.contains(name) { continue }
                    visited.insert(name)
                    if let f = fragment(name) { collectTopFields(f.selections, &out, &visited) }
                }
            }
        }

        mutating func walkFragment(_ f: Fragment) {
            let def = schema.types[f.typeCondition]
            walkDirectives(f.directives, "FRAGMENT_DEFINITION")
            walkSelections(def, f.selections)
            // Fragment observers, in rule order.
            if let def, !f.typeCondition.isEmpty, !isComposite(def) {
                add("Fragment \"\(f.name)\" cannot condition on non composite type \"\(f.typeCondition)\".", f.pos)
            }
            if def == nil {
                add("Unknown type \"\(f.typeCondition)\"." + didYouMean("Did you mean", f.typeCondition, schema.types.keys.sorted()), f.pos)
            }
            var path: [(String, Pos?)] = []
            var index: [String: Int] = [:]
            detectCycles(f, &path, &index)
            inFragmentDefinition = true
            if !fragmentsUsed.contains(f.name) { add("Fragment \"\(f.name)\" is never used.", f.pos) }
            overlapping(def, f.selections)
            if seenFragments.contains(f.name) { add("There can be only one fragment named \"\(f.name)\".", f.pos) }
            seenFragments.insert(f.name)
        }

        func spreads(_ selections: [Selection]) -> [(String, Pos?)] {
            var out: [(String, Pos?)] = []
            for s in selections {
                switch s {
                case .field(let f): out += spreads(f.selections)
                case .inline(_, _, let inner, _): out += spreads(inner)
                case .spread(let name, _, let pos): out.append((name, pos))
                }
            }
            return out
        }

        mutating func detectCycles(_ f: Fragment, _ path: inout [(String, Pos?)], _ index: inout [String: Int]) {
            if cycleVisited.contains(f.name) { return }
            cycleVisited.insert(f.name)
            let nodes = spreads(f.selections)
            if nodes.isEmpty { return }
            index[f.name] = path.count
            for node in nodes {
                let cycleIndex = index[node.0]
                path.append(node)
                if let cycleIndex {
                    let names = path[cycleIndex..<(path.count - 1)].map { "\"\($0.0)\"" }
                    let via = names.isEmpty ? "" : " via " + names.joined(separator: ", ")
                    add("Cannot spread fragment \"\(node.0)\" within itself\(via).", node.1)
                } else if let next = fragment(node.0) {
                    detectCycles(next, &path, &index)
                }
                path.removeLast()
            }
            index[f.name] = nil
        }

        mutating func walkDirectives(_ dirs: [Directive], _ location: String) {
            for dir in dirs {
                let def = schema.directives[dir.name]
                for arg in dir.arguments {
                    let argDef = def?.arguments.first { $0.name == arg.name }
                    walkArgument(argDef, arg)
                }
                // Directive observers, in rule order.
                if let def {
                    for arg in dir.arguments where !def.arguments.contains(where: { $0.name == arg.name }) {
                        add("Unknown argument \"\(arg.name)\" on directive \"@\(dir.name)\"." + didYouMean("Did you mean", arg.name, def.arguments.map(\.name)), dir.pos)
                    }
                    if !def.locations.contains(location) {
                        add("Directive \"@\(dir.name)\" may not be used on \(location).", dir.pos)
                    }
                    for a in def.arguments where a.type.nonNull && a.defaultValue == nil && !dir.arguments.contains(where: { $0.name == a.name }) {
                        add("Directive \"@\(def.name)\" argument \"\(a.name)\" of type \"\(a.type.text)\" is required, but it was not provided.", dir.pos)
                    }
                } else {
                    add("Unknown directive \"@\(dir.name)\".", dir.pos)
                }
                uniqueArguments(dir.arguments)
            }
            var seen: Set<String> = []
            for dir in dirs {
                if dir.name != "repeatable" && seen.contains(dir.name) {
                    add("The directive \"@\(dir.name)\" can only be used once at this location.", dir.pos)
                }
                seen.insert(dir.name)
            }
        }

        mutating func uniqueArguments(_ args: [Argument]) {
            var known: [String: Int] = [:]
            for arg in args {
                if known[arg.name] == 1 { add("There can be only one argument named \"\(arg.name)\".", arg.pos) }
                known[arg.name, default: 0] += 1
            }
        }

        mutating func walkArgument(_ def: ArgumentDefinition?, _ arg: Argument) {
            if let def {
                walkValue(arg.value, expected: def.type, definition: schema.types[def.type.name],
                          hasDefault: def.defaultValue != nil && def.defaultValue!.kind != .null)
            } else {
                walkValue(arg.value, expected: nil, definition: nil)
            }
        }

        mutating func walkValue(_ value: GValue, expected: GType?, definition: Definition?, hasDefault: Bool = false) {
            var variable: VariableDefinition?
            if value.kind == .variable, let op = operation {
                variable = op.variables.first { $0.variable == value.raw }
                if variable != nil { used.insert(value.raw) }
            }
            if value.kind == .object {
                for child in value.children {
                    if let definition, let fd = definition.field(child.name) {
                        walkValue(child.value, expected: fd.type, definition: schema.types[fd.type.name])
                    } else {
                        walkValue(child.value, expected: nil, definition: nil)
                    }
                }
            }
            if value.kind == .list {
                for child in value.children {
                    if let expected, let elem = expected.elem {
                        walkValue(child.value, expected: elem, definition: definition)
                    } else {
                        walkValue(child.value, expected: nil, definition: nil)
                    }
                }
            }
            // Value observers, in rule order.
            if value.kind == .variable, let op = operation, variable == nil {
                if op.name.isEmpty {
                    add("Variable \"\(value.text)\" is not defined.", value.pos)
                } else {
                    add("Variable \"\(value.text)\" is not defined by operation \"\(op.name)\".", value.pos)
                }
            }
            if value.kind == .object {
                var seen: Set<String> = []
                for child in value.children {
                    if seen.contains(child.name) { add("There can be only one input field named \"\(child.name)\".", child.pos) }
                    seen.insert(child.name)
                }
            }
            if let definition, let expected { valuesOfCorrectType(value, expected, definition) }
            if value.kind == .variable, let expected, let variable, operation != nil {
                let wanted = GType(named: expected.named, elem: expected.elem, nonNull: expected.nonNull, pos: nil)
                if let d = variable.defaultValue, d.kind != .null, expected.nonNull { wanted.nonNull = false }
                if hasDefault { wanted.nonNull = false }
                if !compatible(variable.type, wanted) {
                    add("Variable \"\(value.text)\" of type \"\(variable.type.text)\" used in position expecting type \"\(expected.text)\".", value.pos)
                }
            }
        }

        func unexpectedType(_ value: GValue, _ expected: GType, _ definition: Definition) -> String {
            switch expected.text {
            case "Int", "Int!":
                if let i = Int64(value.raw), i < Int64(Int32.min) || i > Int64(Int32.max) {
                    return "Int cannot represent non 32-bit signed integer value: \(value.text)"
                }
                if value.kind == .int, Int64(value.raw) == nil {
                    return "Int cannot represent non 32-bit signed integer value: \(value.text)"
                }
                return "Int cannot represent non-integer value: \(value.text)"
            case "String", "String!", "[String]":
                return "String cannot represent a non string value: \(value.text)"
            case "Boolean", "Boolean!":
                return "Boolean cannot represent a non boolean value: \(value.text)"
            case "Float", "Float!":
                return "Float cannot represent non numeric value: \(value.text)"
            case "ID", "ID!":
                return "ID cannot represent a non-string and non-integer value: \(value.text)"
            default:
                if definition.kind == "ENUM" {
                    return "Enum \"\(expected.text)\" cannot represent non-enum value: \(value.text)."
                }
                return "Expected value of type \"\(expected.text)\", found \(value.text)."
            }
        }

        mutating func valuesOfCorrectType(_ value: GValue, _ expected: GType, _ definition: Definition) {
            if value.kind == .null && expected.nonNull {
                add("Expected value of type \"\(expected.text)\", found \(value.text).", value.pos)
            }
            if definition.kind == "SCALAR" && !["Int", "Float", "String", "Boolean", "ID"].contains(definition.name) { return }
            let enums = definition.kind == "ENUM" ? definition.enumValues.map(\.name) : []
            func isOne(_ names: String...) -> Bool { names.contains(definition.name) }
            switch value.kind {
            case .null, .variable:
                return
            case .list:
                if expected.elem == nil { add(unexpectedType(value, expected, definition), value.pos) }
            case .int:
                if Int64(value.raw) == nil { add(unexpectedType(value, expected, definition), value.pos) }
                if !isOne("Int", "Float", "ID") { add(unexpectedType(value, expected, definition), value.pos) }
            case .float:
                if !isOne("Float") { add(unexpectedType(value, expected, definition), value.pos) }
            case .string, .block:
                if definition.kind == "ENUM" {
                    add("Enum \"\(expected.text)\" cannot represent non-enum value: \(value.text)." + didYouMean("Did you mean the enum value", value.raw, enums), value.pos)
                } else if !isOne("String", "ID") {
                    add(unexpectedType(value, expected, definition), value.pos)
                }
            case .enumValue:
                if definition.kind != "ENUM" {
                    add(unexpectedType(value, expected, definition) + didYouMean("Did you mean the enum value", value.raw, enums, quoted: false), value.pos)
                } else if !definition.enumValues.contains(where: { $0.name == value.raw }) {
                    add("Value \"\(value.text)\" does not exist in \"\(expected.text)\" enum." + didYouMean("Did you mean the enum value", value.raw, enums), value.pos)
                }
            case .boolean:
                if !isOne("Boolean") { add(unexpectedType(value, expected, definition), value.pos) }
            case .object:
                for field in definition.fields where field.type.nonNull {
                    if !value.children.contains(where: { $0.name == field.name }) && field.defaultValue == nil {
                        add("Field \"\(definition.name).\(field.name)\" of required type \"\(field.type.text)\" was not provided.", value.pos)
                    }
                }
                for child in value.children where definition.field(child.name) == nil {
                    add("Field \"\(child.name)\" is not defined by type \"\(definition.name)\"." + didYouMean("Did you mean", child.name, definition.fields.map(\.name)), child.pos)
                }
            }
        }

        mutating func walkSelections(_ parent: Definition?, _ selections: [Selection]) {
            for s in selections { walkSelection(parent, s) }
        }

        mutating func walkSelection(_ parent: Definition?, _ selection: Selection) {
            switch selection {
            case .field(let field):
                var def: FieldDef?
                if field.name == "__typename" {
                    def = FieldDef(description: "", name: "__typename", arguments: [], defaultValue: nil,
                                   type: GType(named: "String", elem: nil, nonNull: false, pos: nil), directives: [], pos: nil)
                } else if let parent {
                    def = parent.field(field.name)
                }
                let next = def.flatMap { schema.types[$0.type.name] }
                for arg in field.arguments { walkArgument(def?.arguments.first { $0.name == arg.name }, arg) }
                walkDirectives(field.directives, "FIELD")
                walkSelections(next, field.selections)
                // Field observers, in rule order.
                if let parent, def == nil {
                    var message = "Cannot query field \"\(field.name)\" on type \"\(parent.name)\"."
                    let typeHints = suggestedTypes(parent, field.name)
                    if !typeHints.isEmpty {
                        message += " Did you mean to use an inline fragment on " + orList(typeHints.map { "\"\($0)\"" }) + "?"
                    } else if parent.kind == "OBJECT" || parent.kind == "INTERFACE" {
                        message += didYouMean("Did you mean", field.name, parent.fields.map(\.name))
                    }
                    add(message, field.pos)
                }
                if let def, let parent {
                    for arg in field.arguments where !def.arguments.contains(where: { $0.name == arg.name }) {
                        add("Unknown argument \"\(arg.name)\" on field \"\(parent.name).\(field.name)\"." + didYouMean("Did you mean", arg.name, def.arguments.map(\.name)), field.pos)
                    }
                }
                if !field.selections.isEmpty { overlapping(next, field.selections) }
                if let def {
                    for a in def.arguments where a.type.nonNull && a.defaultValue == nil && !field.arguments.contains(where: { $0.name == a.name }) {
                        add("Field \"\(field.name)\" argument \"\(a.name)\" of type \"\(a.type.text)\" is required, but it was not provided.", field.pos)
                    }
                    if let t = schema.types[def.type.name] {
                        if isLeaf(t) && !field.selections.isEmpty {
                            add("Field \"\(field.name)\" must not have a selection since type \"\(t.name)\" has no subfields.", field.pos)
                        }
                        if !isLeaf(t) && field.selections.isEmpty {
                            add("Field \"\(field.name)\" of type \"\(def.type.text)\" must have a selection of subfields. Did you mean \"\(field.name) { ... }\"?", field.pos)
                        }
                    }
                }
                uniqueArguments(field.arguments)
            case .inline(let condition, let directives, let selections, let pos):
                var next = parent
                if !condition.isEmpty { next = schema.types[condition] }
                walkDirectives(directives, "INLINE_FRAGMENT")
                walkSelections(next, selections)
                if let t = schema.types[condition], !isComposite(t) {
                    add("Fragment cannot condition on non composite type \"\(condition)\".", pos)
                }
                if !condition.isEmpty && schema.types[condition] == nil {
                    add("Unknown type \"\(condition)\".", pos)
                }
                overlapping(next, selections)
                if let parent, !possibleSpread(parent, condition) {
                    add("Fragment cannot be spread here as objects of type \"\(parent.name)\" can never be of type \"\(condition)\".", pos)
                }
            case .spread(let name, let directives, let pos):
                let def = fragment(name)
                let next = def.flatMap { schema.types[$0.typeCondition] }
                walkDirectives(directives, "FRAGMENT_SPREAD")
                if let def, !visitedSpreads.contains(name) {
                    visitedSpreads.insert(name)
                    walkSelections(next, def.selections)
                }
                if def == nil { add("Unknown fragment \"\(name)\".", pos) }
                if !inFragmentDefinition { fragmentsUsed.insert(name) }
                if let def, let parent, !possibleSpread(parent, def.typeCondition) {
                    add("Fragment \"\(name)\" cannot be spread here as objects of type \"\(parent.name)\" can never be of type \"\(def.typeCondition)\".", pos)
                }
            }
        }

        // MARK: Overlapping fields can be merged (same-level conflicts)

        struct CollectedField { var field: Field; var parent: Definition?; var def: FieldDef? }

        func collectFields(_ parent: Definition?, _ selections: [Selection], _ out: inout [(String, [CollectedField])], _ visited: inout Set<String>) {
            for s in selections {
                switch s {
                case .field(let f):
                    var def: FieldDef?
                    if f.name == "__typename" {
                        def = FieldDef(description: "", name: "__typename", arguments: [], defaultValue: nil,
                                       type: GType(named: "String", elem: nil, nonNull: false, pos: nil), directives: [], pos: nil)
                    } else {
                        def = parent?.field(f.name)
                    }
                    let entry = CollectedField(field: f, parent: parent, def: def)
                    let key = f.alias.isEmpty ? f.name : f.alias
                    if let i = out.firstIndex(where: { $0.0 == key }) { out[i].1.append(entry) } else { out.append((key, [entry])) }
                case .inline(let condition, _, let inner, _):
                    collectFields(condition.isEmpty ? parent : schema.types[condition], inner, &out, &visited)
                case .spread(let name, _, _):
                    guard !visited.contains(name), let f = fragment(name) else { continue }
                    visited.insert(name)
                    collectFields(schema.types[f.typeCondition], f.selections, &out, &visited)
                }
            }
        }

        func typesConflict(_ a: GType, _ b: GType) -> Bool {
            if let ea = a.elem {
                guard let eb = b.elem else { return true }
                return typesConflict(ea, eb)
            }
            if b.elem != nil || a.nonNull != b.nonNull { return true }
            if let t1 = schema.types[a.named], let t2 = schema.types[b.named], isLeaf(t1), isLeaf(t2) { return t1.name != t2.name }
            return false
        }

        mutating func overlapping(_ parent: Definition?, _ selections: [Selection]) {
            var fields: [(String, [CollectedField])] = []
            var visited: Set<String> = []
            collectFields(parent, selections, &fields, &visited)
            for (name, list) in fields where list.count > 1 {
                for i in 0..<list.count {
                    for j in (i + 1)..<list.count {
                        let a = list[i], b = list[j]
                        let exclusive = a.parent !== b.parent && a.parent?.kind == "OBJECT" && b.parent?.kind == "OBJECT"
                        var reason: String?
                        if !exclusive {
                            if a.field.name != b.field.name {
                                reason = "\(a.field.name) and \(b.field.name) are different fields"
                            } else if !sameArguments(a.field.arguments, b.field.arguments) {
                                reason = "they have differing arguments"
                            }
                        }
                        if reason == nil, let da = a.def, let db = b.def, typesConflict(da.type, db.type) {
                            reason = "they return conflicting types \(da.type.text) and \(db.type.text)"
                        }
                        if let reason {
                            add("Fields \"\(name)\" conflict because \(reason). Use different aliases on the fields to fetch both if this was intentional.", b.field.pos)
                        }
                    }
                }
            }
        }

        func sameArguments(_ a: [Argument], _ b: [Argument]) -> Bool {
            guard a.count == b.count else { return false }
            for x in a {
                guard let y = b.first(where: { $0.name == x.name }), y.value.text == x.value.text else { return false }
            }
            return true
        }

        func possibleSpread(_ parent: Definition, _ fragmentType: String) -> Bool {
            let parents: [Definition]
            switch parent.kind {
            case "OBJECT": parents = [parent]
            case "INTERFACE", "UNION": parents = schema.possible(parent)
            default: return true
            }
            guard let fragmentDef = schema.types[fragmentType], isComposite(fragmentDef) else { return true }
            for f in schema.possible(fragmentDef) where parents.contains(where: { $0.name == f.name }) { return true }
            return false
        }

        func suggestedTypes(_ parent: Definition, _ field: String) -> [String] {
            guard parent.kind == "INTERFACE" || parent.kind == "UNION" else { return [] }
            var interfaceUsage: [String: Int] = [:]
            var objects: [String] = []
            for possible in schema.possible(parent) where possible.field(field) != nil {
                objects.append(possible.name)
                for name in possible.interfaces {
                    if let i = schema.types[name], i.field(field) != nil { interfaceUsage[name, default: 0] += 1 }
                }
            }
            let interfaces = interfaceUsage.keys.sorted { (interfaceUsage[$0]!, $1) > (interfaceUsage[$1]!, $0) }
            return interfaces + objects.sorted()
        }
    }

    /// Validates a query against a schema; the errors in gqlparser's order.
    static func validate(_ schema: Schema, _ doc: QueryDocument) -> [Failure] {
        var v = Validator(schema: schema, doc: doc)
        v.run()
        return v.errors
    }
}
