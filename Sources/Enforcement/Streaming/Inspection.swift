import Detection

/// What the decision pipeline said about one piece of text, reduced to what a
/// proxy needs to act on it: the action, and the spans to redact.
public struct Inspection: Sendable, Hashable {
    /// The action on the text: the pipeline's own `Decision`, in its precedence order.
    public typealias Action = Decision

    /// One span to replace, in Unicode-scalar offsets of the inspected text (end-exclusive).
    public struct Redaction: Sendable, Hashable {
        /// The entity type, used in the placeholder (`US_SSN`, `SECRET`, ...).
        public var type: String
        /// Start offset in Unicode scalars.
        public var start: Int
        /// End offset (exclusive) in Unicode scalars.
        public var end: Int

        /// Creates a redaction span.
        public init(type: String, start: Int, end: Int) {
            self.type = type
            self.start = start
            self.end = end
        }
    }

    /// The action on the whole text.
    public var action: Action
    /// Spans to replace when the action is `redact` (ignored otherwise).
    public var redactions: [Redaction]
    /// Why (policy reasons); safe to show: never the content itself.
    public var reasons: [String]
    /// The findings behind the decision (types and positions only).
    public var findings: [Finding]
    /// Set when the check could not run and the tenant's fail-mode decided
    /// (`closed: policy_error`, ...), so the event says so.
    public var failure: String?

    /// Creates an inspection result.
    public init(
        action: Action, redactions: [Redaction] = [], reasons: [String] = [], findings: [Finding] = [],
        failure: String? = nil
    ) {
        self.action = action
        self.redactions = redactions
        self.reasons = reasons
        self.findings = findings
        self.failure = failure
    }

    /// Nothing found.
    public static let clean = Inspection(action: .allow)

    /// The default placeholder written in place of a redacted span.
    public static func placeholder(for type: String) -> String { "[REDACTED:\(type)]" }

    /// Applies `redactions` to `text` (when the action is `redact`), replacing
    /// each maximal run of overlapping spans by one placeholder.
    public func apply(to text: String, placeholder: (String) -> String = Inspection.placeholder(for:)) -> String {
        guard action == .redact, !redactions.isEmpty else { return text }
        let scalars = Array(text.unicodeScalars)
        let spans = Inspection.merged(redactions, within: 0..<scalars.count)
        var out = String.UnicodeScalarView()
        var position = 0
        for span in spans {
            out.append(contentsOf: scalars[position..<span.range.lowerBound])
            out.append(contentsOf: placeholder(span.type).unicodeScalars)
            position = span.range.upperBound
        }
        out.append(contentsOf: scalars[position...])
        return String(out)
    }

    /// Sorted, non-overlapping spans clipped to `bounds`; overlapping spans keep
    /// the type of the first.
    static func merged(_ redactions: [Redaction], within bounds: Range<Int>) -> [(type: String, range: Range<Int>)] {
        let clipped = redactions.compactMap { r -> (String, Range<Int>)? in
            let lower = max(r.start, bounds.lowerBound)
            let upper = min(r.end, bounds.upperBound)
            return lower < upper ? (r.type, lower..<upper) : nil
        }.sorted { $0.1.lowerBound < $1.1.lowerBound }
        var result: [(type: String, range: Range<Int>)] = []
        for (type, range) in clipped {
            if let last = result.last, range.lowerBound < last.range.upperBound {
                result[result.count - 1].range = last.range.lowerBound..<max(last.range.upperBound, range.upperBound)
            } else {
                result.append((type, range))
            }
        }
        return result
    }
}

/// A function that inspects one text; the proxy supplies one that runs the
/// decision pipeline without recording (the call is recorded once, at its end).
public typealias TextInspector = @Sendable (String) async -> Inspection

extension Decision {
    /// Whether a proxy must refuse the text (a proxy cannot ask a person, so
    /// `challenge` refuses as `block` does).
    public var refuses: Bool { self >= .challenge }
}
