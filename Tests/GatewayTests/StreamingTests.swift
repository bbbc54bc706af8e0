import Enforcement
import Testing

@Suite struct OrderedJSONTests {
    @Test func roundTripKeepsOrderAndNumbers() throws {
        let text = #"{"b":1,"a":[true,false,null,1.50,-2e10,12345678901234567890],"c":"x\"\\\n\u00e9\ud83d\ude00"}"#
        let value = try OrderedJSON(parsing: text)
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["c"]?.stringValue == "x\"\\\né😀")
        let again = try OrderedJSON(parsing: value.serialized())
        #expect(again == value)
        #expect(value.serialized().hasPrefix(#"{"b":1,"a":[true,false,null,1.50,-2e10,12345678901234567890]"#))
    }

    @Test(arguments: ["", "{", #"{"a"}"#, "[1,]", "01", #""\x""#, "nul", "{} x", "\"\u{01}\""])
    func rejectsInvalid(_ text: String) {
        #expect(throws: OrderedJSON.ParseError.self) { try OrderedJSON(parsing: text) }
    }

    @Test func errorTextNamesNoContent() {
        do {
            _ = try OrderedJSON(parsing: #"{"secret": sk-abc}"#)
            Issue.record("expected a parse error")
        } catch {
            #expect(!error.description.contains("sk-abc"))
            #expect(error.offset == 11)
        }
    }
}

@Suite struct ServerSentEventTests {
    @Test func parsesAcrossArbitraryChunking() {
        let wire = "event: message_start\ndata: {\"a\":1}\n\n: comment\r\ndata: line1\r\ndata: line2\r\n\r\ndata: [DONE]\n\n"
        let bytes = Array(wire.utf8)
        for size in [1, 2, 3, 7, bytes.count] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var index = 0
            while index < bytes.count {
                let end = min(index + size, bytes.count)
                events += parser.consume(bytes[index..<end])
                index = end
            }
            events += parser.finish()
            #expect(events == [
                ServerSentEvent(event: "message_start", data: #"{"a":1}"#),
                ServerSentEvent(data: "line1\nline2"),
                ServerSentEvent(data: "[DONE]"),
            ], "chunk size \(size)")
        }
    }

    @Test func serialiseThenParseIsIdentity() {
        let event = ServerSentEvent(event: "content_block_delta", data: "one\ntwo", id: "7")
        var parser = ServerSentEventParser()
        #expect(parser.consume(Array(event.serialized().utf8)) == [event])
    }

    @Test func truncatedEventIsStillDelivered() {
        var parser = ServerSentEventParser()
        #expect(parser.consume(Array("data: partial".utf8)).isEmpty)
        #expect(parser.hasPartialEvent)
        #expect(parser.finish() == [ServerSentEvent(data: "partial")])
    }
}

@Suite struct SlidingWindowTests {
    /// Feeds `chunks` through a window and returns what the client would receive.
    func run(_ chunks: [String], span: Int, inspector: FakeInspector) async -> (String, SlidingWindow.Release?) {
        var window = SlidingWindow(span: span)
        var out = ""
        for chunk in chunks {
            if let text = window.append(chunk) {
                switch window.resolve(await inspector.inspector(text)) {
                case .text(let released): out += released
                case .refuse(let inspection): return (out, .refuse(inspection))
                }
            }
        }
        if let text = window.finish() {
            switch window.resolve(await inspector.inspector(text)) {
            case .text(let released): out += released
            case .refuse(let inspection): return (out, .refuse(inspection))
            }
        }
        return (out, nil)
    }

    @Test func secretSplitAcrossChunksIsRedactedAtEverySplitPoint() async {
        let text = "Here is the key: sk-ABCDEFGHIJKLMNOPQRSTUVWX and my SSN 123-45-6789, thanks. " + String(repeating: "More text. ", count: 20)
        let scalars = Array(text)
        for split in stride(from: 1, to: scalars.count, by: 3) {
            let chunks = [String(scalars[..<split]), String(scalars[split...])]
            let (out, refusal) = await run(chunks, span: 48, inspector: FakeInspector())
            #expect(refusal == nil)
            #expect(!out.contains("sk-ABCDEFGH"), "split at \(split)")
            #expect(!out.contains("6789"), "split at \(split)")
            #expect(out.hasPrefix("Here is the key: [REDACTED:SECRET] and my SSN [REDACTED:US_SSN], thanks."))
        }
    }

