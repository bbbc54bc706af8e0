import Detection
import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A `ProxyBackend` for tests: one valid key, the `FakeInspector` policy, and
/// an in-memory list of recorded calls.
final class FakeBackend: ProxyBackend {
    static let key = "ak_test_key"
    let inspector = FakeInspector()
    private let calls = Mutex<[ProxiedCall]>([])
    let failRecording: Bool

    init(failRecording: Bool = false) {
        self.failRecording = failRecording
    }

    var recorded: [ProxiedCall] { calls.withLock { $0 } }

    func authenticate(apiKey: String) async -> ProxyCaller? {
        apiKey == Self.key ? ProxyCaller(tenant: "default", keyID: "key_1", actor: "tests") : nil
    }

    func inspect(_ text: String, context: ProxyInspectionContext) async -> Inspection {
        inspector.inspect(text)
    }

    struct RecordingFailed: Error {}

    func record(_ call: ProxiedCall) async throws -> String {
        if failRecording { throw RecordingFailed() }
        return calls.withLock { list in
            list.append(call)
            return "evt_\(list.count)"
        }
    }
}

/// A fake provider: answers OpenAI and Anthropic calls, optionally streamed in
/// 4-character pieces, and records every body it received.
final class FakeProvider: Sendable {
    private let bodies = Mutex<[String]>([])
    /// Text the fake answers with.
    let reply: String
    /// Status it answers with.
    let status: HTTPResponse.Status

    init(reply: String = "Hello there.", status: HTTPResponse.Status = .ok) {
        self.reply = reply
        self.status = status
    }

    var received: [String] { bodies.withLock { $0 } }

    static func pieces(_ text: String, size: Int = 4) -> [String] {
        var out: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count == size { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            self.bodies.withLock { $0.append(text) }
            guard self.status == .ok else {
                return Response(status: self.status, body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"boom"}}"#)))
            }
            let json = try OrderedJSON(parsing: text)
            if json["stream"]?.boolValue == true {
                let reply = self.reply
                return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                    for piece in Self.pieces(reply) {
                        let chunk: OrderedJSON = .object([
                            .init("id", .string("c")), .init("object", .string("chat.completion.chunk")), .init("model", .string("gpt-fake")),
                            .init("choices", .array([.object([.init("index", .int(0)), .init("delta", .object([.init("content", .string(piece))])), .init("finish_reason", .null)])])),
                        ])
                        try await writer.write(ByteBuffer(string: "data: \(chunk.serialized())\n\n"))
                    }
                    try await writer.write(ByteBuffer(string: #"data: {"id":"c","object":"chat.completion.chunk","model":"gpt-fake","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n"))
                    try await writer.finish(nil)
                })
            }
            let answer: OrderedJSON = .object([
                .init("id", .string("chatcmpl-1")), .init("object", .string("chat.completion")), .init("model", .string("gpt-fake")),
                .init("choices", .array([.object([
                    .init("index", .int(0)),
                    .init("message", .object([.init("role", .string("assistant")), .init("content", .string(self.reply))])),
                    .init("finish_reason", .string("stop")),
                ])])),
                .init("usage", .object([.init("prompt_tokens", .int(5)), .init("completion_tokens", .int(3))])),
            ])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer.serialized())))
        }
        router.post("/v1/responses") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            self.bodies.withLock { $0.append(text) }
            let json = try OrderedJSON(parsing: text)
            if json["stream"]?.boolValue == true {
                let events = ResponsesEvents.textStream(Self.pieces(self.reply))
                return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                    for event in events { try await writer.write(ByteBuffer(string: event.serialized())) }
                    try await writer.finish(nil)
                })
            }
            let answer = ResponsesEvents.response("completed", output: [ResponsesEvents.message(self.reply)], usage: true)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer.serialized())))
        }
        router.post("/v1/messages") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            self.bodies.withLock { $0.append(String(buffer: body)) }
            let answer: OrderedJSON = .object([
                .init("id", .string("msg_1")), .init("type", .string("message")), .init("role", .string("assistant")),
                .init("model", .string("claude-fake")),
                .init("content", .array([.object([.init("type", .string("text")), .init("text", .string(self.reply))])])),
                .init("stop_reason", .string("end_turn")),
                .init("usage", .object([.init("input_tokens", .int(7)), .init("output_tokens", .int(2))])),
            ])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer.serialized())))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

/// The proxy app under test, pointed at `upstreamPort`.
func proxyApplication(backend: FakeBackend, upstream: UpstreamClient) -> some ApplicationProtocol {
    let router = Router()
    ProxyRoutes.register(on: router, backend: backend, upstream: upstream)
    return Application(router: router)
}

func makeUpstreamClient(port: Int, streamWindow: Int = 48) -> UpstreamClient {
    UpstreamClient(configuration: ProxyConfiguration(
        openAIBaseURL: "http://127.0.0.1:\(port)/v1", anthropicBaseURL: "http://127.0.0.1:\(port)",
        openAIAPIKey: "sk-upstream", anthropicAPIKey: "sk-ant-upstream",
        connectTimeoutSeconds: 2, readTimeoutSeconds: 10, streamWindow: streamWindow))
}
