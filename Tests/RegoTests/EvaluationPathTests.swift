import Rego
import Testing

/// The evaluator's fast paths (frame reuse, memo tables by node, constant-key refs,
/// single-valued operands) must give the same answers as the general paths.
@Suite struct EvaluationPathTests {
    static func value(_ policy: String, _ query: String, input: Value?) throws -> Value? {
        let q = try PreparedQuery(query: "x := \(query)", modules: [(name: "p.rego", source: policy)])
        return try q.firstValue(of: "x", input: input)
    }

    @Test func constantKeyRefsOnInputAndLocals() throws {
        let policy = """
            package t
            import rego.v1
            a := input.x.y
            b := v if { some o in input.list; v := o.k.m }
            missing if { input.x.nope.deeper }
            c := n if { o := input.x; n := o.y }
            """
        let input: Value = ["x": ["y": 7], "list": [["k": ["m": "one"]], ["k": [:]]]]
        #expect(try Self.value(policy, "data.t.a", input: input) == .int(7))
        #expect(try Self.value(policy, "data.t.b", input: input) == "one")
        #expect(try Self.value(policy, "data.t.missing", input: input) == nil)
        #expect(try Self.value(policy, "data.t.c", input: input) == .int(7))
    }

    @Test func singleValuedOperandsAndUndefinedItems() throws {
        let policy = """
            package t
            import rego.v1
            names := {"a": "alpha"}
            msgs contains m if {
                some o in input.items
                m := sprintf("%s=%s", [o.k, names[o.k]])
            }
            """
        let input: Value = ["items": [["k": "a"], ["k": "b"]]]
        // "b" has no name: the array literal is undefined, so no message for it.
        #expect(try Self.value(policy, "data.t.msgs", input: input) == .set(SetValue([Value.string("a=alpha")])))
    }

    @Test func framesOfDifferentSizesAreReused() throws {
        let policy = """
            package t
            import rego.v1
            wide(a, b, c, d) := s if {
                e := a + b
                f := c + d
                s := e + f
            }
            narrow(x) := x * 2
            r := [narrow(1), wide(1, 2, 3, 4), narrow(wide(1, 1, 1, 1))]
            """
        #expect(try Self.value(policy, "data.t.r", input: nil) == [.int(2), .int(10), .int(8)])
    }

    @Test func memoisedRulesFollowWithOverrides() throws {
        let policy = """
            package t
            import rego.v1
            double := input.n * 2
            both := [double, d2] if { d2 := double with input.n as 5 }
            """
        #expect(try Self.value(policy, "data.t.both", input: ["n": 1]) == [.int(2), .int(10)])
    }

    @Test func repeatedEvaluationsDoNotShareMemoTables() throws {
        // Evaluating one prepared query many times: each evaluation computes its rules afresh.
        let q = try PreparedQuery(query: "x := data.t.p", modules: [(name: "p.rego", source: "package t\nimport rego.v1\np := input.v + 1\n")])
        for i in 0..<5 {
            #expect(try q.firstValue(of: "x", input: ["v": .int(i)]) == .int(i + 1))
        }
    }

    @Test func locationsKeepTheirFileNames() {
        let a = Location(file: "policies/authz.rego", row: 3, col: 1)
        let b = Location(file: "policies/authz.rego", row: 3, col: 1)
        var c = Location(file: "other.rego", row: 3, col: 1)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != c)
        #expect(a.file == "policies/authz.rego")
        #expect(c.file == "other.rego")
        c.file = "policies/authz.rego"
        #expect(c == a)
        #expect(a.description == "policies/authz.rego:3")
    }

    @Test func compileErrorsNameTheirFile() {
        do {
            _ = try PreparedQuery(query: "x := data.t.p", modules: [(name: "dir/broken.rego", source: "package t\np := [1,\n")])
            Issue.record("expected a parse error")
        } catch let e as CompileFailure {
            #expect(e.errors.first?.location?.file == "dir/broken.rego")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func benchmarkReportsAllocationsFromTheCounter() throws {
        let q = try PreparedQuery(query: "x := 1", modules: [])
        final class Ticks { var n: UInt64 = 0 }
        let ticks = Ticks()
        // A counter that advances by 3 on each read: one read before and one after the timed loop.
        let stats = try Benchmark.run(q, input: nil, iterations: 10) { ticks.n += 3; return ticks.n }
        #expect(stats.allocationsPerEvaluation == 0.3)
        let without = try Benchmark.run(q, input: nil, iterations: 10)
        #expect(without.allocationsPerEvaluation == nil)
    }
}
