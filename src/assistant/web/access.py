"""Who may reach the chat page, and what the browser may do with it: security headers on every
response, and a login that slows down and then locks out repeated wrong passwords."""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

# The page loads nothing from elsewhere. Gradio's front end needs inline styles and scripts and
# its own websocket/event stream; nothing else is allowed, and no site may frame the page.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self' ws: wss:",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}

FREE_FAILURES = 3  # wrong passwords allowed before each further try waits
LOCKOUT_FAILURES = 10  # wrong passwords that lock the name out
LOCKOUT_SECONDS = 300.0
MAX_DELAY_SECONDS = 2.0


class SecurityHeaders:
    """ASGI middleware adding HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [
                    (name.encode(), value.encode())
                    for name, value in HEADERS.items()
                    if name.encode() not in present
                ]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, with_headers)


class Login:
    """Checks the page's one username and password. After FREE_FAILURES wrong tries each
    further try waits longer (up to MAX_DELAY_SECONDS); after LOCKOUT_FAILURES the name is
    refused for LOCKOUT_SECONDS, the right password included. A right password resets it."""

    def __init__(
        self,
        username: str,
        password: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.username, self.password = username, password
        self.clock, self.sleep = clock, sleep
        self.failures: dict[str, int] = {}
        self.locked_until: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        key = username.strip().lower()
        with self.lock:
            if self.clock() < self.locked_until.get(key, 0.0):
                return False
            failures = self.failures.get(key, 0)
        if failures >= FREE_FAILURES:
            self.sleep(min(MAX_DELAY_SECONDS, 0.25 * 2 ** (failures - FREE_FAILURES)))
        right = hmac.compare_digest(username.encode(), self.username.encode()) and (
            hmac.compare_digest(password.encode(), self.password.encode())
        )
        with self.lock:
            if right:
                self.failures.pop(key, None)
                return True
            self.failures[key] = self.failures.get(key, 0) + 1
            if self.failures[key] >= LOCKOUT_FAILURES:
                self.locked_until[key] = self.clock() + LOCKOUT_SECONDS
                self.failures[key] = 0
        return False
