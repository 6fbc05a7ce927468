"""What several test modules share: the counting model, ports, a page process, the index in
use, corpus edits and fixed question lists. Test modules import from here, never from each
other or from a conftest."""

from __future__ import annotations

import copy
import hashlib
import math
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click import Command
from click.testing import CliRunner, Result
from langchain_core.embeddings import Embeddings

from assistant.answering.generation import load_generator
from assistant.assistant import Assistant
from assistant.indexing.generations import IndexHome
from assistant.indexing.sentence_vectors import SentenceVectors
from assistant.indexing.store import Store
from assistant.pipeline import build_assistant
from assistant.settings import PROJECT_ROOT, Settings

# The public JSON contract of an answer and of each of its citations (README).
# The checkout's own data, whatever ASSISTANT_* says (the tests that reproduce recorded numbers).
SHIPPED_CORPUS = PROJECT_ROOT / "corpus"
SHIPPED_ANSWERS = PROJECT_ROOT / "training" / "answers"
SHIPPED_EVALS = PROJECT_ROOT / "evals"
ANSWER_KEYS = {
    "question", "answer", "citations", "in_scope", "referral", "red_flags", "timings_ms",
    "generator", "fallback", "note", "safety_notice",
}  # fmt: skip
CITATION_KEYS = {"n", "doc_id", "title", "section", "chunk_id", "quote"}

# Questions whose answers show which index generation answered them.
INDEX_QUESTIONS = [
    "how long do I hold the half-kneeling stretch?",
    "where is the psoas?",
    "what causes iliopsoas pain?",
    "how do I do the bird dog?",
]
# Questions with their histories through the page: an answer, a follow-up, a referral and one
# out of scope.
PAGE_QUESTIONS = [
    ("how do I do the bird dog exercise?", []),
    ("how long do I hold it?", ["how do I do the bridge pose from the back pain article?"]),
    ("my leg has gone numb, which stretch?", []),
    ("what is the capital of France?", []),
]


