/// How a streamed response ended, for the call's event.
public struct StreamSummary: Sendable, Hashable {
    /// The most severe action taken on the response text.
    public var action: Inspection.Action = .allow
    /// Finding types seen in the response, in order of first sight.
    public var findingTypes: [String] = []
    /// Policy reasons of the refusal, when the stream was cut.
    public var reasons: [String] = []
    /// Fail-mode causes of inspections that could not run.
    public var failures: [String] = []
    /// Whether the stream was ended with a policy error event.
    public var refused = false
    /// Whether the upstream stream was not valid for its format.
    public var malformed = false
    /// The model the upstream named.
    public var model: String?
    /// Input tokens the upstream reported.
    public var inputTokens: Int?
    /// Output tokens the upstream reported.
    public var outputTokens: Int?

    /// Creates an empty summary.
    public init() {}

    mutating func absorb(_ window: SlidingWindow) {
        action = max(action, window.strongestAction)
        for type in window.findingTypes where !findingTypes.contains(type) { findingTypes.append(type) }
        for failure in window.failures where !failures.contains(failure) { failures.append(failure) }
    }
}

/// The provider-shaped error event a stream ends with.
public enum StreamErrorEvent {
    /// The event that ends an OpenAI stream; the OpenAI SDKs raise `APIError` on it.
    public static func openAI(message: String, type: String) -> ServerSentEvent {
        let body: OrderedJSON = .object([
            .init("error", .object([
                .init("message", .string(message)),
                .init("type", .string(type)),
                .init("param", .null),
                .init("code", .string(type)),
            ])),
        ])
        return ServerSentEvent(data: body.serialized())
    }

    /// The `event: error` that ends an Anthropic stream; the Anthropic SDKs raise on it.
    public static func anthropic(message: String, type: String) -> ServerSentEvent {
        let body: OrderedJSON = .object([
            .init("type", .string("error")),
            .init("error", .object([
                .init("type", .string(type)),
                .init("message", .string(message)),
            ])),
        ])
        return ServerSentEvent(event: "error", data: body.serialized())
    }

    /// The `event: error` that ends an OpenAI Responses stream: a
    /// `ResponseErrorEvent` (`type`, `code`, `message`, `param`,
    /// `sequence_number`) that also carries the error as an `error` object,
    /// on which the OpenAI SDKs raise `APIError` as they do for chat completions.
    public static func openAIResponses(message: String, type: String, sequenceNumber: Int) -> ServerSentEvent {
        let body: OrderedJSON = .object([
            .init("type", .string("error")),
            .init("code", .string(type)),
            .init("message", .string(message)),
            .init("param", .null),
            .init("sequence_number", .int(sequenceNumber)),
            .init("error", .object([
                .init("type", .string(type)),
                .init("code", .string(type)),
                .init("message", .string(message)),
                .init("param", .null),
            ])),
        ])
        return ServerSentEvent(event: "error", data: body.serialized())
    }

    /// The message used when a streamed response is cut by policy.
    static func refusalMessage(_ inspection: Inspection) -> String {
        let reasons = inspection.reasons.isEmpty ? "" : ": " + inspection.reasons.joined(separator: "; ")
        return "The response was blocked by policy\(reasons)"
    }
}

/// Enforces an OpenAI chat-completions stream chunk by chunk: every
/// `delta.content`, `delta.refusal`, `delta.audio.transcript`, `delta.tool_calls[].function.arguments`
/// and `delta.tool_calls[].custom.input`
/// of every choice runs through its own `SlidingWindow`; held-back text is
/// released in later chunks or added to the chunk that finishes its
/// choice; a refusal ends the stream with an error event.
public struct OpenAIChatStreamEnforcer: Sendable {
    /// One stream per choice field: `N.content`, `N.refusal`, `N.tool.T`, `N.custom.T`.
    private var streams: TextStreams
    private var template: OrderedJSON?
    /// What happened so far.
    public private(set) var summary = StreamSummary()
    /// Whether the stream has ended (refused, done or malformed); later events are dropped.
    public private(set) var isClosed = false

    /// Creates an enforcer whose windows hold back `span` scalars.
    public init(span: Int) {
        streams = TextStreams(span: span)
    }

