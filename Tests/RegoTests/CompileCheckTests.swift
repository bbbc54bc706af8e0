@testable import Rego
import Testing

/// Compiles one module and returns the error lines (`file:row: code: message`), or `[]` on success.
func compileErrors(_ source: String, file: String = "test-0.rego") -> [String] {
    do {
        _ = try PreparedQuery(query: "true", modules: [(name: file, source: source)])
        return []
    } catch let f as CompileFailure {
        return f.errors.map(\.description)
    } catch let e as RegoError {
        return [e.description]
    } catch {
        return ["unexpected: \(error)"]
    }
}

@Suite struct RecursionCheckTests {
    @Test func mutualRecursionIsReportedForEachRule() {
        let errs = compileErrors("package x\n\np if { q }\nq if { p }\n")
        #expect(errs == [
            "test-0.rego:3: rego_recursion_error: rule data.x.p is recursive: data.x.p -> data.x.q -> data.x.p",
            "test-0.rego:4: rego_recursion_error: rule data.x.q is recursive: data.x.q -> data.x.p -> data.x.q",
        ])
    }

    @Test func selfRecursiveFunction() {
        let errs = compileErrors("package x\n\nf(x) := y if { y := f(x) }\n")
        #expect(errs == ["test-0.rego:3: rego_recursion_error: rule data.x.f is recursive: data.x.f -> data.x.f"])
    }

    @Test func recursionThroughComprehensionAndPrefixRef() {
        let errs = compileErrors("package x\n\nacp contains x if { acq[x] }\nacq contains x if { a := [true | acp[_]]; x := a[_] }\nprefix if { data.x }\n")
        #expect(errs == [
            "test-0.rego:3: rego_recursion_error: rule data.x.acp is recursive: data.x.acp -> data.x.acq -> data.x.acp",
            "test-0.rego:4: rego_recursion_error: rule data.x.acq is recursive: data.x.acq -> data.x.acp -> data.x.acq",
            "test-0.rego:5: rego_recursion_error: rule data.x.prefix is recursive: data.x.prefix -> data.x.prefix",
        ])
    }

    @Test func elseClauseIsItsOwnNode() {
        let errs = compileErrors("package x\n\ng(x) := 1 if { x == 1 } else := 2 if { h(x) }\nh(x) if { g(x) }\n")
        #expect(errs == [
            "test-0.rego:3: rego_recursion_error: rule data.x.g is recursive: data.x.g -> data.x.h -> data.x.g",
            "test-0.rego:4: rego_recursion_error: rule data.x.h is recursive: data.x.h -> data.x.g -> data.x.h",
        ])
    }

    @Test func recursionAcrossPackagesAndImports() {
        let a = "package a\n\nimport data.b.q\n\np if { q }\n"
        let b = "package b\n\nq if { data.a.p }\n"
        do {
            _ = try PreparedQuery(query: "true", modules: [(name: "a.rego", source: a), (name: "b.rego", source: b)])
            Issue.record("expected a recursion error")
        } catch let f as CompileFailure {
            #expect(f.errors.map(\.description) == [
                "a.rego:5: rego_recursion_error: rule data.a.p is recursive: data.a.p -> data.b.q -> data.a.p",
                "b.rego:3: rego_recursion_error: rule data.b.q is recursive: data.b.q -> data.a.p -> data.b.q",
            ])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func refHeadRulesPrintTheirFullRef() {
        let errs = compileErrors("package y\n\na.b[c] := 1 if { c := \"k\"; data.y.a.b.z }\na.b.z := 1\n")
        #expect(errs == ["test-0.rego:3: rego_recursion_error: rule data.y.a.b[c] is recursive: data.y.a.b[c] -> data.y.a.b[c]"])
    }

    @Test func nonRecursiveProgramsCompile() {
        #expect(compileErrors("package x\n\np if { q }\nq if { r }\nr := 1\nf(x) := g(x) + 1\ng(x) := x\ns contains y if { some y in [1, 2]; p }\n").isEmpty)
        // Sibling packages may refer to each other's rules without a cycle.
        #expect(compileErrors("package x\n\np := data.y.q\n").isEmpty)
    }
}

@Suite struct CallCheckTests {
    @Test func builtinArityMismatch() {
        let errs = compileErrors("package t\n\nb if { count(1, 2, 3) }\n")
        #expect(errs == ["test-0.rego:3: rego_type_error: count: arity mismatch\n\thave: (number, number, number)\n\twant: (collection: any<string, array[any], object[any: any], set[any]>)"])
    }

