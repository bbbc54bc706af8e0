// GraphQL documents as Rego values, in the shape OPA produces: gqlparser's Go structs
// marshalled to JSON (field names as keys), with nulls, empty arrays and empty objects
// pruned and positions dropped. Decoding accepts the same shape (keys matched without
// regard to case, as Go's encoding/json does).

extension GraphQL {
    // MARK: Encoding

    private static func object(_ pairs: [(String, Value?)]) -> Value {
        var dict: [String: Value] = [:]
        for (k, v) in pairs {
            guard let v else { continue }
            switch v {
            case .array(let a) where a.isEmpty: continue
            case .object(let o) where o.isEmpty: continue
            default: dict[k] = v
            }
        }
        return .object(ObjectValue(dict))
    }

    private static func list<T>(_ items: [T], _ f: (T) -> Value) -> Value {
        .array(items.map(f).filter { if case .object(let o) = $0 { return !o.isEmpty }; return true })
    }

    static func encode(_ v: GValue) -> Value {
        object([
            ("Raw", .string(v.raw)),
            ("Children", list(v.children) { object([("Name", .string($0.name)), ("Value", encode($0.value))]) }),
            ("Kind", .int(v.kind.rawValue)),
            ("ExpectedTypeHasDefault", .bool(v.expectedTypeHasDefault)),
        ])
    }

    static func encode(_ t: GType) -> Value {
        object([("NamedType", .string(t.named)), ("Elem", t.elem.map(encode)), ("NonNull", .bool(t.nonNull))])
    }

    static func encode(_ d: Directive) -> Value {
        object([("Name", .string(d.name)), ("Arguments", list(d.arguments, encode)), ("Location", .string(""))])
    }

    static func encode(_ a: Argument) -> Value {
        object([("Name", .string(a.name)), ("Value", encode(a.value))])
    }

    static func encode(_ v: VariableDefinition) -> Value {
        object([
            ("Variable", .string(v.variable)), ("Type", encode(v.type)), ("DefaultValue", v.defaultValue.map(encode)),
            ("Directives", list(v.directives, encode)), ("Used", .false),
        ])
    }

    static func encode(_ s: Selection) -> Value {
        switch s {
        case .field(let f):
            return object([
                ("Alias", .string(f.alias)), ("Name", .string(f.name)), ("Arguments", list(f.arguments, encode)),
                ("Directives", list(f.directives, encode)), ("SelectionSet", list(f.selections, encode)),
            ])
        case .spread(let name, let directives, _):
            return object([("Name", .string(name)), ("Directives", list(directives, encode))])
        case .inline(let condition, let directives, let selections, _):
            return object([
                ("TypeCondition", .string(condition)), ("Directives", list(directives, encode)),
                ("SelectionSet", list(selections, encode)),
            ])
        }
    }

    static func encode(_ doc: QueryDocument) -> Value {
        object([
            ("Operations", list(doc.operations) { op in
                object([
                    ("Operation", .string(op.operation)), ("Name", .string(op.name)),
                    ("VariableDefinitions", list(op.variables, encode)), ("Directives", list(op.directives, encode)),
                    ("SelectionSet", list(op.selections, encode)),
                ])
            }),
            ("Fragments", list(doc.fragments) { f in
                object([
                    ("Name", .string(f.name)), ("VariableDefinition", list(f.variables, encode)),
                    ("TypeCondition", .string(f.typeCondition)), ("Directives", list(f.directives, encode)),
                    ("SelectionSet", list(f.selections, encode)),
                ])
            }),
        ])
    }

    static func encode(_ a: ArgumentDefinition) -> Value {
        object([
            ("Description", .string(a.description)), ("Name", .string(a.name)), ("DefaultValue", a.defaultValue.map(encode)),
            ("Type", encode(a.type)), ("Directives", list(a.directives, encode)),
        ])
    }

