"""Opt-in, slow: a real small GGUF model through llama.cpp, served and in-process.

Run with `SLOW_GGUF=/path/to/model.gguf ./check tests/integration/test_local_model.py` after
`.venv/bin/pip install -e ".[local]"` (see the README). Skipped otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.evaluation.metrics import citation_problems
from assistant.settings import PROJECT_ROOT, Settings
from tests.helpers import answering_with, free_port

GGUF = os.environ.get("SLOW_GGUF", "")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(not GGUF, reason="opt-in: set SLOW_GGUF to a GGUF model file"),
]
QUESTIONS = [
    "How long should I hold the kneeling hip flexor stretch?",
    "why does sitting all day make my hip flexors tight",
    "how many reps of the bird dog should i do",
]


def source(doc_id: str) -> str | None:
    path = PROJECT_ROOT / "corpus" / f"{doc_id}.md"
    return path.read_text(encoding="utf-8") if path.exists() else None


def check_answers(assistant: Assistant) -> list[str | None]:
    """Ask the questions; every shown answer must be cited honestly, verified or not."""
    fallbacks = []
    for question in QUESTIONS:
        answer = assistant.ask(question)
        assert answer.in_scope
        assert answer.citations
        assert citation_problems(answer, source) == []
        fallbacks.append(answer.fallback)
    print(f"\n{assistant.generator and assistant.generator.name}: fallbacks {fallbacks}")
    return fallbacks


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """`python -m llama_cpp.server` with the model, on a free local port."""
    pytest.importorskip("llama_cpp.server", reason="pip install -e '.[local]' first")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", GGUF, "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{base}/models", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("llama_cpp.server did not start")
                time.sleep(1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_questions_through_llama_cpp_server(assistant: Assistant, llama_server: str) -> None:
    settings = Settings(
        generator="openai", openai_base_url=llama_server, openai_model="local",
        generation_timeout=180,
    )  # fmt: skip
    check_answers(answering_with(assistant, settings))


def test_questions_in_process(assistant: Assistant) -> None:
    pytest.importorskip("llama_cpp", reason="pip install -e '.[local]' first")
    settings = Settings(generator="local", local_model_path=Path(GGUF))
    local = answering_with(assistant, settings)
    assert local.generator is not None
    assert local.generator.model is not None, local.generator.unavailable
    check_answers(local)
