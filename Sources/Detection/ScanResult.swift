/// What one scan of a text found: sensitive-data and secret findings, and the
/// prompt-injection verdict. The shape of `astral scan` output (CONTRACTS.md §1).
public struct ScanResult: Sendable, Hashable, Codable {
    /// Findings ordered by start offset, then end offset.
    public var findings: [Finding]
    /// The prompt-injection verdict for the whole text.
    public var injection: InjectionResult

    /// Creates a scan result.
    public init(findings: [Finding], injection: InjectionResult) {
        self.findings = findings
        self.injection = injection
    }
}

/// One span of sensitive data or one credential found in a text.
public struct Finding: Sendable, Hashable, Codable {
    /// Canonical entity type: Presidio's name where Presidio has one (`US_SSN`), or `SECRET`.
    public var type: String
    /// For `SECRET`: the rule id, gitleaks' where one exists (`aws-access-token`).
    public var rule: String?
    /// Start offset in Unicode scalars of the text as given.
    public var start: Int
    /// End offset (exclusive) in Unicode scalars of the text as given.
    public var end: Int
    /// Confidence in [0, 1].
    public var score: Double

    /// Creates a finding.
    public init(type: String, rule: String? = nil, start: Int, end: Int, score: Double) {
        self.type = type
        self.rule = rule
        self.start = start
        self.end = end
        self.score = score
    }
}

/// The prompt-injection verdict for a text.
public struct InjectionResult: Sendable, Hashable, Codable {
    /// Score in [0, 1], monotone in confidence.
    public var score: Double
    /// The verdict at the default threshold.
    public var attack: Bool
    /// Stable ids of the L1 signature families that matched.
    public var signatures: [String]

    /// Creates an injection verdict.
    public init(score: Double, attack: Bool, signatures: [String]) {
        self.score = score
        self.attack = attack
        self.signatures = signatures
    }
}
