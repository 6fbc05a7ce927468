"""A client's question is health information: a unique token placed in every question of a
session (the CLI with and without --debug, the page's API with a follow-up) appears in no
output stream, log, data file or temporary file — only in the feedback store, and only when
the client agreed to keep it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from assistant.answer import Answer
from assistant.assistant import Assistant
from assistant.settings import Settings
from assistant.web.feedback import FeedbackStore
from tests.helpers import free_port

pytestmark = pytest.mark.integration


def holding(token: str, *folders: Path) -> list[str]:
    """Every file under `folders` whose bytes hold `token`."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink() and token.encode() in path.read_bytes():
                found.append(str(path))
    return found


def test_a_question_is_written_nowhere_but_the_consented_feedback(
    assistant: Assistant, shipped_settings: Settings, tmp_path: Path
) -> None:
    token = f"qz{uuid.uuid4().hex[:12]}"
    data, temp = tmp_path / "data", tmp_path / "tmp"
    shutil.copytree(shipped_settings.data_dir, data)  # the index, built once for the session
    temp.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(shipped_settings.corpus_dir),
        "ASSISTANT_DATA_DIR": str(data),
        "ASSISTANT_PORT": str(port),
        "TMPDIR": str(temp),
        "GRADIO_TEMP_DIR": str(temp / "gradio"),
    }
    streams: list[str] = []

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "assistant", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        streams.append(done.stderr)
        return done

    # The page starts while the command line answers (both read the same index).
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--debug", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        plain = run("--debug", "ask", f"where is the psoas? {token}")
        assert plain.returncode == 0, plain.stderr
        streams.append(plain.stdout)  # the printed answer does not repeat the question
        batch = "\n".join(
            [
                f"my leg went numb {token}, which stretch?",
                f"how do I do the bird dog? {token}",
                json.dumps({"question": f"how long? {token}", "history": [f"the bridge {token}"]}),
                json.dumps({"question": 3, "note": token}),  # an unanswerable line: its error
            ]  # record goes to stdout with the others, not to a log
        )
        run("--debug", "ask", "--jsonl", "-", stdin=batch + f"\n{{broken {token}\n")

        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert server.poll() is None, "the page stopped"
                time.sleep(0.5)
        from gradio_client import Client

        client = Client(url, verbose=False)
        reply = client.predict(f"how do I do the bridge pose? {token}", api_name="/chat")
        assert "Sources (" in reply
        client.predict("how long?", json.dumps([f"the bridge {token}"]), api_name="/chat")
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    streams += [out, err]

    assert not [s for s in streams if token in s]
    assert holding(token, data, temp) == []

    # With the client's consent, the question is kept in the feedback store, and only there.
    store = FeedbackStore(data / "feedback.sqlite3")
    asked = assistant.ask(f"where is the psoas? {token}")
    store.record(
        Answer(asked.question, asked.text, asked.citations), liked=True, keep_question=False
    )
    assert holding(token, data, temp) == []
    store.record(asked, liked=True, keep_question=True)
    assert {Path(p).name for p in holding(token, data, temp)} <= {
        "feedback.sqlite3",
        "feedback.sqlite3-wal",
    }
    assert holding(token, data, temp)
