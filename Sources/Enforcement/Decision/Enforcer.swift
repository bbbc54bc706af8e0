import Crypto
import Detection
import Foundation
import Storage

/// The decision path: scan → policy input document → evaluate the tenant's
/// bundle → redaction → event and ledger leaf committed → outcome.
public struct Enforcer: Sendable {
    /// Knobs of the decision path.
    public struct Configuration: Sendable, Hashable {
        /// Default per-request budget for scanning and deciding; tenants may set `budget_ms`.
        public var budget: Duration

        /// Creates a configuration.
        public init(budget: Duration = .milliseconds(50)) {
            self.budget = budget
        }
    }

    /// Why a check did not produce a decision and the fail-mode decided instead.
    public enum Failure: String, Sendable, Hashable, Error {
        /// The detector threw.
        case detectorError = "detector_error"
        /// The bundle does not compile or evaluation threw.
        case policyError = "policy_error"
        /// `data.astral.gateway.decision` is undefined or not a valid decision.
        case policyUndefined = "policy_undefined"
        /// Scanning and deciding took longer than the budget.
        case budgetExceeded = "budget_exceeded"
    }

    /// The detector.
    public let scanner: any ContentScanner
    /// The tenants' compiled bundles.
    public let policies: PolicyRegistry
    /// Durable writes.
    public let runner: any TransactionRunner
    /// Knobs.
    public let configuration: Configuration
    /// Called once per decision with its figures (for metrics).
    public let observer: (@Sendable (Observation) -> Void)?

    /// Figures of one decision, for metrics.
    public struct Observation: Sendable {
        /// The decision.
        public var decision: Decision
        /// The fail-mode cause, if any.
        public var failure: Failure?
        /// Detector time in seconds.
        public var scanSeconds: Double
        /// Policy evaluation time in seconds.
        public var policySeconds: Double
    }

    /// Creates the decision path.
    public init(
        scanner: any ContentScanner, policies: PolicyRegistry, runner: any TransactionRunner,
        configuration: Configuration = .init(), observer: (@Sendable (Observation) -> Void)? = nil
    ) {
        self.scanner = scanner
        self.policies = policies
        self.runner = runner
        self.configuration = configuration
        self.observer = observer
    }

    /// What scanning a text and evaluating the tenant's bundle concluded, before
    /// the fail-mode is applied: the one step `/api/v1/enforce` and the proxy share.
    public struct Judgement: Sendable {
        /// The detector's findings and injection verdict (empty when it failed).
        public var scan: ScanResult
        /// The policy input document.
        public var input: JSONValue
        /// The policy's decision (`allow` when there is a failure).
        public var decision: Decision
        /// The policy's reasons.
        public var reasons: [String]
        /// The finding types the policy asked to redact (nil: every finding).
        public var redactTypes: Set<String>?
        /// Why no policy decision could be trusted, if so.
        public var failure: Failure?
        /// When scanning ended.
        public var scanned: ContinuousClock.Instant
        /// When the policy answered.
        public var decided: ContinuousClock.Instant
    }

    /// Scans `request.content`, builds the input document and evaluates `policy`;
    /// a detector or policy error, or running past the budget since `start`, is a failure.
    public func judge(
        _ request: EnforcementRequest, policy: ActivePolicy, keyID: String,
        since start: ContinuousClock.Instant, clock: ContinuousClock
    ) -> Judgement {
        var failure: Failure?
        var scan = ScanResult(findings: [], injection: InjectionResult(score: 0, attack: false, signatures: []))
        do {
            scan = try scanner.scan(request.content)
        } catch {
            failure = .detectorError
        }
        let scanned = clock.now
        let input = Self.inputDocument(request: request, scan: scan, keyID: keyID)
        var judgement = Judgement(
            scan: scan, input: input, decision: .allow, reasons: [], redactTypes: nil, failure: failure,
            scanned: scanned, decided: scanned)
        if failure == nil {
            switch Self.evaluate(policy, input: input) {
            case .success(let parsed):
                judgement.decision = parsed.decision
                judgement.reasons = parsed.reasons
                judgement.redactTypes = parsed.redact
            case .failure(let cause):
                judgement.failure = cause
            }
        }
        judgement.decided = clock.now
        let budget = policy.settings.budgetMilliseconds.map { Duration.microseconds(Int64($0 * 1000)) } ?? configuration.budget
        if judgement.failure == nil, judgement.decided - start > budget { judgement.failure = .budgetExceeded }
        return judgement
    }

    /// Decides on `request` for `tenant`, records the event and its ledger leaf, and
    /// returns only after they are committed. `key` is the id of the calling API key.
    public func decide(request: EnforcementRequest, tenant: String, key: String) async throws -> EnforcementOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let occurredAt = Date()
        let policy = try await policies.active(tenant: tenant)

