import Enforcement
import Testing

/// Builds an OpenAI chat-completion chunk event.
func openAIChunk(content: String? = nil, toolArguments: String? = nil, finish: String? = nil) -> ServerSentEvent {
    var delta: [OrderedJSON.Member] = []
    if let content { delta.append(.init("content", .string(content))) }
    if let toolArguments {
        delta.append(.init("tool_calls", .array([.object([
            .init("index", .int(0)),
            .init("function", .object([.init("arguments", .string(toolArguments))])),
        ])])))
    }
    let chunk: OrderedJSON = .object([
        .init("id", .string("chatcmpl-1")),
        .init("object", .string("chat.completion.chunk")),
        .init("model", .string("gpt-test")),
        .init("choices", .array([.object([
            .init("index", .int(0)),
            .init("delta", .object(delta)),
            .init("finish_reason", finish.map { .string($0) } ?? .null),
        ])])),
    ])
    return ServerSentEvent(data: chunk.serialized())
}

/// What a client reassembles from OpenAI events: content, tool arguments, and the error if any.
func reassembleOpenAI(_ events: [ServerSentEvent]) throws -> (content: String, arguments: String, error: OrderedJSON?, done: Bool) {
    var content = ""
    var arguments = ""
    var error: OrderedJSON?
    var done = false
    for event in events {
        if event.data == "[DONE]" { done = true; continue }
        let chunk = try OrderedJSON(parsing: event.data)
        if let e = chunk["error"] { error = e; continue }
        for choice in chunk["choices"]?.arrayValue ?? [] {
            content += choice["delta"]?["content"]?.stringValue ?? ""
            for call in choice["delta"]?["tool_calls"]?.arrayValue ?? [] {
                arguments += call["function"]?["arguments"]?.stringValue ?? ""
            }
        }
    }
    return (content, arguments, error, done)
}

@Suite struct OpenAIStreamEnforcerTests {
    func drive(_ events: [ServerSentEvent], span: Int = 32, inspector: FakeInspector = FakeInspector()) async
        -> ([ServerSentEvent], OpenAIChatStreamEnforcer)
    {
        var enforcer = OpenAIChatStreamEnforcer(span: span)
        var out: [ServerSentEvent] = []
        for event in events { out += await enforcer.process(event, inspect: inspector.inspector) }
        out += await enforcer.finish(inspect: inspector.inspector)
        return (out, enforcer)
    }