class CountingEmbeddings(Embeddings):
    """The real model, counting how many texts it embeds (to prove what is re-embedded)."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class RememberedEmbeddings(Embeddings):
    """The real model's document vectors, each text embedded once per test run: a test that
    builds an index of the same articles as an earlier one gets the vectors the model gave
    then, at once, instead of embedding them again. Counting wraps this from outside, so what
    a test counts is still what the code asked to embed."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.vectors: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:  # one batch, as the model would have embedded them
            self.vectors.update(zip(missing, self.inner.embed_documents(missing), strict=True))
        return [list(self.vectors[t]) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class ModelRunner(CliRunner):
    """A CLI runner whose commands use `embeddings`, handed to the command line in its context
    object (not loaded, and no import patched)."""

    def __init__(self, embeddings: Embeddings) -> None:
        super().__init__()
        self.embeddings = embeddings

    def invoke(self, cli: Command, args: Sequence[str] | None = None, **extra: Any) -> Result:  # type: ignore[override]
        extra.setdefault("obj", {"embeddings": self.embeddings})
        return super().invoke(cli, args, **extra)


class HashEmbeddings(Embeddings):
    """A deterministic stand-in for the model where only ingest logic is under test (what is
    stored, embedded, kept or refused, not what answers): each word hashed to one of 384
    dimensions, unit length. The same text gives the same vector in every process, at once."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * 384
        for word in re.findall(r"\w+", text.lower()) or [""]:
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "big") % 384] += 1.0
        norm = math.sqrt(sum(x * x for x in vector))
        return [x / norm for x in vector]


def free_port() -> int:
    """A local TCP port nobody is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_twice(script: str, stdin: str, env: dict[str, str]) -> list[str]:
    """`python -c script` in two new processes at once, each fed `stdin`: their outputs (to
    show that a decision is the same in every process)."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    # Both are waited for before either is judged, so a failing one leaves no process behind.
    done = [child.communicate(stdin, timeout=600) for child in children]
    for child, (_, err) in zip(children, done, strict=True):
        assert child.returncode == 0, err
    return [out for out, _ in done]


def start_pages(*pages: tuple[dict[str, str], int]) -> list[subprocess.Popen[bytes]]:
    """`assistant serve` in a process of its own for each (environment, port), all started at
    once, returned when every page answers."""
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for env, _ in pages
    ]
    deadline = time.monotonic() + 180
    try:
        for server, (_, port) in zip(servers, pages, strict=True):
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except OSError:
                    assert server.poll() is None, "the page stopped"
                    assert time.monotonic() < deadline, "the page did not start"
                    time.sleep(0.3)
    except BaseException:
        for server in servers:
            server.kill()
        raise
    return servers


def start_chroma(folder: Path, port: int, host: str = "127.0.0.1") -> subprocess.Popen[bytes]:
    """A real Chroma server started by `assistant chroma`, once it answers."""
    command = [sys.executable, "-m", "assistant", "chroma", "--path", str(folder)]
    server = subprocess.Popen(
        [*command, "--host", host, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    where = f"[{host}]" if ":" in host else host
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://{where}:{port}/api/v2/heartbeat", timeout=2)
            return server
        except OSError:
            assert server.poll() is None, "the Chroma server stopped"
            assert time.monotonic() < deadline, "the Chroma server did not start"
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a process a test started, and wait for it."""
    process.terminate()
    process.wait(timeout=30)


def start_page(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`assistant serve` in its own process, once its page answers."""
    return start_pages((env, port))[0]


def answering_with(assistant: Assistant, settings: Settings) -> Assistant:
    """The shared assistant, copied, writing answers with the backend `settings` configure."""
    copied = copy.copy(assistant)
    copied.settings = assistant.settings.model_copy(
        update={"generator": settings.generator, "show_drafts": settings.show_drafts}
    )
    copied.generator = load_generator(settings, assistant.composer.vectors)
    return copied


def index_passages(settings: Settings, embeddings: Embeddings) -> list[str]:
    """What a fresh assistant retrieves for each of INDEX_QUESTIONS (the passages' texts and
    scores, one string a question): which index is in use, whatever model embeds."""
    assistant = build_assistant(settings, embeddings=embeddings)
    found = [assistant.look_up(q)[1].passages for q in INDEX_QUESTIONS]
    return ["\n".join(f"{p.score:.6f} {p.chunk.text}" for p in passages) for passages in found]


def current_store(settings: Settings, embeddings: Embeddings) -> Store:
    """The index generation in use."""
    path = IndexHome(settings.index_dir).current()
    assert path is not None
    return Store(path, settings.collection, embeddings)


def stored_ids(settings: Settings, embeddings: Embeddings) -> set[str]:
    """The chunk ids the generation in use holds."""
    return set(current_store(settings, embeddings).manifest())


def kept_sentences(settings: Settings) -> set[str]:
    """The sentence texts whose vectors the generation in use keeps."""
    path = IndexHome(settings.index_dir).current()
    assert path is not None
    kept = SentenceVectors.load(path)
    assert kept is not None
    return set(kept.texts)


def edit(settings: Settings, old: str, new: str) -> None:
    """Replace `old` (which must be there) in one article of the corpus copy."""
    path = settings.corpus_dir / "amazing-iliopsoas.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


BOT = "#chat [data-testid=bot]"  # the chat page's answers


def ask_in_browser(tab: Any, question: str) -> Any:
    """Type a question with the keyboard, send it with Enter, wait for the finished answer."""
    count = len(tab.query_selector_all(BOT))
    tab.click("#question textarea")
    tab.keyboard.type(question)
    tab.keyboard.press("Enter")
    tab.wait_for_function(
        """([selector, count]) => {
            const bots = document.querySelectorAll(selector);
            return bots.length > count && !document.querySelector('.generating, .pending');
        }""",
        arg=[BOT, count],
        timeout=30000,
    )
    tab.wait_for_timeout(300)
    return tab.query_selector_all(BOT)[-1]
