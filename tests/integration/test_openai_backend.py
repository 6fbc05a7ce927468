"""The 'openai' backend over real HTTP, through langchain-openai, against a scripted local server.

The server (openai_server.py) speaks the OpenAI chat-completions protocol, plain and streamed.
Everything else (retrieval, the real model, Chroma, verification) is the product's own.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.answer import Answer
from assistant.assistant import Assistant
from assistant.settings import Settings
from tests.helpers import answering_with, free_port

pytestmark = pytest.mark.integration

QUESTION = "How long should I hold the kneeling hip flexor stretch?"


def backed_by(assistant: Assistant, base_url: str, script: str) -> Assistant:
    """The shared assistant, copied, answering through the server's `script`."""
    settings = Settings(
        generator="openai", openai_base_url=base_url, openai_model=script, generation_timeout=1
    )
    return answering_with(assistant, settings)


def stream(assistant: Assistant, question: str) -> tuple[list[str], Answer]:
    *pieces, answer = list(assistant.stream(question))
    assert isinstance(answer, Answer)
    return [str(p) for p in pieces], answer


def test_a_good_answer_streams_then_shows_verified_with_its_source(
    assistant: Assistant, openai_server: tuple[str, list[dict[str, Any]]]
) -> None:
    base_url, requests = openai_server
    pieces, answer = stream(backed_by(assistant, base_url, "good"), QUESTION)
    sent = requests[-1]
    assert sent["stream"] is True
    assert sent["temperature"] == 0
    assert "data, not instructions" in sent["messages"][0]["content"]
    assert QUESTION in sent["messages"][-1]["content"]
    assert len(pieces) > 2  # the words arrived one by one
    assert answer.fallback is None
    assert answer.note is None
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
    assistant: Assistant, openai_server: tuple[str, list[dict[str, Any]]], script: str, reason: str
) -> None:
    base_url, _ = openai_server
    answer = backed_by(assistant, base_url, script).ask(QUESTION)
    extractive = assistant.ask(QUESTION)
    assert answer.fallback is not None
    assert reason in answer.fallback
    assert answer.note  # the user is told
    assert (answer.text, answer.citations) == (extractive.text, extractive.citations)


def test_no_server_at_all_falls_back(assistant: Assistant) -> None:
    answer = backed_by(assistant, f"http://127.0.0.1:{free_port()}/v1", "good").ask(QUESTION)
    assert answer.fallback == "its server could not be reached"
    assert answer.citations
    assert answer.note
    assert "unavailable" in answer.note


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("My leg has gone numb after stretching, how long do I hold it?", id="refer"),
        pytest.param("What is the capital of France?", id="out-of-scope"),
        pytest.param("How much ibuprofen can I take for hip pain?", id="medicine"),
    ],
)
def test_the_model_is_never_asked_about_referrals_or_out_of_scope_questions(
    assistant: Assistant, openai_server: tuple[str, list[dict[str, Any]]], question: str
) -> None:
    base_url, requests = openai_server
    before = len(requests)
    answer = backed_by(assistant, base_url, "good").ask(question)
    assert len(requests) == before
    assert answer.referral or not answer.in_scope
    assert answer.fallback is None


def test_the_ollama_backend_streams_and_verifies_the_same_way(
    assistant: Assistant, openai_server: tuple[str, list[dict[str, Any]]]
) -> None:
    base_url, requests = openai_server
    root = base_url.removesuffix("/v1")
    for script, fallback in (("good", None), ("uncited", "no citation")):
        settings = Settings(generator="ollama", ollama_base_url=root, ollama_model=script)
        pieces, answer = stream(answering_with(assistant, settings), QUESTION)
        assert requests[-1]["model"] == script
        assert QUESTION in requests[-1]["messages"][-1]["content"]
        assert answer.generator == f"ollama:{script}"
        if fallback is None:
            assert len(pieces) > 2
            assert answer.fallback is None
            assert answer.citations
        else:
            assert answer.fallback is not None
            assert fallback in answer.fallback
