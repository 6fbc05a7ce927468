"""The documented deployment, whole: two chat-page replicas sharing a real Chroma server, behind
nginx run with `deploy/nginx.conf`, used from a browser. Gradio keeps a chat in the memory of
the replica that served it, so the proxy must keep each browser on one replica."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import PROJECT_ROOT
from tests.helpers import ask_in_browser, free_port, start_chroma, start_pages, stop

pytestmark = pytest.mark.integration
CONFIG = PROJECT_ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def render(config: str, replicas: list[int], port: int) -> str:
    """The shipped config with these local replicas and port, and a header naming the replica
    that answered (the test's own, to see where each request went)."""
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in replicas)
    config, found = re.subn(r"(        server \S+;\n)+", servers, config)
    assert found == 1, "the config lists the replicas in one place"
    config, found = re.subn(r"listen \d+;", f"listen 127.0.0.1:{port};", config)
    assert found == 1, "the config listens in one place"
    header = "add_header X-Replica $upstream_addr always;\n            add_header Set-Cookie"
    return config.replace("add_header Set-Cookie", header, 1)


@dataclass(frozen=True)
class Deployment:
    """The proxy's URL, and each replica's process by its port."""

    url: str
    replicas: dict[int, subprocess.Popen[bytes]]

    def names(self) -> set[str]:
        """How the proxy names the replicas (its `X-Replica` header)."""
        return {f"127.0.0.1:{port}" for port in self.replicas}


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The deployment, shared by the tests that leave it whole."""
    with deployed(tmp_path_factory.mktemp("deployment")) as deployment:
        yield deployment


@contextlib.contextmanager
def deployed(tmp_path: Path) -> Iterator[Deployment]:
    """A Chroma server, an ingest, two replicas with data folders of their own, and nginx in
    front of them."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (./check installs it with apt-get on Debian)")
    chroma_port, replicas, port = free_port(), [free_port(), free_port()], free_port()
    processes = [start_chroma(tmp_path / "chroma", chroma_port)]
    machine = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(PROJECT_ROOT / "corpus"),
        "ASSISTANT_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
    }
    try:
        ingest = [sys.executable, "-m", "assistant", "ingest"]
        env = {**machine, "ASSISTANT_DATA_DIR": str(tmp_path / "ingest")}
        subprocess.run(ingest, env=env, check=True, capture_output=True)
        replica = {p: {**machine, "ASSISTANT_DATA_DIR": str(tmp_path / f"r{p}")} for p in replicas}
        pages = start_pages(*[({**replica[p], "ASSISTANT_PORT": str(p)}, p) for p in replicas])
        processes += pages
        folder = tmp_path / "nginx"
        folder.mkdir()
        (folder / "nginx.conf").write_text(render(CONFIG.read_text(), replicas, port))
        processes.append(start_nginx(folder, f"http://127.0.0.1:{port}/"))
        yield Deployment(f"http://127.0.0.1:{port}/", dict(zip(replicas, pages, strict=True)))
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                stop(process)


def start_nginx(folder: Path, url: str) -> subprocess.Popen[bytes]:
    """nginx with `folder`'s nginx.conf, once it answers at `url`."""
    # As root, nginx's workers would run as `nobody`, who cannot enter pytest's folders.
    user = " user root;" if os.geteuid() == 0 else ""
    command = [NGINX, "-p", str(folder), "-c", "nginx.conf", "-g", f"daemon off;{user}"]
    nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return nginx
        except OSError:
            assert nginx.poll() is None, (folder / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.2)


def visit(url: str, cookie: str | None = None) -> tuple[str, str]:
    """A request for the page: (the replica that answered it, the cookie the proxy set)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        # Every replica tried, in order ("a, b" when a refused and b answered).
        tried = response.headers["X-Replica"].split(", ")
        return tried[-1], response.headers["Set-Cookie"].split(";")[0]


def test_new_visitors_are_spread_over_both_replicas(proxy: Deployment) -> None:
    visits = [visit(proxy.url) for _ in range(24)]
    assert {replica for replica, _ in visits} == proxy.names()
    assert len({cookie for _, cookie in visits}) == 24, "each visitor a key of its own"
    assert all(cookie.startswith("assistant_route=") for _, cookie in visits)
    # A cookie not in the proxy's form is replaced, not used as a key.
    forged = visit(proxy.url, "assistant_route=../../x")[1]
    assert re.fullmatch(r"assistant_route=[0-9a-f]{32}", forged)
    # A returning browser sends its cookie and reaches the same replica every time.
    for replica, cookie in visits[:6]:
        assert {visit(proxy.url, cookie) for _ in range(5)} == {(replica, cookie)}


def test_a_chat_through_the_proxy_stays_on_one_replica(proxy: Deployment, browser: Any) -> None:
    served: dict[int, set[str]] = {}
    for n in range(4):  # four browsers, each with its own cookies
        context = browser.new_context()
        tab = context.new_page()
        seen = served.setdefault(n, set())
        tab.on("response", lambda reply, seen=seen: seen.add(reply.headers.get("x-replica", "")))
        tab.goto(proxy.url)
        tab.wait_for_selector("#question textarea")
        first = ask_in_browser(tab, "how do I do the bridge pose from the back pain article?")
        assert first.query_selector("a.cite") is not None
        # Read against the earlier question, the follow-up gets the bridge's hold (alone, it
        # gets another article's "30 seconds").
        answer = ask_in_browser(tab, "how long do I hold it?")
        assert "10-20 seconds" in answer.inner_text()
        context.close()
    for n, seen in served.items():
        assert len(seen) == 1, f"browser {n} was served by {seen}"
        assert seen <= proxy.names()


def test_the_browsers_of_a_stopped_replica_move_to_the_other(tmp_path: Path) -> None:
    with deployed(tmp_path) as proxy:  # (its own: it stops a replica)
        visits = [visit(proxy.url) for _ in range(24)]
        gone, kept = sorted(proxy.replicas)
        stop(proxy.replicas[gone])
        moved = [visit(proxy.url, cookie)[0] for _, cookie in visits]
    assert moved == [f"127.0.0.1:{kept}"] * 24
