"""Chroma as a server: a real `assistant chroma` server on a free local port, shared by two
chat pages with data folders of their own (as on two machines), and an ingest through one
machine that both pages follow."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from assistant.assistant import Assistant
from assistant.errors import AssistantError, IndexUnreadableError, IngestBusyError
from assistant.indexing import sentence_vectors, store
from assistant.indexing.generations import IndexHome
from assistant.indexing.ingest import build_index, open_home
from assistant.indexing.registry import ServerRegistry
from assistant.indexing.sentence_vectors import SentenceVectors
from assistant.pipeline import build_assistant
from assistant.settings import Settings
from tests.helpers import (
    PAGE_QUESTIONS,
    CountingEmbeddings,
    HashEmbeddings,
    edit,
    free_port,
    start_chroma,
    start_pages,
    stop,
)

pytestmark = pytest.mark.integration

ASSISTANT = [sys.executable, "-m", "assistant"]
TITLE = "Iliopsoas Pain Exercises: Effective Relief and Prevention"
REVISED = "Iliopsoas Pain Exercises, Revised Edition"


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """A real Chroma server on a free port, stopped after the test."""
    port = free_port()
    server = start_chroma(tmp_path / "chroma", port)
    yield f"http://127.0.0.1:{port}"
    stop(server)


def test_an_index_on_a_server_answers_as_the_local_one(
    assistant: Assistant, settings: Settings, model: Embeddings, chroma_url: str
) -> None:
    remote = settings.model_copy(update={"chroma_url": chroma_url})
    report = build_index(remote, model)
    assert report.added == 53
    assert not list(remote.index_dir.glob("gen-*/chroma.sqlite3"))  # no Chroma folder here
    served = build_assistant(remote, embeddings=model)
    for question, history in PAGE_QUESTIONS:
        mine, local = served.ask(question, history), assistant.ask(question, history)
        assert replace(mine, timings_ms={}) == replace(local, timings_ms={}), question


def test_a_machine_with_an_empty_folder_reads_what_another_ingested_embedding_nothing(
    settings: Settings, embeddings: CountingEmbeddings, chroma_url: str, tmp_path: Path
) -> None:
    first = settings.model_copy(update={"chroma_url": chroma_url})
    build_index(first, embeddings)
    # A second ingest copies most vectors and embeds one edit: its chunks reach the server in
    # another order than the corpus's, and both machines must still derive the same files.
    edit(first, "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    report = build_index(first, embeddings)
    assert (report.added, report.removed) == (1, 1)
    second = first.model_copy(update={"data_dir": tmp_path / "second"})
    embeddings.embedded = 0
    served = build_assistant(second, embeddings=embeddings)
    assert len(served.reading.retriever.chunks) == 53
    assert served.ask("how do I do the bird dog exercise?").citations
    assert embeddings.embedded == 0
    home, there = open_home(second), open_home(first)
    assert home.stamp() == there.stamp() != ""
    mine, theirs = home.current(), there.current()
    assert mine is not None
    assert theirs is not None
    for name in ("chunks.json", "lexical.npz", "lexical.json", "sentences.npy", "sentences.json"):
        assert (mine / name).read_bytes() == (theirs / name).read_bytes(), name


def test_one_machine_at_a_time_ingests_into_a_server(
    settings: Settings, model: Embeddings, chroma_url: str, tmp_path: Path
) -> None:
    mine = settings.model_copy(update={"chroma_url": chroma_url})
    theirs = mine.model_copy(update={"data_dir": tmp_path / "other-machine"})
    with open_home(theirs).lock(wait=False):  # another machine's ingest, mid-way
        with pytest.raises(IngestBusyError, match="running on the index's Chroma server"):
            build_index(mine, model)
        assert open_home(mine).current() is None  # nothing written, nothing switched
    assert build_index(mine, model).added == 53  # let go: the next ingest runs
    registry = open_home(theirs).registry
    assert registry is not None
    assert len(registry.generations()) == 1


def test_a_lease_not_renewed_is_taken_over_and_its_holder_cannot_renew(chroma_url: str) -> None:
    first, second = ServerRegistry(chroma_url, "shared"), ServerRegistry(chroma_url, "shared")
    assert first.claim("machine a") == ""
    assert second.claim("machine b") == "machine a"
    assert first.renew("machine a")
    assert not second.renew("machine b")
    second.release("machine b")  # not its lease: nothing happens
    assert second.claim("machine b") == "machine a"
    impatient = ServerRegistry(chroma_url, "shared", stale=0.5)
    time.sleep(0.7)  # machine a stopped renewing
    assert impatient.claim("machine c") == ""
    assert not first.renew("machine a")  # it learns it lost the lease before switching
    first.release("machine a")
    assert second.claim("machine b") == "machine c"
    assert first.generations() == []  # a lease is never taken for a generation


def test_a_lease_retired_halfway_is_deleted_by_the_next_claim(chroma_url: str) -> None:
    registry = ServerRegistry(chroma_url, "shared")
    client = store.connect(None, chroma_url)
    # A machine stopped between renaming a lease it let go of and deleting it.
    retired = f"shared.ingest-lease.retired-{'0a1b2c3d' * 4}"
    client.create_collection(retired, embedding_function=None)
    client.create_collection("shared.gen-1-1", embedding_function=None)
    # Other indexes on the same server, whose names start with this one's.
    others = ["shared.ingest-lease.retired-b.gen-1-1", "shared.x.gen-2-2"]
    for name in others:
        client.create_collection(name, embedding_function=None)
    assert registry.claim("machine a") == ""
    names = sorted(c.name for c in client.list_collections())
    assert names == sorted(["shared.current", "shared.gen-1-1", "shared.ingest-lease", *others])
    assert registry.generations() == ["gen-1-1"]  # (a switch drops all it lists but two)


def ask_page(port: int, question: str) -> str:
    from gradio_client import Client

    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    return str(client.predict(question, "[]", api_name="/chat"))


def test_two_pages_share_one_server_and_follow_an_ingest_through_one_of_them(
    corpus_copy: Path, chroma_url: str, tmp_path: Path
) -> None:
    def machine(name: str) -> dict[str, str]:
        return {
            **os.environ,
            "ASSISTANT_CORPUS_DIR": str(corpus_copy),
            "ASSISTANT_DATA_DIR": str(tmp_path / name),
            "ASSISTANT_CHROMA_URL": chroma_url,
            "ASSISTANT_CHROMA_REFRESH": "0.5",
        }

    ingest = [*ASSISTANT, "ingest"]
    subprocess.run(ingest, env=machine("a"), check=True, capture_output=True)
    ports = {"a": free_port(), "b": free_port()}
    pages = start_pages(
        *[({**machine(name), "ASSISTANT_PORT": str(port)}, port) for name, port in ports.items()]
    )
    try:
        question = "how do I do the bird dog exercise?"
        before = [ask_page(port, question) for port in ports.values()]
        assert before[0] == before[1]
        assert TITLE in before[0]

        document = corpus_copy / "iliopsoas-pain-exercises.md"
        text = document.read_text(encoding="utf-8")
        document.write_text(text.replace(TITLE, REVISED, 1), encoding="utf-8")
        done = subprocess.run(ingest, env=machine("a"), check=True, capture_output=True)
        assert b"updated" in done.stdout
        time.sleep(1.0)  # the refresh interval, twice over

        after = [ask_page(port, question) for port in ports.values()]
        assert after[0] == after[1]
        assert REVISED in after[0]
        assert TITLE not in after[0]
        # Machine b keeps only the generation in use (the one it replaced was deleted).
        assert len(list((tmp_path / "b" / "index").glob("gen-*"))) == 1
    finally:
        for page in pages:
            page.terminate()
            page.wait(timeout=30)


@pytest.mark.parametrize(
    "outage",
    [
        pytest.param("stopped", id="a-server-that-stops"),
        # It still accepts connections and answers nothing: Chroma's own client waited forever.
        pytest.param("paused", id="a-server-that-hangs-fails-within-the-time-limit"),
    ],
)
def test_questions_fail_by_the_servers_name_until_it_is_back(
    outage: str,
    settings: Settings,
    model: Embeddings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store, "SERVER_TIMEOUT", 3.0)
    store.server_client.cache_clear()  # (a client an earlier test made for this port)
    port = free_port()
    server = start_chroma(tmp_path / "chroma", port)
    try:
        remote = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}"})
        build_index(remote, model)
        served = build_assistant(remote, embeddings=model)
        question = "how do I do the bird dog exercise?"
        before = served.ask(question)
        if outage == "stopped":
            stop(server)
        else:
            server.send_signal(signal.SIGSTOP)
        asking = ThreadPoolExecutor(1)  # a question that hangs fails the test, not the suite
        with pytest.raises(AssistantError, match=f"127.0.0.1:{port}"):
            asking.submit(served.ask, question).result(timeout=30)
        asking.shutdown(wait=False)
        if outage == "stopped":
            server = start_chroma(tmp_path / "chroma", port)
        else:
            server.send_signal(signal.SIGCONT)
        assert replace(served.ask(question), timings_ms={}) == replace(before, timings_ms={})
    finally:
        server.send_signal(signal.SIGCONT)  # (nothing, once it has ended)
        stop(server)


def test_a_server_at_an_ipv6_address_is_reached(tmp_path: Path) -> None:
    port = free_port()
    server = start_chroma(tmp_path / "chroma", port, host="::1")
    try:
        registry = ServerRegistry(f"http://[::1]:{port}", "shared")
        assert registry.claim("machine a") == ""
        assert registry.pointer() == ""
    finally:
        stop(server)


def test_a_server_that_never_answers_is_reported_on_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store, "SERVER_TIMEOUT", 2.0)
    store.server_client.cache_clear()
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never replies
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        began = time.monotonic()
        with pytest.raises(IndexUnreadableError, match=r"cannot be reached \(timed out\)"):
            store.connect(None, url)
        assert time.monotonic() - began < 30


class TakenOver(Embeddings):
    """The fake model, in an ingest whose lease another machine takes over while it embeds its
    batch number `at` (from 0; as if it had gone 2 minutes without renewing); counts what it
    embeds."""

    def __init__(
        self, inner: Embeddings, url: str, collection: str, home: IndexHome, at: int = 0
    ) -> None:
        self.inner, self.url, self.collection, self.home = inner, url, collection, home
        self.at, self.calls, self.embedded = at, 0, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.calls == self.at:
            impatient = ServerRegistry(self.url, self.collection, stale=-1.0)
            assert impatient.claim("machine b") == ""
            assert self.home.lost.wait(10)  # the next renewal finds it
        self.calls += 1
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_an_ingest_whose_lease_is_taken_over_stops_at_its_next_step(
    settings: Settings, chroma_url: str
) -> None:
    remote = settings.model_copy(update={"chroma_url": chroma_url})
    registry = ServerRegistry(chroma_url, remote.collection)
    home = IndexHome(remote.index_dir, registry, renew_every=0.1)
    model = TakenOver(HashEmbeddings(), chroma_url, remote.collection, home)
    with pytest.raises(IngestBusyError, match="took over"):
        build_index(remote, model, home=home)
    assert model.embedded == 53  # its chunks, stored for the next ingest; no sentence embedded
    assert registry.pointer() == ""  # nothing switched
    assert registry.claim("machine c") == "machine b"  # the lease stays with the new holder


def test_sentences_embedded_before_the_lease_was_lost_are_not_embedded_again(
    settings: Settings, chroma_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sentence_vectors, "BATCH", 64)
    remote = settings.model_copy(update={"chroma_url": chroma_url})
    registry = ServerRegistry(chroma_url, remote.collection)
    home = IndexHome(remote.index_dir, registry, renew_every=0.1)
    # Taken over while it embeds its second batch of sentences (its 53 chunks are one batch).
    model = TakenOver(HashEmbeddings(), chroma_url, remote.collection, home, at=2)
    with pytest.raises(IngestBusyError, match="took over"):
        build_index(remote, model, home=home)
    assert model.embedded == 53 + 2 * 64
    registry.release("machine b")  # machine b is done with it; this machine ingests again
    counting = CountingEmbeddings(HashEmbeddings())
    build_index(remote, counting)
    kept = ServerRegistry(chroma_url, remote.collection).pointer()
    held = SentenceVectors.load(remote.index_dir / kept)
    assert held is not None
    # No chunk and none of the 128 journaled sentences embedded again (the journal is this
    # machine's: another machine would embed them).
    assert counting.embedded == len(held.texts) - 2 * 64
    # Every sentence holds its own vector, copied or embedded (none shifted onto another's).
    assert np.allclose(held.matrix, HashEmbeddings().embed_documents(held.texts))
