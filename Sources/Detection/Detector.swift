/// Scans text for sensitive data (PII, PCI, PHI), credentials and prompt
/// injection. Pure: values in, values out; no I/O, no logging, no state
/// between calls. Build one at start-up and share it: `scan` is thread-safe.
public struct Detector: Sendable {
    /// Limits and switches for a detector.
    public struct Configuration: Sendable {
        /// Largest accepted input, in UTF-8 bytes. Larger texts are rejected, never truncated. Default 1 MiB.
        public var maxInputBytes: Int
        /// Whether the prompt-injection layer runs. Default `true`.
        public var injectionEnabled: Bool

        /// The defaults: 1 MiB per text, every detector on.
        public init(maxInputBytes: Int = 1 << 20, injectionEnabled: Bool = true) {
            self.maxInputBytes = maxInputBytes
            self.injectionEnabled = injectionEnabled
        }
    }

    /// A failure to scan: the text was not acceptable. Never contains the text.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        private enum Code: Hashable, Sendable {
            case inputTooLarge(size: Int, limit: Int)
            case injectionModelUnavailable
        }
        private let code: Code

        /// The input is larger than `Configuration.maxInputBytes`.
        public static func inputTooLarge(size: Int, limit: Int) -> Error { Error(code: .inputTooLarge(size: size, limit: limit)) }
        /// The prompt-injection model could not be loaded.
        public static var injectionModelUnavailable: Error { Error(code: .injectionModelUnavailable) }

        /// A stable snake_case code for the failure.
        public var identifier: String {
            switch code {
            case .inputTooLarge: "input_too_large"
            case .injectionModelUnavailable: "injection_model_unavailable"
            }
        }

        /// A message naming what was wrong (sizes only, never content).
        public var description: String {
            switch code {
            case let .inputTooLarge(size, limit):
                "input of \(size) bytes exceeds the limit of \(limit) bytes per text"
            case .injectionModelUnavailable:
                "the prompt-injection model could not be loaded"
            }
        }
    }

    /// The configuration this detector was built with.
    public let configuration: Configuration
    let lexicon: Lexicon
    let injection: InjectionScoring

    /// Builds a detector, loading its name lists and injection model once.
    public init(configuration: Configuration = .init()) throws {
        self.configuration = configuration
        self.lexicon = Lexicon.shared
        self.injection = configuration.injectionEnabled ? try InjectionScoring.standard() : .disabled
    }

    /// Scans one text. Offsets in the result are Unicode scalar offsets into `text`.
    /// - Throws: `Detector.Error.inputTooLarge` when the text exceeds the configured size.
    public func scan(_ text: String) throws -> ScanResult {
        let findings = try findSensitiveData(text)
        return ScanResult(findings: findings, injection: injection.evaluate(text))
    }

    /// Sensitive-data and secret findings only (no injection scoring), ordered by offset.
    public func findSensitiveData(_ text: String) throws -> [Finding] {
        var work = 0
        return try findSensitiveData(text, work: &work)
    }

    /// The same scan, also counting the scanner's elementary steps (for linearity tests).
    func findSensitiveData(_ text: String, work: inout Int) throws -> [Finding] {
        var text = text
        let size = text.utf8.count
        guard size <= configuration.maxInputBytes else {
            throw Error.inputTooLarge(size: size, limit: configuration.maxInputBytes)
        }
        if size == 0 { return [] }
        let lexicon = self.lexicon
        return text.withUTF8 { buffer -> [Finding] in
            func run(_ bytes: UnsafeBufferPointer<UInt8>) -> [Finding] {
                var scan = ScanContext(bytes: bytes, lexicon: lexicon)
                scan.run()
                work = scan.work
                return scan.resolve()
            }
            guard buffer.contains(UInt8(ascii: "\\")) else { return run(buffer) }
            // Text pasted from JSON or logs often carries literal "\n" / "\t" escapes: scan them
            // as the line breaks they stand for. Same length, so byte offsets are unchanged.
            var copy = Array(buffer)
            var i = 0
            while i + 1 < copy.count {
                if copy[i] == UInt8(ascii: "\\") {
                    switch copy[i + 1] {
                    case UInt8(ascii: "n"): copy[i] = 0x20; copy[i + 1] = 0x0A; i += 1
                    case UInt8(ascii: "r"): copy[i] = 0x20; copy[i + 1] = 0x20; i += 1
                    case UInt8(ascii: "t"): copy[i] = 0x20; copy[i + 1] = 0x09; i += 1
                    case UInt8(ascii: "\\"): i += 1
                    default: break
                    }
                }
                i += 1
            }
            return copy.withUnsafeBufferPointer(run)
        }
    }
}

/// The injection layer as the detector sees it: one function from text to verdict.
struct InjectionScoring: Sendable {
    let evaluate: @Sendable (String) -> InjectionResult

    static let disabled = InjectionScoring { _ in InjectionResult(score: 0, attack: false, signatures: []) }

    static func standard() throws -> InjectionScoring {
        let detector: InjectionDetector
        do {
            detector = try InjectionDetector()
        } catch {
            throw Detector.Error.injectionModelUnavailable
        }
        return InjectionScoring { detector.evaluate($0) }
    }
}