    static func encode(_ f: FieldDef) -> Value {
        object([
            ("Description", .string(f.description)), ("Name", .string(f.name)), ("Arguments", list(f.arguments, encode)),
            ("DefaultValue", f.defaultValue.map(encode)), ("Type", encode(f.type)), ("Directives", list(f.directives, encode)),
        ])
    }

    static func encode(_ d: Definition) -> Value {
        object([
            ("Kind", .string(d.kind)), ("Description", .string(d.description)), ("Name", .string(d.name)),
            ("Directives", list(d.directives, encode)), ("Interfaces", .array(d.interfaces.map(Value.string))),
            ("Fields", list(d.fields, encode)), ("Types", .array(d.types.map(Value.string))),
            ("EnumValues", list(d.enumValues) { e in
                object([("Description", .string(e.description)), ("Name", .string(e.name)), ("Directives", list(e.directives, encode))])
            }),
            ("BuiltIn", .bool(d.builtIn)),
        ])
    }

    static func encode(_ s: SchemaDefinition) -> Value {
        object([
            ("Description", .string(s.description)), ("Directives", list(s.directives, encode)),
            ("OperationTypes", list(s.operationTypes) { object([("Operation", .string($0.operation)), ("Type", .string($0.type))]) }),
        ])
    }

    static func encode(_ doc: SchemaDocument) -> Value {
        object([
            ("Schema", list(doc.schema, encode)), ("SchemaExtension", list(doc.schemaExtension, encode)),
            ("Directives", list(doc.directives) { d in
                object([
                    ("Description", .string(d.description)), ("Name", .string(d.name)), ("Arguments", list(d.arguments, encode)),
                    ("Locations", .array(d.locations.map(Value.string))), ("IsRepeatable", .bool(d.isRepeatable)),
                ])
            }),
            ("Definitions", list(doc.definitions, encode)), ("Extensions", list(doc.extensions, encode)),
        ])
    }

    // MARK: Decoding

    struct DecodeError: Error { var message: String }

    private struct Fields {
        let object: ObjectValue
        init(_ value: Value, _ what: String) throws {
            guard case .object(let o) = value else {
                throw DecodeError(message: "json: cannot unmarshal \(value.typeName) into Go value of type \(what)")
            }
            object = o
        }
        func value(_ key: String) -> Value? {
            let lower = key.lowercased()
            for (k, v) in object.entries {
                if case .string(let s) = k, s.lowercased() == lower {
                    if case .null = v { return nil }
                    return v
                }
            }
            return nil
        }
        func has(_ key: String) -> Bool { value(key) != nil }
        func string(_ key: String) throws -> String {
            guard let v = value(key) else { return "" }
            guard case .string(let s) = v else {
                throw DecodeError(message: "json: cannot unmarshal \(v.typeName) into Go struct field .\(key) of type string")
            }
            return s
        }
        func bool(_ key: String) throws -> Bool {
            guard let v = value(key) else { return false }
            guard case .bool(let b) = v else {
                throw DecodeError(message: "json: cannot unmarshal \(v.typeName) into Go struct field .\(key) of type bool")
            }
            return b
        }
        func array(_ key: String) throws -> [Value] {
            guard let v = value(key) else { return [] }
            switch v {
            case .array(let a): return a
            case .set(let s): return s.elements
            default: throw DecodeError(message: "json: cannot unmarshal \(v.typeName) into Go struct field .\(key) of type array")
            }
        }
        func strings(_ key: String) throws -> [String] {
            try array(key).map { v in
                guard case .string(let s) = v else {
                    throw DecodeError(message: "json: cannot unmarshal \(v.typeName) into Go struct field .\(key) of type string")
                }
                return s
            }
        }
    }

