/// The provider APIs whose request and response bodies the proxy understands.
public enum ProviderAPI: String, Sendable, Hashable, CaseIterable {
    /// OpenAI `POST /v1/chat/completions`.
    case openAIChatCompletions = "openai.chat.completions"
    /// OpenAI `POST /v1/responses`.
    case openAIResponses = "openai.responses"
    /// OpenAI `POST /v1/embeddings`.
    case openAIEmbeddings = "openai.embeddings"
    /// Anthropic `POST /v1/messages` (and `/v1/messages/count_tokens`, same body).
    case anthropicMessages = "anthropic.messages"

    /// The provider name recorded in events (`openai`, `anthropic`).
    public var provider: String {
        switch self {
        case .openAIChatCompletions, .openAIResponses, .openAIEmbeddings: "openai"
        case .anthropicMessages: "anthropic"
        }
    }
}

/// Walks a provider request body and visits, in document order, every text a
/// model will read: system prompts and instructions, every message's content
/// (plain or content parts), earlier tool calls' arguments, tool results, and
/// tool definitions (names, descriptions and every string inside parameter
/// schemas). The visitor may rewrite each text in place.
public enum RequestTexts {
    /// Visits every model-readable text of `body`, allowing in-place rewrites.
    public static func rewrite(_ body: inout OrderedJSON, api: ProviderAPI, _ visit: (inout String) -> Void) {
        switch api {
        case .openAIChatCompletions:
            body.mutate("messages") { messages in
                messages.mutateElements { visitChatMessage(&$0, visit) }
            }
            // Predicted output: text the model reads as the expected answer.
            body.mutate("prediction") { $0.mutate("content") { visitContent(&$0, visit) } }
            // A structured-output schema: its name, description and every string inside.
            body.mutate("response_format") { format in
                format.mutate("json_schema") { visitToolDefinition(&$0, schemaKey: "schema", visit) }
            }
            body.mutate("tools") { tools in
                tools.mutateElements { tool in
                    tool.mutate("function") { visitToolDefinition(&$0, schemaKey: "parameters", visit) }
                }
            }
            body.mutate("functions") { functions in
                functions.mutateElements { visitToolDefinition(&$0, schemaKey: "parameters", visit) }
            }
        case .openAIResponses:
            body.mutate("instructions") { visitContent(&$0, visit) }
            body.mutate("input") { input in
                if case .string = input { visitString(&input, visit); return }
                input.mutateElements { visitResponsesItem(&$0, visit) }
            }
            // A reusable prompt's variables are substituted into the prompt the model reads.
            body.mutate("prompt") { $0.mutate("variables") { visitAllStrings(&$0, visit) } }
            // A structured-output schema: its name, description and every string inside.
            body.mutate("text") { text in
                text.mutate("format") { visitToolDefinition(&$0, schemaKey: "schema", visit) }
            }
            body.mutate("tools") { tools in
                tools.mutateElements { tool in
                    visitToolDefinition(&tool, schemaKey: "parameters", visit)
                    // A custom tool's input grammar.
                    tool.mutate("format") { $0.mutate("definition") { visitString(&$0, visit) } }
                }
            }
        case .openAIEmbeddings:
            body.mutate("input") { input in
                if case .string = input { visitString(&input, visit); return }
                // Arrays of strings are texts; arrays of token ids are not text to scan.
                input.mutateElements { visitString(&$0, visit) }
            }
        case .anthropicMessages:
            body.mutate("system") { visitContent(&$0, visit) }
            body.mutate("messages") { messages in
                messages.mutateElements { message in
                    message.mutate("content") { visitContent(&$0, visit) }
                }
            }
            body.mutate("tools") { tools in
                tools.mutateElements { visitToolDefinition(&$0, schemaKey: "input_schema", visit) }
            }
        }
    }

    /// Every model-readable text of `body`, in document order.
    public static func extract(_ body: OrderedJSON, api: ProviderAPI) -> [String] {
        var copy = body
        var texts: [String] = []
        rewrite(&copy, api: api) { texts.append($0) }
        return texts
    }
}