    @Test func nestedCallsHaveNoOutputArgument() {
        #expect(compileErrors("package t\n\nx := json.marshal(1, 2)\n") == ["test-0.rego:3: rego_type_error: json.marshal: arity mismatch\n\thave: (number, number, ???)\n\twant: (x: any)"])
        #expect(compileErrors("package t\n\nf(x) := x\nq := f(1, 2)\n") == ["test-0.rego:4: rego_type_error: function data.t.f has arity 1, got 2 arguments"])
    }

    @Test func userFunctionArity() {
        #expect(compileErrors("package t\n\nd := f(1, 2, 3)\nf(x) := x\n") == ["test-0.rego:3: rego_type_error: function data.t.f has arity 1, got 3 arguments"])
        #expect(compileErrors("package t\n\nd := f(1)\nf(x, y) := x\n") == ["test-0.rego:3: rego_type_error: function data.t.f has arity 2, got 1 argument"])
        // The output form (one extra argument) is allowed.
        #expect(compileErrors("package t\n\nd if { f(1, y); y == 1 }\nf(x) := x\n").isEmpty)
    }

    @Test func operandTypeErrors() {
        let errs = compileErrors("package t\n\na := count(1)\nc if { x := \"a\"; y := x + 1 }\ne if { concat(\",\", [1, 2]) }\nj := abs(upper(\"a\"))\n")
        #expect(errs == [
            "test-0.rego:3: rego_type_error: count: invalid argument(s)\n\thave: (number, ???)\n\twant: (collection: any<string, array[any], object[any: any], set[any]>, n: number)",
            "test-0.rego:4: rego_type_error: plus: invalid argument(s)\n\thave: (string, number, ???)\n\twant: (x: number, y: number, z: number)",
            "test-0.rego:5: rego_type_error: concat: invalid argument(s)\n\thave: (string, array<number, number>)\n\twant: (delimiter: string, collection: any<array[string], set[string]>, output: string)",
            "test-0.rego:6: rego_type_error: abs: invalid argument(s)\n\thave: (string, ???)\n\twant: (x: number, y: number)",
        ])
    }

    @Test func queriesAreCheckedToo() {
        do {
            _ = try PreparedQuery(query: "x := upper(1)", modules: [])
            Issue.record("expected a type error")
        } catch let f as CompileFailure {
            #expect(f.errors.map(\.message) == ["upper: invalid argument(s)\n\thave: (number, ???)\n\twant: (x: string, y: string)"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func unknownTypesAreNotRejected() {
        // input, data, rule values, function arguments, iteration and comparisons after the first binding.
        let ok = """
            package u

            a if { some x in ["a", 1]; x = 1; abs(x) }
            b if { some x in ["a", 1]; x = "a"; upper(x) }
            c := [upper(x) | some x in ["a"]]
            d := y if { x := {"a": 1}; y := object.get(x, "a", 0) }
            e := y if { x := [1, 2]; y := array.concat(x, [3]) }
            g := s if { s := {x | some x in [1]}; count(s) > 0 }
            h := upper(input.name)
            i := count(data.u.c)
            f(x) := upper(x)
            k := to_number("1") + 1
            """
        #expect(compileErrors(ok).isEmpty)
    }

    @Test func staticTypeNotation() {
        #expect(StaticType.text(StaticType(of: .array([.int(1), .string("a")]))) == "array<number, string>")
        #expect(StaticType.text(StaticType(.anyOf([.set(.any), .string, .array(.any)]))) == "any<string, array[any], set[any]>")
        #expect(StaticType.text(StaticType(.object(.string, .any))) == "object[string: any]")
        #expect(StaticType.unifies(.number, .any([.string, .number])))
        #expect(!StaticType.unifies(.array(fixed: [.number], dynamic: nil), .array(fixed: [], dynamic: .string)))
    }
}

