import Testing
@testable import Rego

@Suite("Builtins: graph")
struct GraphBuiltinTests {
    @Test func reachablePathsStopAtNodesReachedEarlier() throws {
        // five reaches seven first; six's edge to seven then ends six's path, as in OPA.
        let graph: Value = ["one": ["two", "five"], "two": ["four"], "four": ["three"], "three": [""],
                            "five": ["seven", "six"], "six": ["nine", "seven"], "seven": ["eight"], "eight": ["three"], "nine": [""]]
        let paths = try callBuiltin("graph.reachable_paths", graph, .set(SetValue(["one"])))
        let want: [Value] = [["one", "five", "seven", "eight", "three"], ["one", "five", "six"], ["one", "five", "six", "nine"], ["one", "two", "four", "three"]]
        #expect(paths == .set(SetValue(want)))
    }
}