/// Walks a provider's non-streaming response body and visits every text the
/// client will see: message text and refusals, tool-call arguments (and every
/// string inside Anthropic `tool_use` inputs).
public enum ResponseTexts {
    /// Visits every model-written text of `body`, allowing in-place rewrites.
    public static func rewrite(_ body: inout OrderedJSON, api: ProviderAPI, _ visit: (inout String) -> Void) {
        switch api {
        case .openAIChatCompletions:
            body.mutate("choices") { choices in
                choices.mutateElements { choice in
                    choice.mutate("message") { visitChatMessage(&$0, visit) }
                }
            }
        case .openAIResponses:
            body.mutate("output_text") { visitString(&$0, visit) }
            body.mutate("output") { output in
                output.mutateElements { visitResponsesItem(&$0, visit) }
            }
        case .openAIEmbeddings:
            break
        case .anthropicMessages:
            body.mutate("content") { visitContent(&$0, visit) }
        }
    }

    /// Every model-written text of `body`, in document order.
    public static func extract(_ body: OrderedJSON, api: ProviderAPI) -> [String] {
        var copy = body
        var texts: [String] = []
        rewrite(&copy, api: api) { texts.append($0) }
        return texts
    }

    /// Removes token log-probabilities from an answer: their tokens spell out
    /// the text unscanned, and would not match a redacted text anyway.
    public static func removeLogprobs(_ body: inout OrderedJSON, api: ProviderAPI) {
        switch api {
        case .openAIChatCompletions:
            body.mutate("choices") { choices in
                choices.mutateElements { choice in
                    if let logprobs = choice["logprobs"], logprobs != .null { choice["logprobs"] = .null }
                }
            }
        case .openAIResponses:
            body.mutate("output") { output in
                output.mutateElements { item in
                    item.mutate("content") { content in
                        content.mutateElements { part in
                            if let logprobs = part["logprobs"], logprobs != .array([]), logprobs != .null {
                                part["logprobs"] = .array([])
                            }
                        }
                    }
                }
            }
        case .openAIEmbeddings, .anthropicMessages:
            break
        }
    }
}

/// Texts joined into one document for a single inspection, with the offsets
/// needed to map the inspection's redactions back onto each text.
public struct JoinedTexts: Sendable, Hashable {
    /// The separate texts.
    public let parts: [String]
    /// The texts joined by a blank line.
    public let joined: String
    /// Start offset (Unicode scalars) of each part in `joined`.
    private let starts: [Int]
    private let lengths: [Int]

    /// The separator between parts; a blank line keeps findings from running across parts.
    public static let separator = "\n\n"

    /// Joins `parts`.
    public init(_ parts: [String]) {
        self.parts = parts
        var starts: [Int] = []
        var lengths: [Int] = []
        var offset = 0
        for part in parts {
            starts.append(offset)
            let length = part.unicodeScalars.count
            lengths.append(length)
            offset += length + 2
        }
        self.starts = starts
        self.lengths = lengths
        self.joined = parts.joined(separator: JoinedTexts.separator)
    }

    /// Each part with the inspection's redactions (made on `joined`) applied.
    public func redactedParts(_ inspection: Inspection) -> [String] {
        guard inspection.action == .redact, !inspection.redactions.isEmpty else { return parts }
        return parts.indices.map { index in
            let start = starts[index]
            let local = inspection.redactions.compactMap { r -> Inspection.Redaction? in
                let lower = max(r.start, start) - start
                let upper = min(r.end, start + lengths[index]) - start
                return lower < upper ? Inspection.Redaction(type: r.type, start: lower, end: upper) : nil
            }
            guard !local.isEmpty else { return parts[index] }
            return Inspection(action: .redact, redactions: local).apply(to: parts[index])
        }
    }
}

// MARK: - Walking helpers

private func visitString(_ value: inout OrderedJSON, _ visit: (inout String) -> Void) {
    guard case .string(var text) = value else { return }
    visit(&text)
    value = .string(text)
}

