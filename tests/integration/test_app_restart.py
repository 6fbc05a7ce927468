"""The page killed with SIGKILL while answering loses nothing: after a restart the same
questions get the same answers, the index the same chunks and the feedback store its rows."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from assistant.answer import Answer
from assistant.assistant import Assistant
from assistant.indexing.generations import IndexHome
from assistant.settings import Settings
from assistant.web.feedback import FeedbackStore
from tests.helpers import PAGE_QUESTIONS, free_port, start_page

pytestmark = pytest.mark.integration


def answers(port: int) -> list[str]:
    from gradio_client import Client

    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    return [client.predict(q, json.dumps(h), api_name="/chat") for q, h in PAGE_QUESTIONS]


def state(data: Path) -> tuple[str, list[tuple[object, ...]], str]:
    """The index generation, the feedback rows, and SQLite's own check of the feedback file."""
    with closing(sqlite3.connect(data / "feedback.sqlite3")) as db:
        rows = db.execute("select id, rating, answer from feedback order by id").fetchall()
        check = db.execute("pragma integrity_check").fetchone()[0]
    return IndexHome(data / "index").stamp(), rows, check


def test_a_killed_page_restarts_with_the_same_answers_and_nothing_lost(
    assistant: Assistant, shipped_settings: Settings, tmp_path: Path
) -> None:
    data = tmp_path / "data"  # (a copy of the index `assistant` built for the session)
    shutil.copytree(shipped_settings.data_dir, data)
    store = FeedbackStore(data / "feedback.sqlite3")
    for n in range(3):
        store.record(Answer(f"q{n}", f"answer {n} [1]", []), liked=True, keep_question=False)
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(shipped_settings.corpus_dir),
        "ASSISTANT_DATA_DIR": str(data),
        "ASSISTANT_PORT": str(port),
    }
    server = start_page(env, port)
    before = answers(port)
    saved = state(data)

    # Several answers in flight, then SIGKILL.
    def ask_while_killed() -> None:
        with contextlib.suppress(Exception):  # the page dies under it
            answers(port)

    busy = [threading.Thread(target=ask_while_killed, daemon=True) for _ in range(4)]
    for thread in busy:
        thread.start()
    time.sleep(0.3)
    server.send_signal(signal.SIGKILL)
    assert server.wait() == -signal.SIGKILL
    for thread in busy:
        thread.join(timeout=60)
    assert state(data) == saved
    assert saved[2] == "ok"
    server = start_page(env, port)
    try:
        assert answers(port) == before
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert state(data) == saved