@Suite struct EmptyPackageTests {
    @Test func packageWithoutRulesIsAnEmptyObject() throws {
        let q = try PreparedQuery(query: "x = data", modules: [
            (name: "a.rego", source: "package a.b\n\n# no rules\n"),
            (name: "x.rego", source: "package x\n\np := data.a.b\n"),
        ])
        let rows = try q.evaluate(input: nil)
        let want = try JSON.parse(#"{"a": {"b": {}}, "x": {"p": {}}}"#)
        #expect(rows.count == 1)
        #expect(rows.first?["x"] == want)
        // Below an empty package nothing is defined.
        let q2 = try PreparedQuery(query: "x = data.a.b.c", modules: [(name: "a.rego", source: "package a.b\n")])
        #expect(try q2.evaluate(input: nil).isEmpty)
    }
}

@Suite struct BatchErrorTests {
    @Test func everyCompileErrorReachesTheBatchMessage() {
        let outcome = CaseOutcome.errors([
            RegoError(code: "rego_recursion_error", message: "rule data.x.p is recursive: data.x.p -> data.x.q -> data.x.p", location: Location(file: "test-0.rego", row: 3, col: 1)),
            RegoError(code: "rego_recursion_error", message: "rule data.x.q is recursive: data.x.q -> data.x.p -> data.x.q", location: Location(file: "test-0.rego", row: 4, col: 1)),
        ])
        let error = outcome.responseJSON["error"]
        #expect(error?["code"] == .string("rego_recursion_error"))
        #expect(error?["location"] == .string("test-0.rego:3"))
        #expect(error?["message"] == .string("rule data.x.p is recursive: data.x.p -> data.x.q -> data.x.p\ntest-0.rego:4: rego_recursion_error: rule data.x.q is recursive: data.x.q -> data.x.p -> data.x.q"))
    }
}

@Suite struct DeclarationCheckTests {
    @Test func variablesIntroducedTwiceInOneScope() {
        #expect(compileErrors("package t\n\np if { x := 1; x := 2 }\n") == ["test-0.rego:3: rego_compile_error: var x assigned above"])
        #expect(compileErrors("package t\n\np if { x = 1; x := 2 }\n") == ["test-0.rego:3: rego_compile_error: var x referenced above"])
        #expect(compileErrors("package t\n\np if { some x; x := 2 }\n") == ["test-0.rego:3: rego_compile_error: var x declared above"])
        #expect(compileErrors("package t\n\nf(x) := y if { x := 2; y := 1 }\n") == ["test-0.rego:3: rego_compile_error: arg x redeclared"])
    }

    @Test func nestedScopesMayShadow() {
        #expect(compileErrors("package t\n\np if { x := 1; y := [x | x := 2]; count(y) == 1 }\n").isEmpty)
        #expect(compileErrors("package t\n\np if { x := 1; every y in [1] { x := y } }\n").isEmpty)
        // A local may shadow a rule of the package.
        #expect(compileErrors("package t\n\nq := 1\np if { q := 2; q == 2 }\n").isEmpty)
        #expect(compileErrors("package t\n\np if { [x, y] := [1, 2]; x + y == 3 }\n").isEmpty)
    }

    @Test func rootDocumentsAndImports() {
        #expect(compileErrors("package t\n\np if { input := 1 }\n") == ["test-0.rego:3: rego_compile_error: variables must not shadow input (use a different variable name)"])
        #expect(compileErrors("package t\n\ndata := 1\n") == ["test-0.rego:3: rego_compile_error: rules must not shadow data (use a different rule name)"])
        #expect(compileErrors("package t\n\nimport data.foo\nimport data.bar as foo\n\np := 1\n") == ["test-0.rego:4: rego_compile_error: import must not shadow import data.foo"])
    }
}

@Suite struct RuleConflictTests {
    @Test func kindsAritiesAndCompleteVersusPartial() {
        #expect(compileErrors("package t\n\np := 1\np contains 2\n") == ["test-0.rego:3: rego_type_error: conflicting rules data.t.p found"])
        #expect(compileErrors("package t\n\nf(x) := 1\nf(x, y) := 2\n") == ["test-0.rego:3: rego_type_error: conflicting rules data.t.f found"])
        #expect(compileErrors("package t\n\np[x] := 1 if { x := \"a\" }\np := 2\n") == ["test-0.rego:3: rego_type_error: conflicting rules data.t.p found"])
    }

    @Test func groundRuleWithRulesBelow() {
        #expect(compileErrors("package t\n\np := 1\np.q := 2\np.r.s := 3\n") == ["test-0.rego:3: rego_type_error: rule data.t.p conflicts with [data.t.p.q data.t.p.r.s]"])
        // A variable in the ref leaves room for other rules below.
        #expect(compileErrors("package t\n\np.q[x] := 1 if { x := \"a\" }\np.q.r := 2\n").isEmpty)
    }