    /// Processes one upstream event; returns the events to send to the client.
    public mutating func process(_ event: ServerSentEvent, inspect: TextInspector) async -> [ServerSentEvent] {
        guard !isClosed else { return [] }
        let data = event.data
        if data.hasPrefix("[DONE]") {
            var out = await flushAll(inspect: inspect)
            if isClosed { return out }
            out.append(event)
            isClosed = true
            return out
        }
        guard var chunk = try? OrderedJSON(parsing: data), chunk.isObject else {
            return malformed()
        }
        if chunk["error"] != nil {
            // The upstream's own error event: pass it on as it is.
            isClosed = true
            return [event]
        }
        if let model = chunk["model"]?.stringValue { summary.model = model }
        if let usage = chunk["usage"], usage.isObject {
            summary.inputTokens = usage["prompt_tokens"]?.intValue ?? summary.inputTokens
            summary.outputTokens = usage["completion_tokens"]?.intValue ?? summary.outputTokens
        }
        if template == nil { template = chunk }

        guard case .array(var choices)? = chunk["choices"] else {
            return [event]
        }
        for choiceIndex in choices.indices {
            var choice = choices[choiceIndex]
            let index = choice["index"]?.intValue ?? choiceIndex
            if var delta = choice["delta"], delta.isObject {
                for field in ["content", "refusal"] {
                    if let text = delta[field]?.stringValue {
                        switch await streams.feed("\(index).\(field)", text, inspect: inspect) {
                        case .text(let released): delta[field] = .string(released)
                        case .refuse(let inspection): return refuse(inspection)
                        }
                    }
                }
                if var function = delta["function_call"], let arguments = function["arguments"]?.stringValue {
                    // The legacy single function call.
                    switch await streams.feed("\(index).function", arguments, inspect: inspect) {
                    case .text(let released): function["arguments"] = .string(released)
                    case .refuse(let inspection): return refuse(inspection)
                    }
                    delta["function_call"] = function
                }
                if var audio = delta["audio"], let transcript = audio["transcript"]?.stringValue {
                    switch await streams.feed("\(index).audio", transcript, inspect: inspect) {
                    case .text(let released): audio["transcript"] = .string(released)
                    case .refuse(let inspection): return refuse(inspection)
                    }
                    delta["audio"] = audio
                }
                if case .array(var calls)? = delta["tool_calls"] {
                    for callIndex in calls.indices {
                        let call = calls[callIndex]
                        let toolIndex = call["index"]?.intValue ?? callIndex
                        if var function = call["function"], let arguments = function["arguments"]?.stringValue {
                            switch await streams.feed("\(index).tool.\(toolIndex)", arguments, inspect: inspect) {
                            case .text(let released): function["arguments"] = .string(released)
                            case .refuse(let inspection): return refuse(inspection)
                            }
                            calls[callIndex]["function"] = function
                        }
                        if var custom = call["custom"], let input = custom["input"]?.stringValue {
                            // A custom (free-form) tool call streams its input as plain text.
                            switch await streams.feed("\(index).custom.\(toolIndex)", input, inspect: inspect) {
                            case .text(let released): custom["input"] = .string(released)
                            case .refuse(let inspection): return refuse(inspection)
                            }
                            calls[callIndex]["custom"] = custom
                        }
                    }
                    delta["tool_calls"] = .array(calls)
                }
                choice["delta"] = delta
            }
            // Token log-probabilities spell out the text unscanned: the proxy sends none.
            if let logprobs = choice["logprobs"], logprobs != .null { choice["logprobs"] = .null }
            if let reason = choice["finish_reason"], reason != .null {
                switch await flushChoice(index, inspect: inspect) {
                case .refused(let events): return events
                case .flushed(let released):
                    if !released.isEmpty {
                        var delta = choice["delta"] ?? .object([])
                        Self.merge(released, into: &delta)
                        choice["delta"] = delta
                    }
                }
            }
            choices[choiceIndex] = choice
        }
        chunk["choices"] = .array(choices)
        return [ServerSentEvent(event: event.event, data: chunk.serialized(), id: event.id)]
    }

    /// The upstream stream ended (without `[DONE]` if still open): releases what is held back.
    public mutating func finish(inspect: TextInspector) async -> [ServerSentEvent] {
        guard !isClosed else { return [] }
        let out = await flushAll(inspect: inspect)
        isClosed = true
        return out
    }

    /// Ends the stream with a policy error event and records the refusal.
    private mutating func refuse(_ inspection: Inspection) -> [ServerSentEvent] {
        streams.abandon(into: &summary)
        summary.refuse(inspection)
        isClosed = true
        return [StreamErrorEvent.openAI(message: StreamErrorEvent.refusalMessage(inspection), type: "policy_violation")]
    }

