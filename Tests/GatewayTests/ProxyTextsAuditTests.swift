import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Every place of a provider body where a model reads text, or a client sees
/// it, is visited by the walkers: each test body marks its texts `M1`, `M2`, …
/// and checks that every marker is extracted and that a rewrite of the
/// visited texts leaves none of them in the body.
@Suite struct ProxyTextsAuditTests {
    static func markers(_ count: Int) -> [String] { (1...count).map { "M\($0)" } }

    /// The markers `texts` contains.
    static func found(_ texts: [String], _ markers: [String]) -> Set<String> {
        let joined = texts.joined(separator: " | ")
        return Set(markers.filter { marker in
            joined.range(of: "\\b\(marker)\\b", options: .regularExpression) != nil
        })
    }

    static func checkRequest(_ json: String, api: ProviderAPI, count: Int) throws {
        var body = try OrderedJSON(parsing: json)
        let markers = markers(count)
        #expect(found(RequestTexts.extract(body, api: api), markers) == Set(markers))
        RequestTexts.rewrite(&body, api: api) { $0 = "redacted" }
        #expect(found([body.serialized()], markers).isEmpty, "every marked text is rewritten")
    }

    static func checkResponse(_ json: String, api: ProviderAPI, count: Int) throws {
        var body = try OrderedJSON(parsing: json)
        let markers = markers(count)
        #expect(found(ResponseTexts.extract(body, api: api), markers) == Set(markers))
        ResponseTexts.rewrite(&body, api: api) { $0 = "redacted" }
        #expect(found([body.serialized()], markers).isEmpty, "every marked text is rewritten")
    }

