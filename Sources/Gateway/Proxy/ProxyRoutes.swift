import AsyncHTTPClient
import Detection
import Enforcement
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// The drop-in provider endpoints: OpenAI- and Anthropic-compatible routes
/// that official SDKs point at with only their base URL and key changed.
public enum ProxyRoutes {
    /// Registers `POST /v1/chat/completions`, `POST /v1/responses`,
    /// `POST /v1/embeddings`, `GET /v1/models`, `POST /v1/messages` and
    /// `POST /v1/messages/count_tokens` on `router`. Routes authenticate the
    /// Astral key themselves (`Authorization: Bearer` or `x-api-key`) and answer
    /// errors in the provider's shape, so mount them outside any problem+json
    /// or auth middleware of `/api/v1`.
    public static func register<Context: RequestContext>(
        on router: Router<Context>, backend: any ProxyBackend, upstream: UpstreamClient
    ) {
        let proxy = Proxy(backend: backend, upstream: upstream)
        router.post("/v1/chat/completions") { request, _ in
            await proxy.handle(request, api: .openAIChatCompletions, path: "/v1/chat/completions")
        }
        router.post("/v1/responses") { request, _ in
            await proxy.handle(request, api: .openAIResponses, path: "/v1/responses")
        }
        router.post("/v1/embeddings") { request, _ in
            await proxy.handle(request, api: .openAIEmbeddings, path: "/v1/embeddings")
        }
        router.post("/v1/messages") { request, _ in
            await proxy.handle(request, api: .anthropicMessages, path: "/v1/messages")
        }
        router.post("/v1/messages/count_tokens") { request, _ in
            await proxy.handle(request, api: .anthropicMessages, path: "/v1/messages/count_tokens", inspectsResponse: false)
        }
        router.get("/v1/models") { request, _ in
            await proxy.listModels(request)
        }
    }
}

/// One proxy instance: the backend, the upstream client, the settings.
struct Proxy: Sendable {
    let backend: any ProxyBackend
    let upstream: UpstreamClient
    var configuration: ProxyConfiguration { upstream.configuration }

