/// `graphql.parse_query`, `graphql.parse_schema`, `graphql.parse`, `graphql.parse_and_verify`,
/// `graphql.is_valid` and `graphql.schema_is_valid`.
enum GraphQLBuiltins {
    static let document = BuiltinType.anyOf([.string, .object(.any, .any)])

    /// OPA's wording for a syntax error: `<message> in GraphQL string at location L:C`.
    static func syntaxMessage(_ failure: GraphQL.Failure) -> String {
        let pos = failure.pos ?? GraphQL.Pos()
        return "\(failure.message) in GraphQL string at location \(pos.line):\(pos.column)"
    }

    /// gqlerror's text for one error: `input:L:C: message` (or `input: message` without a position).
    static func gqlText(_ failure: GraphQL.Failure) -> String {
        if let pos = failure.pos { return "input:\(pos.line):\(pos.column): \(failure.message)" }
        return "input: \(failure.message)"
    }

    /// OPA's wording for validation errors: the error list's text split at its first three colons.
    static func validationMessage(_ failures: [GraphQL.Failure]) -> String {
        let text = failures.map { gqlText($0) + "\n" }.joined()
        let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        var message = String((parts.last ?? "").drop { $0 == " " })
        while message.hasSuffix(".") || message.hasSuffix("\n") { message.removeLast() }
        guard parts.count >= 4 else { return message }
        return "\(message) in GraphQL string at location \(parts[1]):\(parts[2])"
    }

    static func query(_ value: Value) throws -> GraphQL.QueryDocument {
        switch value {
        case .string(let text):
            do { return try GraphQL.parseQuery(text) } catch let f as GraphQL.Failure { throw BuiltinError.builtin(syntaxMessage(f)) }
        default:
            do { return try GraphQL.decodeQuery(value) } catch let e as GraphQL.DecodeError { throw BuiltinError.builtin(e.message) }
        }
    }

    static func schemaDocument(_ value: Value) throws -> GraphQL.SchemaDocument {
        switch value {
        case .string(let text):
            do { return try GraphQL.parseSchema(text) } catch let f as GraphQL.Failure { throw BuiltinError.builtin(syntaxMessage(f)) }
        default:
            do { return try GraphQL.decodeSchema(value) } catch let e as GraphQL.DecodeError { throw BuiltinError.builtin(e.message) }
        }
    }

    static func schema(_ doc: GraphQL.SchemaDocument) throws -> GraphQL.Schema {
        do { return try GraphQL.buildSchema(doc) } catch let f as GraphQL.Failure {
            throw BuiltinError.builtin("error in schema: " + gqlText(f))
        }
    }

    /// Parses both documents, validates the query; returns their AST values.
    static func parseAndValidate(_ q: Value, _ s: Value) throws -> (Value, Value) {
        let schemaDoc = try schemaDocument(s)
        let schemaAST = GraphQL.encode(schemaDoc)
        let built = try schema(schemaDoc)
        let queryDoc = try query(q)
        let queryAST = GraphQL.encode(queryDoc)
        let failures = GraphQL.validate(built, queryDoc)
        if !failures.isEmpty { throw BuiltinError.builtin(validationMessage(failures)) }
        return (queryAST, schemaAST)
    }

    static let all: [Builtin] = [
        Builtin("graphql.parse_query", [.string], .object(.any, .any)) { a, _ in
            GraphQL.encode(try query(a[0]))
        },
        Builtin("graphql.parse_schema", [.string], .object(.any, .any)) { a, _ in
            GraphQL.encode(try schemaDocument(a[0]))
        },
        Builtin("graphql.parse", [document, document], .array(.object(.any, .any))) { a, _ in
            let (q, s) = try parseAndValidate(a[0], a[1])
            return .array([q, s])
        },
        Builtin("graphql.parse_and_verify", [document, document], .array(.any)) { a, _ in
            guard let (q, s) = try? parseAndValidate(a[0], a[1]) else { return .array([.false, .emptyObject, .emptyObject]) }
            return .array([.true, q, s])
        },
        Builtin("graphql.is_valid", [document, document], .boolean) { a, _ in
            .bool((try? parseAndValidate(a[0], a[1])) != nil)
        },
        Builtin("graphql.schema_is_valid", [document], .boolean) { a, _ in
            guard let doc = try? schemaDocument(a[0]) else { return .false }
            return .bool((try? schema(doc)) != nil)
        },
    ]
}