    static func decodeValue(_ value: Value, depth: Int = 0) throws -> GValue {
        if depth > Parser.maxDepth { throw DecodeError(message: "GraphQL value nests too deeply") }
        let f = try Fields(value, "ast.Value")
        var kind = ValueKind.variable
        if let k = f.value("Kind") {
            guard case .number(let n) = k, let i = n.intValue, let vk = ValueKind(rawValue: i) else {
                throw DecodeError(message: "json: cannot unmarshal \(k.typeName) into Go struct field Value.Kind of type ast.ValueKind")
            }
            kind = vk
        }
        let children = try f.array("Children").map { c -> (name: String, value: GValue, pos: Pos?) in
            let cf = try Fields(c, "ast.ChildValue")
            return (name: try cf.string("Name"), value: try cf.value("Value").map { try decodeValue($0, depth: depth + 1) } ?? GValue(raw: "", kind: .null, pos: nil), pos: nil)
        }
        let v = GValue(raw: try f.string("Raw"), kind: kind, children: children, pos: nil)
        v.expectedTypeHasDefault = try f.bool("ExpectedTypeHasDefault")
        return v
    }

    static func decodeType(_ value: Value, depth: Int = 0) throws -> GType {
        if depth > Parser.maxDepth { throw DecodeError(message: "GraphQL type nests too deeply") }
        let f = try Fields(value, "ast.Type")
        return GType(named: try f.string("NamedType"), elem: try f.value("Elem").map { try decodeType($0, depth: depth + 1) }, nonNull: try f.bool("NonNull"), pos: nil)
    }

    static func decodeDirectives(_ values: [Value]) throws -> [Directive] {
        try values.map { v in
            let f = try Fields(v, "ast.Directive")
            return Directive(name: try f.string("Name"), arguments: try decodeArguments(try f.array("Arguments")), pos: nil)
        }
    }

    static func decodeArguments(_ values: [Value]) throws -> [Argument] {
        try values.map { v in
            let f = try Fields(v, "ast.Argument")
            return Argument(name: try f.string("Name"), value: try f.value("Value").map { try decodeValue($0) } ?? GValue(raw: "", kind: .null, pos: nil), pos: nil)
        }
    }

    static func decodeVariables(_ values: [Value]) throws -> [VariableDefinition] {
        try values.map { v in
            let f = try Fields(v, "ast.VariableDefinition")
            return VariableDefinition(
                variable: try f.string("Variable"), type: try f.value("Type").map { try decodeType($0) } ?? GType(named: "", elem: nil, nonNull: false, pos: nil),
                defaultValue: try f.value("DefaultValue").map { try decodeValue($0) }, directives: try decodeDirectives(try f.array("Directives")), pos: nil)
        }
    }

    static func decodeSelections(_ values: [Value], depth: Int = 0) throws -> [Selection] {
        if depth > Parser.maxDepth { throw DecodeError(message: "GraphQL selection set nests too deeply") }
        return try values.map { v in
            let f = try Fields(v, "ast.Selection")
            let directives = try decodeDirectives(try f.array("Directives"))
            let selections = try decodeSelections(try f.array("SelectionSet"), depth: depth + 1)
            if f.has("TypeCondition") || (!f.has("Name") && !f.has("Alias")) {
                return .inline(typeCondition: try f.string("TypeCondition"), directives: directives, selections: selections, pos: nil)
            }
            if f.has("Alias") || f.has("Arguments") || f.has("SelectionSet") {
                return .field(Field(alias: try f.string("Alias"), name: try f.string("Name"), arguments: try decodeArguments(try f.array("Arguments")),
                                    directives: directives, selections: selections, pos: nil))
            }
            return .spread(name: try f.string("Name"), directives: directives, pos: nil)
        }
    }

    static func decodeQuery(_ value: Value) throws -> QueryDocument {
        let f = try Fields(value, "ast.QueryDocument")
        var doc = QueryDocument()
        doc.operations = try f.array("Operations").map { v in
            let o = try Fields(v, "ast.OperationDefinition")
            return Operation(operation: try o.string("Operation"), name: try o.string("Name"), variables: try decodeVariables(try o.array("VariableDefinitions")),
                             directives: try decodeDirectives(try o.array("Directives")), selections: try decodeSelections(try o.array("SelectionSet")), pos: nil)
        }
        doc.fragments = try f.array("Fragments").map { v in
            let o = try Fields(v, "ast.FragmentDefinition")
            return Fragment(name: try o.string("Name"), variables: try decodeVariables(try o.array("VariableDefinition")), typeCondition: try o.string("TypeCondition"),
                            directives: try decodeDirectives(try o.array("Directives")), selections: try decodeSelections(try o.array("SelectionSet")), pos: nil)
        }
        return doc
    }

