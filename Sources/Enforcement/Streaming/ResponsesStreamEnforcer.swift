/// Enforces an OpenAI Responses API stream (`POST /v1/responses` with
/// `stream: true`) event by event.
///
/// Every text delta — `response.output_text.delta`, `response.refusal.delta`,
/// reasoning text and summary deltas, `response.function_call_arguments.delta`
/// and the other tool-input deltas — runs through the sliding window of its
/// stream (one per output item and content part). Held-back text is released
/// in later deltas, or in one more delta inserted before the stream's `.done`
/// event. Every event that repeats a whole text (`….done`,
/// `response.content_part.done`, `response.output_item.done`,
/// `response.completed`, …) carries exactly the text the client was sent; a
/// text that arrives only whole is inspected whole. Token log-probabilities
/// (which spell out the text) are dropped. Sequence numbers are renumbered so
/// they stay consecutive when deltas are held back or added. A refusal ends
/// the stream with an `error` event that the OpenAI SDKs raise as `APIError`.
public struct OpenAIResponsesStreamEnforcer: Sendable {
    private var streams: TextStreams
    /// Everything released so far for each stream key.
    private var released: [String: String] = [:]
    /// For each stream key, the delta event (less its delta) used to send held-back text.
    private var deltaTemplates: [String: OrderedJSON] = [:]
    private var sequence = 0
    /// What happened so far.
    public private(set) var summary = StreamSummary()
    /// Whether the stream has ended (completed, refused, failed or malformed); later events are dropped.
    public private(set) var isClosed = false

    /// Creates an enforcer whose windows hold back `span` scalars.
    public init(span: Int) {
        streams = TextStreams(span: span)
    }

    /// Processes one upstream event; returns the events to send to the client.
    public mutating func process(_ event: ServerSentEvent, inspect: TextInspector) async -> [ServerSentEvent] {
        guard !isClosed else { return [] }
        if event.data.hasPrefix("[DONE]") {
            var out = await closeAll(inspect: inspect)
            if isClosed { return out }
            out.append(event)
            isClosed = true
            return out
        }
        guard var body = try? OrderedJSON(parsing: event.data), body.isObject,
              let type = body["type"]?.stringValue ?? event.event else {
            return malformed()
        }
        var out: [ServerSentEvent] = []
        switch type {
        case "error":
            // The upstream's own error event: pass it on.
            isClosed = true
            return [emit(body, type: type)]
        case "response.created", "response.queued", "response.in_progress":
            if let model = body["response"]?["model"]?.stringValue { summary.model = model }
            if let refusal = await finalizeResponse(&body, whole: false, inspect: inspect) { return refuse(refusal) }
        case "response.completed", "response.incomplete", "response.failed":
            out = await closeAll(inspect: inspect)
            if isClosed { return out }
            if let response = body["response"] {
                summary.model = response["model"]?.stringValue ?? summary.model
                summary.inputTokens = response["usage"]?["input_tokens"]?.intValue ?? summary.inputTokens
                summary.outputTokens = response["usage"]?["output_tokens"]?.intValue ?? summary.outputTokens
            }
            if let refusal = await finalizeResponse(&body, whole: true, inspect: inspect) { return refuse(refusal) }
            out.append(emit(body, type: type, event: event))
            isClosed = true
            return out
        case "response.output_item.added", "response.output_item.done":
            let outputIndex = body["output_index"]?.intValue ?? 0
            let whole = type == "response.output_item.done"
            if whole {
                let keys = streams.openKeys.filter {
                    $0 == "a.\(outputIndex)" || $0.hasPrefix("c.\(outputIndex).") || $0.hasPrefix("s.\(outputIndex).")
                }
                out = await closeStreams(keys: keys, inspect: inspect)
                if isClosed { return out }
            }
            guard var item = body["item"] else { break }
            if let refusal = await finalize(item: &item, outputIndex: outputIndex, whole: whole, inspect: inspect) {
                return out + refuse(refusal)
            }
            body["item"] = item
        case "response.content_part.added", "response.content_part.done":
            let outputIndex = body["output_index"]?.intValue ?? 0
            let contentIndex = body["content_index"]?.intValue ?? 0
            let key = "c.\(outputIndex).\(contentIndex)"
            let whole = type == "response.content_part.done"
            if whole {
                out = await closeStreams(keys: [key], inspect: inspect)
                if isClosed { return out }
            }
            guard var part = body["part"] else { break }
            if let refusal = await finalize(part: &part, key: key, whole: whole, inspect: inspect) {
                return out + refuse(refusal)
            }
            body["part"] = part
        default:
            if type.hasSuffix(".delta"), !Self.binaryDeltas.contains(type), let delta = body["delta"]?.stringValue {
                let key = Self.streamKey(type: type, body)
                if deltaTemplates[key] == nil {
                    var template = body
                    template["delta"] = nil
                    template["sequence_number"] = nil
                    Self.dropLogprobs(&template)
                    deltaTemplates[key] = template
                }
                switch await streams.feed(key, delta, inspect: inspect) {
                case .refuse(let inspection): return refuse(inspection)
                case .text(let text):
                    guard !text.isEmpty else { return [] }
                    released[key, default: ""] += text
                    body["delta"] = .string(text)
                    Self.dropLogprobs(&body)
                }
            } else if type.hasSuffix(".done") {
                let key = Self.streamKey(type: type, body)
                out = await closeStreams(keys: [key], inspect: inspect)
                if isClosed { return out }
                for field in Self.wholeTextFields {
                    guard let text = body[field]?.stringValue else { continue }
                    switch await settle(key, text, inspect: inspect) {
                    case .refuse(let inspection): return out + refuse(inspection)
                    case .text(let settled): body[field] = .string(settled)
                    }
                }
                Self.dropLogprobs(&body)
            }
        }
        out.append(emit(body, type: type, event: event))
        return out
    }

