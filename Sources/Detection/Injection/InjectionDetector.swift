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
        let primary = InjectionNormalizer.normalize(text)
        var view = score(normalized: primary)
        var families = Set(view.signatures)
        var best = view.score

        // Rot13 hides only words; the signatures alone judge it.
        let rotated = SignatureSet.rot13TokenHashes(primary)
        for hit in model.signatures.match(tokens: rotated) {
            families.insert(hit.id)
            best = max(best, hit.strength)
        }

        var contiguous = text
        let decoded = contiguous.withUTF8 { EncodedViews.decode($0, scalars: text.unicodeScalars) }
        for payload in decoded {
            view = score(normalized: InjectionNormalizer.normalize(payload))
            families.formUnion(view.signatures)
            best = max(best, view.score)
        }
        return InjectionResult(score: best, attack: best >= threshold, signatures: families.sorted())
    }

    /// L1 and L2 on one normalised view, without decoding.
    func score(normalized bytes: [UInt8]) -> (score: Double, logit: Double, signatures: [String]) {
        let tokens = SignatureSet.tokenHashes(bytes)
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
