"""Shared fixtures: a clean ASSISTANT_* environment and offline model loading for every test."""

from __future__ import annotations

import os

import pytest

# Set before anything imports transformers or chromadb: tests never reach the network.
os.environ.update(
    HF_HUB_OFFLINE="1",
    TRANSFORMERS_OFFLINE="1",
    ANONYMIZED_TELEMETRY="False",
    GRADIO_ANALYTICS_ENABLED="False",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's ASSISTANT_* settings."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
