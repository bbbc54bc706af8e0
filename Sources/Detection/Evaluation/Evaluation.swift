/// Scoring of detector output against labelled corpora (the format of
/// `shared/corpora`): span-level precision/recall/F1 for PII, row-level
/// recall/false-positive rate for secrets and injection. Pure arithmetic.
public enum Evaluation {
    /// Entity types whose micro-F1 is the headline PII figure.
    public static let primaryTypes: Set<String> = [
        "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE", "ABA_ROUTING_NUMBER",
        "US_BANK_NUMBER", "IP_ADDRESS", "DATE_OF_BIRTH", "US_PASSPORT", "US_DRIVER_LICENSE", "MEDICAL_RECORD_NUMBER",
        "US_NPI", "DEA_NUMBER", "ICD10_CODE", "STREET_ADDRESS",
    ]

    /// Maps the corpus' label names onto the canonical names (CONTRACTS.md §1).
    public static func canonicalType(_ corpusType: String) -> String {
        switch corpusType {
        case "US_BANK_ROUTING": "ABA_ROUTING_NUMBER"
        case "US_BANK_ACCOUNT": "US_BANK_NUMBER"
        case "NPI": "US_NPI"
        default: corpusType
        }
    }

    /// A labelled span (scalar offsets, end exclusive).
    public struct Span: Sendable, Hashable {
        /// Canonical entity type.
        public var type: String
        /// Start offset.
        public var start: Int
        /// End offset (exclusive).
        public var end: Int
        /// Creates a span.
        public init(type: String, start: Int, end: Int) {
            self.type = type
            self.start = start
            self.end = end
        }
    }

    /// True-positive, false-positive and false-negative counts with the derived ratios.
    public struct Counts: Sendable, Hashable {
        /// Matched spans.
        public var truePositives = 0
        /// Predicted spans with no gold match.
        public var falsePositives = 0
        /// Gold spans with no prediction.
        public var falseNegatives = 0
        /// Creates zero counts.
        public init() {}
        /// TP / (TP + FP), 0 when nothing was predicted.
        public var precision: Double { truePositives + falsePositives == 0 ? 0 : Double(truePositives) / Double(truePositives + falsePositives) }
        /// TP / (TP + FN), 0 when nothing was labelled.
        public var recall: Double { truePositives + falseNegatives == 0 ? 0 : Double(truePositives) / Double(truePositives + falseNegatives) }
        /// Harmonic mean of precision and recall.
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        static func += (a: inout Counts, b: Counts) {
            a.truePositives += b.truePositives
            a.falsePositives += b.falsePositives
            a.falseNegatives += b.falseNegatives
        }
    }

    /// Span-level PII scores: exact (type, start, end) matches, and a relaxed variant
    /// where a same-type overlap counts.
    public struct PIIReport: Sendable {
        /// Per canonical type, exact matching.
        public var byType: [String: Counts] = [:]
        /// Per canonical type, overlap matching.
        public var byTypeOverlap: [String: Counts] = [:]
        /// Creates an empty report.
        public init() {}

        /// Micro-averaged counts over the primary types, exact matching.
        public var primaryMicro: Counts { byType.filter { Evaluation.primaryTypes.contains($0.key) }.values.reduce(into: Counts()) { $0 += $1 } }
        /// Micro-averaged counts over the primary types, overlap matching.
        public var primaryMicroOverlap: Counts { byTypeOverlap.filter { Evaluation.primaryTypes.contains($0.key) }.values.reduce(into: Counts()) { $0 += $1 } }

        /// Adds one row: its gold spans and the detector's findings. Types outside
        /// the primary set are counted only when they appear in gold or prediction.
        public mutating func add(gold: [Span], predicted: [Finding]) {
            let goldTypes = Set(gold.map(\.type))
            let pred = predicted.map { Span(type: $0.type, start: $0.start, end: $0.end) }
                .filter { Evaluation.primaryTypes.contains($0.type) || goldTypes.contains($0.type) }
            let goldSet = Set(gold)
            let predSet = Set(pred)
            for span in predSet {
                if goldSet.contains(span) { byType[span.type, default: Counts()].truePositives += 1 } else { byType[span.type, default: Counts()].falsePositives += 1 }
            }
            for span in goldSet where !predSet.contains(span) { byType[span.type, default: Counts()].falseNegatives += 1 }
            // Overlap matching: each gold span matched by at most one same-type overlapping prediction.
            var used = Set<Int>()
            for span in gold {
                if let k = pred.indices.first(where: { !used.contains($0) && pred[$0].type == span.type && pred[$0].start < span.end && span.start < pred[$0].end }) {
                    used.insert(k)
                    byTypeOverlap[span.type, default: Counts()].truePositives += 1
                } else {
                    byTypeOverlap[span.type, default: Counts()].falseNegatives += 1
                }
            }
            for k in pred.indices where !used.contains(k) { byTypeOverlap[pred[k].type, default: Counts()].falsePositives += 1 }
        }
    }

    /// Row-level binary scores (secrets, injection).
    public struct BinaryReport: Sendable, Hashable {
        /// Positive rows flagged.
        public var truePositives = 0
        /// Positive rows missed.
        public var falseNegatives = 0
        /// Negative rows flagged.
        public var falsePositives = 0
        /// Negative rows not flagged.
        public var trueNegatives = 0
        /// Creates zero counts.
        public init() {}
        /// Records one row.
        public mutating func add(positive: Bool, flagged: Bool) {
            switch (positive, flagged) {
            case (true, true): truePositives += 1
            case (true, false): falseNegatives += 1
            case (false, true): falsePositives += 1
            case (false, false): trueNegatives += 1
            }
        }
        /// Recall / true-positive rate.
        public var recall: Double { truePositives + falseNegatives == 0 ? 0 : Double(truePositives) / Double(truePositives + falseNegatives) }
        /// False-positive rate on the negative rows.
        public var falsePositiveRate: Double { falsePositives + trueNegatives == 0 ? 0 : Double(falsePositives) / Double(falsePositives + trueNegatives) }
    }
}
