"""Shared fixtures: a clean ASSISTANT_* environment and offline model loading for every test."""

from __future__ import annotations

import os

import pytest

from assistant.process import prepare

# Before anything imports transformers, chromadb or gradio: tests never reach the network.
prepare()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's ASSISTANT_* settings."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