    @Test func multipleDefaultsAreReportedAtThePackage() {
        #expect(compileErrors("package t\n\ndefault p := 1\ndefault p := 2\n") == ["test-0.rego:1: rego_type_error: multiple default rules data.t.p found at test-0.rego:3, test-0.rego:4"])
    }

    @Test func compatibleDefinitionsCompile() {
        #expect(compileErrors("package t\n\np contains 1\np contains 2\nq := 1 if input.x\nq := 2 if input.y\ndefault q := 0\nf(x) := 1 if x\nf(x) := 2 if not x\n").isEmpty)
    }
}

@Suite struct VirtualDocumentMergeTests {
    func evaluate(_ source: String, _ query: String, data: Value = .emptyObject) throws -> [[String: Value]] {
        try PreparedQuery(query: query, modules: [(name: "test-0.rego", source: source)], data: data).evaluate(input: nil)
    }

    func conflictCode(_ source: String, _ query: String) -> String? {
        do { _ = try evaluate(source, query); return nil } catch let e as RegoError { return e.code } catch { return "\(error)" }
    }

    @Test func rulesBelowMayNotWriteIntoAnotherRulesValue() {
        #expect(conflictCode("package test\n\np[q].r.s := i if q := [\"a\", \"b\"][i]\n\np.a.r := 42\n", "x = data.test.p") == "eval_conflict_error")
        #expect(conflictCode("package test\n\np[q].r := v if { q := \"q\"; v := {\"s\": {\"t\": 1}} }\n\np.q.r.s.u := 42\n", "x = data.test.p") == "eval_conflict_error")
        // Disjoint paths merge.
        let rows = try? evaluate("package test\n\np[q].r := 1 if q := \"a\"\n\np.b.r := 2\n", "x = data.test.p")
        #expect(rows?.first?["x"] == (try? JSON.parse(#"{"a": {"r": 1}, "b": {"r": 2}}"#)))
    }

    @Test func setLeavesMergeAndDeepQueriesSeeBoth() throws {
        let src = "package test\n\np[q].r contains s if { x := [\"a\", \"b\", \"c\"]; q := x[_]; s := x[_]; q != s }\n\np.b.r contains \"foo\"\n"
        let rows = try evaluate(src, "x = data.test.p.b.r.c")
        #expect(rows.first?["x"] == .string("c"))
    }

    @Test func baseDocumentKeepsItsScalars() throws {
        let data = try JSON.parse(#"{"t": {"k": "foo"}}"#)
        let rows = try evaluate("package t\n\nk := \"bar\"\nj := 1\n", "x = data.t", data: data)
        #expect(rows.first?["x"] == (try JSON.parse(#"{"k": "foo", "j": 1}"#)))
    }

    @Test func runtimeIsEmptyWithoutEnvironment() throws {
        let rows = try evaluate("package t\n\np := opa.runtime()\n", "x = data.t.p")
        #expect(rows.first?["x"] == .emptyObject)
    }
}

@Suite struct ElseAndCallNameTests {
    @Test func elseIsRejectedOnMultiValueAndVariableHeads() {
        #expect(compileErrors("package t\n\np contains x if { x := 1 } else := 2\n") == ["test-0.rego:3: rego_parse_error: else keyword cannot be used on multi-value rules"])
        #expect(compileErrors("package t\n\np[x] := 1 if { x := 1 } else := 2\n") == ["test-0.rego:3: rego_parse_error: else keyword cannot be used on rules with variables in head"])
        #expect(compileErrors("package t\n\np.q := 1 if { false } else := 2\n").isEmpty)
    }

    @Test func callingARuleNamesItsFullRef() {
        #expect(compileErrors("package t\n\np := 1\nq := p(1)\n") == ["test-0.rego:4: rego_type_error: function data.t.p has arity 0, got 1 argument"])
        #expect(compileErrors("package t\n\np := 1\nq if { p(1) }\n") == ["test-0.rego:4: rego_type_error: undefined function data.t.p"])
        #expect(compileErrors("package t\n\nq := foo.bar(1)\n") == ["test-0.rego:3: rego_type_error: undefined function foo.bar"])
    }
}
