import Foundation
import Testing
import TestSupport
@testable import Detection

/// Quality floors on the shared development corpora, set a little below the figures
/// measured with `astral eval detection` (docs/detection.md), so regressions fail.
@Suite struct CorpusTests {
    static let detector = try! Detector()

    func rows(_ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: SharedFixtures.file("corpora/\(name)"))
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func piiMicroF1OnPrimaryTypes() throws {
        var report = Evaluation.PIIReport()
        for row in try rows("pii-dev.jsonl") {
            let text = try #require(row["text"] as? String)
            let spans = try #require(row["spans"] as? [[String: Any]])
            let gold = try spans.map {
                Evaluation.Span(
                    type: Evaluation.canonicalType(try #require($0["type"] as? String)),
                    start: try #require($0["start"] as? Int), end: try #require($0["end"] as? Int))
            }
            report.add(gold: gold, predicted: try Self.detector.findSensitiveData(text))
        }
        let micro = report.primaryMicro
        #expect(micro.f1 >= 0.94, "micro-F1 \(micro.f1)")
        #expect(micro.precision >= 0.94 && micro.recall >= 0.94)
        for type in ["CREDIT_CARD", "US_SSN", "EMAIL_ADDRESS", "IBAN_CODE", "ABA_ROUTING_NUMBER", "US_NPI", "DEA_NUMBER", "IP_ADDRESS"] {
            #expect((report.byType[type]?.f1 ?? 0) >= 0.97, "\(type) F1 \(report.byType[type]?.f1 ?? 0)")
        }
        #expect((report.byType["PERSON"]?.f1 ?? 0) >= 0.89)
        #expect((report.byType["STREET_ADDRESS"]?.f1 ?? 0) >= 0.93)
        // Secondary types (scored on the rows that label them).
        #expect((report.byType["LOCATION"]?.f1 ?? 0) >= 0.95, "LOCATION F1 \(report.byType["LOCATION"]?.f1 ?? 0)")
        #expect((report.byType["ORGANIZATION"]?.f1 ?? 0) >= 0.95, "ORGANIZATION F1 \(report.byType["ORGANIZATION"]?.f1 ?? 0)")
        #expect((report.byType["NRP"]?.f1 ?? 0) >= 0.9, "NRP F1 \(report.byType["NRP"]?.f1 ?? 0)")
    }

    @Test func secretsRecallAndFalsePositiveRate() throws {
        var report = Evaluation.BinaryReport()
        for row in try rows("secrets-dev.jsonl") {
            let text = try #require(row["text"] as? String)
            let flagged = try Self.detector.findSensitiveData(text).contains { $0.type == "SECRET" }
            report.add(positive: row["label"] as? String == "secret", flagged: flagged)
        }
        #expect(report.recall >= 0.94, "recall \(report.recall)")
        #expect(report.falsePositiveRate <= 0.08, "FPR \(report.falsePositiveRate)")
    }

    @Test func injectionThroughTheDetector() throws {
        var report = Evaluation.BinaryReport()
        for row in try rows("injection-dev.jsonl") {
            let text = try #require(row["text"] as? String)
            report.add(positive: row["label"] as? String == "attack", flagged: try Self.detector.scan(text).injection.attack)
        }
        #expect(report.recall >= 0.83, "TPR \(report.recall)")
        #expect(report.falsePositiveRate <= 0.01, "FPR \(report.falsePositiveRate)")
    }
}
