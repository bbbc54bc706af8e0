import Testing
@testable import Rego

@Suite("Compiler: annotations and rego.metadata.*")
struct MetadataTests {
    static let policy = """
        # METADATA
        # title: Package title
        # scope: subpackages
        package a.b

        # METADATA
        # scope: document
        # description: every p
        p := 1 if { false }

        # METADATA
        # title: The rule
        # authors:
        # - Jane Doe <jane@example.com>
        # related_resources:
        # - https://example.com
        p := x if { x := rego.metadata.chain() }

        r := rego.metadata.rule()
        """

    func evaluate(_ query: String) throws -> Value? {
        let q = try PreparedQuery(query: "x = \(query)", modules: [(name: "m.rego", source: Self.policy)], data: .emptyObject, options: .init())
        return try q.evaluate(input: .null).first?["x"]
    }

    @Test func blocksAttachToTheFollowingStatement() throws {
        let module = try Parser.parseModule(file: "m.rego", source: Self.policy)
        #expect(module.annotations.count == 3)
        #expect(module.annotations[0].ruleLocation == nil)
        #expect(module.annotations[0].scope == "subpackages")
        #expect(module.annotations[1].scope == "document")
        #expect(module.annotations[2].value["authors"] == [["name": "Jane Doe", "email": "jane@example.com"]])
        #expect(module.annotations[2].value["related_resources"] == [["ref": "https://example.com"]])
    }

    @Test func chainRunsFromRuleToPackages() throws {
        let chain = try #require(try evaluate("data.a.b.p")?.arrayValue)
        #expect(chain.count == 3)
        #expect(chain[0].objectValue?["annotations"]?.objectValue?["title"] == "The rule")
        #expect(chain[1].objectValue?["annotations"]?.objectValue?["scope"] == "document")
        #expect(chain[2].objectValue?["path"] == ["a", "b"])
        #expect(chain[2].objectValue?["annotations"]?.objectValue?["scope"] == "subpackages")
    }

    @Test func ruleWithoutAnnotationsGetsAnEmptyObject() throws {
        #expect(try evaluate("data.a.b.r") == .emptyObject)
    }
}