    @Test func tinyChunksNeverLeakAPrefixOfTheSecret() async {
        let text = "aaaa sk-ABCDEFGHIJKLMNOPQRSTUVWX bbbb " + String(repeating: "z", count: 100)
        let chunks = text.map { String($0) }
        let (out, _) = await run(chunks, span: 40, inspector: FakeInspector())
        #expect(out == "aaaa [REDACTED:SECRET] bbbb " + String(repeating: "z", count: 100))
    }

    @Test func cleanTextPassesUnchangedAndIsHeldBackOnlyBySpan() async {
        let inspector = FakeInspector()
        var window = SlidingWindow(span: 10)
        #expect(window.append("0123456789") == nil)
        #expect(window.heldBackCount == 10)
        let request = window.append("abcde")
        #expect(request == "0123456789abcde")
        #expect(window.resolve(await inspector.inspector(request!)) == .text("01234"))
        #expect(window.heldBackCount == 10)
        let last = window.finish()
        #expect(last == "0123456789abcde")
        #expect(window.resolve(await inspector.inspector(last!)) == .text("56789abcde"))
    }

    /// A private key is far longer than the span and recognisable only once its END line
    /// arrives: no part of it may be released before then, at any chunk size.
    @Test func pemBlockLongerThanTheSpanIsHeldBackWhole() async {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let body = (0..<40).map { i in String((0..<64).map { alphabet[($0 * 7 + i) % alphabet.count] }) }
        let pem = "-----BEGIN RSA PRIVATE KEY-----\n" + body.joined(separator: "\n") + "\n-----END RSA PRIVATE KEY-----"
        let text = "Here is the key you asked for:\n" + pem + "\nKeep it safe. " + String(repeating: "More words. ", count: 40)
        let scalars = Array(text.unicodeScalars)
        for size in [1, 7, 64, 500] {
            let chunks = stride(from: 0, to: scalars.count, by: size).map {
                String(String.UnicodeScalarView(scalars[$0..<min($0 + size, scalars.count)]))
            }
            let inspector = FakeInspector()
            let (out, refusal) = await run(chunks, span: 64, inspector: inspector)
            #expect(refusal == nil)
            #expect(out == "Here is the key you asked for:\n[REDACTED:SECRET]\nKeep it safe. " + String(repeating: "More words. ", count: 40), "chunk size \(size)")
            // Waiting for the END line costs no inspection per chunk.
            #expect(inspector.inspected.count < scalars.count / size / 2 + 4, "chunk size \(size)")
        }
    }

    /// A BEGIN line that never ends is released once it exceeds the block limit (inspected all the same).
    @Test func unterminatedBlockIsReleasedPastTheBlockLimit() async {
        let text = "-----BEGIN NOTHING-----\n" + String(repeating: "x", count: 400)
        let chunks = text.map { String($0) }
        var window = SlidingWindow(span: 16, blockSpan: 100)
        let inspector = FakeInspector()
        var out = ""
        for chunk in chunks {
            if let held = window.append(chunk), case .text(let released) = window.resolve(await inspector.inspector(held)) { out += released }
        }
        #expect(out.hasPrefix("-----BEGIN NOTHING-----"))
        #expect(window.heldBackCount <= 100)
    }

    @Test func blockEndsTheWindow() async {
        let (out, refusal) = await run(["hello ", "FORB", "IDDEN " + String(repeating: "x", count: 50)], span: 20, inspector: FakeInspector())
        #expect(!out.contains("FORB"))
        guard case .refuse(let inspection)? = refusal else {
            Issue.record("expected a refusal")
            return
        }
        #expect(inspection.action == .block)
    }

    @Test func redactionIsNotSplitByTheCut() async {
        // The cut (total - span) falls inside the SSN; it must be released whole.
        var window = SlidingWindow(span: 4)
        let request = window.append("id 123-45-6789 ok")!
        let release = window.resolve(await FakeInspector().inspector(request))
        #expect(release == .text("id [REDACTED:US_SSN]"))
        let last = window.finish()!
        #expect(window.resolve(await FakeInspector().inspector(last)) == .text(" ok"))
        #expect(window.strongestAction == .redact)
        #expect(window.findingTypes == ["US_SSN"])
    }
}

