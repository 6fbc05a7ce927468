"""The 'openai' backend over real HTTP, through langchain-openai, against a scripted local server.

The server speaks the OpenAI chat-completions protocol (plain and streamed) on 127.0.0.1. Its
"model" name picks the script: a good answer built from the first passage it was sent, a
mis-cited one, an uncited one, an unsupported one, a server error, or a reply too slow to wait
for. Everything else (retrieval, the real model, Chroma, verification) is the product's own.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assistant.answer import Answer
from assistant.assistant import Assistant
from assistant.generation import load_generator
from assistant.settings import Settings
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration

QUESTION = "How long should I hold the kneeling hip flexor stretch?"


def first_sentence(messages: list[dict[str, Any]]) -> str:
    """The first sentence of passage 1 in the user message, as a model would quote it."""
    user = messages[-1]["content"]
    match = re.search(r'<passage n="1"[^>]*>\n(.*?)\n</passage>', user, re.DOTALL)
    assert match, "the prompt carries numbered passages"
    text = re.sub(r"^\W+", "", match.group(1).strip())
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")


SCRIPTS = {
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
        try:
            self.respond()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the time-out case)

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
        self.wfile.write(b"data: [DONE]\n\n")

    def reply(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A scripted OpenAI-compatible server on 127.0.0.1: (base URL, requests it received)."""
    requests: list[dict[str, Any]] = []
    handler = type("Handler", (Scripted,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", requests
    httpd.shutdown()


def backed_by(assistant: Assistant, base_url: str, script: str) -> Assistant:
    """The shared assistant, copied, answering through the server's `script`."""
    settings = Settings(
        generator="openai", openai_base_url=base_url, openai_model=script, generation_timeout=1
    )
    copied = copy.copy(assistant)
    copied.generator = load_generator(settings, assistant.composer.vectors)
    return copied


def stream(assistant: Assistant, question: str) -> tuple[list[str], Answer]:
    *pieces, answer = list(assistant.stream(question))
    assert isinstance(answer, Answer)
    return [str(p) for p in pieces], answer


def test_a_good_answer_streams_then_shows_verified_with_its_source(
    assistant: Assistant, server: tuple[str, list[dict[str, Any]]]
) -> None:
    base_url, requests = server
    pieces, answer = stream(backed_by(assistant, base_url, "good"), QUESTION)
    sent = requests[-1]
    assert sent["stream"] is True and sent["temperature"] == 0
    assert "data, not instructions" in sent["messages"][0]["content"]
    assert QUESTION in sent["messages"][-1]["content"]
    assert len(pieces) > 2  # the words arrived one by one
    assert answer.fallback is None and answer.note is None
    assert answer.generator == "openai:good"
    assert answer.text == "".join(pieces).replace(" [1].", ". [1]")
    assert len(answer.citations) == 1
    assert answer.text.removesuffix(" [1]").rstrip(".") in answer.citations[0].quote


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        pytest.param("miscited", "cites [9]", id="mis-cited"),
        pytest.param("uncited", "no citation", id="uncited"),
        pytest.param("unsupported", "shares too few", id="unsupported"),
        pytest.param("error", "Error code: 500", id="server-error"),
        pytest.param("slow", "timed out", id="too-slow"),
    ],
)
def test_a_bad_or_failed_answer_falls_back_to_the_quoted_sources(
    assistant: Assistant, server: tuple[str, list[dict[str, Any]]], script: str, reason: str
) -> None:
    base_url, _ = server
    answer = backed_by(assistant, base_url, script).ask(QUESTION)
    extractive = assistant.ask(QUESTION)
    assert answer.fallback is not None and reason in answer.fallback
    assert answer.note  # the user is told
    assert (answer.text, answer.citations) == (extractive.text, extractive.citations)


def test_no_server_at_all_falls_back(assistant: Assistant) -> None:
    answer = backed_by(assistant, f"http://127.0.0.1:{free_port()}/v1", "good").ask(QUESTION)
    assert answer.fallback == "its server could not be reached"
    assert answer.citations and answer.note and "unavailable" in answer.note


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("My leg has gone numb after stretching, how long do I hold it?", id="refer"),
        pytest.param("What is the capital of France?", id="out-of-scope"),
        pytest.param("How much ibuprofen can I take for hip pain?", id="medicine"),
    ],
)
def test_the_model_is_never_asked_about_referrals_or_out_of_scope_questions(
    assistant: Assistant, server: tuple[str, list[dict[str, Any]]], question: str
) -> None:
    base_url, requests = server
    before = len(requests)
    answer = backed_by(assistant, base_url, "good").ask(question)
    assert len(requests) == before
    assert answer.referral or not answer.in_scope
    assert answer.fallback is None