    private mutating func malformed() -> [ServerSentEvent] {
        summary.malformed = true
        isClosed = true
        return [StreamErrorEvent.openAI(message: "The upstream sent a malformed stream event", type: "upstream_error")]
    }

    private enum Flush {
        case flushed([String: String])
        case refused([ServerSentEvent])
    }

    /// Releases everything held back for one choice; keys are `content`,
    /// `refusal`, `tool.N` or `custom.N`.
    private mutating func flushChoice(_ index: Int, inspect: TextInspector) async -> Flush {
        var released: [String: String] = [:]
        for key in streams.openKeys where key.hasPrefix("\(index).") {
            switch await streams.close(key, into: &summary, inspect: inspect) {
            case .refuse(let inspection): return .refused(refuse(inspection))
            case .text(let text):
                if !text.isEmpty { released[String(key.dropFirst("\(index).".count))] = text }
            }
        }
        return .flushed(released)
    }

    /// Appends released text to a choice's delta.
    private static func merge(_ released: [String: String], into delta: inout OrderedJSON) {
        if !delta.isObject { delta = .object([]) }
        for (field, text) in released.sorted(by: { $0.key < $1.key }) {
            if field.hasPrefix("tool.") || field.hasPrefix("custom.") {
                // `tool.N` is a function call's arguments, `custom.N` a custom tool call's input.
                let isCustom = field.hasPrefix("custom.")
                let (member, textField) = isCustom ? ("custom", "input") : ("function", "arguments")
                let toolIndex = Int(field.split(separator: ".").last ?? "") ?? 0
                var calls = delta["tool_calls"]?.arrayValue ?? []
                if let position = calls.firstIndex(where: { $0["index"]?.intValue == toolIndex }) {
                    var part = calls[position][member] ?? .object([])
                    part[textField] = .string((part[textField]?.stringValue ?? "") + text)
                    calls[position][member] = part
                } else {
                    calls.append(.object([
                        .init("index", .int(toolIndex)),
                        .init(member, .object([.init(textField, .string(text))])),
                    ]))
                }
                delta["tool_calls"] = .array(calls)
            } else if field == "function" {
                var function = delta["function_call"] ?? .object([])
                function["arguments"] = .string((function["arguments"]?.stringValue ?? "") + text)
                delta["function_call"] = function
            } else if field == "audio" {
                var audio = delta["audio"] ?? .object([])
                audio["transcript"] = .string((audio["transcript"]?.stringValue ?? "") + text)
                delta["audio"] = audio
            } else {
                delta[field] = .string((delta[field]?.stringValue ?? "") + text)
            }
        }
    }

    private mutating func flushAll(inspect: TextInspector) async -> [ServerSentEvent] {
        var out: [ServerSentEvent] = []
        let indices = streams.openKeys.compactMap { Int($0.split(separator: ".").first ?? "") }
        var seen: Set<Int> = []
        for index in indices where seen.insert(index).inserted {
            switch await flushChoice(index, inspect: inspect) {
            case .refused(let events): return out + events
            case .flushed(let released):
                guard !released.isEmpty else { continue }
                var delta: OrderedJSON = .object([])
                Self.merge(released, into: &delta)
                var chunk = template ?? .object([.init("object", .string("chat.completion.chunk"))])
                chunk["usage"] = nil
                chunk["choices"] = .array([.object([
                    .init("index", .int(index)),
                    .init("delta", delta),
                    .init("finish_reason", .null),
                ])])
                out.append(ServerSentEvent(data: chunk.serialized()))
            }
        }
        return out
    }
}

/// Enforces an Anthropic messages stream event by event: each content block's
/// `text_delta`, `thinking_delta` and `input_json_delta` runs through its own
/// `SlidingWindow`; held-back text is released in later deltas or in one
/// inserted before the block's `content_block_stop`; a refusal ends the
/// stream with an `error` event.
public struct AnthropicStreamEnforcer: Sendable {
    /// One stream per content block, keyed by its index.
    private var streams: TextStreams
    /// The delta type and text field of each open block.
    private var blocks: [Int: (deltaType: String, field: String)] = [:]
    /// What happened so far.
    public private(set) var summary = StreamSummary()
    /// Whether the stream has ended; later events are dropped.
    public private(set) var isClosed = false

