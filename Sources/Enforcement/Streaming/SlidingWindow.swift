/// The streaming enforcer for one stream of text (one message's content, or one
/// tool call's arguments): a pure state machine that holds back only the last
/// `span` Unicode scalars — as much as one finding can cover — so that a
/// finding split across chunks is always seen whole before any part of it is
/// released.
///
/// Use: `append(delta)` returns the text to inspect (or `nil` when nothing can
/// be released yet); pass the inspection to `resolve(_:)`, which returns the
/// text that may go to the client or a refusal. At the end of the stream,
/// `finish()` returns the last text to inspect and `resolve` releases the rest.
///
/// Why it is sound: the window releases text only up to `total - span`. A
/// finding of at most `span` scalars that touches released text therefore ends
/// inside the text that was inspected when it was released, so it was seen
/// whole and redacted whole (a redaction is never split by a cut). The last
/// `span` released scalars stay as context for the next inspection, so a
/// finding that starts just before the cut is still seen.
///
/// Some secrets are longer than any sensible span: a PEM block (a private key
/// runs to kilobytes) is only recognisable once its `-----END …-----` line has arrived.
/// So the cut never passes the start of a `-----BEGIN ` block whose end has not
/// been seen yet, while it is at most `blockSpan` scalars long; the block is held
/// back whole and inspected whole.
public struct SlidingWindow: Sendable {
    /// What `resolve` allows.
    public enum Release: Sendable, Hashable {
        /// Send this text (possibly empty) to the client.
        case text(String)
        /// Stop the stream: the inspection refused the text.
        case refuse(Inspection)
    }

    /// The longest span a finding may cover, in Unicode scalars.
    public let span: Int
    /// The longest PEM block held back whole, in Unicode scalars.
    public let blockSpan: Int
    private let placeholder: @Sendable (String) -> String
    /// Released context followed by held-back text.
    private var buffer: [Unicode.Scalar] = []
    /// How many leading scalars of `buffer` were already released.
    private var contextCount = 0
    /// Spans of held-back text already decided to be redacted (buffer offsets).
    private var pendingRedactions: [(type: String, range: Range<Int>)] = []
    private var awaitingResolution = false
    private var finishing = false
    /// Whether the window refused and is closed.
    public private(set) var isRefused = false
    /// The most severe action seen so far.
    public private(set) var strongestAction: Inspection.Action = .allow
    /// Every inspection's findings types seen so far, in order of first sight.
    public private(set) var findingTypes: [String] = []
    /// Fail-mode causes of inspections that could not run, in order of first sight.
    public private(set) var failures: [String] = []

    /// Creates a window holding back `span` scalars (at least 1), and open PEM blocks up to `blockSpan`.
    public init(
        span: Int, blockSpan: Int = 16_384,
        placeholder: @escaping @Sendable (String) -> String = Inspection.placeholder(for:)
    ) {
        self.span = max(1, span)
        self.blockSpan = max(self.span, blockSpan)
        self.placeholder = placeholder
    }

    /// Number of scalars held back, not yet released.
    public var heldBackCount: Int { buffer.count - contextCount }

    /// Adds streamed text. Returns the text to inspect when some of it could be
    /// released, or `nil` when everything must still be held back.
    public mutating func append(_ delta: String) -> String? {
        precondition(!awaitingResolution, "resolve the previous inspection first")
        guard !isRefused else { return nil }
        buffer.append(contentsOf: delta.unicodeScalars)
        // Inspect only when some text could be released: past the span, and not
        // inside a PEM block still waiting for its end.
        var releasable = buffer.count - span
        if let open = openBlockStart() { releasable = min(releasable, open) }
        guard releasable > contextCount else { return nil }
        awaitingResolution = true
        return String(String.UnicodeScalarView(buffer))
    }

    /// Ends the stream. Returns the text to inspect when some is held back.
    public mutating func finish() -> String? {
        precondition(!awaitingResolution, "resolve the previous inspection first")
        finishing = true
        guard !isRefused, heldBackCount > 0 else { return nil }
        awaitingResolution = true
        return String(String.UnicodeScalarView(buffer))
    }

    /// Applies the inspection of the text last returned by `append` or `finish`.
    public mutating func resolve(_ inspection: Inspection) -> Release {
        precondition(awaitingResolution, "no inspection was requested")
        awaitingResolution = false
        strongestAction = max(strongestAction, inspection.action)
        for finding in inspection.findings where !findingTypes.contains(finding.type) {
            findingTypes.append(finding.type)
        }
        if let failure = inspection.failure, !failures.contains(failure) { failures.append(failure) }
        if inspection.action.refuses {
            isRefused = true
            buffer.removeAll()
            pendingRedactions.removeAll()
            contextCount = 0
            return .refuse(inspection)
        }
        if inspection.action == .redact {
            let fresh = inspection.redactions.map { (type: $0.type, range: $0.start..<$0.end) }
            pendingRedactions = Inspection.merged(
                (pendingRedactions + fresh).map { Inspection.Redaction(type: $0.type, start: $0.range.lowerBound, end: $0.range.upperBound) },
                within: contextCount..<buffer.count
            )
        }
        var cut = finishing ? buffer.count : buffer.count - span
        if !finishing, let open = openBlockStart(), open < cut { cut = open }
        // Never split a redaction: move the cut past any span it falls inside.
        for redaction in pendingRedactions where redaction.range.contains(cut) && redaction.range.lowerBound < cut {
            cut = redaction.range.upperBound
        }
        guard cut > contextCount else { return .text("") }

        var out = String.UnicodeScalarView()
        var position = contextCount
        var remaining: [(type: String, range: Range<Int>)] = []
        for redaction in pendingRedactions {
            if redaction.range.lowerBound >= cut {
                remaining.append(redaction)
                continue
            }
            out.append(contentsOf: buffer[position..<redaction.range.lowerBound])
            out.append(contentsOf: placeholder(redaction.type).unicodeScalars)
            position = redaction.range.upperBound
        }
        if position < cut { out.append(contentsOf: buffer[position..<cut]) }

        // Keep the last `span` released scalars as context for the next inspection.
        let dropCount = max(0, cut - span)
        buffer.removeFirst(dropCount)
        contextCount = cut - dropCount
        pendingRedactions = remaining.map { ($0.type, ($0.range.lowerBound - dropCount)..<($0.range.upperBound - dropCount)) }
        return .text(String(out))
    }

    private static let begin = Array("-----BEGIN ".unicodeScalars)
    private static let end = Array("-----END ".unicodeScalars)
    private static let dashes = Array("-----".unicodeScalars)

    /// Where a held-back `-----BEGIN ` block starts whose `-----END ` has not arrived,
    /// if it is still short enough to hold back whole.
    private func openBlockStart() -> Int? {
        var position = contextCount
        var open: Int?
        while let found = find(Self.begin, from: position) {
            let next = found + Self.begin.count
            // Closed only once the END line's own trailing dashes have arrived.
            if let closed = find(Self.end, from: next), let dashes = find(Self.dashes, from: closed + Self.end.count) {
                position = dashes + Self.dashes.count
            } else {
                open = found
                break
            }
        }
        guard let open, buffer.count - open <= blockSpan else { return nil }
        return open
    }

    private func find(_ needle: [Unicode.Scalar], from start: Int) -> Int? {
        guard start <= buffer.count - needle.count else { return nil }
        var i = start
        while i <= buffer.count - needle.count {
            if buffer[i] == needle[0], buffer[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
