"""Security headers on every response, and a login that slows down and locks out guessing."""

from __future__ import annotations

import asyncio
from typing import Any

from assistant.web.access import (
    FREE_FAILURES,
    HEADERS,
    LOCKOUT_FAILURES,
    LOCKOUT_SECONDS,
    Login,
    SecurityHeaders,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def login() -> tuple[Login, Clock]:
    clock = Clock()
    return Login("clinic", "s3cret", clock=clock, sleep=clock.sleep), clock


def test_the_right_password_opens_and_a_wrong_one_does_not() -> None:
    check, _ = login()
    assert check("clinic", "s3cret")
    assert not check("clinic", "guess")
    assert not check("someone", "s3cret")


def test_wrong_passwords_beyond_the_free_ones_wait_longer_each_time() -> None:
    check, clock = login()
    for _ in range(FREE_FAILURES + 3):
        check("clinic", "guess")
    assert clock.slept[0] > 0
    assert clock.slept == sorted(clock.slept)
    assert len(clock.slept) == 3


def test_many_wrong_passwords_lock_the_name_out_even_for_the_right_one() -> None:
    check, clock = login()
    for _ in range(LOCKOUT_FAILURES):
        assert not check("clinic", "guess")
    assert not check("clinic", "s3cret")  # locked: guessing it now gains nothing
    assert not check("CLINIC", "s3cret")
    clock.now += LOCKOUT_SECONDS
    assert check("clinic", "s3cret")


def test_a_right_password_resets_the_count() -> None:
    check, clock = login()
    for _ in range(LOCKOUT_FAILURES - 1):
        check("clinic", "guess")
    assert check("clinic", "s3cret")
    clock.slept.clear()
    assert not check("clinic", "guess")
    assert clock.slept == []


def run(app: Any, path: str = "/") -> dict[bytes, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": []}
    asyncio.run(SecurityHeaders(app)(scope, receive, send))
    return dict(sent[0]["headers"])


def test_every_response_gets_the_security_headers() -> None:
    async def page(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    headers = run(page)
    for name, value in HEADERS.items():
        assert headers[name.encode()] == value.encode()
    assert b"frame-ancestors 'none'" in headers[b"content-security-policy"]


def test_a_header_the_page_sets_itself_is_kept() -> None:
    async def page(scope: Any, receive: Any, send: Any) -> None:
        own = [(b"referrer-policy", b"same-origin")]
        await send({"type": "http.response.start", "status": 200, "headers": own})
        await send({"type": "http.response.body", "body": b"ok"})

    assert run(page)[b"referrer-policy"] == b"same-origin"