    static func decodeArgumentDefinitions(_ values: [Value]) throws -> [ArgumentDefinition] {
        try values.map { v in
            let f = try Fields(v, "ast.ArgumentDefinition")
            return ArgumentDefinition(
                description: try f.string("Description"), name: try f.string("Name"), defaultValue: try f.value("DefaultValue").map { try decodeValue($0) },
                type: try f.value("Type").map { try decodeType($0) } ?? GType(named: "", elem: nil, nonNull: false, pos: nil),
                directives: try decodeDirectives(try f.array("Directives")), pos: nil)
        }
    }

    static func decodeDefinition(_ value: Value) throws -> Definition {
        let f = try Fields(value, "ast.Definition")
        let d = Definition(kind: try f.string("Kind"), description: try f.string("Description"), name: try f.string("Name"), pos: nil)
        d.directives = try decodeDirectives(try f.array("Directives"))
        d.interfaces = try f.strings("Interfaces")
        d.types = try f.strings("Types")
        d.builtIn = try f.bool("BuiltIn")
        d.fields = try f.array("Fields").map { v in
            let ff = try Fields(v, "ast.FieldDefinition")
            return FieldDef(description: try ff.string("Description"), name: try ff.string("Name"),
                            arguments: try decodeArgumentDefinitions(try ff.array("Arguments")), defaultValue: try ff.value("DefaultValue").map { try decodeValue($0) },
                            type: try ff.value("Type").map { try decodeType($0) } ?? GType(named: "", elem: nil, nonNull: false, pos: nil),
                            directives: try decodeDirectives(try ff.array("Directives")), pos: nil)
        }
        d.enumValues = try f.array("EnumValues").map { v in
            let ef = try Fields(v, "ast.EnumValueDefinition")
            return EnumValueDefinition(description: try ef.string("Description"), name: try ef.string("Name"),
                                       directives: try decodeDirectives(try ef.array("Directives")), pos: nil)
        }
        return d
    }

    static func decodeSchemaDefinitions(_ values: [Value]) throws -> [SchemaDefinition] {
        try values.map { v in
            let f = try Fields(v, "ast.SchemaDefinition")
            return SchemaDefinition(description: try f.string("Description"), directives: try decodeDirectives(try f.array("Directives")),
                                    operationTypes: try f.array("OperationTypes").map { o in
                                        let of = try Fields(o, "ast.OperationTypeDefinition")
                                        return OperationTypeDefinition(operation: try of.string("Operation"), type: try of.string("Type"), pos: nil)
                                    }, pos: nil)
        }
    }

    static func decodeSchema(_ value: Value) throws -> SchemaDocument {
        let f = try Fields(value, "ast.SchemaDocument")
        var doc = SchemaDocument()
        doc.schema = try decodeSchemaDefinitions(try f.array("Schema"))
        doc.schemaExtension = try decodeSchemaDefinitions(try f.array("SchemaExtension"))
        doc.directives = try f.array("Directives").map { v in
            let d = try Fields(v, "ast.DirectiveDefinition")
            return DirectiveDefinition(description: try d.string("Description"), name: try d.string("Name"),
                                       arguments: try decodeArgumentDefinitions(try d.array("Arguments")), locations: try d.strings("Locations"),
                                       isRepeatable: try d.bool("IsRepeatable"), pos: nil)
        }
        doc.definitions = try f.array("Definitions").map(decodeDefinition)
        doc.extensions = try f.array("Extensions").map(decodeDefinition)
        return doc
    }
}
