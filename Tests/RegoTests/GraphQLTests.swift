import Testing
@testable import Rego

@Suite("Builtins: graphql")
struct GraphQLTests {
    static let schema: Value = .string("""
        type Query { hero(episode: Episode!): Character droid(id: ID!): Droid }
        enum Episode { NEWHOPE EMPIRE JEDI }
        interface Character { id: ID! name: String }
        type Droid implements Character { id: ID! name: String primaryFunction: String }
        type Human implements Character { id: ID! name: String height: Float }
        """)

    @Test func parsesQueriesIntoOPAShape() throws {
        let ast = try callBuiltin("graphql.parse_query", "{ a: f(x: [1, \"s\"], y: {k: $v}) @skip(if: true) }")
        let field = ast?.objectValue?["Operations"]?.arrayValue?.first?.objectValue?["SelectionSet"]?.arrayValue?.first?.objectValue
        #expect(field?["Alias"] == "a")
        #expect(field?["Name"] == "f")
        let args = field?["Arguments"]?.arrayValue ?? []
        #expect(args.count == 2)
        #expect(args.first?.objectValue?["Value"]?.objectValue?["Kind"] == 8)
        #expect(field?["Directives"]?.arrayValue?.first?.objectValue?["Name"] == "skip")
    }

    @Test func parseErrorsUseGqlparserWording() {
        #expect(builtinError("graphql.parse_query", "{")?.message == "Expected Name, found <EOF> in GraphQL string at location 1:2")
        #expect(builtinError("graphql.parse_query", "query ($x: Int = $y) { f }")?.message == "Unexpected $ in GraphQL string at location 1:18")
        #expect(builtinError("graphql.parse_schema", "union U = | A |")?.message == "Expected Name, found <EOF> in GraphQL string at location 1:16")
        #expect(builtinError("graphql.parse_schema", "type T {}")?.message == "expected at least one definition, found } in GraphQL string at location 1:9")
        // A lexer error surfaces as an unexpected <Invalid> token where the parser peeks at it.
        #expect(builtinError("graphql.parse_query", "{ f(x: 01) }")?.message == "Unexpected <Invalid> in GraphQL string at location 1:9")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = "{ f(a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + ") }"
        #expect(builtinError("graphql.parse_query", .string(deep))?.message.hasPrefix("Document nests more than 200 levels") == true)
    }

    @Test func blockStringsAreDedented() throws {
        let ast = try callBuiltin("graphql.parse_schema", .string("\"\"\"\n    line one\n      indented\n    \"\"\"\nscalar S"))
        let def = ast?.objectValue?["Definitions"]?.arrayValue?.first?.objectValue
        #expect(def?["Description"] == "line one\n  indented")
    }

    @Test func validatesAgainstTheSchema() throws {
        #expect(try callBuiltin("graphql.is_valid", "{ hero(episode: JEDI) { name ... on Droid { primaryFunction } } }", Self.schema) == true)
        #expect(try callBuiltin("graphql.is_valid", "{ hero(episode: JEDI) { nam } }", Self.schema) == false)
        #expect(builtinError("graphql.parse", "{ hero(episode: JEDI) { nam } }", Self.schema)?.message
            == "Cannot query field \"nam\" on type \"Character\". Did you mean \"name\"? in GraphQL string at location 1:25")
        #expect(builtinError("graphql.parse", "{ hero { name } }", Self.schema)?.message
            == "Field \"hero\" argument \"episode\" of type \"Episode!\" is required, but it was not provided in GraphQL string at location 1:3")
        #expect(builtinError("graphql.parse", "query Q($e: Episode) { hero(episode: $e) { name } }", Self.schema)?.message
            == "Variable \"$e\" of type \"Episode\" used in position expecting type \"Episode!\" in GraphQL string at location 1:38")
        #expect(builtinError("graphql.parse", "{ hero(episode: SITH) { name } }", Self.schema)?.message
            == "Value \"SITH\" does not exist in \"Episode!\" enum in GraphQL string at location 1:17")
        #expect(builtinError("graphql.parse", "query Q($u: Int) { droid(id: \"1\") { id } }", Self.schema)?.message
            == "Variable \"$u\" is never used in operation \"Q\" in GraphQL string at location 1:9")
    }

    @Test func overlappingFieldsMustMerge() throws {
        let schema: Value = "type Query { a(x: Int): String b: String }"
        #expect(try callBuiltin("graphql.is_valid", "{ a(x: 1) a(x: 1) }", schema) == true)
        #expect(builtinError("graphql.parse", "{ a: b a }", schema)?.message
            == "Fields \"a\" conflict because b and a are different fields. Use different aliases on the fields to fetch both if this was intentional in GraphQL string at location 1:8")
        #expect(builtinError("graphql.parse", "{ a(x: 1) a(x: 2) }", schema)?.message
            == "Fields \"a\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional in GraphQL string at location 1:11")
    }

    @Test func verifiesAndRoundTripsASTObjects() throws {
        let query = try #require(try callBuiltin("graphql.parse_query", "{ droid(id: \"2\") { name } }"))
        let schema = try #require(try callBuiltin("graphql.parse_schema", Self.schema))
        let result = try callBuiltin("graphql.parse_and_verify", query, schema)
        #expect(result == .array([.true, query, schema]))
        #expect(try callBuiltin("graphql.parse_and_verify", "{ nope }", schema) == .array([.false, .emptyObject, .emptyObject]))
    }

    @Test func schemaValidity() throws {
        #expect(try callBuiltin("graphql.schema_is_valid", Self.schema) == true)
        #expect(try callBuiltin("graphql.schema_is_valid", "type Query { a: Missing }") == false)
        #expect(try callBuiltin("graphql.schema_is_valid", "type A implements B { x: Int } interface B { y: Int }") == false)
        #expect(try callBuiltin("graphql.schema_is_valid", "extend type Query { a: Int }") == true)
    }
}
