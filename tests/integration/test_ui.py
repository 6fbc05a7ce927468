"""The chat page answers over HTTP, called the way a client program would (gradio_client)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from assistant.assistant import Assistant
from assistant.ui import build_page

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def page_url(assistant: Assistant) -> Iterator[str]:
    page = build_page(assistant)
    page.queue().launch(
        server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True
    )
    yield page.local_url
    page.close()


def test_chat_endpoint_returns_a_cited_answer(page_url: str) -> None:
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    reply = client.predict(message="how do I do the bird dog exercise?", api_name="/chat")
    assert "[1]" in reply
    assert "**Sources**" in reply
    assert "Bird Dog" in reply


def test_chat_endpoint_refuses_out_of_scope(page_url: str) -> None:
    from gradio_client import Client

    reply = Client(page_url, verbose=False).predict(message="capital of France?", api_name="/chat")
    assert "outside what my sources cover" in reply
    assert "Sources" not in reply


def test_chat_endpoint_shows_a_referral(page_url: str) -> None:
    from gradio_client import Client

    reply = Client(page_url, verbose=False).predict(
        message="my leg has gone numb, which stretch?", api_name="/chat"
    )
    assert reply.startswith("⚠️ Please")
    assert "Numbness or tingling" in reply
