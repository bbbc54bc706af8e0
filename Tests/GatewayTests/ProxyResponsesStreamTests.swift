import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Builders for OpenAI Responses API stream events, in the wire format
/// (`event: <type>`, data with `type` and `sequence_number`).
enum ResponsesEvents {
    static func event(_ members: [OrderedJSON.Member]) -> ServerSentEvent {
        let body = OrderedJSON.object(members + [.init("sequence_number", .int(0))])
        return ServerSentEvent(event: body["type"]?.stringValue, data: body.serialized())
    }

    static func response(_ status: String, output: [OrderedJSON], usage: Bool = false) -> OrderedJSON {
        var members: [OrderedJSON.Member] = [
            .init("id", .string("resp_1")), .init("object", .string("response")), .init("status", .string(status)),
            .init("model", .string("gpt-test")), .init("output", .array(output)),
        ]
        if usage {
            members.append(.init("usage", .object([
                .init("input_tokens", .int(17)), .init("output_tokens", .int(9)), .init("total_tokens", .int(26)),
            ])))
        }
        return .object(members)
    }

    static func lifecycle(_ type: String, _ status: String, output: [OrderedJSON] = [], usage: Bool = false) -> ServerSentEvent {
        event([.init("type", .string(type)), .init("response", response(status, output: output, usage: usage))])
    }

    static func message(_ text: String) -> OrderedJSON {
        .object([
            .init("type", .string("message")), .init("id", .string("msg_1")), .init("status", .string("completed")),
            .init("role", .string("assistant")),
            .init("content", .array([.object([
                .init("type", .string("output_text")), .init("text", .string(text)), .init("annotations", .array([])),
            ])])),
        ])
    }

    static func functionCall(_ arguments: String) -> OrderedJSON {
        .object([
            .init("type", .string("function_call")), .init("id", .string("fc_1")), .init("call_id", .string("call_1")),
            .init("name", .string("save")), .init("arguments", .string(arguments)), .init("status", .string("completed")),
        ])
    }

    /// A complete text answer streamed in `pieces`.
    static func textStream(_ pieces: [String]) -> [ServerSentEvent] {
        let text = pieces.joined()
        var events = [
            lifecycle("response.created", "in_progress"),
            event([.init("type", .string("response.output_item.added")), .init("output_index", .int(0)),
                   .init("item", .object([.init("type", .string("message")), .init("id", .string("msg_1")),
                                          .init("role", .string("assistant")), .init("content", .array([]))]))]),
            event([.init("type", .string("response.content_part.added")), .init("item_id", .string("msg_1")),
                   .init("output_index", .int(0)), .init("content_index", .int(0)),
                   .init("part", .object([.init("type", .string("output_text")), .init("text", .string("")),
                                          .init("annotations", .array([]))]))]),
        ]
        for piece in pieces {
            events.append(event([
                .init("type", .string("response.output_text.delta")), .init("item_id", .string("msg_1")),
                .init("output_index", .int(0)), .init("content_index", .int(0)), .init("delta", .string(piece)),
                .init("logprobs", .array([.object([.init("token", .string(piece)), .init("logprob", .number("-0.5"))])])),
            ]))
        }
        events += [
            event([.init("type", .string("response.output_text.done")), .init("item_id", .string("msg_1")),
                   .init("output_index", .int(0)), .init("content_index", .int(0)), .init("text", .string(text))]),
            event([.init("type", .string("response.content_part.done")), .init("item_id", .string("msg_1")),
                   .init("output_index", .int(0)), .init("content_index", .int(0)),
                   .init("part", .object([.init("type", .string("output_text")), .init("text", .string(text)),
                                          .init("annotations", .array([]))]))]),
            event([.init("type", .string("response.output_item.done")), .init("output_index", .int(0)),
                   .init("item", message(text))]),
            lifecycle("response.completed", "completed", output: [message(text)], usage: true),
        ]
        return events
    }

    /// A function call whose arguments are streamed in `pieces`.
    static func toolStream(_ pieces: [String]) -> [ServerSentEvent] {
        let arguments = pieces.joined()
        var events = [
            lifecycle("response.created", "in_progress"),
            event([.init("type", .string("response.output_item.added")), .init("output_index", .int(0)),
                   .init("item", functionCall(""))]),
        ]
        for piece in pieces {
            events.append(event([
                .init("type", .string("response.function_call_arguments.delta")), .init("item_id", .string("fc_1")),
                .init("output_index", .int(0)), .init("delta", .string(piece)),
            ]))
        }
        events += [
            event([.init("type", .string("response.function_call_arguments.done")), .init("item_id", .string("fc_1")),
                   .init("output_index", .int(0)), .init("arguments", .string(arguments))]),
            event([.init("type", .string("response.output_item.done")), .init("output_index", .int(0)),
                   .init("item", functionCall(arguments))]),
            lifecycle("response.completed", "completed", output: [functionCall(arguments)], usage: true),
        ]
        return events
    }