    /// Creates an enforcer whose windows hold back `span` scalars.
    public init(span: Int) {
        streams = TextStreams(span: span)
    }

    /// Processes one upstream event; returns the events to send to the client.
    public mutating func process(_ event: ServerSentEvent, inspect: TextInspector) async -> [ServerSentEvent] {
        guard !isClosed else { return [] }
        guard var body = try? OrderedJSON(parsing: event.data), body.isObject,
              let type = body["type"]?.stringValue ?? event.event else {
            return malformed()
        }
        switch type {
        case "message_start":
            if let message = body["message"] {
                summary.model = message["model"]?.stringValue ?? summary.model
                summary.inputTokens = message["usage"]?["input_tokens"]?.intValue ?? summary.inputTokens
                summary.outputTokens = message["usage"]?["output_tokens"]?.intValue ?? summary.outputTokens
            }
            return [event]
        case "content_block_start":
            let index = body["index"]?.intValue ?? 0
            guard var block = body["content_block"] else { return [event] }
            let blockType = block["type"]?.stringValue ?? ""
            let (deltaType, field): (String, String) = switch blockType {
            case "tool_use", "server_tool_use": ("input_json_delta", "partial_json")
            case "thinking": ("thinking_delta", "thinking")
            default: ("text_delta", "text")
            }
            blocks[index] = (deltaType, field)
            // A block that starts with text: hold it like any delta.
            let initialField = blockType == "thinking" ? "thinking" : "text"
            if let initial = block[initialField]?.stringValue, !initial.isEmpty {
                switch await feed(index, initial, inspect: inspect) {
                case .text(let released): block[initialField] = .string(released)
                case .refuse(let inspection): return refuse(inspection)
                }
            }
            // Texts that come whole with the start (a tool input given at once, a tool result's text): inspected whole.
            for field in ["input", "content"] {
                guard var value = block[field] else { continue }
                if let refusal = await inspectWhole(&value, inspect: inspect) { return refuse(refusal) }
                block[field] = value
            }
            guard block != body["content_block"] else { return [event] }
            body["content_block"] = block
            return [ServerSentEvent(event: event.event, data: body.serialized(), id: event.id)]
        case "content_block_delta":
            let index = body["index"]?.intValue ?? 0
            guard var delta = body["delta"], let deltaType = delta["type"]?.stringValue else { return malformed() }
            if deltaType == "citations_delta", var citation = delta["citation"], var cited = citation["cited_text"] {
                // A citation quotes its source whole.
                if let refusal = await inspectWhole(&cited, inspect: inspect) { return refuse(refusal) }
                citation["cited_text"] = cited
                delta["citation"] = citation
                body["delta"] = delta
                return [ServerSentEvent(event: event.event, data: body.serialized(), id: event.id)]
            }
            let field: String? = switch deltaType {
            case "text_delta": "text"
            case "input_json_delta": "partial_json"
            case "thinking_delta": "thinking"
            default: nil
            }
            guard let field, let text = delta[field]?.stringValue else { return [event] }
            if blocks[index] == nil { blocks[index] = (deltaType, field) }
            switch await feed(index, text, inspect: inspect) {
            case .refuse(let inspection): return refuse(inspection)
            case .text(let released):
                guard !released.isEmpty else { return [] }
                delta[field] = .string(released)
                body["delta"] = delta
                return [ServerSentEvent(event: event.event, data: body.serialized(), id: event.id)]
            }
        case "content_block_stop":
            let index = body["index"]?.intValue ?? 0
            switch await flush(index, inspect: inspect) {
            case .refused(let events): return events
            case .flushed(let events): return events + [event]
            }
        case "message_delta":
            if let usage = body["usage"] {
                summary.outputTokens = usage["output_tokens"]?.intValue ?? summary.outputTokens
                summary.inputTokens = usage["input_tokens"]?.intValue ?? summary.inputTokens
            }
            let flushed = await flushAll(inspect: inspect)
            if isClosed { return flushed }
            return flushed + [event]
        case "message_stop":
            let flushed = await flushAll(inspect: inspect)
            if isClosed { return flushed }
            isClosed = true
            return flushed + [event]
        case "error":
            isClosed = true
            return [event]
        default:
            // ping and event types added later carry no model text.
            return [event]
        }
    }