@Suite struct ProviderTextsTests {
    @Test func openAIChatRequestTextsIncludeEverythingTheModelReads() throws {
        let body = try OrderedJSON(parsing: #"""
        {"model":"gpt-4o","temperature":0.2,"messages":[
          {"role":"system","content":"sys prompt"},
          {"role":"user","content":[{"type":"text","text":"part one"},{"type":"image_url","image_url":{"url":"http://x"}}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"q\":\"args\"}"}}]},
          {"role":"tool","tool_call_id":"c1","content":"tool result"}],
         "tools":[{"type":"function","function":{"name":"lookup","description":"tool desc","parameters":{"type":"object","properties":{"q":{"type":"string","description":"param desc"}}}}}]}
        """#)
        let texts = RequestTexts.extract(body, api: .openAIChatCompletions)
        #expect(texts == ["sys prompt", "part one", #"{"q":"args"}"#, "tool result", "lookup", "tool desc", "object", "string", "param desc"])
    }

    @Test func rewriteChangesOnlyTheTexts() throws {
        let original = #"{"model":"gpt-4o","n":1.0,"messages":[{"role":"user","content":"my ssn is 123-45-6789"}]}"#
        var body = try OrderedJSON(parsing: original)
        RequestTexts.rewrite(&body, api: .openAIChatCompletions) { $0 = $0.uppercased() }
        #expect(body.serialized() == #"{"model":"gpt-4o","n":1.0,"messages":[{"role":"user","content":"MY SSN IS 123-45-6789"}]}"#)
    }

    @Test func anthropicRequestTexts() throws {
        let body = try OrderedJSON(parsing: #"""
        {"model":"claude","max_tokens":10,"system":[{"type":"text","text":"sys"}],
         "messages":[{"role":"user","content":"hi"},
          {"role":"assistant","content":[{"type":"text","text":"calling"},{"type":"tool_use","id":"t","name":"f","input":{"city":"Paris"}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"sunny"}]},
                                    {"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"}}]}],
         "tools":[{"name":"f","description":"weather","input_schema":{"type":"object"}}]}
        """#)
        #expect(RequestTexts.extract(body, api: .anthropicMessages) == ["sys", "hi", "calling", "Paris", "sunny", "doc", "f", "weather", "object"])
    }

    @Test func responsesAndEmbeddingsRequestTexts() throws {
        let responses = try OrderedJSON(parsing: #"""
        {"model":"m","instructions":"be brief","input":[{"role":"user","content":[{"type":"input_text","text":"q"}]},
         {"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"out"}]}
        """#)
        #expect(RequestTexts.extract(responses, api: .openAIResponses) == ["be brief", "q", "{}", "out"])
        let embeddings = try OrderedJSON(parsing: #"{"model":"e","input":["a","b"]}"#)
        #expect(RequestTexts.extract(embeddings, api: .openAIEmbeddings) == ["a", "b"])
        let tokens = try OrderedJSON(parsing: #"{"model":"e","input":[[1,2,3]]}"#)
        #expect(RequestTexts.extract(tokens, api: .openAIEmbeddings).isEmpty)
    }

    @Test func responseTextsIncludeToolCallArguments() throws {
        let openAI = try OrderedJSON(parsing: #"""
        {"choices":[{"index":0,"message":{"role":"assistant","content":"answer","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{\"ssn\":\"123-45-6789\"}"}}]}}]}
        """#)
        #expect(ResponseTexts.extract(openAI, api: .openAIChatCompletions) == ["answer", #"{"ssn":"123-45-6789"}"#])
        let anthropic = try OrderedJSON(parsing: #"""
        {"content":[{"type":"text","text":"answer"},{"type":"tool_use","id":"t","name":"f","input":{"a":{"b":"deep"}}}]}
        """#)
        #expect(ResponseTexts.extract(anthropic, api: .anthropicMessages) == ["answer", "deep"])
    }

    @Test func joinedTextsMapRedactionsBackToEachPart() async {
        let joined = JoinedTexts(["hello 123-45-6789", "clean", "sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ end"])
        let inspection = FakeInspector().inspect(joined.joined)
        #expect(joined.redactedParts(inspection) == ["hello [REDACTED:US_SSN]", "clean", "[REDACTED:SECRET] end"])
    }
}
