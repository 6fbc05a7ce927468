"""Shared fixtures: a clean ASSISTANT_* environment and offline model loading for every test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

from assistant.process import prepare, use_threads

# Before anything imports transformers, chromadb or gradio: tests never reach the network.
prepare()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's ASSISTANT_* settings."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session", autouse=True)
def one_thread() -> None:
    """Torch computes with one thread in the test session, as when answering: `./check` runs a
    test process per core, and torch's default of a thread per core in each would make them
    stall one another (a property test ran 6x slower)."""
    use_threads(1)


@pytest.fixture(autouse=True)
def same_threads() -> Iterator[None]:
    """A command run in-process sets torch's thread count as its entry point (`assistant
    ingest`: two); the next test gets the count it had before, as a new process would."""
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch else None
    yield
    torch = sys.modules.get("torch")
    if torch is not None and before is not None:
        torch.set_num_threads(before)
