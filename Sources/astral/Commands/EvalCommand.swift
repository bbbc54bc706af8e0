import ArgumentParser
import Detection
import Foundation

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure detection quality on a labelled corpus.",
        subcommands: [EvalDetectionCommand.self]
    )
}

struct EvalDetectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Precision, recall and F1 per entity type, secrets recall/FPR and injection TPR/FPR.",
        discussion: """
            Reads every pii-*.jsonl, secrets-*.jsonl and injection-*.jsonl file in DIR (the format of
            shared/corpora). PII spans match when type, start and end are equal (exact); the relaxed
            figure counts a same-type overlap. Secret and injection labels are per row.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Directory holding the labelled JSONL files.")
    var corpus: String

    @Flag(name: .long, help: "Also print each PII miss and false alarm (for tuning).")
    var verbose = false

    func run() async throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: corpus, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure("corpus directory \(corpus) does not exist")
        }
        let files = try fm.contentsOfDirectory(atPath: corpus).filter { $0.hasSuffix(".jsonl") }.sorted()
        let detector = try Detector()
        var printedAny = false
        for file in files where file.hasPrefix("pii") {
            let rows = try readRows(file)
            var report = Evaluation.PIIReport()
            for (line, row) in rows {
                guard let text = row["text"] as? String, let spans = row["spans"] as? [[String: Any]] else {
                    throw CommandFailure("\(file):\(line): expected \"text\" and \"spans\"")
                }
                let gold = spans.compactMap { s -> Evaluation.Span? in
                    guard let t = s["type"] as? String, let a = s["start"] as? Int, let b = s["end"] as? Int else { return nil }
                    return Evaluation.Span(type: Evaluation.canonicalType(t), start: a, end: b)
                }
                let findings = try detector.findSensitiveData(text)
                report.add(gold: gold, predicted: findings)
                if verbose { printDiff(text: text, gold: gold, findings: findings) }
            }
            printPII(file: file, rows: rows.count, report: report)
            printedAny = true
        }
        for file in files where file.hasPrefix("secrets") {
            let rows = try readRows(file)
            var report = Evaluation.BinaryReport()
            var ruleMatches = 0
            var missedRules: [String: Int] = [:]
            var falseAlarms: [String: Int] = [:]
            for (line, row) in rows {
                guard let text = row["text"] as? String, let label = row["label"] as? String else {
                    throw CommandFailure("\(file):\(line): expected \"text\" and \"label\"")
                }
                let secrets = try detector.findSensitiveData(text).filter { $0.type == "SECRET" }
                let positive = label == "secret"
                report.add(positive: positive, flagged: !secrets.isEmpty)
                let rule = row["rule"] as? String ?? "?"
                if positive && secrets.contains(where: { $0.rule == rule }) { ruleMatches += 1 }
                if positive && secrets.isEmpty { missedRules[rule, default: 0] += 1 }
                if !positive && !secrets.isEmpty { falseAlarms[rule, default: 0] += 1 }
            }
            print("== \(file): \(rows.count) rows")
            print(String(format: "secrets  recall %.4f (%d/%d)  false-positive rate %.4f (%d/%d)  rule id agreement %.4f",
                         report.recall, report.truePositives, report.truePositives + report.falseNegatives,
                         report.falsePositiveRate, report.falsePositives, report.falsePositives + report.trueNegatives,
                         report.truePositives == 0 ? 0 : Double(ruleMatches) / Double(report.truePositives + report.falseNegatives)))
            if verbose {
                print("missed by rule: \(missedRules.sorted { $0.key < $1.key })")
                print("false alarms by rule: \(falseAlarms.sorted { $0.key < $1.key })")
            }
            printedAny = true
        }
        for file in files where file.hasPrefix("injection") {
            let rows = try readRows(file)
            var report = Evaluation.BinaryReport()
            for (line, row) in rows {
                guard let text = row["text"] as? String, let label = row["label"] as? String else {
                    throw CommandFailure("\(file):\(line): expected \"text\" and \"label\"")
                }
                let verdict = try detector.scan(text).injection
                report.add(positive: label == "attack", flagged: verdict.attack)
            }
            print("== \(file): \(rows.count) rows")
            print(String(format: "injection  TPR %.4f (%d/%d)  FPR %.4f (%d/%d)",
                         report.recall, report.truePositives, report.truePositives + report.falseNegatives,
                         report.falsePositiveRate, report.falsePositives, report.falsePositives + report.trueNegatives))
            printedAny = true
        }
        if !printedAny { throw CommandFailure("no pii-*.jsonl, secrets-*.jsonl or injection-*.jsonl files in \(corpus)") }
    }

    func readRows(_ file: String) throws -> [(Int, [String: Any])] {
        let path = (corpus as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        var rows: [(Int, [String: Any])] = []
        for (k, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CommandFailure("\(file):\(k + 1): not a JSON object")
            }
            rows.append((k + 1, object))
        }
        return rows
    }

    func printPII(file: String, rows: Int, report: Evaluation.PIIReport) {
        print("== \(file): \(rows) rows (exact span match; relaxed = same-type overlap)")
        print("type                        prec    rec     F1      TP    FP    FN    relaxed-F1")
        for (type, c) in report.byType.sorted(by: { $0.key < $1.key }) {
            let relaxed = report.byTypeOverlap[type] ?? Evaluation.Counts()
            let marker = Evaluation.primaryTypes.contains(type) ? " " : "*"
            print(String(format: "%@%@ %.4f  %.4f  %.4f  %5d %5d %5d  %.4f", marker, type.padding(toLength: 26, withPad: " ", startingAt: 0),
                         c.precision, c.recall, c.f1, c.truePositives, c.falsePositives, c.falseNegatives, relaxed.f1))
        }
        let m = report.primaryMicro, r = report.primaryMicroOverlap
        print(String(format: "micro (primary types)       %.4f  %.4f  %.4f  %5d %5d %5d  %.4f", m.precision, m.recall, m.f1,
                     m.truePositives, m.falsePositives, m.falseNegatives, r.f1))
        print("(* = not a primary type; not in the micro average)")
    }

    func printDiff(text: String, gold: [Evaluation.Span], findings: [Finding]) {
        let scalars = Array(text.unicodeScalars)
        func slice(_ a: Int, _ b: Int) -> String {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[max(0, a)..<min(scalars.count, b)])
            return String(s)
        }
        let predicted = Set(findings.filter { Evaluation.primaryTypes.contains($0.type) }.map { Evaluation.Span(type: $0.type, start: $0.start, end: $0.end) })
        let goldSet = Set(gold.filter { Evaluation.primaryTypes.contains($0.type) })
        for g in goldSet.subtracting(predicted) { print("MISS \(g.type) [\(slice(g.start, g.end))] in: \(slice(g.start - 40, g.end + 20))") }
        for p in predicted.subtracting(goldSet) { print("FP   \(p.type) [\(slice(p.start, p.end))] in: \(slice(p.start - 40, p.end + 20))") }
    }
}
