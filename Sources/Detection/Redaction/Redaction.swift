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
    guard !findings.isEmpty else { return text }
    var text = text
    return text.withUTF8 { bytes -> String in
        // Offsets are in Unicode scalars; a scalar starts at every byte that is not a continuation byte.
        var count = 0
        for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
        var spans: [Finding] = []
        for finding in findings {
            var f = finding
            f.start = max(0, min(f.start, count))
            f.end = max(f.start, min(f.end, count))
            if f.end > f.start { spans.append(f) }
        }
        guard !spans.isEmpty else { return String(decoding: bytes, as: UTF8.self) }
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
        // Byte offsets of the span boundaries (ascending), found in one pass.
        var boundaries: [Int] = []
        boundaries.reserveCapacity(2 * merged.count)
        for span in merged { boundaries.append(span.start); boundaries.append(span.end) }
        var byteOffsets = [Int](repeating: bytes.count, count: boundaries.count)
        var next = 0
        var scalar = 0
        for index in 0..<bytes.count where bytes[index] & 0xC0 != 0x80 {
            while next < boundaries.count && boundaries[next] == scalar {
                byteOffsets[next] = index
                next += 1
            }
            scalar += 1
            if next == boundaries.count { break }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16 * merged.count)
        var position = 0
        for (i, span) in merged.enumerated() {
            let start = byteOffsets[2 * i], end = byteOffsets[2 * i + 1]
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<start]))
            let value = Array(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self).unicodeScalars)
            out.append(contentsOf: replacement(for: value[...], type: span.best.type, style: style).utf8)
            position = end
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<bytes.count]))
        return String(decoding: out, as: UTF8.self)
    }
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
