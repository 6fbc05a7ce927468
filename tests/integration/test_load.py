"""A small load suite (benchmarks/load.py at full size): sessions at once over HTTP get the
answers they would get one at a time — no error, no cross-talk."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.evaluation.load import SCENARIOS, run_load, serial_answers
from assistant.indexing.ingest import build_index
from assistant.pipeline import build_assistant
from assistant.settings import Settings
from assistant.web.feedback import FeedbackStore
from assistant.web.page import build_page, serve
from tests.helpers import CountingEmbeddings, free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def url(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(port=free_port())
    folder: Path = tmp_path_factory.mktemp("load")
    page = build_page(assistant, FeedbackStore(folder / "feedback.sqlite3"))
    serve(page, settings, block=False)
    yield f"http://127.0.0.1:{settings.port}/"
    page.close()


def test_eight_sessions_at_once_get_their_own_answers(url: str) -> None:
    from gradio_client import Client

    reference = serial_answers(Client(url, verbose=False))
    # Each follow-up's answer is its own, so an answer given to the wrong session would show.
    follow_ups = [json.dumps([h, q]) for h, q, _ in SCENARIOS if h]
    assert len({reference[key] for key in follow_ups}) == len(follow_ups)
    report = run_load(lambda: Client(url, verbose=False), 8, 5, reference)
    assert report.errors == []
    assert report.mismatches == []
    assert len(report.latencies_ms) == 40


def test_sessions_keep_their_answers_while_an_ingest_switches_the_index(
    settings: Settings, embeddings: CountingEmbeddings, tmp_path: Path
) -> None:
    from gradio_client import Client

    build_index(settings, embeddings)
    page = build_page(
        build_assistant(settings, embeddings=embeddings),
        FeedbackStore(tmp_path / "feedback.sqlite3"),
    )
    served = settings.model_copy(update={"port": free_port()})
    serve(page, served, block=False)
    url = f"http://127.0.0.1:{served.port}/"
    try:
        reference = serial_answers(Client(url, verbose=False))
        (settings.corpus_dir / "clinic-notes.txt").write_text(
            "Clinic notes\n\nOur therapists recommend the couch stretch for tight hip flexors "
            "after long drives.\n",
            encoding="utf-8",
        )
        ingest = threading.Thread(target=build_index, args=(settings, embeddings))
        ingest.start()
        report = run_load(lambda: Client(url, verbose=False), 4, 6, reference)
        ingest.join()
        assert report.errors == []  # every answer still holds what its question needs
        assert len(report.latencies_ms) == 24
        after = Client(url, verbose=False).predict(
            "what stretch do the therapists recommend after long drives?", api_name="/chat"
        )
        assert "Clinic notes" in after  # the new index, with no restart
    finally:
        page.close()
