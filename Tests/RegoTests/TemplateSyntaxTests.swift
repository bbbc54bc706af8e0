import Testing
@testable import Rego

@Suite("Parser and compiler: template strings with modifiers and as function arguments")
struct TemplateSyntaxTests {
    func evaluate(_ source: String, _ query: String, input: Value = .null) throws -> Value? {
        let q = try PreparedQuery(query: "x = \(query)", modules: [(name: "t.rego", source: source)], data: .emptyObject, options: .init())
        return try q.evaluate(input: input).first?["x"]
    }

    @Test func withModifierInsideATemplateExpression() throws {
        let source = """
            package t
            a := input.a
            p := x if { x := $"foo {a with input as {"a": 42}}" }
            """
        #expect(try evaluate(source, "data.t.p") == "foo 42")
    }

    @Test func templateAsFunctionArgumentUsesBodyVariables() throws {
        let source = """
            package t
            f($"{x} {input.y}") := 42 if { x = "foo" }
            p := f("foo bar")
            q := f("foo baz")
            """
        #expect(try evaluate(source, "data.t.p", input: ["y": "bar"]) == 42)
        #expect(try evaluate(source, "data.t.q", input: ["y": "bar"]) == nil)
    }
}
