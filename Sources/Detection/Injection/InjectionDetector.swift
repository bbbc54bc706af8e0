import Foundation

/// Scores a text for prompt injection and jailbreak attempts.
///
/// Two layers run on normalised text (see `InjectionNormalizer`): L1 signature
/// families (`SignatureSet`) and an L2 logistic-regression model over hashed byte
/// and word n-grams (`InjectionModel`). They combine as a noisy-or,
/// `score = 1 - (1 - sigmoid(logit)) * (1 - strongest signature)`, which is monotone
/// in both. Payloads hidden one encoding level deep (base64, hex, URL encoding,
/// Unicode tags, rot13) are decoded and scanned too; the text's score is the
/// highest of its views.
public struct InjectionDetector: Sendable {
    /// The default decision threshold; the shipped model's bias is calibrated to it.
    public static let defaultThreshold = 0.5

    /// The model in use.
    public let model: InjectionModel
    /// Scores at or above this are reported as attacks.
    public let threshold: Double

    /// Loads the built-in model resource.
    public init() throws {
        self.init(model: try InjectionModel.builtIn(), threshold: Self.defaultThreshold)
    }

    /// Uses the given model and decision threshold.
    public init(model: InjectionModel, threshold: Double) {
        self.model = model
        self.threshold = threshold
    }

    /// The verdict for `text`: score in [0, 1], attack at the threshold, matched family ids.
    public func evaluate(_ text: String) -> InjectionResult {
        var contiguous = text
        return contiguous.withUTF8 { utf8 in
            let primary = InjectionNormalizer.normalize(utf8: utf8)
            // One token pass gives the tokens of the text and of its rot13 image; rot13
            // hides only words, so the signatures alone judge that view.
            let (tokens, rotated) = primary.withUnsafeBufferPointer { SignatureSet.tokenHashesAndRot13($0) }
            var view = score(normalized: primary, tokens: tokens)
            var families = view.signatures
            var best = view.score
            for hit in model.signatures.match(tokens: rotated) {
                families.append(hit.id)
                best = max(best, hit.strength)
            }
            // Decoded payloads (only when the text holds a run that decodes to text).
            for payload in EncodedViews.decode(utf8, scalars: text.unicodeScalars) {
                view = score(normalized: InjectionNormalizer.normalize(payload))
                families.append(contentsOf: view.signatures)
                best = max(best, view.score)
            }
            if families.count > 1 { families = Set(families).sorted() }
            return InjectionResult(score: best, attack: best >= threshold, signatures: families)
        }
    }

    /// L1 and L2 on one normalised view, without decoding.
    func score(normalized bytes: [UInt8]) -> (score: Double, logit: Double, signatures: [String]) {
        score(normalized: bytes, tokens: SignatureSet.tokenHashes(bytes))
    }

    /// L1 and L2 on one normalised view whose signature tokens are already known.
    func score(normalized bytes: [UInt8], tokens: [UInt64]) -> (score: Double, logit: Double, signatures: [String]) {
        let hits = model.signatures.match(tokens: tokens)
        let strongest = hits.map(\.strength).max() ?? 0
        let logit = bytes.withUnsafeBufferPointer { model.logit($0) }
        return (Self.combine(logit: logit, strength: strongest), logit, hits.map(\.id))
    }

    /// Noisy-or of the L2 probability and the strongest L1 family.
    static func combine(logit: Double, strength: Double) -> Double {
        let p = logit > -40 ? 1 / (1 + exp(-logit)) : 0
        return 1 - (1 - p) * (1 - strength)
    }
}
