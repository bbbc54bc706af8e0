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

    @Test func outOfRangeSpansAreClampedAndScalarsRespected() {
        let emoji = "👍🏽 call 555"
        let findings = [Finding(type: "PHONE_NUMBER", start: 8, end: 99, score: 0.5)]
        #expect(redact(emoji, findings: findings, style: .label) == "👍🏽 call [REDACTED:PHONE_NUMBER]")
        #expect(redact(emoji, findings: [], style: .label) == emoji)
    }
}
