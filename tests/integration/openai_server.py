"""A scripted chat server on 127.0.0.1 (OpenAI-compatible, and Ollama's /api/chat) for tests.

Its "model" name picks the script: a good answer built from the first passage it was sent, a
mis-cited one, an uncited one, an unsupported one, a server error, or a reply too slow to wait
for. It records every request it receives.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def first_sentence(messages: list[dict[str, Any]]) -> str:
    """The first sentence of passage 1 in the user message, as a model would quote it."""
    user = messages[-1]["content"]
    match = re.search(r'<passage n="1"[^>]*>\n(.*?)\n</passage>', user, re.DOTALL)
    assert match, "the prompt carries numbered passages"
    text = re.sub(r"^\W*(?:\d+[.)]\s+)?", "", match.group(1).strip())  # no list marker
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")


SCRIPTS: dict[str, Callable[[str], str]] = {
    "good": lambda s: f"{s} [1].",
    "miscited": lambda s: f"{s} [9].",
    "uncited": lambda s: f"{s}.",
    "unsupported": lambda s: "Eating bananas every morning cures a tight psoas for good [1].",
}


class Scripted(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]]  # set on the subclass made per server

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass

    def do_POST(self) -> None:
        # The client may give up waiting (the time-out case) before the reply is written.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.respond()

    def respond(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(body)
        model = body["model"]
        if model == "error":
            self.reply(500, {"error": {"message": "the model crashed", "type": "server_error"}})
            return
        if model == "slow":
            time.sleep(3)
        text = SCRIPTS.get(model, SCRIPTS["good"])(first_sentence(body["messages"]))
        if self.path.endswith("/api/chat"):
            self.ollama(model, text)
            return
        if not body.get("stream"):
            message = {"role": "assistant", "content": text}
            self.reply(200, {"id": "x", "object": "chat.completion", "created": 0,
                             "model": model, "choices": [{"index": 0, "message": message,
                                                          "finish_reason": "stop"}]})  # fmt: skip
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in [*re.findall(r"\S+\s*", text), None]:
            delta = {"content": piece} if piece else {}
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": model,
                     "choices": [{"index": 0, "delta": delta,
                                  "finish_reason": None if piece else "stop"}]}  # fmt: skip
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.03)  # a model writes word by word: let the page show the draft grow
        self.wfile.write(b"data: [DONE]\n\n")

    def ollama(self, model: str, text: str) -> None:
        """Ollama's own protocol: one JSON object per line, the last with "done": true."""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for piece in [*re.findall(r"\S+\s*", text), ""]:
            line = {
                "model": model,
                "created_at": "2026-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": piece},
                "done": not piece,
            }
            if not piece:
                line["done_reason"] = "stop"
            self.wfile.write((json.dumps(line) + "\n").encode())
            self.wfile.flush()

    def reply(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextlib.contextmanager
def scripted_server(port: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Serve the scripts on 127.0.0.1:`port`: yields (base URL, requests received)."""
    requests: list[dict[str, Any]] = []
    handler = type("Handler", (Scripted,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/v1", requests
    finally:
        httpd.shutdown()