    /// The upstream stream ended: releases what is held back.
    public mutating func finish(inspect: TextInspector) async -> [ServerSentEvent] {
        guard !isClosed else { return [] }
        let out = await flushAll(inspect: inspect)
        isClosed = true
        return out
    }

    private enum Flush {
        case flushed([ServerSentEvent])
        case refused([ServerSentEvent])
    }

    private mutating func feed(_ index: Int, _ text: String, inspect: TextInspector) async -> SlidingWindow.Release {
        await streams.feed("\(index)", text, inspect: inspect)
    }

    /// Inspects every string inside `value` whole, rewriting it to what may be
    /// released; returns the refusal if one is refused.
    private mutating func inspectWhole(_ value: inout OrderedJSON, inspect: TextInspector) async -> Inspection? {
        switch value {
        case .string(let text):
            switch await streams.inspectWhole(text, into: &summary, inspect: inspect) {
            case .refuse(let inspection): return inspection
            case .text(let released): value = .string(released)
            }
        case .array(var elements):
            for index in elements.indices {
                if let refusal = await inspectWhole(&elements[index], inspect: inspect) { return refusal }
            }
            value = .array(elements)
        case .object(var members):
            for index in members.indices where !Self.opaqueKeys.contains(members[index].key) {
                if let refusal = await inspectWhole(&members[index].value, inspect: inspect) { return refusal }
            }
            value = .object(members)
        default:
            break
        }
        return nil
    }

    /// Members that are identifiers or opaque data, not text anyone reads.
    private static let opaqueKeys: Set<String> = ["type", "id", "tool_use_id", "encrypted_content", "signature", "data", "media_type"]

    private mutating func flush(_ index: Int, inspect: TextInspector) async -> Flush {
        guard let entry = blocks.removeValue(forKey: index) else { return .flushed([]) }
        let released: String
        switch await streams.close("\(index)", into: &summary, inspect: inspect) {
        case .text(let text): released = text
        case .refuse(let inspection): return .refused(refuse(inspection))
        }
        guard !released.isEmpty else { return .flushed([]) }
        let body: OrderedJSON = .object([
            .init("type", .string("content_block_delta")),
            .init("index", .int(index)),
            .init("delta", .object([
                .init("type", .string(entry.deltaType)),
                .init(entry.field, .string(released)),
            ])),
        ])
        return .flushed([ServerSentEvent(event: "content_block_delta", data: body.serialized())])
    }

    private mutating func flushAll(inspect: TextInspector) async -> [ServerSentEvent] {
        var out: [ServerSentEvent] = []
        for index in blocks.keys.sorted() {
            switch await flush(index, inspect: inspect) {
            case .flushed(let events): out += events
            case .refused(let events): return out + events
            }
        }
        return out
    }

    private mutating func refuse(_ inspection: Inspection) -> [ServerSentEvent] {
        streams.abandon(into: &summary)
        blocks.removeAll()
        summary.refuse(inspection)
        isClosed = true
        return [StreamErrorEvent.anthropic(message: StreamErrorEvent.refusalMessage(inspection), type: "policy_violation")]
    }

    private mutating func malformed() -> [ServerSentEvent] {
        summary.malformed = true
        isClosed = true
        return [StreamErrorEvent.anthropic(message: "The upstream sent a malformed stream event", type: "api_error")]
    }
}

/// A provider stream enforcer: events in, enforced events out.
public protocol StreamEnforcing: Sendable {
    /// Processes one upstream event; returns the events to send to the client.
    mutating func process(_ event: ServerSentEvent, inspect: TextInspector) async -> [ServerSentEvent]
    /// The upstream stream ended: releases what is held back.
    mutating func finish(inspect: TextInspector) async -> [ServerSentEvent]
    /// What happened so far.
    var summary: StreamSummary { get }
    /// Whether the stream has ended; later events are dropped.
    var isClosed: Bool { get }
    /// The event that ends the stream with an error of `type`.
    mutating func errorEvent(message: String, type: String) -> ServerSentEvent
}

extension OpenAIChatStreamEnforcer: StreamEnforcing {
    /// An OpenAI-shaped error event.
    public func errorEvent(message: String, type: String) -> ServerSentEvent {
        StreamErrorEvent.openAI(message: message, type: type)
    }
}

extension AnthropicStreamEnforcer: StreamEnforcing {
    /// An Anthropic-shaped error event.
    public func errorEvent(message: String, type: String) -> ServerSentEvent {
        StreamErrorEvent.anthropic(message: message, type: type)
    }
}
