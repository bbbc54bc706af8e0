/// The text streams of one streamed response — one per choice's content, tool
/// call's arguments, content block or output part — each behind its own
/// `SlidingWindow`, keyed by a name the provider enforcer chooses.
///
/// This is the part every provider enforcer shares: feed a delta, close a
/// stream at its end, and fold what the windows saw into a `StreamSummary`.
struct TextStreams: Sendable {
    private let span: Int
    private var windows: [String: SlidingWindow] = [:]
    /// Keys of the open streams, in order of their first text.
    private(set) var openKeys: [String] = []

    init(span: Int) {
        self.span = span
    }

    /// Whether stream `key` has text held back or was fed and not closed.
    func isOpen(_ key: String) -> Bool { windows[key] != nil }

    /// Adds `text` to stream `key` (opening it); returns what may be released now.
    mutating func feed(_ key: String, _ text: String, inspect: TextInspector) async -> SlidingWindow.Release {
        if windows[key] == nil {
            windows[key] = SlidingWindow(span: span)
            openKeys.append(key)
        }
        guard let request = windows[key]?.append(text) else { return .text("") }
        let inspection = await inspect(request)
        return windows[key]?.resolve(inspection) ?? .text("")
    }

    /// Ends stream `key`: inspects what it holds back one last time and
    /// releases it, and adds what the window saw to `summary`.
    mutating func close(_ key: String, into summary: inout StreamSummary, inspect: TextInspector) async -> SlidingWindow.Release {
        guard var window = windows.removeValue(forKey: key) else { return .text("") }
        openKeys.removeAll { $0 == key }
        var release = SlidingWindow.Release.text("")
        if let request = window.finish() {
            release = window.resolve(await inspect(request))
        }
        summary.absorb(window)
        return release
    }

    /// Inspects a text that arrived whole (not as deltas) in its own window:
    /// what may be released, or the refusal.
    mutating func inspectWhole(_ text: String, into summary: inout StreamSummary, inspect: TextInspector) async
        -> SlidingWindow.Release
    {
        guard !text.isEmpty else { return .text("") }
        var window = SlidingWindow(span: span)
        var released = ""
        if let request = window.append(text) {
            switch window.resolve(await inspect(request)) {
            case .text(let out): released += out
            case .refuse(let inspection):
                summary.absorb(window)
                return .refuse(inspection)
            }
        }
        if let request = window.finish() {
            switch window.resolve(await inspect(request)) {
            case .text(let out): released += out
            case .refuse(let inspection):
                summary.absorb(window)
                return .refuse(inspection)
            }
        }
        summary.absorb(window)
        return .text(released)
    }

    /// Drops every stream after a refusal, adding what they saw to `summary`.
    mutating func abandon(into summary: inout StreamSummary) {
        for key in openKeys {
            if let window = windows[key] { summary.absorb(window) }
        }
        windows.removeAll()
        openKeys.removeAll()
    }
}

extension StreamSummary {
    /// Records that the stream was cut by `inspection`.
    mutating func refuse(_ inspection: Inspection) {
        action = max(action, inspection.action)
        refused = true
        reasons = inspection.reasons
    }
}
