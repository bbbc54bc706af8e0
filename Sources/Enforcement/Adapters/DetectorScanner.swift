import Detection

/// The content scanner backed by the `Detection` module.
public struct DetectorScanner: ContentScanner {
    /// The detector.
    public let detector: Detector

    /// Creates the scanner with the detector's default configuration.
    public init() throws {
        detector = try Detector()
    }

    /// Scans with the detector.
    public func scan(_ text: String) throws -> ScanResult { try detector.scan(text) }

    /// Replaces each finding by `[REDACTED:<TYPE>]`.
    public func redact(_ text: String, findings: [Finding]) -> String {
        Detection.redact(text, findings: findings, style: .label)
    }
}