    /// What a client sees: text and argument deltas, the whole texts each
    /// `….done` and the final response repeat, the error, the sequence numbers.
    struct Client {
        var deltas = ""
        var arguments = ""
        var wholeTexts: [String] = []
        var error: OrderedJSON?
        var completed: OrderedJSON?
        var sequence: [Int] = []
        var types: [String] = []
    }

    static func reassemble(_ events: [ServerSentEvent]) throws -> Client {
        var client = Client()
        for event in events {
            let body = try OrderedJSON(parsing: event.data)
            let type = try #require(body["type"]?.stringValue)
            #expect(event.event == type, "the SSE event name is the type")
            client.types.append(type)
            if let number = body["sequence_number"]?.intValue { client.sequence.append(number) }
            switch type {
            case "response.output_text.delta": client.deltas += body["delta"]?.stringValue ?? ""
            case "response.function_call_arguments.delta": client.arguments += body["delta"]?.stringValue ?? ""
            case "response.output_text.done": client.wholeTexts.append(body["text"]?.stringValue ?? "")
            case "response.function_call_arguments.done": client.wholeTexts.append(body["arguments"]?.stringValue ?? "")
            case "response.content_part.done": client.wholeTexts.append(body["part"]?["text"]?.stringValue ?? "")
            case "response.output_item.done":
                let item = body["item"]
                client.wholeTexts.append(
                    item?["arguments"]?.stringValue ?? item?["content"]?.arrayValue?.first?["text"]?.stringValue ?? "")
            case "response.completed":
                client.completed = body["response"]
                let item = body["response"]?["output"]?.arrayValue?.first
                client.wholeTexts.append(
                    item?["arguments"]?.stringValue ?? item?["content"]?.arrayValue?.first?["text"]?.stringValue ?? "")
            case "error": client.error = body
            default: break
            }
        }
        return client
    }
}

@Suite struct ResponsesStreamEnforcerTests {
    func drive(_ events: [ServerSentEvent], span: Int = 32) async -> ([ServerSentEvent], OpenAIResponsesStreamEnforcer) {
        let inspector = FakeInspector()
        var enforcer = OpenAIResponsesStreamEnforcer(span: span)
        var out: [ServerSentEvent] = []
        for event in events { out += await enforcer.process(event, inspect: inspector.inspector) }
        out += await enforcer.finish(inspect: inspector.inspector)
        return (out, enforcer)
    }

