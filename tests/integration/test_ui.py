"""The chat page called the way a client program would (gradio_client), with and without auth."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.assistant import Assistant
from assistant.settings import Settings
from assistant.web.access import LOCKOUT_FAILURES
from assistant.web.feedback import FeedbackStore
from assistant.web.page import build_page, serve
from tests.helpers import free_port

pytestmark = pytest.mark.integration


def start(
    assistant: Assistant,
    folder: Path,
    sleep: Callable[[float], None] = time.sleep,
    **settings: object,
) -> tuple[str, object]:
    config = Settings(port=free_port(), **settings)  # type: ignore[arg-type]
    page = build_page(assistant, FeedbackStore(folder / "feedback.sqlite3"))
    serve(page, config, block=False, sleep=sleep)
    return f"http://127.0.0.1:{config.port}/", page


@pytest.fixture(scope="module")
def page_url(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, page = start(assistant, tmp_path_factory.mktemp("ui"))
    yield url
    page.close()  # type: ignore[attr-defined]


def test_chat_endpoint_returns_a_cited_answer(page_url: str) -> None:
    from gradio_client import Client

    reply = Client(page_url, verbose=False).predict(
        "how do I do the bird dog exercise?", api_name="/chat"
    )
    assert 'class="cite"' in reply
    assert "Sources (" in reply
    assert "Bird Dog" in reply


def test_chat_endpoint_refuses_out_of_scope(page_url: str) -> None:
    from gradio_client import Client

    reply = Client(page_url, verbose=False).predict("capital of France?", api_name="/chat")
    assert "outside what my sources cover" in reply
    assert "Sources (" not in reply


def test_chat_endpoint_shows_a_referral(page_url: str) -> None:
    from gradio_client import Client

    reply = Client(page_url, verbose=False).predict(
        "my leg has gone numb, which stretch?", api_name="/chat"
    )
    assert 'class="referral"' in reply
    assert "Numbness or tingling" in reply


def test_chat_endpoint_answers_a_follow_up_given_the_earlier_questions(page_url: str) -> None:
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    earlier = '["how do I do the bridge pose from the back pain article?"]'
    reply = client.predict("how long do I hold it at the top?", earlier, api_name="/chat")
    assert "10-20 seconds" in reply
    alone = client.predict("how long do I hold it at the top?", api_name="/chat")
    assert alone != reply


@pytest.mark.parametrize(
    "history",
    [
        pytest.param("not json", id="not-json"),
        pytest.param('{"a": 1}', id="an-object"),
        pytest.param("[1, 2]", id="not-texts"),
    ],
)
def test_chat_endpoint_names_a_broken_history(page_url: str, history: str) -> None:
    from gradio_client import Client

    reply = Client(page_url, verbose=False).predict("and why?", history, api_name="/chat")
    assert "history must be a JSON list" in reply


def test_empty_question_is_a_message_not_an_error(page_url: str) -> None:
    from gradio_client import Client

    reply = Client(page_url, verbose=False).predict("   ", api_name="/chat")
    assert "please type a question" in reply


def test_auth_from_settings_is_required(assistant: Assistant, tmp_path: Path) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    waits: list[float] = []  # the throttle's waits, recorded instead of slept
    url, page = start(assistant, tmp_path, waits.append, auth=SecretStr("clinic:s3cret"))
    try:
        with pytest.raises(AuthenticationError, match="credentials"):
            Client(url, verbose=False).predict("where is the psoas?", api_name="/chat")
        client = Client(url, auth=("clinic", "s3cret"), verbose=False)
        assert "cite" in client.predict("where is the psoas?", api_name="/chat")
    finally:
        page.close()  # type: ignore[attr-defined]


def test_every_response_carries_the_security_headers(page_url: str) -> None:
    for path in ("", "config", "gradio_api/info"):
        with urllib.request.urlopen(page_url + path, timeout=10) as response:
            headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"


def test_repeated_wrong_logins_lock_the_name_out(assistant: Assistant, tmp_path: Path) -> None:
    waits: list[float] = []  # the throttle's waits, recorded instead of slept
    url, page = start(assistant, tmp_path, waits.append, auth=SecretStr("clinic:s3cret"))

    def log_in(password: str) -> int:
        form = urllib.parse.urlencode({"username": "clinic", "password": password}).encode()
        try:
            with urllib.request.urlopen(url + "login", data=form, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    try:
        assert log_in("s3cret") == 200
        assert [log_in(f"guess{i}") for i in range(LOCKOUT_FAILURES)] == [400] * LOCKOUT_FAILURES
        assert log_in("s3cret") == 400  # locked out: the right password is refused too
        # Free tries, then each wrong one waits twice as long up to the cap.
        assert waits == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    finally:
        page.close()  # type: ignore[attr-defined]


# What the page may show before a login: the login page itself, its static parts, and Gradio's
# own calls that tell the login page who is (not) logged in — none carries a client's data.
PUBLIC = {"/", "/login", "/login/", "/logout", "/favicon.ico", "/theme.css", "/robots.txt",
          "/manifest.json", "/gradio_api/theme.css", "/gradio_api/startup-events",
          "/gradio_api/heartbeat/{session_hash}", "/gradio_api/app_id", "/gradio_api/app_id/",
          "/gradio_api/user", "/gradio_api/user/", "/gradio_api/token", "/gradio_api/token/",
          "/gradio_api/runs", "/gradio_api/runs/"}  # fmt: skip


def routes(found: list[Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every HTTP route the app serves, inside included routers too."""
    for route in found:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from routes(inner.routes)
        elif getattr(route, "methods", None):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                yield method, route.path
        elif getattr(route, "routes", None):
            yield from routes(route.routes)


def test_every_route_refuses_a_request_without_a_login(
    assistant: Assistant, tmp_path: Path
) -> None:
    waits: list[float] = []  # the throttle's waits, recorded instead of slept
    url, page = start(assistant, tmp_path, waits.append, auth=SecretStr("clinic:s3cret"))
    walked, opened = 0, []
    try:
        for method, path in routes(page.app.routes):  # type: ignore[attr-defined]
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            body = b"{}" if method in ("POST", "PUT", "PATCH") else None
            request = urllib.request.Request(
                url.rstrip("/") + concrete,
                method=method,
                data=body,
                headers={"content-type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status = int(response.status)
            except urllib.error.HTTPError as error:
                status = int(error.code)
            walked += 1
            if status < 300 and path not in PUBLIC:
                opened.append(f"{method} {path}: {status}")
    finally:
        page.close()  # type: ignore[attr-defined]
    assert walked > 50
    assert opened == [], "\n".join(opened)


@pytest.mark.parametrize(
    "origin", ["http://localhost:9", "http://127.0.0.1:9", "https://evil.example"]
)
def test_another_origin_may_not_call_the_page(page_url: str, origin: str) -> None:
    simple = urllib.request.Request(page_url + "config", headers={"Origin": origin})
    with urllib.request.urlopen(simple, timeout=10) as response:
        assert response.headers["Access-Control-Allow-Origin"] is None
        assert response.headers["Access-Control-Allow-Credentials"] is None
    preflight = urllib.request.Request(
        page_url + "gradio_api/queue/join",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    try:
        with urllib.request.urlopen(preflight, timeout=10) as response:
            allowed = response.headers["Access-Control-Allow-Origin"]
    except urllib.error.HTTPError as error:
        allowed = error.headers["Access-Control-Allow-Origin"]
    assert allowed is None