/// Content that is a string or an array of parts/blocks (OpenAI content parts,
/// Anthropic content blocks, Responses API content items).
private func visitContent(_ value: inout OrderedJSON, _ visit: (inout String) -> Void) {
    switch value {
    case .string:
        visitString(&value, visit)
    case .array:
        value.mutateElements { part in
            if case .string = part { visitString(&part, visit); return }
            part.mutate("text") { visitString(&$0, visit) }
            part.mutate("refusal") { visitString(&$0, visit) }
            part.mutate("thinking") { visitString(&$0, visit) }
            // Anthropic tool_use input: every string a model wrote or will read.
            part.mutate("input") { visitAllStrings(&$0, visit) }
            // Anthropic tool_result and OpenAI function_call_output content.
            part.mutate("content") { visitContent(&$0, visit) }
            part.mutate("output") { visitContent(&$0, visit) }
            // Anthropic document blocks: plain-text or content-block sources,
            // and the title and context the model reads with them.
            part.mutate("source") { source in
                if source["type"]?.stringValue == "text" {
                    source.mutate("data") { visitString(&$0, visit) }
                }
                source.mutate("content") { visitContent(&$0, visit) }
            }
            if part["type"]?.stringValue == "document" || part["type"]?.stringValue == "search_result" {
                part.mutate("title") { visitString(&$0, visit) }
                part.mutate("context") { visitString(&$0, visit) }
            }
            // Citations quote the cited text back.
            part.mutate("citations") { citations in
                citations.mutateElements { $0.mutate("cited_text") { visitString(&$0, visit) } }
            }
        }
    default:
        break
    }
}

/// An OpenAI chat message (request or answer): content, refusal, audio
/// transcript, tool calls' and the legacy function call's arguments.
private func visitChatMessage(_ message: inout OrderedJSON, _ visit: (inout String) -> Void) {
    message.mutate("content") { visitContent(&$0, visit) }
    message.mutate("refusal") { visitString(&$0, visit) }
    message.mutate("audio") { $0.mutate("transcript") { visitString(&$0, visit) } }
    message.mutate("tool_calls") { calls in
        calls.mutateElements { call in
            call.mutate("function") { visitFunctionCall(&$0, visit) }
            // Custom tool calls carry free-form input.
            call.mutate("custom") { $0.mutate("input") { visitString(&$0, visit) } }
        }
    }
    message.mutate("function_call") { visitFunctionCall(&$0, visit) }
}

/// A Responses API item (an `input` item of a request or an `output` item of
/// an answer): message content, reasoning summary, a tool call's arguments,
/// input or code, a tool's output.
private func visitResponsesItem(_ item: inout OrderedJSON, _ visit: (inout String) -> Void) {
    if case .string = item { visitString(&item, visit); return }
    item.mutate("content") { visitContent(&$0, visit) }
    item.mutate("summary") { visitContent(&$0, visit) }
    item.mutate("arguments") { visitString(&$0, visit) }
    item.mutate("input") { visitString(&$0, visit) }
    item.mutate("code") { visitString(&$0, visit) }
    item.mutate("output") { visitContent(&$0, visit) }
}

private func visitFunctionCall(_ function: inout OrderedJSON, _ visit: (inout String) -> Void) {
    function.mutate("arguments") { visitString(&$0, visit) }
}

private func visitToolDefinition(_ tool: inout OrderedJSON, schemaKey: String, _ visit: (inout String) -> Void) {
    tool.mutate("name") { visitString(&$0, visit) }
    tool.mutate("description") { visitString(&$0, visit) }
    tool.mutate(schemaKey) { visitAllStrings(&$0, visit) }
}

/// Every string value (not key) inside `value`.
private func visitAllStrings(_ value: inout OrderedJSON, _ visit: (inout String) -> Void) {
    switch value {
    case .string: visitString(&value, visit)
    case .array: value.mutateElements { visitAllStrings(&$0, visit) }
    case .object(var members):
        for index in members.indices { visitAllStrings(&members[index].value, visit) }
        value = .object(members)
    default: break
    }
}

extension OrderedJSON {
    /// Runs `body` on the member `key` when present.
    mutating func mutate(_ key: String, _ body: (inout OrderedJSON) -> Void) {
        guard case .object(var members) = self,
              let index = members.firstIndex(where: { $0.key == key }) else { return }
        self = .null
        body(&members[index].value)
        self = .object(members)
    }

    /// Runs `body` on each element when this is an array.
    mutating func mutateElements(_ body: (inout OrderedJSON) -> Void) {
        guard case .array(var elements) = self else { return }
        self = .null
        for index in elements.indices { body(&elements[index]) }
        self = .array(elements)
    }
}
