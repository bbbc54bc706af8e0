import Testing
@testable import Detection

@Suite struct RedactionTests {
    let text = "Card 4111 1111 1111 1111 for Ann"

    @Test func labelsEachFinding() {
        let findings = [Finding(type: "CREDIT_CARD", start: 5, end: 24, score: 0.9), Finding(type: "PERSON", start: 29, end: 32, score: 0.6)]
        #expect(redact(text, findings: findings, style: .label) == "Card [REDACTED:CREDIT_CARD] for [REDACTED:PERSON]")
    }

    @Test func keepsLastFourOfCards() {
        let findings = [Finding(type: "CREDIT_CARD", start: 5, end: 24, score: 0.9)]
        #expect(redact(text, findings: findings, style: .keepLastFour) == "Card **** **** **** 1111 for Ann")
    }

    @Test func hmacTokensAreStablePerKey() {
        let findings = [Finding(type: "CREDIT_CARD", start: 5, end: 24, score: 0.9)]
        let a = redact(text, findings: findings, style: .hmacToken(key: Array("k1".utf8)))
        let b = redact(text, findings: findings, style: .hmacToken(key: Array("k1".utf8)))
        let c = redact(text, findings: findings, style: .hmacToken(key: Array("k2".utf8)))
        #expect(a == b)
        #expect(a != c)
        #expect(a.hasPrefix("Card [CREDIT_CARD:") && !a.contains("4111"))
    }

    @Test func overlappingAndNestedFindingsAreMergedOnce() {
        let findings = [
            Finding(type: "PHONE_NUMBER", start: 5, end: 14, score: 0.5),
            Finding(type: "CREDIT_CARD", start: 5, end: 24, score: 0.95),
            Finding(type: "US_BANK_NUMBER", start: 20, end: 28, score: 0.4),
        ]
        #expect(redact(text, findings: findings, style: .label) == "Card [REDACTED:CREDIT_CARD] Ann")
    }

    @Test func offsetsCountScalarsAcrossMultiByteText() {
        // "é" is 2 bytes, "東京" 3 bytes each, "🚀" 4 bytes: offsets stay in scalars.
        let text = "é 東京 🚀 bob@example.com, call 555-0134 ok"
        let email = Finding(type: "EMAIL_ADDRESS", start: 7, end: 22, score: 0.9)
        let phone = Finding(type: "PHONE_NUMBER", start: 29, end: 37, score: 0.9)
        #expect(redact(text, findings: [phone, email], style: .label)
            == "é 東京 🚀 [REDACTED:EMAIL_ADDRESS], call [REDACTED:PHONE_NUMBER] ok")
        #expect(redact(text, findings: [phone], style: .keepLastFour) == "é 東京 🚀 bob@example.com, call ***-0134 ok")
        // A span that ends exactly at the end of the text, and one starting at 0.
        let whole = Finding(type: "PERSON", start: 0, end: text.unicodeScalars.count, score: 0.5)
        #expect(redact(text, findings: [whole], style: .label) == "[REDACTED:PERSON]")
        #expect(redact("🚀x", findings: [Finding(type: "X", start: 1, end: 2, score: 1)], style: .label) == "🚀[REDACTED:X]")
    }

    @Test func matchesAScalarByScalarReferenceOnRandomTexts() {
        // The reference: the text as an array of scalars, merged spans replaced by labels.
        func reference(_ text: String, _ findings: [Finding]) -> String {
            let scalars = Array(text.unicodeScalars)
            var spans: [(Int, Int, Finding)] = []
            for f in findings {
                let start = max(0, min(f.start, scalars.count))
                let end = max(start, min(f.end, scalars.count))
                if end > start { spans.append((start, end, f)) }
            }
            spans.sort { a, b in a.0 != b.0 ? a.0 < b.0 : a.1 > b.1 }
            var merged: [(Int, Int, Finding)] = []
            for s in spans {
                if let last = merged.last, s.0 < last.1 {
                    merged[merged.count - 1] = (last.0, max(last.1, s.1), s.2.score > last.2.score ? s.2 : last.2)
                } else {
                    merged.append(s)
                }
            }
            var out = String.UnicodeScalarView()
            var position = 0
            for m in merged {
                out.append(contentsOf: scalars[position..<m.0])
                out.append(contentsOf: "[REDACTED:\(m.2.type)]".unicodeScalars)
                position = m.1
            }
            out.append(contentsOf: scalars[position...])
            return String(out)
        }
        let alphabet: [Unicode.Scalar] = ["a", "Z", "7", " ", "-", "@", "é", "ß", "東", "🚀", "👍", "\u{1F3FD}", "\u{301}", "\n"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var view = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...40, using: &generator) { view.append(alphabet.randomElement(using: &generator) ?? "a") }
            let text = String(view)
            let findings = (0..<Int.random(in: 0...4, using: &generator)).map { i in
                let start = Int.random(in: -2...44, using: &generator)
                return Finding(type: "T\(i)", start: start, end: start + Int.random(in: -1...12, using: &generator),
                               score: Double.random(in: 0...1, using: &generator))
            }
            #expect(redact(text, findings: findings, style: .label) == reference(text, findings))
        }
    }

    @Test func outOfRangeSpansAreClampedAndScalarsRespected() {
        let emoji = "👍🏽 call 555"
        let findings = [Finding(type: "PHONE_NUMBER", start: 8, end: 99, score: 0.5)]
        #expect(redact(emoji, findings: findings, style: .label) == "👍🏽 call [REDACTED:PHONE_NUMBER]")
        #expect(redact(emoji, findings: [], style: .label) == emoji)
    }
}