    @Test func secretSplitAcrossDeltasIsRedactedEverywhereTheClientReadsIt() async throws {
        let pieces = FakeProvider.pieces("Sure, the key is sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 and that is all.", size: 5)
        let (out, enforcer) = await drive(ResponsesEvents.textStream(pieces))
        let client = try ResponsesEvents.reassemble(out)
        let expected = "Sure, the key is [REDACTED:SECRET] and that is all."
        #expect(client.deltas == expected)
        #expect(client.wholeTexts == [expected, expected, expected, expected])
        for event in out { #expect(!event.data.contains("sk-ABC")) }
        #expect(client.types.first == "response.created")
        #expect(client.types.last == "response.completed")
        #expect(client.sequence == Array(0..<out.count))
        #expect(enforcer.summary.action == .redact)
        #expect(enforcer.summary.findingTypes == ["SECRET"])
        #expect(enforcer.summary.inputTokens == 17)
        #expect(enforcer.summary.outputTokens == 9)
        #expect(enforcer.summary.model == "gpt-test")
        #expect(enforcer.isClosed)
    }

    @Test func secretIsRedactedAtEverySplitPoint() async throws {
        let text = "key sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 end"
        let scalars = Array(text)
        for cut in 1..<scalars.count {
            let pieces = [String(scalars[..<cut]), String(scalars[cut...])]
            let (out, _) = await drive(ResponsesEvents.textStream(pieces), span: 40)
            let client = try ResponsesEvents.reassemble(out)
            #expect(client.deltas == "key [REDACTED:SECRET] end", "split at \(cut)")
        }
    }

    @Test func logprobsThatSpellTheTextAreDropped() async throws {
        let (out, _) = await drive(ResponsesEvents.textStream(["Hello ", "there."]))
        for event in out {
            let body = try OrderedJSON(parsing: event.data)
            if let logprobs = body["logprobs"] { #expect(logprobs == .array([])) }
        }
        #expect(try ResponsesEvents.reassemble(out).deltas == "Hello there.")
    }

    @Test func functionCallArgumentsAreScanned() async throws {
        let (out, enforcer) = await drive(ResponsesEvents.toolStream([#"{"name": "Jane", "ssn": "123-"#, #"45-6789"}"#]))
        let client = try ResponsesEvents.reassemble(out)
        let expected = #"{"name": "Jane", "ssn": "[REDACTED:US_SSN]"}"#
        #expect(client.arguments == expected)
        #expect(client.wholeTexts == [expected, expected, expected])
        for event in out { #expect(!event.data.contains("6789")) }
        #expect(enforcer.summary.findingTypes == ["US_SSN"])
    }

    @Test func blockMidStreamEndsWithAnErrorEventTheSDKRaises() async throws {
        let pieces = ["Hello there, ", "this is FORBIDDEN content", String(repeating: ".", count: 60)]
        let (out, enforcer) = await drive(ResponsesEvents.textStream(pieces))
        let client = try ResponsesEvents.reassemble(out)
        #expect(!client.deltas.contains("FORBIDDEN"))
        #expect(client.completed == nil)
        #expect(client.types.last == "error")
        // A ResponseErrorEvent that also carries an `error` object (on which the SDK raises APIError).
        let error = try #require(client.error)
        #expect(error["code"]?.stringValue == "policy_violation")
        #expect(error["message"]?.stringValue?.isEmpty == false)
        #expect(error["error"]?["type"]?.stringValue == "policy_violation")
        #expect(client.sequence == Array(0..<out.count))
        #expect(!out.contains { $0.data.contains("FORBIDDEN") })
        #expect(enforcer.summary.refused)
        #expect(enforcer.isClosed)
    }

    @Test func textThatArrivesOnlyWholeIsInspectedWhole() async throws {
        // No deltas: the message is only in output_item.done and response.completed.
        let text = "Your SSN is 123-45-6789."
        let events = [
            ResponsesEvents.lifecycle("response.created", "in_progress"),
            ResponsesEvents.event([.init("type", .string("response.output_item.done")), .init("output_index", .int(0)),
                                   .init("item", ResponsesEvents.message(text))]),
            ResponsesEvents.lifecycle("response.completed", "completed", output: [ResponsesEvents.message(text)]),
        ]
        let (out, enforcer) = await drive(events)
        let client = try ResponsesEvents.reassemble(out)
        #expect(client.wholeTexts == ["Your SSN is [REDACTED:US_SSN].", "Your SSN is [REDACTED:US_SSN]."])
        for event in out { #expect(!event.data.contains("6789")) }
        #expect(enforcer.summary.action == .redact)
    }

    @Test func audioTranscriptDeltasAreScannedAndAudioDataPassesUnchanged() async throws {
        let audio = "UklGRiQAAABXQVZF" + String(repeating: "A", count: 80)
        let events = [
            ResponsesEvents.lifecycle("response.created", "in_progress"),
            ResponsesEvents.event([.init("type", .string("response.audio.delta")), .init("delta", .string(audio))]),
            ResponsesEvents.event([.init("type", .string("response.audio.transcript.delta")), .init("delta", .string("ssn 123-4"))]),
            ResponsesEvents.event([.init("type", .string("response.audio.transcript.delta")), .init("delta", .string("5-6789 said"))]),
            ResponsesEvents.event([.init("type", .string("response.audio.transcript.done"))]),
            ResponsesEvents.lifecycle("response.completed", "completed"),
        ]
        let (out, _) = await drive(events)
        var transcript = ""
        var audioOut = ""
        for event in out {
            let body = try OrderedJSON(parsing: event.data)
            switch body["type"]?.stringValue {
            case "response.audio.transcript.delta": transcript += body["delta"]?.stringValue ?? ""
            case "response.audio.delta": audioOut += body["delta"]?.stringValue ?? ""
            default: break
            }
            #expect(!event.data.contains("6789"))
        }
        #expect(transcript == "ssn [REDACTED:US_SSN] said")
        #expect(audioOut == audio)
        #expect(out.last.flatMap { try? OrderedJSON(parsing: $0.data) }?["type"]?.stringValue == "response.completed")
    }

    @Test func malformedEventEndsTheStreamWithAnError() async throws {
        let (out, enforcer) = await drive([ResponsesEvents.lifecycle("response.created", "in_progress"), ServerSentEvent(data: "{nope")])
        let client = try ResponsesEvents.reassemble(out)
        #expect(client.error?["code"]?.stringValue == "upstream_error")
        #expect(enforcer.summary.malformed)
    }

    @Test func upstreamErrorEventIsPassedOnAndEndsTheStream() async throws {
        let upstreamError = ResponsesEvents.event([
            .init("type", .string("error")), .init("code", .string("rate_limit_exceeded")),
            .init("message", .string("slow down")), .init("param", .null),
        ])
        let (out, enforcer) = await drive([ResponsesEvents.lifecycle("response.created", "in_progress"), upstreamError,
                                           ResponsesEvents.lifecycle("response.completed", "completed")])
        let client = try ResponsesEvents.reassemble(out)
        #expect(client.error?["code"]?.stringValue == "rate_limit_exceeded")
        #expect(client.completed == nil)
        #expect(enforcer.isClosed)
    }
}

@Suite struct ProxyResponsesStreamRouteTests {
    static let auth: HTTPFields = [.authorization: "Bearer \(FakeBackend.key)", .contentType: "application/json"]

    func withProxy(
        provider: FakeProvider, backend: FakeBackend, _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await provider.application().test(.live) { upstreamClient in
            let upstream = makeUpstreamClient(port: try #require(upstreamClient.port))
            do {
                try await proxyApplication(backend: backend, upstream: upstream).test(.router, body)
            } catch {
                try await upstream.shutdown()
                throw error
            }
            try await upstream.shutdown()
        }
    }

    @Test func streamedResponsesAreEnforcedAndRecordedWithUsage() async throws {
        let provider = FakeProvider(reply: "The key is sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 and that is all you need to know.")
        let backend = FakeBackend()
        try await withProxy(provider: provider, backend: backend) { client in
            let request = #"{"model":"gpt-fake","stream":true,"instructions":"my ssn is 123-45-6789","input":"key?"}"#
            try await client.execute(uri: "/v1/responses", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                var parser = ServerSentEventParser()
                let events = parser.consume(response.body.readableBytesView) + parser.finish()
                let client = try ResponsesEvents.reassemble(events)
                let expected = "The key is [REDACTED:SECRET] and that is all you need to know."
                #expect(client.deltas == expected)
                #expect(client.completed?["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue == expected)
                #expect(!String(buffer: response.body).contains("sk-ABC"))
            }
        }
        // The request's instructions were redacted before the upstream saw them.
        let sent = try #require(provider.received.first)
        #expect(!sent.contains("6789"))
        #expect(sent.contains("[REDACTED:US_SSN]"))
        let call = try #require(backend.recorded.first)
        #expect(backend.recorded.count == 1)
        #expect(call.api == .openAIResponses)
        #expect(call.streamed)
        #expect(call.requestAction == .redact)
        #expect(call.responseAction == .redact)
        #expect(call.responseFindingTypes == ["SECRET"])
        #expect(call.outcome == .forwarded)
        #expect(call.inputTokens == 17)
        #expect(call.outputTokens == 9)
    }

    @Test func blockedStreamIsRecordedAsResponseBlocked() async throws {
        let provider = FakeProvider(reply: "Here it comes: FORBIDDEN" + String(repeating: " and more", count: 12))
        let backend = FakeBackend()
        try await withProxy(provider: provider, backend: backend) { client in
            let request = #"{"model":"gpt-fake","stream":true,"input":"hello"}"#
            try await client.execute(uri: "/v1/responses", method: .post, headers: Self.auth, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                var parser = ServerSentEventParser()
                let events = parser.consume(response.body.readableBytesView) + parser.finish()
                let client = try ResponsesEvents.reassemble(events)
                #expect(client.error?["code"]?.stringValue == "policy_violation")
                #expect(client.completed == nil)
                #expect(!String(buffer: response.body).contains("FORBIDDEN"))
            }
        }
        let call = try #require(backend.recorded.first)
        #expect(call.outcome == .responseBlocked)
        #expect(call.responseAction == .block)
    }
}