    /// The Astral key a client presented: `Authorization: Bearer` or `x-api-key`.
    static func apiKey(in headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let key = String(parts[1]).trimmingWhitespace()
                if !key.isEmpty { return key }
            }
        }
        if let key = headers[ProxyHeader.apiKey]?.trimmingWhitespace(), !key.isEmpty { return key }
        return nil
    }

    func authenticate(_ request: Request, family: ProviderFamily) async -> Result<ProxyCaller, ResponseError> {
        guard let key = Self.apiKey(in: request.headers) else {
            return .failure(ResponseError(ProviderError.response(
                .unauthorized, type: family.authenticationErrorType,
                message: "Missing Astral API key: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'", provider: family)))
        }
        guard let caller = await backend.authenticate(apiKey: key) else {
            return .failure(ResponseError(ProviderError.response(
                .unauthorized, type: family.authenticationErrorType, message: "Invalid Astral API key", provider: family)))
        }
        return .success(caller)
    }

    /// Wraps a ready error response so it can travel in a `Result`.
    struct ResponseError: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }

    /// Handles one provider call: authenticate, inspect the request, call the
    /// upstream, inspect the answer (streamed or not), record one event.
    func handle(_ request: Request, api: ProviderAPI, path: String, inspectsResponse: Bool = true) async -> Response {
        let started = ContinuousClock.now
        let family = ProviderFamily(api)
        let caller: ProxyCaller
        switch await authenticate(request, family: family) {
        case .success(let value): caller = value
        case .failure(let error): return error.response
        }

        let raw: ByteBuffer
        do {
            raw = try await request.body.collect(upTo: configuration.maxRequestBodyBytes)
        } catch {
            return ProviderError.response(
                .contentTooLarge, type: family.tooLargeType,
                message: "Request body exceeds \(configuration.maxRequestBodyBytes) bytes", provider: family)
        }
        var body: OrderedJSON
        do {
            body = try OrderedJSON(parsing: raw.readableBytesView)
        } catch {
            return ProviderError.response(
                .badRequest, type: family.invalidRequestType, message: "Request body is not valid JSON: \(error.description)",
                provider: family)
        }
        guard body.isObject else {
            return ProviderError.response(
                .badRequest, type: family.invalidRequestType, message: "Request body must be a JSON object", provider: family)
        }
        if api == .openAIEmbeddings, Self.hasTokenInput(body["input"]) {
            // Token ids are text Astral cannot read without the model's tokenizer.
            return ProviderError.response(
                .badRequest, type: family.invalidRequestType,
                message: "input given as token ids cannot be inspected by Astral; send the input as strings",
                provider: family)
        }
        let model = body["model"]?.stringValue
        let wantsStream = body["stream"]?.boolValue == true
        if wantsStream, api == .openAIEmbeddings || !inspectsResponse {
            // Only streams whose every event this proxy enforces are accepted.
            return ProviderError.response(
                .badRequest, type: family.invalidRequestType,
                message: "stream=true is not supported on \(path) through Astral; send the request without streaming",
                provider: family)
        }

        var call = ProxiedCall(
            caller: caller, api: api, model: model, streamed: wantsStream,
            requestAction: .allow, requestFindings: [], requestReasons: [],
            responseAction: nil, responseFindingTypes: [], responseReasons: [],
            outcome: .forwarded, upstreamStatus: nil, inputTokens: nil, outputTokens: nil, latencyMicroseconds: 0)

        // Inspect every text the model will read, as one document.
        let joined = JoinedTexts(RequestTexts.extract(body, api: api))
        let requestContext = ProxyInspectionContext(caller: caller, api: api, model: model, direction: .request)
        let requestInspection = joined.joined.isEmpty ? Inspection.clean : await backend.inspect(joined.joined, context: requestContext)
        call.requestAction = requestInspection.action
        call.requestFindings = requestInspection.findings
        call.requestReasons = requestInspection.reasons
        call.requestText = joined.joined
        if let failure = requestInspection.failure { call.failures.append(failure) }
        if requestInspection.action.refuses {
            call.outcome = .requestBlocked
            return await refusal("request", requestInspection, call: call, started: started, family: family)
        }
        if requestInspection.action == .redact {
            Self.redact(&body, joined, requestInspection) { RequestTexts.rewrite(&$0, api: api, $1) }
        }

        let upstreamResponse: HTTPClientResponse
        do {
            upstreamResponse = try await upstream.send(
                url: configuration.upstreamURL(path, anthropic: family == .anthropic), method: .POST,
                headers: upstreamHeaders(request.headers, family: family, streaming: wantsStream),
                body: body.serializedBytes())
        } catch {
            return await upstreamFailure(error, call: call, started: started, family: family)
        }
        let status = Int(upstreamResponse.status.code)
        call.upstreamStatus = status
        if status >= 500 {
            return await upstreamFailure(
                UpstreamClient.Failure(kind: .serverError, upstreamStatus: status), call: call, started: started, family: family)
        }
        let contentType = upstreamResponse.headers.first(name: "content-type") ?? ""
        if wantsStream, status < 300, contentType.contains("text/event-stream") {
            return stream(upstreamResponse, api: api, call: call, started: started, family: family)
        }

        let answer: [UInt8]
        do {
            answer = try await UpstreamClient.collect(upstreamResponse.body, upTo: configuration.maxResponseBodyBytes)
        } catch {
            return await upstreamFailure(error, call: call, started: started, family: family)
        }
        if status >= 300 {
            // The upstream's own error (bad request, rate limit, ...): already in the provider's shape.
            return await finish(call, started: started, family: family) { eventID in
                Self.passThrough(status: status, contentType: contentType, body: answer, eventID: eventID)
            }
        }
        guard var answerJSON = try? OrderedJSON(parsing: answer), answerJSON.isObject else {
            return await upstreamFailure(
                UpstreamClient.Failure(kind: .malformed, upstreamStatus: status), call: call, started: started, family: family)
        }
        Self.readUsage(answerJSON, into: &call)
        if inspectsResponse {
            ResponseTexts.removeLogprobs(&answerJSON, api: api)
            let responseTexts = JoinedTexts(ResponseTexts.extract(answerJSON, api: api))
            let responseInspection: Inspection
            if responseTexts.joined.isEmpty {
                responseInspection = .clean
            } else {
                let context = ProxyInspectionContext(caller: caller, api: api, model: call.model, direction: .response)
                responseInspection = await backend.inspect(responseTexts.joined, context: context)
            }
            call.responseAction = responseInspection.action
            call.responseFindingTypes = Self.types(responseInspection.findings)
            call.responseReasons = responseInspection.reasons
            if let failure = responseInspection.failure, !call.failures.contains(failure) { call.failures.append(failure) }
            if responseInspection.action.refuses {
                call.outcome = .responseBlocked
                return await refusal("response", responseInspection, call: call, started: started, family: family)
            }
            if responseInspection.action == .redact {
                Self.redact(&answerJSON, responseTexts, responseInspection) { ResponseTexts.rewrite(&$0, api: api, $1) }
            }
        }
        let outgoing = answerJSON.serializedBytes()
        return await finish(call, started: started, family: family) { eventID in
            Self.passThrough(status: status, contentType: "application/json", body: outgoing, eventID: eventID)
        }
    }

    /// `GET /v1/models`: forwarded to the Anthropic upstream when the client
    /// speaks Anthropic (it sends `anthropic-version`), to the OpenAI one otherwise.
    func listModels(_ request: Request) async -> Response {
        let family: ProviderFamily = request.headers[ProxyHeader.anthropicVersion] == nil ? .openAI : .anthropic
        switch await authenticate(request, family: family) {
        case .success: break
        case .failure(let error): return error.response
        }
        var path = "/v1/models"
        if let query = request.uri.query, !query.isEmpty { path += "?" + query }
        do {
            let response = try await upstream.send(
                url: configuration.upstreamURL(path, anthropic: family == .anthropic), method: .GET,
                headers: upstreamHeaders(request.headers, family: family, streaming: false), body: nil)
            let status = Int(response.status.code)
            if status >= 500 {
                throw UpstreamClient.Failure(kind: .serverError, upstreamStatus: status)
            }
            let body = try await UpstreamClient.collect(response.body, upTo: configuration.maxResponseBodyBytes)
            return Self.passThrough(
                status: status, contentType: response.headers.first(name: "content-type") ?? "application/json", body: body,
                eventID: nil)
        } catch let failure as UpstreamClient.Failure {
            return ProviderError.response(
                failure.status, type: failure.kind == .timeout ? family.timeoutErrorType : family.upstreamErrorType,
                message: failure.message, provider: family)
        } catch {
            return ProviderError.response(
                .badGateway, type: family.upstreamErrorType, message: "The upstream provider could not be reached", provider: family)
        }
    }

    // MARK: - Streaming

    func stream(
        _ upstreamResponse: HTTPClientResponse, api: ProviderAPI, call: ProxiedCall, started: ContinuousClock.Instant,
        family: ProviderFamily
    ) -> Response {
        let context = ProxyInspectionContext(caller: call.caller, api: api, model: call.model, direction: .response)
        let backend = self.backend
        let inspect: TextInspector = { text in await backend.inspect(text, context: context) }
        let span = configuration.streamWindow
        let body = ResponseBody { writer in
            switch api {
            case .openAIChatCompletions, .openAIEmbeddings:
                try await self.pump(
                    upstreamResponse.body, enforcer: OpenAIChatStreamEnforcer(span: span), inspect: inspect, call: call,
                    started: started, writer: &writer)
            case .openAIResponses:
                try await self.pump(
                    upstreamResponse.body, enforcer: OpenAIResponsesStreamEnforcer(span: span), inspect: inspect, call: call,
                    started: started, writer: &writer)
            case .anthropicMessages:
                try await self.pump(
                    upstreamResponse.body, enforcer: AnthropicStreamEnforcer(span: span), inspect: inspect, call: call,
                    started: started, writer: &writer)
            }
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body)
    }

    /// Moves events from the upstream to the client through the enforcer.
    /// The call is recorded before the events that close the stream are sent,
    /// so a client that saw the end of a stream knows it was recorded.
    func pump<Enforcer: StreamEnforcing>(
        _ upstreamBody: HTTPClientResponse.Body, enforcer: Enforcer, inspect: TextInspector, call: ProxiedCall,
        started: ContinuousClock.Instant, writer: inout any ResponseBodyWriter
    ) async throws {
        var enforcer = enforcer
        var parser = ServerSentEventParser()
        var call = call
        var recorded = false

        func complete(_ outcome: ProxyOutcome, _ enforcer: Enforcer) async -> Bool {
            guard !recorded else { return true }
            recorded = true
            let summary = enforcer.summary
            call.outcome = summary.refused ? .responseBlocked : (summary.malformed ? .upstreamFailed : outcome)
            call.responseAction = summary.action
            call.responseFindingTypes = summary.findingTypes
            call.responseReasons = summary.reasons
            for failure in summary.failures where !call.failures.contains(failure) { call.failures.append(failure) }
            call.model = summary.model ?? call.model
            call.inputTokens = summary.inputTokens
            call.outputTokens = summary.outputTokens
            call.latencyMicroseconds = Self.microseconds(since: started)
            do {
                _ = try await backend.record(call)
                return true
            } catch {
                return false
            }
        }

        func send(_ events: [ServerSentEvent], writer: inout any ResponseBodyWriter) async throws {
            guard !events.isEmpty else { return }
            var text = ""
            for event in events { text += event.serialized() }
            try await writer.write(ByteBuffer(string: text))
        }

        var iterator = upstreamBody.makeAsyncIterator()
        while true {
            let buffer: ByteBuffer?
            do {
                buffer = try await iterator.next()
            } catch {
                // The upstream failed mid-stream (timeout, reset): end with a provider error event.
                let timedOut = (UpstreamClient.classify(error) as? UpstreamClient.Failure)?.kind == .timeout
                var tail = await enforcer.finish(inspect: inspect)
                let failure = enforcer.errorEvent(
                    message: timedOut ? "The upstream provider did not answer in time" : "The upstream provider stream failed",
                    type: timedOut ? "timeout_error" : "api_error")
                tail.append(failure)
                call.outcome = .upstreamFailed
                let ok = await complete(.upstreamFailed, enforcer)
                try await send(ok ? tail : [enforcer.errorEvent(message: Self.recordFailure, type: "api_error")], writer: &writer)
                try await writer.finish(nil)
                return
            }
            guard let buffer else { break }
            var out: [ServerSentEvent] = []
            for event in parser.consume(buffer.readableBytesView) {
                out += await enforcer.process(event, inspect: inspect)
                if enforcer.isClosed { break }
            }
            if enforcer.isClosed {
                let ok = await complete(.forwarded, enforcer)
                try await send(ok ? out : [enforcer.errorEvent(message: Self.recordFailure, type: "api_error")], writer: &writer)
                break
            }
            do {
                try await send(out, writer: &writer)
            } catch {
                // The client went away: stop reading, which cancels the upstream request.
                _ = await complete(.clientCancelled, enforcer)
                throw error
            }
        }
        if !enforcer.isClosed {
            var out: [ServerSentEvent] = []
            for event in parser.finish() { out += await enforcer.process(event, inspect: inspect) }
            out += await enforcer.finish(inspect: inspect)
            let ok = await complete(.forwarded, enforcer)
            try await send(ok ? out : [enforcer.errorEvent(message: Self.recordFailure, type: "api_error")], writer: &writer)
        }
        try await writer.finish(nil)
    }

    // MARK: - Helpers

    static let recordFailure = "Astral could not record the call"

    /// Records a call refused by policy and answers `403 policy_violation`.
    func refusal(
        _ what: String, _ inspection: Inspection, call: ProxiedCall, started: ContinuousClock.Instant, family: ProviderFamily
    ) async -> Response {
        await finish(call, started: started, family: family) { eventID in
            ProviderError.response(
                .forbidden, type: "policy_violation", message: Self.refusalMessage(what, inspection),
                provider: family, eventID: eventID)
        }
    }

    /// Puts the redacted form of each inspected text back where `walk` visits it, in order.
    static func redact(
        _ body: inout OrderedJSON, _ texts: JoinedTexts, _ inspection: Inspection,
        walk: (inout OrderedJSON, (inout String) -> Void) -> Void
    ) {
        let parts = texts.redactedParts(inspection)
        var index = 0
        walk(&body) { text in
            if index < parts.count { text = parts[index] }
            index += 1
        }
    }

    /// Records the call, then builds the answer with its event id; a call that
    /// cannot be recorded is not acknowledged.
    func finish(
        _ call: ProxiedCall, started: ContinuousClock.Instant, family: ProviderFamily,
        _ respond: (String) -> Response
    ) async -> Response {
        var call = call
        call.latencyMicroseconds = Self.microseconds(since: started)
        do {
            let eventID = try await backend.record(call)
            return respond(eventID)
        } catch {
            return ProviderError.response(
                .internalServerError, type: family == .anthropic ? "api_error" : "server_error",
                message: "Astral could not record the call", provider: family)
        }
    }

    func upstreamFailure(_ error: any Error, call: ProxiedCall, started: ContinuousClock.Instant, family: ProviderFamily) async
        -> Response
    {
        var call = call
        let failure = (error as? UpstreamClient.Failure) ?? UpstreamClient.Failure(kind: .unreachable)
        call.outcome = error is CancellationError ? .clientCancelled : .upstreamFailed
        if let status = failure.upstreamStatus { call.upstreamStatus = status }
        return await finish(call, started: started, family: family) { eventID in
            ProviderError.response(
                failure.status, type: failure.kind == .timeout ? family.timeoutErrorType : family.upstreamErrorType,
                message: failure.message, provider: family, eventID: eventID)
        }
    }

    func upstreamHeaders(_ incoming: HTTPFields, family: ProviderFamily, streaming: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: streaming ? "text/event-stream" : "application/json")
        headers.add(name: "user-agent", value: "astral-proxy")
        switch family {
        case .openAI:
            if let key = configuration.openAIAPIKey { headers.add(name: "authorization", value: "Bearer \(key)") }
        case .anthropic:
            if let key = configuration.anthropicAPIKey { headers.add(name: "x-api-key", value: key) }
            headers.add(name: "anthropic-version", value: incoming[ProxyHeader.anthropicVersion] ?? configuration.anthropicVersion)
            if let beta = incoming[ProxyHeader.anthropicBeta] { headers.add(name: "anthropic-beta", value: beta) }
        }
        return headers
    }

    static func passThrough(status: Int, contentType: String, body: [UInt8], eventID: String?) -> Response {
        var headers: HTTPFields = [.contentType: contentType.isEmpty ? "application/json" : contentType]
        if let eventID { headers[ProxyHeader.eventID] = eventID }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func readUsage(_ answer: OrderedJSON, into call: inout ProxiedCall) {
        if let model = answer["model"]?.stringValue { call.model = model }
        if let usage = answer["usage"], usage.isObject {
            call.inputTokens = usage["prompt_tokens"]?.intValue ?? usage["input_tokens"]?.intValue
            call.outputTokens = usage["completion_tokens"]?.intValue ?? usage["output_tokens"]?.intValue
        } else if let tokens = answer["input_tokens"]?.intValue {
            call.inputTokens = tokens
        }
    }

    /// Whether an embeddings `input` holds token ids (numbers or arrays of numbers) rather than text.
    static func hasTokenInput(_ input: OrderedJSON?) -> Bool {
        switch input {
        case .number?: return true
        case .array(let elements)?:
            return elements.contains { element in
                switch element {
                case .number, .array: return true
                default: return false
                }
            }
        default: return false
        }
    }

    static func types(_ findings: [Finding]) -> [String] {
        var seen: [String] = []
        for finding in findings where !seen.contains(finding.type) { seen.append(finding.type) }
        return seen
    }

    static func refusalMessage(_ what: String, _ inspection: Inspection) -> String {
        let reasons = inspection.reasons.isEmpty ? "" : ": " + inspection.reasons.joined(separator: "; ")
        return "The \(what) was blocked by Astral policy\(reasons)"
    }

    static func microseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
    }
}
