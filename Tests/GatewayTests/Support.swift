import Detection
import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import Testing

/// A detector double for route tests: finds fixed markers by exact search.
struct MarkerScanner: ContentScanner {
    static let markers: [(String, String)] = [
        ("123-45-6789", "US_SSN"), ("AKIAIOSFODNN7EXAMPLE", "SECRET"), ("4111 1111 1111 1111", "CREDIT_CARD"),
        ("MRN-0012345", "MEDICAL_RECORD_NUMBER"), ("alice@example.com", "EMAIL_ADDRESS"),
    ]
    struct Broken: Error {}
    var failing = false

    func scan(_ text: String) throws -> ScanResult {
        if failing || text.contains("BREAK-DETECTOR") { throw Broken() }
        var findings: [Finding] = []
        let scalars = Array(text.unicodeScalars)
        for (marker, type) in Self.markers {
            let needle = Array(marker.unicodeScalars)
            guard needle.count <= scalars.count else { continue }
            for start in 0...(scalars.count - needle.count) where Array(scalars[start..<start + needle.count]) == needle {
                findings.append(Finding(type: type, rule: type == "SECRET" ? "aws-access-token" : nil, start: start, end: start + needle.count, score: 0.9))
            }
        }
        findings.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        let attack = text.lowercased().contains("ignore previous instructions")
        return ScanResult(findings: findings, injection: InjectionResult(score: attack ? 0.97 : 0.01, attack: attack, signatures: attack ? ["ignore-previous-instructions"] : []))
    }

    func redact(_ text: String, findings: [Finding]) -> String {
        var scalars = Array(text.unicodeScalars)
        for finding in findings.sorted(by: { $0.start > $1.start }) {
            scalars.replaceSubrange(finding.start..<finding.end, with: Array("[REDACTED:\(finding.type)]".unicodeScalars))
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }
}

/// A policy engine double: modules are lines `TYPE=action`, `*=action` (default), `injection=action`,
/// `provider:NAME=action`; the text `BROKEN` is a compile error at line 1 column 1 and `THROW` fails evaluation.
struct LineEngine: PolicyEngine {
    struct Prepared: PreparedPolicy {
        var rules: [String: String]
        var throwing: Bool
        func evaluate(input: JSONValue) throws -> JSONValue? {
            if throwing { throw MarkerScanner.Broken() }
            var actions: [(Decision, String, String)] = []
            for finding in input["findings"]?.arrayValue ?? [] {
                let type = finding["type"]?.stringValue ?? ""
                if let raw = rules[type], let action = Decision(rawValue: raw) { actions.append((action, "\(type) \(raw)", type)) }
            }
            if input["injection"]?["attack"]?.boolValue == true, let raw = rules["injection"], let action = Decision(rawValue: raw) {
                actions.append((action, "injection", "INJECTION"))
            }
            if let provider = input["provider"]?.stringValue, let raw = rules["provider:" + provider], let action = Decision(rawValue: raw) {
                actions.append((action, "provider", "PROVIDER"))
            }
            if actions.isEmpty, rules["*"] == nil { return nil }
            let top = actions.max(by: { $0.0 < $1.0 })?.0 ?? Decision(rawValue: rules["*"]!) ?? .allow
            return [
                "action": .string(top.rawValue),
                "reasons": .array(actions.map { .string($0.1) }.sorted { $0.stringValue! < $1.stringValue! }),
                "redact": .array(actions.filter { $0.0 == .redact }.map { .string($0.2) }),
            ]
        }
    }

    func prepare(query: String, modules: [String: String], data: JSONValue) throws -> any PreparedPolicy {
        var rules: [String: String] = [:]
        var throwing = false
        for (file, source) in modules.sorted(by: { $0.key < $1.key }) {
            if source.contains("BROKEN") {
                throw PolicyCompilationError(diagnostics: [
                    PolicyDiagnostic(code: "rego_parse_error", message: "unexpected token", file: file, line: 1, column: 1),
                    PolicyDiagnostic(code: "rego_parse_error", message: "unexpected eof", file: file, line: 2, column: 5),
                ])
            }
            if source.contains("THROW") { throwing = true }
            for line in source.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2 { rules[parts[0]] = parts[1] }
            }
        }
        return Prepared(rules: rules, throwing: throwing)
    }
}

/// A fresh gateway over a temporary data directory, with two tenants and a key of each role in each.
struct Fixture {
    let directory: String
    let services: GatewayServices
    var keys: [String: [Role: String]] = [:]

    /// The tests run on shared, loaded machines: with the 50 ms production budget a slow
    /// moment turns into a fail-mode decision, so only the budget test itself sets a tight one.
    static let unhurried = GatewayConfiguration(decisionBudget: .seconds(30))

    static let testPolicy = "SECRET=block\nUS_SSN=redact\nCREDIT_CARD=redact\ninjection=block\n*=allow\n"

    static func make(
        engine: any PolicyEngine = LineEngine(), scanner: any ContentScanner = MarkerScanner(),
        configuration: GatewayConfiguration = Self.unhurried, policy: String? = testPolicy
    ) async throws -> Fixture {
        let directory = NSTemporaryDirectory() + "astral-gateway-tests-" + UUID().uuidString
        let database = try AppDatabase(dataDirectory: directory)
        let ledger = LedgerStore(database: database, signer: try InstanceKey.loadOrCreate(dataDirectory: directory, instanceName: "test"))
        var configuration = configuration
        configuration.dataDirectory = directory
        let services = GatewayServices(
            configuration: configuration, runner: database, scanner: scanner, engine: engine, ledger: StoreLedgerReader(store: ledger))
        var fixture = Fixture(directory: directory, services: services)
        for tenant in ["acme", "globex"] {
            try await services.governance.createTenant(id: tenant, actor: "test")
            if let policy {
                let version = try await services.governance.updatePolicy(tenant: tenant, id: DefaultPolicy.id, replacing: 1, module: policy, actor: "test")
                _ = try await services.governance.activatePolicy(tenant: tenant, id: DefaultPolicy.id, version: version.version, actor: "test")
            }
            for role in Role.allCases {
                let (material, _) = try await services.governance.createKey(tenant: tenant, role: role, name: nil, actor: "test")
                fixture.keys[tenant, default: [:]][role] = material.rawKey
            }
        }
        return fixture
    }

    var application: some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return Gateway.application(services: services, logger: logger)
    }

    func headers(_ tenant: String, _ role: Role, json: Bool = true) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(keys[tenant]![role]!)"]
        if json { fields[.contentType] = "application/json" }
        return fields
    }
}

extension ByteBuffer {
    var json: JSONValue { (try? JSONValue.parse(Data(readableBytesView))) ?? .null }
}

extension JSONValue {
    var buffer: ByteBuffer { ByteBuffer(string: serialized()) }
}

func enforceBody(_ content: String, direction: String = "request", provider: String = "openai") -> ByteBuffer {
    JSONValue.object([
        "surface": "api", "actor": "alice@example.com", "ai_provider": .string(provider), "model": "gpt-4o",
        "direction": .string(direction), "content": .string(content), "metadata": ["app": "tests"],
    ]).buffer
}