        let judgement = judge(request, policy: policy, keyID: key, since: start, clock: clock)
        let scan = judgement.scan
        let input = judgement.input
        var decision = judgement.decision
        var reasons = judgement.reasons
        var redactTypes = judgement.redactTypes
        let failure = judgement.failure
        let scanned = judgement.scanned
        let decided = judgement.decided

        var failMode: FailMode?
        if let failure {
            failMode = policy.settings.failMode
            decision = policy.settings.failMode == .closed ? .block : .allow
            reasons = ["fail-mode \(policy.settings.failMode.rawValue): \(failure.rawValue)"]
            redactTypes = nil
        }

        let redacted: String
        switch decision {
        case .block: redacted = ""
        case .redact:
            let spans = scan.findings.filter { redactTypes?.contains($0.type) ?? true }
            redacted = scanner.redact(request.content, findings: spans)
        default: redacted = request.content
        }

        let latency = Self.microseconds(clock.now - start)
        let event = EventRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, kind: .decision, occurredAt: occurredAt,
            surface: request.surface.rawValue, actor: request.actor, provider: request.provider, model: request.model,
            direction: request.direction.rawValue, decision: decision.rawValue, policyVersion: policy.policyVersion,
            latencyMicroseconds: latency, failMode: failMode?.rawValue, contentHMAC: policy.contentHMAC(of: request.content),
            content: policy.settings.retainContent ? request.content : nil, input: input, reasons: reasons)
        let stored = try await runner.write { db in try EventRecording.append(db, event) }

        observer?(Observation(
            decision: decision, failure: failure, scanSeconds: Self.seconds(scanned - start),
            policySeconds: Self.seconds(decided - scanned)))
        return EnforcementOutcome(
            decision: decision, eventID: stored.id, policyVersion: policy.policyVersion, reasons: reasons,
            findings: scan.findings, injection: scan.injection, redactedContent: redacted,
            ledgerIndex: stored.ledgerIndex, failMode: failMode, failure: failure, latencyMicroseconds: latency)
    }

    /// Compiles the tenant's bundle and runs one scan and one evaluation without
    /// recording anything, so the first real request does not pay for cold caches.
    public func warmUp(tenant: String) async throws {
        let policy = try await policies.active(tenant: tenant)
        let request = EnforcementRequest(surface: .api, actor: "warm-up", provider: "warm-up", direction: .request, content: "warm up the detector")
        let scan = (try? scanner.scan(request.content)) ?? ScanResult(findings: [], injection: InjectionResult(score: 0, attack: false, signatures: []))
        if case .success(let prepared) = policy.prepared {
            _ = try? prepared.evaluate(input: Self.inputDocument(request: request, scan: scan, keyID: "warm-up"))
        }
    }

    /// The Rego input document for a request and its scan.
    public static func inputDocument(request: EnforcementRequest, scan: ScanResult, keyID: String) -> JSONValue {
        .object([
            "surface": .string(request.surface.rawValue),
            "actor": .string(request.actor),
            "provider": .string(request.provider),
            "model": request.model.map(JSONValue.string) ?? .null,
            "direction": .string(request.direction.rawValue),
            "key_id": .string(keyID),
            "content_length": .integer(Int64(request.content.unicodeScalars.count)),
            "findings": .array(scan.findings.map(findingDocument)),
            "injection": .object([
                "score": .number(scan.injection.score),
                "attack": .bool(scan.injection.attack),
                "signatures": .array(scan.injection.signatures.map(JSONValue.string)),
            ]),
            "metadata": request.metadata,
        ])
    }

    /// A finding as JSON, in the shape of `astral scan`.
    public static func findingDocument(_ finding: Finding) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(finding.type), "start": .integer(Int64(finding.start)), "end": .integer(Int64(finding.end)),
            "score": .number(finding.score),
        ]
        if let rule = finding.rule { object["rule"] = .string(rule) }
        return .object(object)
    }

    /// Reads a policy's decision value: `"block"` or `{"action": ..., "reasons": [...], "redact": [...]}`.
    /// Evaluates the tenant's decision query on `input`: the parsed decision, or why none could be made.
    public static func evaluate(
        _ policy: ActivePolicy, input: JSONValue
    ) -> Result<(decision: Decision, reasons: [String], redact: Set<String>?), Failure> {
        guard case .success(let prepared) = policy.prepared else { return .failure(.policyError) }
        do {
            guard let value = try prepared.evaluate(input: input), let parsed = parse(decision: value) else {
                return .failure(.policyUndefined)
            }
            return .success(parsed)
        } catch {
            return .failure(.policyError)
        }
    }

    public static func parse(decision value: JSONValue) -> (decision: Decision, reasons: [String], redact: Set<String>?)? {
        if let raw = value.stringValue, let decision = Decision(rawValue: raw) { return (decision, [], nil) }
        guard let raw = value["action"]?.stringValue, let decision = Decision(rawValue: raw) else { return nil }
        let reasons = value["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let redact = value["redact"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
        return (decision, reasons, redact)
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