    /// The upstream stream ended without `response.completed`: releases what is held back.
    public mutating func finish(inspect: TextInspector) async -> [ServerSentEvent] {
        guard !isClosed else { return [] }
        let out = await closeAll(inspect: inspect)
        isClosed = true
        return out
    }

    /// The `error` event that ends the stream, numbered after the events sent.
    public mutating func errorEvent(message: String, type: String) -> ServerSentEvent {
        defer { sequence += 1 }
        return StreamErrorEvent.openAIResponses(message: message, type: type, sequenceNumber: sequence)
    }

    // MARK: - Stream keys

    /// Delta events whose `delta` is encoded binary data (base64 audio), not text.
    private static let binaryDeltas: Set<String> = ["response.audio.delta"]

    /// Fields of a `….done` event that repeat a stream's whole text.
    private static let wholeTextFields = ["text", "refusal", "arguments", "input", "code", "transcript"]

    /// The stream a delta or done event belongs to: `c.O.C` for content part C
    /// of output item O (output text, refusal, reasoning text), `s.O.S` for
    /// reasoning summary part S, `a.O` for a tool call's arguments or input,
    /// and `x.TYPE.O.C` for any other text stream.
    static func streamKey(type: String, _ body: OrderedJSON) -> String {
        let output = body["output_index"]?.intValue ?? 0
        let base = type.hasSuffix(".delta") ? String(type.dropLast(".delta".count)) : String(type.dropLast(".done".count))
        switch base {
        case "response.output_text", "response.refusal", "response.reasoning_text":
            return "c.\(output).\(body["content_index"]?.intValue ?? 0)"
        case "response.reasoning_summary_text":
            return "s.\(output).\(body["summary_index"]?.intValue ?? 0)"
        case "response.function_call_arguments", "response.mcp_call_arguments", "response.custom_tool_call_input",
             "response.code_interpreter_call_code":
            return "a.\(output)"
        default:
            let part = body["content_index"]?.intValue ?? body["summary_index"]?.intValue ?? 0
            return "x.\(base).\(output).\(part)"
        }
    }

    // MARK: - Whole texts

    /// The text to send for a stream's whole text: what was released for it,
    /// or — for a text never streamed as deltas — the text inspected whole.
    private mutating func settle(_ key: String, _ text: String, inspect: TextInspector) async -> SlidingWindow.Release {
        if let sent = released[key] { return .text(sent) }
        let release = await streams.inspectWhole(text, into: &summary, inspect: inspect)
        if case .text(let settled) = release, !text.isEmpty { released[key] = settled }
        return release
    }

    /// Applies `settle` (whole) or feeds the stream (an item or part just
    /// added, whose text later deltas continue) to one text.
    private mutating func visit(_ text: inout OrderedJSON, key: String, whole: Bool, inspect: TextInspector) async -> Inspection? {
        guard let current = text.stringValue else { return nil }
        if whole {
            switch await settle(key, current, inspect: inspect) {
            case .refuse(let inspection): return inspection
            case .text(let settled): text = .string(settled)
            }
        } else if !current.isEmpty {
            switch await streams.feed(key, current, inspect: inspect) {
            case .refuse(let inspection): return inspection
            case .text(let out):
                released[key, default: ""] += out
                text = .string(out)
            }
        }
        return nil
    }

    /// One content or summary part: its `text` or `refusal`.
    private mutating func finalize(part: inout OrderedJSON, key: String, whole: Bool, inspect: TextInspector) async -> Inspection? {
        guard part.isObject else { return nil }
        for field in ["text", "refusal"] {
            guard var value = part[field] else { continue }
            if let refusal = await visit(&value, key: key, whole: whole, inspect: inspect) { return refusal }
            part[field] = value
        }
        Self.dropLogprobs(&part)
        return nil
    }

    /// Every text of one output item: content parts, summary parts, a tool
    /// call's arguments, input or code, and a tool's output.
    private mutating func finalize(item: inout OrderedJSON, outputIndex: Int, whole: Bool, inspect: TextInspector) async -> Inspection? {
        guard item.isObject else { return nil }
        for (field, prefix) in [("content", "c"), ("summary", "s")] {
            guard case .array(var parts)? = item[field] else { continue }
            for index in parts.indices {
                if let refusal = await finalize(
                    part: &parts[index], key: "\(prefix).\(outputIndex).\(index)", whole: whole, inspect: inspect)
                {
                    return refusal
                }
            }
            item[field] = .array(parts)
        }
        for field in ["arguments", "input", "code"] {
            guard var value = item[field] else { continue }
            if let refusal = await visit(&value, key: "a.\(outputIndex)", whole: whole, inspect: inspect) { return refusal }
            item[field] = value
        }
        if var value = item["output"], value.stringValue != nil {
            // A tool's output (MCP call): never streamed, always inspected whole.
            if let refusal = await visit(&value, key: "o.\(outputIndex)", whole: true, inspect: inspect) { return refusal }
            item["output"] = value
        }
        return nil
    }