    @Test func chatRequestPredictionSchemaAndCustomToolInput() throws {
        try Self.checkRequest(#"""
            {"model":"m","messages":[
              {"role":"developer","content":[{"type":"text","text":"M1"}]},
              {"role":"user","content":"M2"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"c1","type":"custom","custom":{"name":"run","input":"M3"}},
                {"id":"c2","type":"function","function":{"name":"f","arguments":"{\"a\":\"M4\"}"}}]},
              {"role":"tool","tool_call_id":"c1","content":[{"type":"text","text":"M5"}]}],
             "prediction":{"type":"content","content":"M6"},
             "response_format":{"type":"json_schema","json_schema":{"name":"out","description":"M7",
               "schema":{"type":"object","properties":{"x":{"type":"string","description":"M8"}}}}},
             "tools":[{"type":"function","function":{"name":"f","description":"M9","parameters":{"type":"object",
               "properties":{"a":{"type":"string","enum":["M10"]}}}}}]}
            """#, api: .openAIChatCompletions, count: 10)
    }

    @Test func responsesRequestInputItemsOfEveryType() throws {
        try Self.checkRequest(#"""
            {"model":"m","instructions":"M1","input":[
              {"role":"user","content":"M2"},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"M3"},{"type":"input_image","image_url":"https://x"}]},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"M4","annotations":[]}]},
              {"type":"function_call","call_id":"c1","name":"f","arguments":"{\"a\":\"M5\"}"},
              {"type":"function_call_output","call_id":"c1","output":"M6"},
              {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"M7"}]},
              {"type":"custom_tool_call","call_id":"c3","name":"run","input":"M8"},
              {"type":"custom_tool_call_output","call_id":"c3","output":"M9"},
              {"type":"reasoning","id":"r1","summary":[{"type":"summary_text","text":"M10"}]},
              {"type":"code_interpreter_call","id":"ci","code":"M11","container_id":"x","outputs":[]},
              {"type":"mcp_call","id":"mc","server_label":"s","name":"t","arguments":"M12","output":"M13"}],
             "prompt":{"id":"pmpt_1","variables":{"customer":"M14"}},
             "text":{"format":{"type":"json_schema","name":"out","description":"M15","schema":{"type":"object","description":"M16"}}},
             "tools":[{"type":"function","name":"f","description":"M17","parameters":{"type":"object","description":"M18"}},
                      {"type":"custom","name":"run","description":"M19","format":{"type":"grammar","syntax":"lark","definition":"M20"}}]}
            """#, api: .openAIResponses, count: 20)
    }

    @Test func anthropicRequestDocumentsSearchResultsAndCitations() throws {
        try Self.checkRequest(#"""
            {"model":"m","system":[{"type":"text","text":"M1"}],"messages":[
              {"role":"user","content":[
                {"type":"document","source":{"type":"text","media_type":"text/plain","data":"M2"},"title":"M3","context":"M4"},
                {"type":"document","source":{"type":"content","content":[{"type":"text","text":"M5"}]}},
                {"type":"search_result","source":"https://x","title":"M6","content":[{"type":"text","text":"M7"}]},
                {"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"M8"}]}]},
              {"role":"assistant","content":[
                {"type":"text","text":"M9","citations":[{"type":"char_location","cited_text":"M10","document_index":0}]},
                {"type":"tool_use","id":"t2","name":"f","input":{"q":"M11"}}]}],
             "tools":[{"name":"f","description":"M12","input_schema":{"type":"object","description":"M13"}}]}
            """#, api: .anthropicMessages, count: 13)
    }

    @Test func responsesAnswerToolInputsCodeAndOutputs() throws {
        try Self.checkResponse(#"""
            {"id":"r","object":"response","output":[
              {"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":"M1"},{"type":"refusal","refusal":"M2"}]},
              {"type":"reasoning","id":"r1","summary":[{"type":"summary_text","text":"M3"}]},
              {"type":"function_call","id":"f","call_id":"c","name":"f","arguments":"M4"},
              {"type":"custom_tool_call","id":"ct","call_id":"c2","name":"run","input":"M5"},
              {"type":"code_interpreter_call","id":"ci","code":"M6","outputs":[]},
              {"type":"mcp_call","id":"mc","name":"t","server_label":"s","arguments":"M7","output":"M8"}]}
            """#, api: .openAIResponses, count: 8)
    }

    @Test func chatAnswerAudioTranscriptAndCustomToolCall() throws {
        try Self.checkResponse(#"""
            {"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"M1",
              "audio":{"id":"a","data":"AAAA","transcript":"M2"},
              "tool_calls":[{"id":"x","type":"custom","custom":{"name":"run","input":"M3"}}]},"finish_reason":"stop"}]}
            """#, api: .openAIChatCompletions, count: 3)
    }

    @Test func logprobsAreRemovedFromAnswers() throws {
        var chat = try OrderedJSON(parsing: #"""
            {"choices":[{"index":0,"message":{"content":"hi"},"logprobs":{"content":[{"token":"M1","logprob":-1}]}}]}
            """#)
        ResponseTexts.removeLogprobs(&chat, api: .openAIChatCompletions)
        #expect(chat["choices"]?.arrayValue?.first?["logprobs"] == .null)
        var responses = try OrderedJSON(parsing: #"""
            {"output":[{"type":"message","content":[{"type":"output_text","text":"hi","logprobs":[{"token":"M1","logprob":-1}]}]}]}
            """#)
        ResponseTexts.removeLogprobs(&responses, api: .openAIResponses)
        #expect(!responses.serialized().contains("M1"))
    }

    @Test func chatStreamDropsLogprobsAndScansAudioTranscripts() async throws {
        let inspector = FakeInspector()
        var enforcer = OpenAIChatStreamEnforcer(span: 32)
        func chunk(_ delta: String, logprobs: String = "null", finish: String = "null") -> ServerSentEvent {
            ServerSentEvent(data: #"{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":\#(delta),"logprobs":\#(logprobs),"finish_reason":\#(finish)}]}"#)
        }
        var out: [ServerSentEvent] = []
        for event in [
            chunk(#"{"audio":{"id":"a","transcript":"my ssn is 123-"}}"#, logprobs: #"{"content":[{"token":"123-","logprob":-1}]}"#),
            chunk(#"{"audio":{"transcript":"45-6789 ok"}}"#, logprobs: #"{"content":[{"token":"45-6789","logprob":-1}]}"#),
            chunk("{}", finish: #""stop""#),
            ServerSentEvent(data: "[DONE]"),
        ] {
            out += await enforcer.process(event, inspect: inspector.inspector)
        }
        var transcript = ""
        for event in out where event.data != "[DONE]" {
            #expect(!event.data.contains("6789"))
            let body = try OrderedJSON(parsing: event.data)
            for choice in body["choices"]?.arrayValue ?? [] {
                #expect(choice["logprobs"] == nil || choice["logprobs"] == .null)
                transcript += choice["delta"]?["audio"]?["transcript"]?.stringValue ?? ""
            }
        }
        #expect(transcript == "my ssn is [REDACTED:US_SSN] ok")
        #expect(enforcer.summary.findingTypes == ["US_SSN"])
    }

    @Test func chatStreamScansTheLegacyFunctionCall() async throws {
        let inspector = FakeInspector()
        var enforcer = OpenAIChatStreamEnforcer(span: 32)
        func chunk(_ delta: String, finish: String = "null") -> ServerSentEvent {
            ServerSentEvent(data: #"{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":\#(delta),"finish_reason":\#(finish)}]}"#)
        }
        var out: [ServerSentEvent] = []
        for event in [
            chunk(#"{"function_call":{"name":"save","arguments":"{\"ssn\": \"123-"}}"#),
            chunk(#"{"function_call":{"arguments":"45-6789\"}"}}"#),
            chunk("{}", finish: #""function_call""#),
            ServerSentEvent(data: "[DONE]"),
        ] {
            out += await enforcer.process(event, inspect: inspector.inspector)
        }
        var arguments = ""
        for event in out where event.data != "[DONE]" {
            #expect(!event.data.contains("6789"))
            let body = try OrderedJSON(parsing: event.data)
            for choice in body["choices"]?.arrayValue ?? [] {
                arguments += choice["delta"]?["function_call"]?["arguments"]?.stringValue ?? ""
            }
        }
        #expect(arguments == #"{"ssn": "[REDACTED:US_SSN]"}"#)
    }

    @Test func anthropicStreamScansToolInputGivenAtStartAndCitations() async throws {
        let inspector = FakeInspector()
        var enforcer = AnthropicStreamEnforcer(span: 32)
        let events = [
            ServerSentEvent(event: "message_start", data: #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"usage":{"input_tokens":1,"output_tokens":1}}}"#),
            ServerSentEvent(event: "content_block_start", data: #"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"s1","name":"web_search","input":{"query":"ssn 123-45-6789"}}}"#),
            ServerSentEvent(event: "content_block_stop", data: #"{"type":"content_block_stop","index":0}"#),
            ServerSentEvent(event: "content_block_start", data: #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
            ServerSentEvent(event: "content_block_delta", data: #"{"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{"type":"char_location","cited_text":"record 987-65-4321","document_index":0}}}"#),
            ServerSentEvent(event: "content_block_delta", data: #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"See the record."}}"#),
            ServerSentEvent(event: "content_block_stop", data: #"{"type":"content_block_stop","index":1}"#),
            ServerSentEvent(event: "message_stop", data: #"{"type":"message_stop"}"#),
        ]
        var out: [ServerSentEvent] = []
        for event in events { out += await enforcer.process(event, inspect: inspector.inspector) }
        let wire = out.map(\.data).joined(separator: "\n")
        #expect(!wire.contains("6789"))
        #expect(!wire.contains("4321"))
        #expect(wire.contains(#""query":"ssn [REDACTED:US_SSN]""#))
        #expect(wire.contains(#""cited_text":"record [REDACTED:US_SSN]""#))
        #expect(wire.contains("See the record."))
        #expect(out.last?.event == "message_stop")
    }

    @Test func embeddingsGivenAsTokenIdsAreRefusedNotPassedUnread() async throws {
        let provider = FakeProvider()
        let backend = FakeBackend()
        try await provider.application().test(.live) { upstreamClient in
            let upstream = makeUpstreamClient(port: try #require(upstreamClient.port))
            do {
                try await proxyApplication(backend: backend, upstream: upstream).test(.router) { client in
                    for input in ["[[1, 2, 3]]", "[1, 2, 3]", #"["text", [4, 5]]"#] {
                        let request = #"{"model":"e","input":\#(input)}"#
                        try await client.execute(
                            uri: "/v1/embeddings", method: .post,
                            headers: [.authorization: "Bearer \(FakeBackend.key)", .contentType: "application/json"],
                            body: ByteBuffer(string: request)
                        ) { response in
                            #expect(response.status == .badRequest)
                            let json = try OrderedJSON(parsing: String(buffer: response.body))
                            #expect(json["error"]?["type"]?.stringValue == "invalid_request_error")
                        }
                    }
                }
            } catch {
                try await upstream.shutdown()
                throw error
            }
            try await upstream.shutdown()
        }
        #expect(provider.received.isEmpty)
        #expect(backend.recorded.isEmpty)
    }
}
