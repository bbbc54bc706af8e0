import Testing
@testable import Rego

@Suite("Builtins: strings.render_template and small helpers")
struct TemplateTests {
    @Test func rendersGoTemplates() throws {
        #expect(try callBuiltin("strings.render_template", "{{.test}}", ["test": "hello world"]) == "hello world")
        #expect(try callBuiltin("strings.render_template", "{{range $i, $name := .names}}{{if $i}} {{end}}hello {{$name}}{{end}}",
                                ["names": ["world", "everyone"]]) == "hello world hello everyone")
        #expect(try callBuiltin("strings.render_template", "{{if .on}}yes{{else}}no{{end}} {{with .o}}{{.k}}{{end}}",
                                ["on": false, "o": ["k": "v"]]) == "no v")
        #expect(try callBuiltin("strings.render_template", "{{.n}} {{.m}} {{.f}} {{.a}} {{len .a}} {{index .a 1}}",
                                ["n": 42, "m": 1_000_000, "f": 1.5, "a": [1, "b"]]) == "42 1e+06 1.5 [1 b] 2 b")
        #expect(try callBuiltin("strings.render_template", "a {{- /* note */ -}} b {{- \"c\" }}", .emptyObject) == "abc")
    }

    @Test func missingKeysAreErrors() {
        #expect(builtinError("strings.render_template", "{{.missing}}", .emptyObject)?.message
            == "template: template:1:2: executing \"template\" at <.missing>: map has no entry for key \"missing\"")
    }

    @Test func testSleepValidatesItsDuration() throws {
        #expect(try callBuiltin("test.sleep", "1ms") == .null)
        #expect(builtinError("test.sleep", "soon") != nil)
    }

    @Test func rsaPrivateKeyAsJWK() throws {
        let jwk = try callBuiltin("crypto.x509.parse_rsa_private_key", .string(X509Tests.key))?.objectValue
        #expect(jwk?["kty"] == "RSA")
        #expect(jwk?["e"] == "AQAB")
        #expect(builtinError("crypto.x509.parse_rsa_private_key", "")?.message == "input PEM data was empty")
    }
}