    /// Every output item of the `response` object an event carries.
    private mutating func finalizeResponse(_ body: inout OrderedJSON, whole: Bool, inspect: TextInspector) async -> Inspection? {
        guard var response = body["response"], response.isObject else { return nil }
        if case .array(var output)? = response["output"] {
            for index in output.indices {
                if let refusal = await finalize(item: &output[index], outputIndex: index, whole: whole, inspect: inspect) {
                    return refusal
                }
            }
            response["output"] = .array(output)
            if response["output_text"]?.stringValue != nil {
                // A convenience some servers add: rebuilt from the enforced output.
                response["output_text"] = .string(Self.outputText(output))
            }
        } else if response["output_text"]?.stringValue != nil {
            response["output_text"] = nil
        }
        body["response"] = response
        return nil
    }

    private static func outputText(_ output: [OrderedJSON]) -> String {
        var text = ""
        for item in output where item["type"]?.stringValue == "message" {
            for part in item["content"]?.arrayValue ?? [] where part["type"]?.stringValue == "output_text" {
                text += part["text"]?.stringValue ?? ""
            }
        }
        return text
    }

    /// Token log-probabilities spell out the text unscanned: the proxy sends none.
    private static func dropLogprobs(_ body: inout OrderedJSON) {
        if let logprobs = body["logprobs"], logprobs != .array([]), logprobs != .null {
            body["logprobs"] = .array([])
        }
    }

    // MARK: - Closing streams

    /// Closes the given streams, sending what they held back as one more delta each.
    private mutating func closeStreams(keys: [String], inspect: TextInspector) async -> [ServerSentEvent] {
        var out: [ServerSentEvent] = []
        for key in keys where streams.isOpen(key) {
            switch await streams.close(key, into: &summary, inspect: inspect) {
            case .refuse(let inspection): return out + refuse(inspection)
            case .text(let text):
                guard !text.isEmpty else { continue }
                released[key, default: ""] += text
                if var delta = deltaTemplates[key], let type = delta["type"]?.stringValue {
                    delta["delta"] = .string(text)
                    out.append(emit(delta, type: type))
                } else if let event = Self.deltaEvent(key: key, text: text) {
                    out.append(emit(event, type: event["type"]?.stringValue ?? ""))
                }
            }
        }
        return out
    }

    private mutating func closeAll(inspect: TextInspector) async -> [ServerSentEvent] {
        await closeStreams(keys: streams.openKeys, inspect: inspect)
    }

    /// A delta event for a stream whose text came whole in an added item or part
    /// and was never continued by a delta (so no delta event to copy).
    private static func deltaEvent(key: String, text: String) -> OrderedJSON? {
        let parts = key.split(separator: ".")
        guard parts.count >= 2, let output = Int(parts[1]) else { return nil }
        var members: [OrderedJSON.Member] = []
        switch parts[0] {
        case "c":
            members = [.init("type", .string("response.output_text.delta")), .init("output_index", .int(output)),
                       .init("content_index", .int(parts.count > 2 ? Int(parts[2]) ?? 0 : 0)), .init("logprobs", .array([]))]
        case "s":
            members = [.init("type", .string("response.reasoning_summary_text.delta")), .init("output_index", .int(output)),
                       .init("summary_index", .int(parts.count > 2 ? Int(parts[2]) ?? 0 : 0))]
        case "a":
            members = [.init("type", .string("response.function_call_arguments.delta")), .init("output_index", .int(output))]
        default:
            return nil
        }
        members.append(.init("delta", .string(text)))
        return .object(members)
    }

    // MARK: - Ending

    /// Gives `body` the next sequence number and wraps it as an event named by its type.
    private mutating func emit(_ body: OrderedJSON, type: String, event: ServerSentEvent? = nil) -> ServerSentEvent {
        var body = body
        body["sequence_number"] = .int(sequence)
        sequence += 1
        return ServerSentEvent(event: event?.event ?? type, data: body.serialized(), id: event?.id)
    }

    private mutating func refuse(_ inspection: Inspection) -> [ServerSentEvent] {
        streams.abandon(into: &summary)
        summary.refuse(inspection)
        isClosed = true
        return [errorEvent(message: StreamErrorEvent.refusalMessage(inspection), type: "policy_violation")]
    }

    private mutating func malformed() -> [ServerSentEvent] {
        summary.malformed = true
        isClosed = true
        return [errorEvent(message: "The upstream sent a malformed stream event", type: "upstream_error")]
    }
}

extension OpenAIResponsesStreamEnforcer: StreamEnforcing {}
