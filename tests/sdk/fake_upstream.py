"""A small local upstream that imitates the OpenAI and Anthropic wire formats
(JSON and server-sent-event streaming) and records every request it receives.

The reply is chosen by a marker in the last user message, ``scenario:NAME``:

* (none)        a benign greeting
* secret        a reply containing a GitHub token (streamed in 5-character chunks)
* ssn_tool      a tool call whose arguments contain a US SSN
* fail500       HTTP 500
* malformed     HTTP 200 with a body that is not JSON

``GET /_fake/requests`` returns what was received; ``POST /_fake/reset`` clears it.
Run: ``python fake_upstream.py PORT``.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "ghp_" + "R7mQ2xK9vL4pT8nW3zY6bC1dF5gH0jA2sE7u"
SSN = "536-22-8841"
BENIGN = "Hello from the fake upstream. Nothing sensitive here."
REPLIES = {
    "secret": "Sure. The deploy token is " + SECRET + " and it expires tomorrow.",
}
CHUNK = 5

_lock = threading.Lock()
_received = []


def _texts(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def _scenario(body):
    messages = body.get("messages") or body.get("input") or []
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and message.get("role", "user") == "user":
            for text in _texts(message.get("content")):
                if "scenario:" in text:
                    return text.split("scenario:", 1)[1].split()[0].strip(".,")
            return ""
    return ""


def _pieces(text):
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle and delayed
    # ACKs add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    # -- plumbing --------------------------------------------------------
    def _json(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _raw(self, status, data, content_type="application/json"):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True

    def _event(self, data, event=None):
        out = ""
        if event:
            out += "event: " + event + "\n"
        out += "data: " + (data if isinstance(data, str) else json.dumps(data)) + "\n\n"
        self.wfile.write(out.encode())
        self.wfile.flush()

    def _record(self, body):
        with _lock:
            _received.append({
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            })

    # -- routes ----------------------------------------------------------
    def do_GET(self):
        if self.path == "/_fake/requests":
            with _lock:
                return self._json(200, list(_received))
        self._record(None)
        if self.path.startswith("/v1/models"):
            if "anthropic-version" in self.headers:
                return self._json(200, {"data": [{"type": "model", "id": "claude-fake", "display_name": "Fake",
                                                  "created_at": "2025-01-01T00:00:00Z"}],
                                        "has_more": False, "first_id": "claude-fake", "last_id": "claude-fake"})
            return self._json(200, {"object": "list", "data": [
                {"id": "gpt-fake", "object": "model", "created": 0, "owned_by": "fake"}]})
        self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        if self.path == "/_fake/reset":
            with _lock:
                _received.clear()
            return self._json(200, {})
        try:
            body = json.loads(raw)
        except ValueError:
            return self._json(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
        self._record(body)
        scenario = _scenario(body)
        if scenario == "fail500":
            return self._json(500, {"error": {"message": "upstream exploded", "type": "server_error"}})
        if scenario == "malformed":
            return self._raw(200, b"<html>this is not json")
        route = {
            "/v1/chat/completions": self._chat,
            "/v1/messages": self._messages,
            "/v1/messages/count_tokens": self._count_tokens,
            "/v1/embeddings": self._embeddings,
            "/v1/responses": self._responses,
        }.get(self.path.split("?")[0])
        if route is None:
            return self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        route(body, scenario)

    # -- OpenAI ----------------------------------------------------------
    def _chat(self, body, scenario):
        model = body.get("model", "gpt-fake")
        text = REPLIES.get(scenario, BENIGN)
        tool_args = json.dumps({"name": "Jane", "ssn": SSN}) if scenario == "ssn_tool" else None
        usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        base = {"id": "chatcmpl-fake", "created": int(time.time()), "model": model}
        if not body.get("stream"):
            message = {"role": "assistant", "content": None if tool_args else text, "refusal": None}
            if tool_args:
                message["tool_calls"] = [{"id": "call_1", "type": "function",
                                          "function": {"name": "record_person", "arguments": tool_args}}]
            return self._json(200, dict(base, object="chat.completion", choices=[{
                "index": 0, "message": message, "logprobs": None,
                "finish_reason": "tool_calls" if tool_args else "stop"}], usage=usage))
        self._start_stream()

        def chunk(delta, finish=None):
            return dict(base, object="chat.completion.chunk",
                        choices=[{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}])

        self._event(chunk({"role": "assistant", "content": ""}))
        if tool_args:
            self._event(chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                               "function": {"name": "record_person", "arguments": ""}}]}))
            for piece in _pieces(tool_args):
                self._event(chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
            self._event(chunk({}, "tool_calls"))
        else:
            for piece in _pieces(text):
                self._event(chunk({"content": piece}))
            self._event(chunk({}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event(dict(base, object="chat.completion.chunk", choices=[], usage=usage))
        self._event("[DONE]")

    def _embeddings(self, body, scenario):
        inputs = body.get("input")
        count = len(inputs) if isinstance(inputs, list) else 1
        self._json(200, {"object": "list", "model": body.get("model", "embed-fake"),
                         "data": [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                                  for i in range(count)],
                         "usage": {"prompt_tokens": 3, "total_tokens": 3}})

    def _responses(self, body, scenario):
        model = body.get("model", "gpt-fake")
        text = REPLIES.get(scenario, BENIGN)
        tool_args = json.dumps({"name": "Jane", "ssn": SSN}) if scenario == "ssn_tool" else None
        usage = {"input_tokens": 9, "output_tokens": 5, "total_tokens": 14,
                 "input_tokens_details": {"cached_tokens": 0},
                 "output_tokens_details": {"reasoning_tokens": 0}}
        if tool_args:
            item = {"type": "function_call", "id": "fc_fake", "call_id": "call_1", "name": "record_person",
                    "arguments": tool_args, "status": "completed"}
        else:
            item = {"type": "message", "id": "msg_fake", "status": "completed", "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]}

        def response(status, output, usage=None):
            return {"id": "resp_fake", "object": "response", "created_at": 1700000000, "status": status,
                    "model": model, "parallel_tool_calls": True, "tool_choice": "auto",
                    "tools": [], "error": None, "incomplete_details": None,
                    "instructions": body.get("instructions"), "metadata": {},
                    "temperature": 1.0, "top_p": 1.0, "output": output, "usage": usage}

        if not body.get("stream"):
            return self._json(200, response("completed", [item], usage))
        # The Responses API streaming wire format: named events, each with its
        # type and a sequence number.
        self._start_stream()
        sequence = [0]

        def send(payload):
            payload["sequence_number"] = sequence[0]
            sequence[0] += 1
            self._event(payload, payload["type"])

        send({"type": "response.created", "response": response("in_progress", [])})
        send({"type": "response.in_progress", "response": response("in_progress", [])})
        if tool_args:
            send({"type": "response.output_item.added", "output_index": 0,
                  "item": dict(item, arguments="", status="in_progress")})
            for piece in _pieces(tool_args):
                send({"type": "response.function_call_arguments.delta", "item_id": "fc_fake", "output_index": 0,
                      "delta": piece})
            send({"type": "response.function_call_arguments.done", "item_id": "fc_fake", "output_index": 0,
                  "name": "record_person", "arguments": tool_args})
        else:
            send({"type": "response.output_item.added", "output_index": 0,
                  "item": dict(item, status="in_progress", content=[])})
            send({"type": "response.content_part.added", "item_id": "msg_fake", "output_index": 0,
                  "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}})
            for piece in _pieces(text):
                send({"type": "response.output_text.delta", "item_id": "msg_fake", "output_index": 0,
                      "content_index": 0, "delta": piece,
                      "logprobs": [{"token": piece, "logprob": -0.1, "top_logprobs": []}]})
            send({"type": "response.output_text.done", "item_id": "msg_fake", "output_index": 0,
                  "content_index": 0, "text": text, "logprobs": []})
            send({"type": "response.content_part.done", "item_id": "msg_fake", "output_index": 0,
                  "content_index": 0, "part": item["content"][0]})
        send({"type": "response.output_item.done", "output_index": 0, "item": item})
        send({"type": "response.completed", "response": response("completed", [item], usage)})

    # -- Anthropic -------------------------------------------------------
    def _count_tokens(self, body, scenario):
        self._json(200, {"input_tokens": sum(len(t.split()) for t in _texts(body.get("messages")))})

    def _messages(self, body, scenario):
        model = body.get("model", "claude-fake")
        text = REPLIES.get(scenario, BENIGN)
        tool_input = {"name": "Jane", "ssn": SSN} if scenario == "ssn_tool" else None
        if not body.get("stream"):
            content = ([{"type": "tool_use", "id": "toolu_1", "name": "record_person", "input": tool_input}]
                       if tool_input else [{"type": "text", "text": text}])
            return self._json(200, {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                                    "content": content,
                                    "stop_reason": "tool_use" if tool_input else "end_turn",
                                    "stop_sequence": None, "usage": {"input_tokens": 13, "output_tokens": 8}})
        self._start_stream()
        self._event({"type": "message_start", "message": {
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 13, "output_tokens": 1}}},
            "message_start")
        if tool_input:
            self._event({"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": "toolu_1", "name": "record_person", "input": {}}}, "content_block_start")
            for piece in _pieces(json.dumps(tool_input)):
                self._event({"type": "content_block_delta", "index": 0,
                             "delta": {"type": "input_json_delta", "partial_json": piece}}, "content_block_delta")
        else:
            self._event({"type": "content_block_start", "index": 0,
                         "content_block": {"type": "text", "text": ""}}, "content_block_start")
            self._event({"type": "ping"}, "ping")
            for piece in _pieces(text):
                self._event({"type": "content_block_delta", "index": 0,
                             "delta": {"type": "text_delta", "text": piece}}, "content_block_delta")
        self._event({"type": "content_block_stop", "index": 0}, "content_block_stop")
        self._event({"type": "message_delta", "delta": {"stop_reason": "tool_use" if tool_input else "end_turn",
                                                        "stop_sequence": None},
                     "usage": {"output_tokens": 8}}, "message_delta")
        self._event({"type": "message_stop"}, "message_stop")


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
