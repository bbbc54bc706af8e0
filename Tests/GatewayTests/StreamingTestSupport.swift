import Detection
import Enforcement
import Synchronization

/// A stand-in for the decision pipeline in the streaming tests: finds
/// `ddd-dd-dddd` as `US_SSN` (redact), `sk-` followed by 20+ letters or digits as
/// `SECRET` (redact), and the word `FORBIDDEN` (block). Records every text it saw.
final class FakeInspector: Sendable {
    private let seen = Mutex<[String]>([])

    var inspected: [String] { seen.withLock { $0 } }

    var inspector: TextInspector {
        { [self] text in self.inspect(text) }
    }

    func inspect(_ text: String) -> Inspection {
        seen.withLock { $0.append(text) }
        let scalars = Array(text.unicodeScalars)
        var findings: [Finding] = []
        func isDigit(_ i: Int) -> Bool { i < scalars.count && scalars[i].properties.numericType != nil && scalars[i].isASCII }
        func isAlnum(_ i: Int) -> Bool {
            i < scalars.count && scalars[i].isASCII && (scalars[i].properties.isAlphabetic || isDigit(i))
        }
        var i = 0
        while i < scalars.count {
            // ddd-dd-dddd
            if i + 11 <= scalars.count, (0..<3).allSatisfy({ isDigit(i + $0) }), scalars[i + 3] == "-",
               isDigit(i + 4), isDigit(i + 5), scalars[i + 6] == "-", (7..<11).allSatisfy({ isDigit(i + $0) }),
               !isDigit(i - 1 >= 0 ? i - 1 : scalars.count), !isDigit(i + 11) {
                findings.append(Finding(type: "US_SSN", start: i, end: i + 11, score: 0.9))
                i += 11
                continue
            }
            if i + 3 <= scalars.count, scalars[i] == "s", scalars[i + 1] == "k", scalars[i + 2] == "-" {
                var j = i + 3
                while isAlnum(j) { j += 1 }
                if j - (i + 3) >= 20 {
                    findings.append(Finding(type: "SECRET", rule: "openai-api-key", start: i, end: j, score: 0.99))
                    i = j
                    continue
                }
            }
            i += 1
        }
        // A whole PEM block is a secret; a block without its END line is not recognisable.
        var searchFrom = text.startIndex
        while let begin = text.range(of: "-----BEGIN ", range: searchFrom..<text.endIndex),
              let endMarker = text.range(of: "-----END ", range: begin.upperBound..<text.endIndex),
              let close = text.range(of: "-----", range: endMarker.upperBound..<text.endIndex) {
            let start = text.unicodeScalars.distance(from: text.startIndex, to: begin.lowerBound)
            let end = text.unicodeScalars.distance(from: text.startIndex, to: close.upperBound)
            findings.append(Finding(type: "SECRET", rule: "private-key", start: start, end: end, score: 0.99))
            searchFrom = close.upperBound
        }
        findings.sort { $0.start < $1.start }
        if text.contains("FORBIDDEN") {
            return Inspection(action: .block, reasons: ["forbidden word"], findings: findings)
        }
        guard !findings.isEmpty else { return .clean }
        return Inspection(
            action: .redact,
            redactions: findings.map { Inspection.Redaction(type: $0.type, start: $0.start, end: $0.end) },
            reasons: ["sensitive data"], findings: findings)
    }
}

