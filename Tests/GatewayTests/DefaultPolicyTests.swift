import Detection
import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

/// The default policy (real Rego engine) against the table of docs/serve.md.
@Suite struct DefaultPolicyTests {
    /// A scanner that reports exactly the findings a case names.
    struct ScriptedScanner: ContentScanner {
        func scan(_ text: String) throws -> ScanResult {
            // Content is "TYPE TYPE ..." with an optional "INJECTION" word.
            var findings: [Finding] = []
            var offset = 0
            var attack = false
            for word in text.split(separator: " ", omittingEmptySubsequences: false) {
                if word == "INJECTION" {
                    attack = true
                } else if !word.isEmpty {
                    findings.append(Finding(type: String(word), start: offset, end: offset + word.count, score: 0.9))
                }
                offset += word.count + 1
            }
            return ScanResult(findings: findings, injection: InjectionResult(score: attack ? 0.95 : 0.05, attack: attack, signatures: []))
        }

        func redact(_ text: String, findings: [Finding]) -> String {
            Detection.redact(text, findings: findings, style: .label)
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var content: String
        var direction: String
        var provider = "openai"
        var expected: String
        var description: String { "\(direction) \(provider) [\(content)] → \(expected)" }
    }

    static let cases: [Case] = [
        Case(content: "INJECTION", direction: "request", expected: "block"),
        Case(content: "INJECTION", direction: "response", expected: "warn"),
        Case(content: "SECRET", direction: "request", expected: "block"),
        Case(content: "SECRET", direction: "response", expected: "redact"),
        Case(content: "CREDIT_CARD", direction: "request", expected: "redact"),
        Case(content: "IBAN_CODE", direction: "response", expected: "redact"),
        Case(content: "US_SSN", direction: "request", expected: "redact"),
        Case(content: "US_PASSPORT", direction: "request", expected: "redact"),
        Case(content: "UK_NINO", direction: "request", expected: "redact"),
        Case(content: "MEDICAL_RECORD_NUMBER", direction: "request", expected: "block"),
        Case(content: "US_NPI", direction: "request", provider: "azure-openai", expected: "redact"),
        Case(content: "ICD10_CODE", direction: "response", expected: "redact"),
        Case(content: "EMAIL_ADDRESS PHONE_NUMBER PERSON", direction: "request", expected: "allow"),
        Case(content: "IP_ADDRESS", direction: "response", expected: "allow"),
        Case(content: "", direction: "request", provider: "mistral", expected: "block"),
        Case(content: "", direction: "response", provider: "mistral", expected: "allow"),
        // Precedence: block > redact > warn > allow.
        Case(content: "US_SSN SECRET", direction: "request", expected: "block"),
        Case(content: "CREDIT_CARD INJECTION", direction: "response", expected: "redact"),
        Case(content: "EMAIL_ADDRESS INJECTION", direction: "response", expected: "warn"),
    ]

    @Test(arguments: cases) func tableDecision(_ testCase: Case) async throws {
        let fixture = try await Fixture.make(engine: RegoPolicyEngine(), scanner: ScriptedScanner(), configuration: GatewayConfiguration(decisionBudget: .seconds(30)), policy: nil)
        try await fixture.application.test(.router) { client in
            let config: JSONValue = ["config": ["allowed_providers": ["openai", "azure-openai"], "baa_providers": ["azure-openai"]]]
            let put = try await client.execute(uri: "/api/v1/config", method: .put, headers: fixture.headers("acme", .admin), body: config.buffer)
            #expect(put.status == .ok)
            let response = try await client.execute(
                uri: "/api/v1/enforce", method: .post, headers: fixture.headers("acme", .agent),
                body: enforceBody(testCase.content, direction: testCase.direction, provider: testCase.provider))
            #expect(response.status == .ok)
            #expect(response.body.json["decision"] == .string(testCase.expected), "\(testCase) gave \(String(buffer: response.body))")
            #expect(response.body.json["fail_mode"] == nil)
        }
    }

    @Test func redactionReplacesOnlyTheRedactedTypes() async throws {
        let fixture = try await Fixture.make(engine: RegoPolicyEngine(), scanner: ScriptedScanner(), configuration: GatewayConfiguration(decisionBudget: .seconds(30)), policy: nil)
        try await fixture.application.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/enforce", method: .post, headers: fixture.headers("acme", .agent),
                body: enforceBody("US_SSN EMAIL_ADDRESS", direction: "request"))
            #expect(response.body.json["decision"] == "redact")
            #expect(response.body.json["redacted_content"] == "[REDACTED:US_SSN] EMAIL_ADDRESS")
            #expect(response.body.json["reasons"] == ["US_SSN redacted"])
            #expect(response.body.json["policy_version"] == "1")
        }
    }

    @Test func aRegoCompileErrorListsLineAndColumn() async throws {
        let fixture = try await Fixture.make(engine: RegoPolicyEngine(), scanner: ScriptedScanner(), configuration: GatewayConfiguration(decisionBudget: .seconds(30)), policy: nil)
        try await fixture.application.test(.router) { client in
            let broken: JSONValue = ["id": "broken", "module": "package astral.extra\n\nallow if {\n  x := \n}\n"]
            let response = try await client.execute(uri: "/api/v1/policies", method: .post, headers: fixture.headers("acme", .admin), body: broken.buffer)
            #expect(response.status == .unprocessableContent)
            let first = response.body.json["errors"]?.arrayValue?.first
            #expect(first?["file"] == "broken.rego")
            #expect(first?["line"]?.doubleValue ?? 0 >= 3)
            #expect(first?["code"] == "rego_parse_error")
        }
    }
}
