/// How `redact` replaces each finding.
public enum RedactionStyle: Sendable, Hashable {
    /// `[REDACTED:<TYPE>]`, with `<TYPE>` the finding's type (`SECRET` findings too).
    case label
    /// Card-like numbers keep their last four digits (`************1111`, separators kept);
    /// other types fall back to `label`.
    case keepLastFour
    /// `[<TYPE>:<token>]`, the token being the first 16 hex digits of HMAC-SHA-256(key, value):
    /// the same value under the same key always gives the same token.
    case hmacToken(key: [UInt8])
}

/// Replaces every finding in `text`. Findings may overlap or nest: overlapping spans are
/// merged and replaced once, labelled with the type of the highest-scoring finding among them.
/// Offsets are Unicode scalar offsets (as `Detector.scan` reports them); out-of-range spans are clamped.
public func redact(_ text: String, findings: [Finding], style: RedactionStyle) -> String {
    let scalars = Array(text.unicodeScalars)
    let count = scalars.count
    var spans: [Finding] = []
    for finding in findings {
        var f = finding
        f.start = max(0, min(f.start, count))
        f.end = max(f.start, min(f.end, count))
        if f.end > f.start { spans.append(f) }
    }
    spans.sort { a, b in a.start != b.start ? a.start < b.start : a.end > b.end }
    // Merge overlapping spans; the merged span keeps the best-scoring finding's type.
    var merged: [(start: Int, end: Int, best: Finding)] = []
    for f in spans {
        if let last = merged.last, f.start < last.end {
            let best = f.score > last.best.score ? f : last.best
            merged[merged.count - 1] = (last.start, max(last.end, f.end), best)
        } else {
            merged.append((f.start, f.end, f))
        }
    }
    var out = String.UnicodeScalarView()
    var position = 0
    for span in merged {
        out.append(contentsOf: scalars[position..<span.start])
        let value = scalars[span.start..<span.end]
        out.append(contentsOf: replacement(for: value, type: span.best.type, style: style).unicodeScalars)
        position = span.end
    }
    out.append(contentsOf: scalars[position..<count])
    return String(out)
}

private let lastFourTypes: Set<String> = ["CREDIT_CARD", "US_BANK_NUMBER", "IBAN_CODE", "US_SSN", "PHONE_NUMBER"]

private func replacement(for value: ArraySlice<Unicode.Scalar>, type: String, style: RedactionStyle) -> String {
    switch style {
    case .label:
        return "[REDACTED:\(type)]"
    case .keepLastFour:
        guard lastFourTypes.contains(type) else { return "[REDACTED:\(type)]" }
        var alnumSeen = 0
        let total = value.filter { $0.properties.numericType != nil || ($0.isASCII && ($0.value | 0x20) >= 0x61 && ($0.value | 0x20) <= 0x7A) }.count
        var s = String.UnicodeScalarView()
        for scalar in value {
            let isAlnum = scalar.properties.numericType != nil || (scalar.isASCII && (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A)
            if isAlnum {
                alnumSeen += 1
                s.append(alnumSeen > total - 4 ? scalar : "*")
            } else {
                s.append(scalar)
            }
        }
        return String(s)
    case let .hmacToken(key):
        var bytes: [UInt8] = []
        for scalar in value { bytes.append(contentsOf: String(scalar).utf8) }
        let mac = SHA256.hmac(key: key, message: bytes)
        let hex = mac.prefix(8).map { b -> String in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
        }.joined()
        return "[\(type):\(hex)]"
    }
}
