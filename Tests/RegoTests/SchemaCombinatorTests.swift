import Testing
@testable import Rego

@Suite("Builtins: JSON Schema combinators")
struct SchemaCombinatorTests {
    func types(_ document: Value, _ schema: Value) throws -> [String] {
        let result = try callBuiltin("json.match_schema", document, schema)?.arrayValue
        return (result?.last?.arrayValue ?? []).compactMap { $0.objectValue?["type"]?.stringValue }
    }

    @Test func oneOfNeedsExactlyOneMatch() throws {
        #expect(try types(["a": 5], ["oneOf": [["type": "object"], ["required": ["a"]]]]) == ["number_one_of"])
        #expect(try types(["a": 5], ["oneOf": [["type": "object"], ["required": ["b"]]]]) == [])
    }

    @Test func anyOfReportsTheClosestBranch() throws {
        let schema: Value = ["properties": ["n": ["anyOf": [["type": "string"], ["minimum": 10]]]]]
        #expect(try types(["n": 5], schema) == ["number_any_of", "invalid_type"])
        #expect(try types(["n": 12], schema) == [])
    }

    @Test func allOfAndNot() throws {
        #expect(try types(["n": 5], ["properties": ["n": ["not": ["type": "number"]]]]) == ["number_not"])
        #expect(try types(["n": 5], ["properties": ["n": ["allOf": [["minimum": 1], ["maximum": 3]]]]]) == ["number_lte", "number_all_of"])
    }
}