    @Test func secretSplitAcrossChunksNeverReachesTheClient() async throws {
        let events = [
            openAIChunk(content: "Sure, the key is sk-ABCDEFGH"),
            openAIChunk(content: "IJKLMNOPQRSTUVWXYZ0123 and"),
            openAIChunk(content: " that is all."),
            openAIChunk(finish: "stop"),
            ServerSentEvent(data: "[DONE]"),
        ]
        let (out, enforcer) = await drive(events)
        for event in out { #expect(!event.data.contains("sk-ABC")) }
        let client = try reassembleOpenAI(out)
        #expect(client.content == "Sure, the key is [REDACTED:SECRET] and that is all.")
        #expect(client.done)
        #expect(enforcer.summary.action == .redact)
        #expect(enforcer.summary.findingTypes == ["SECRET"])
        #expect(enforcer.summary.model == "gpt-test")
    }

    @Test func toolCallArgumentsAreScanned() async throws {
        let events = [
            openAIChunk(toolArguments: "{\"ssn\": \"123-"),
            openAIChunk(toolArguments: "45-6789\"}"),
            openAIChunk(finish: "tool_calls"),
            ServerSentEvent(data: "[DONE]"),
        ]
        let (out, _) = await drive(events)
        let client = try reassembleOpenAI(out)
        #expect(client.arguments == "{\"ssn\": \"[REDACTED:US_SSN]\"}")
        for event in out { #expect(!event.data.contains("6789")) }
    }

    @Test func customToolInputIsScannedAcrossChunks() async throws {
        func customChunk(_ input: String) -> ServerSentEvent {
            let chunk: OrderedJSON = .object([
                .init("object", .string("chat.completion.chunk")),
                .init("choices", .array([.object([
                    .init("index", .int(0)),
                    .init("delta", .object([.init("tool_calls", .array([.object([
                        .init("index", .int(0)),
                        .init("type", .string("custom")),
                        .init("custom", .object([.init("name", .string("shell")), .init("input", .string(input))])),
                    ])]))])),
                    .init("finish_reason", .null),
                ])])),
            ])
            return ServerSentEvent(data: chunk.serialized())
        }
        let events = [
            customChunk("echo 123-"), customChunk("45-6789 > out"), openAIChunk(finish: "tool_calls"),
            ServerSentEvent(data: "[DONE]"),
        ]
        let (out, enforcer) = await drive(events)
        var input = ""
        for event in out where event.data != "[DONE]" {
            #expect(!event.data.contains("6789"))
            let chunk = try OrderedJSON(parsing: event.data)
            for choice in chunk["choices"]?.arrayValue ?? [] {
                for call in choice["delta"]?["tool_calls"]?.arrayValue ?? [] {
                    #expect(call["function"] == nil)
                    input += call["custom"]?["input"]?.stringValue ?? ""
                }
            }
        }
        #expect(input == "echo [REDACTED:US_SSN] > out")
        #expect(enforcer.summary.action == .redact)
    }

    @Test func blockEndsWithAnErrorEventTheSDKRaises() async throws {
        let events = [
            openAIChunk(content: "Hello there, "),
            openAIChunk(content: "this is FORBIDDEN content" + String(repeating: ".", count: 40)),
            openAIChunk(finish: "stop"),
            ServerSentEvent(data: "[DONE]"),
        ]
        let (out, enforcer) = await drive(events)
        let client = try reassembleOpenAI(out)
        #expect(!client.content.contains("FORBIDDEN"))
        #expect(client.error?["type"]?.stringValue == "policy_violation")
        #expect(client.error?["message"]?.stringValue?.isEmpty == false)
        #expect(!client.done)
        #expect(out.last.flatMap { try? OrderedJSON(parsing: $0.data) }?["error"] != nil)
        #expect(enforcer.summary.refused)
        #expect(enforcer.isClosed)
    }

    @Test func usageIsCaptured() async throws {
        let usage = ServerSentEvent(data: #"{"id":"x","object":"chat.completion.chunk","model":"gpt-test","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}"#)
        let (out, enforcer) = await drive([openAIChunk(content: "hi"), openAIChunk(finish: "stop"), usage, ServerSentEvent(data: "[DONE]")])
        #expect(try reassembleOpenAI(out).content == "hi")
        #expect(enforcer.summary.inputTokens == 12)
        #expect(enforcer.summary.outputTokens == 7)
    }

    @Test func malformedEventEndsTheStreamWithAnError() async throws {
        let (out, enforcer) = await drive([openAIChunk(content: "hi"), ServerSentEvent(data: "{not json")])
        #expect(enforcer.summary.malformed)
        #expect(try reassembleOpenAI(out).error?["type"]?.stringValue == "upstream_error")
    }
}

@Suite struct AnthropicStreamEnforcerTests {
    func event(_ type: String, _ json: String) -> ServerSentEvent {
        ServerSentEvent(event: type, data: json)
    }

    func textDelta(_ index: Int, _ text: String) -> ServerSentEvent {
        let body: OrderedJSON = .object([
            .init("type", .string("content_block_delta")), .init("index", .int(index)),
            .init("delta", .object([.init("type", .string("text_delta")), .init("text", .string(text))])),
        ])
        return event("content_block_delta", body.serialized())
    }

    func jsonDelta(_ index: Int, _ json: String) -> ServerSentEvent {
        let body: OrderedJSON = .object([
            .init("type", .string("content_block_delta")), .init("index", .int(index)),
            .init("delta", .object([.init("type", .string("input_json_delta")), .init("partial_json", .string(json))])),
        ])
        return event("content_block_delta", body.serialized())
    }

    var start: ServerSentEvent {
        event("message_start", #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"usage":{"input_tokens":21,"output_tokens":1}}}"#)
    }

    func reassemble(_ events: [ServerSentEvent]) throws -> (text: [Int: String], error: OrderedJSON?, stopped: Bool) {
        var text: [Int: String] = [:]
        var error: OrderedJSON?
        var stopped = false
        for event in events {
            let body = try OrderedJSON(parsing: event.data)
            #expect(body["type"]?.stringValue == event.event, "event name matches type")
            switch body["type"]?.stringValue {
            case "content_block_delta":
                let index = body["index"]?.intValue ?? -1
                let delta = body["delta"]
                text[index, default: ""] += delta?["text"]?.stringValue ?? delta?["partial_json"]?.stringValue ?? ""
            case "error": error = body["error"]
            case "message_stop": stopped = true
            default: break
            }
        }
        return (text, error, stopped)
    }

    func drive(_ events: [ServerSentEvent], span: Int = 32) async -> ([ServerSentEvent], AnthropicStreamEnforcer) {
        let inspector = FakeInspector()
        var enforcer = AnthropicStreamEnforcer(span: span)
        var out: [ServerSentEvent] = []
        for e in events { out += await enforcer.process(e, inspect: inspector.inspector) }
        out += await enforcer.finish(inspect: inspector.inspector)
        return (out, enforcer)
    }

    @Test func textAndToolInputAreRedactedAcrossChunks() async throws {
        let events = [
            start,
            event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            textDelta(0, "My SSN is 123-4"),
            textDelta(0, "5-6789, keep it safe."),
            event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"save","input":{}}}"#),
            jsonDelta(1, #"{"key": "sk-ABCDEFGHIJ"#),
            jsonDelta(1, #"KLMNOPQRSTUVWXYZ"}"#),
            event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}"#),
            event("message_stop", #"{"type":"message_stop"}"#),
        ]
        let (out, enforcer) = await drive(events)
        let client = try reassemble(out)
        #expect(client.text[0] == "My SSN is [REDACTED:US_SSN], keep it safe.")
        #expect(client.text[1] == #"{"key": "[REDACTED:SECRET]"}"#)
        #expect(client.stopped)
        for e in out { #expect(!e.data.contains("6789") && !e.data.contains("sk-ABC")) }
        #expect(enforcer.summary.inputTokens == 21)
        #expect(enforcer.summary.outputTokens == 30)
        #expect(enforcer.summary.model == "claude-test")
        #expect(Set(enforcer.summary.findingTypes) == ["US_SSN", "SECRET"])
    }

    @Test func blockEndsWithAnErrorEvent() async throws {
        let events = [
            start,
            event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            textDelta(0, "This is FORBIDDEN"),
            event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            event("message_stop", #"{"type":"message_stop"}"#),
        ]
        let (out, enforcer) = await drive(events)
        let client = try reassemble(out)
        #expect(client.error?["type"]?.stringValue == "policy_violation")
        #expect(!client.stopped)
        #expect(out.last?.event == "error")
        #expect(!out.contains { $0.data.contains("FORBIDDEN") })
        #expect(enforcer.summary.refused)
    }
}
