import Rego
import Testing

@Suite struct ParserTests {
    static let policy = """
        package authz

        import rego.v1

        default allow := false

        allow if {
        \tsome role in input.roles
        \trole == "admin"
        }

        deny contains msg if {
        \tsome i, f in input.findings
        \tf.severity >= 3
        \tmsg := sprintf("finding %d: %s", [i, f.id])
        }

        f(x) := y if { y := x * 2 } else := 0

        names := [n | some n in input.names; startswith(n, "a")]
        t := $"hello {input.name}"
        """

    @Test func formatRoundTripIsStable() throws {
        let m1 = try Parser.parseModule(file: "p.rego", source: Self.policy)
        let text1 = Formatter.format(m1)
        let m2 = try Parser.parseModule(file: "p.rego", source: text1)
        let text2 = Formatter.format(m2)
        #expect(text1 == text2)
        #expect(m1.rules.count == m2.rules.count)
    }

    @Test func syntaxErrorHasPosition() {
        do {
            _ = try Parser.parseModule(file: "bad.rego", source: "package x\n\np if {\n\tx := [1, 2\n}\n")
            Issue.record("expected a parse error")
        } catch let e as RegoError {
            #expect(e.code == "rego_parse_error")
            #expect(e.location?.file == "bad.rego")
            #expect((e.location?.row ?? 0) >= 4)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func deepNestingIsRejectedNotCrashing() {
        let deep = "package x\np := " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: RegoError.self) { try Parser.parseModule(file: "deep.rego", source: deep) }
    }
}

@Suite struct CompilerTests {
    @Test func unsafeVariableIsReported() {
        do {
            _ = try PreparedQuery(query: "data.x.p", modules: [("a.rego", "package x\n\np if {\n\ty > 1\n}\n")])
            Issue.record("expected compile failure")
        } catch let f as CompileFailure {
            #expect(f.errors.first?.code == "rego_unsafe_var_error")
            #expect(f.errors.first?.message == "var y is unsafe")
            #expect(f.errors.first?.location?.row == 4)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func undefinedFunctionIsATypeError() {
        #expect(throws: CompileFailure.self) {
            _ = try PreparedQuery(query: "data.x.p", modules: [("a.rego", "package x\n\np if nope(1)\n")])
        }
    }

    @Test func bodyIsReorderedForSafety() throws {
        let q = try PreparedQuery(query: "data.x.p = v", modules: [("a.rego", "package x\n\np := y if {\n\ty > 1\n\ty = 2\n}\n")])
        #expect(try q.evaluate(input: nil) == [["v": 2]])
    }
}

@Suite struct EvaluatorTests {
    @Test func typicalPolicy() throws {
        let q = try PreparedQuery(query: "a := data.authz.allow; d := data.authz.deny", modules: [("p.rego", ParserTests.policy)])
        let input: Value = ["roles": ["dev", "admin"], "findings": [["id": "x", "severity": 4], ["id": "y", "severity": 1]], "names": ["ab", "b"], "name": "n"]
        let rows = try q.evaluate(input: input)
        #expect(rows.count == 1)
        #expect(rows[0]["a"] == true)
        #expect(rows[0]["d"] == .set(SetValue(["finding 0: x"])))
    }

    @Test func conflictIsAnError() throws {
        let q = try PreparedQuery(query: "data.x.p = v", modules: [("a.rego", "package x\n\np := 1\np := 2\n")])
        do {
            _ = try q.evaluate(input: nil)
            Issue.record("expected conflict")
        } catch let e as RegoError {
            #expect(e.code == "eval_conflict_error")
        }
    }

    @Test func stepBudgetStopsExplosions() throws {
        var options = PreparedQuery.Options()
        options.stepBudget = 1000
        let q = try PreparedQuery(query: "data.x.p = v", modules: [("a.rego", "package x\n\np := count([1 | some a in numbers.range(1, 100); some b in numbers.range(1, 100)])\n")], options: options)
        #expect(throws: RegoError.self) { try q.evaluate(input: nil) }
    }

    @Test func strictBuiltinErrors() throws {
        var options = PreparedQuery.Options()
        let module = [("a.rego", "package x\n\np := 1 / 0\n")]
        let lax = try PreparedQuery(query: "data.x.p = v", modules: module, options: options)
        #expect(try lax.evaluate(input: nil).isEmpty)
        options.strictBuiltinErrors = true
        let strict = try PreparedQuery(query: "data.x.p = v", modules: module, options: options)
        #expect(throws: RegoError.self) { try strict.evaluate(input: nil) }
    }

    @Test func concurrentEvaluationsShareThePreparedQuery() async throws {
        let q = try PreparedQuery(query: "x := data.authz.allow", modules: [("p.rego", ParserTests.policy)])
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let roles: Value = i % 2 == 0 ? ["admin"] : ["dev"]
                    let v = try q.evaluate(input: ["roles": roles])[0]["x"]
                    return v == .bool(i % 2 == 0)
                }
            }
            var all: [Bool] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.allSatisfy { $0 })
    }
}
