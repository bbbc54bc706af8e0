import Rego
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
            "test-0.rego:3: rego_recursion_error: rule p is recursive: p -> q -> p",
            "test-0.rego:4: rego_recursion_error: rule q is recursive: q -> p -> q",
        ])
    }

    @Test func selfRecursiveFunction() {
        let errs = compileErrors("package x\n\nf(x) := y if { y := f(x) }\n")
        #expect(errs == ["test-0.rego:3: rego_recursion_error: rule f is recursive: f -> f"])
    }

    @Test func recursionThroughComprehensionAndPrefixRef() {
        let errs = compileErrors("package x\n\nacp contains x if { acq[x] }\nacq contains x if { a := [true | acp[_]]; x := a[_] }\nprefix if { data.x }\n")
        #expect(errs == [
            "test-0.rego:3: rego_recursion_error: rule acp is recursive: acp -> acq -> acp",
            "test-0.rego:4: rego_recursion_error: rule acq is recursive: acq -> acp -> acq",
            "test-0.rego:5: rego_recursion_error: rule prefix is recursive: prefix -> prefix",
        ])
    }

    @Test func elseClauseIsItsOwnNode() {
        let errs = compileErrors("package x\n\ng(x) := 1 if { x == 1 } else := 2 if { h(x) }\nh(x) if { g(x) }\n")
        #expect(errs == [
            "test-0.rego:3: rego_recursion_error: rule g is recursive: g -> h -> g",
            "test-0.rego:4: rego_recursion_error: rule h is recursive: h -> g -> h",
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
                "a.rego:5: rego_recursion_error: rule p is recursive: p -> q -> p",
                "b.rego:3: rego_recursion_error: rule q is recursive: q -> p -> q",
            ])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func nonRecursiveProgramsCompile() {
        #expect(compileErrors("package x\n\np if { q }\nq if { r }\nr := 1\nf(x) := g(x) + 1\ng(x) := x\ns contains y if { some y in [1, 2]; p }\n").isEmpty)
        // Sibling packages may refer to each other's rules without a cycle.
        #expect(compileErrors("package x\n\np := data.y.q\n").isEmpty)
    }
}
