/// One server-sent event (the `text/event-stream` format both OpenAI and
/// Anthropic stream in).
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field, if any.
    public var event: String?
    /// The `data:` lines joined by `\n`.
    public var data: String
    /// The `id:` field, if any.
    public var id: String?

    /// Creates an event.
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// The event in wire form, ending with the blank line that dispatches it.
    public func serialized() -> String {
        var out = ""
        if let event { out += "event: \(event)\n" }
        if let id { out += "id: \(id)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            out += "data: \(line)\n"
        }
        out += "\n"
        return out
    }
}

/// An incremental `text/event-stream` parser: feed it bytes as they arrive in
/// any chunking and it returns each event once its terminating blank line has
/// been seen (WHATWG HTML §9.2.6).
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var event: String?
    private var data: [String] = []
    private var hasData = false
    private var id: String?
    private var sawField = false

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Consumes the next bytes of the stream; returns the events they complete.
    public mutating func consume(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byte == 0x0A {
                if lastWasCR { lastWasCR = false; continue }
                endLine(into: &events)
            } else if byte == 0x0D {
                lastWasCR = true
                endLine(into: &events)
            } else {
                lastWasCR = false
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: an event whose blank line never came is still returned
    /// when it has data, so a truncated upstream stream is not silently lost.
    public mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !line.isEmpty { endLine(into: &events) }
        if hasData {
            events.append(ServerSentEvent(event: event, data: data.joined(separator: "\n"), id: id))
        }
        reset()
        return events
    }

    /// Whether bytes of an unfinished event are buffered.
    public var hasPartialEvent: Bool { !line.isEmpty || sawField }

    private mutating func reset() {
        event = nil
        data = []
        hasData = false
        id = nil
        sawField = false
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            if hasData {
                events.append(ServerSentEvent(event: event, data: data.joined(separator: "\n"), id: id))
            }
            reset()
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        sawField = true
        let field: String
        var value: Substring
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var rest = line[(colon + 1)...]
            if rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
            value = Substring(String(decoding: rest, as: UTF8.self))
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data": data.append(String(value)); hasData = true
        case "id": id = String(value)
        default: break
        }
    }
}
