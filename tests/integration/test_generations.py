"""Index generations against real Chroma and the real model: an ingest while the app serves, an
interrupted first build, two ingests at once (real kills: test_faults.py)."""

from __future__ import annotations

import pytest

from assistant.errors import IngestBusyError
from assistant.indexing.embeddings import load_token_counter
from assistant.indexing.generations import IndexHome
from assistant.indexing.ingest import build_chunks, build_index
from assistant.indexing.store import Store
from assistant.pipeline import build_assistant
from assistant.settings import Settings
from tests.helpers import INDEX_QUESTIONS, CountingEmbeddings, current_store, edit

pytestmark = pytest.mark.integration


def test_a_running_app_answers_from_a_new_ingest_at_its_next_question(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    assistant = build_assistant(settings, embeddings=embeddings)
    assert "45 seconds" not in assistant.ask(INDEX_QUESTIONS[0]).text
    # An edit and a removal: before generations, every chunk id the app had in memory that the
    # ingest deleted came back from Chroma without metadata and the answer failed.
    edit(settings, "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    (settings.corpus_dir / "ow-my-iliopsoas.md").unlink()
    report = build_index(settings, embeddings)
    assert report.removed > 1
    for question in INDEX_QUESTIONS:
        answer = assistant.ask(question)
        assert answer.in_scope
        assert all(c.doc_id != "ow-my-iliopsoas" for c in answer.citations)
    assert "45 seconds" in assistant.ask(INDEX_QUESTIONS[0]).text
    # An added document is seen too.
    (settings.corpus_dir / "clinic-notes.txt").write_text(
        "Clinic notes\n\nOur therapists recommend the couch stretch for tight hip flexors "
        "after long drives.\n",
        encoding="utf-8",
    )
    build_index(settings, embeddings)
    answer = assistant.ask("what stretch do the therapists recommend after long drives?")
    assert any(c.doc_id == "clinic-notes" for c in answer.citations)


def test_an_interrupted_first_build_is_finished_by_the_next_start(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    home = IndexHome(settings.index_dir)
    chunks = build_chunks(settings, load_token_counter())
    partial = Store(home.new_generation(), settings.collection, embeddings)
    partial.add(chunks[:16], lambda n: None)  # killed at 16 of the chunks
    assistant = build_assistant(settings, embeddings=embeddings)
    assert len(assistant.retriever.chunks) == len(chunks)
    assert {c.doc_id for c in assistant.retriever.chunks.values()} == {c.doc_id for c in chunks}
    assert all(source is not None for source in assistant.sources.values())


def test_a_second_ingest_while_one_runs_is_refused_and_corrupts_nothing(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    before = sorted(current_store(settings, embeddings).manifest())
    edit(settings, "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    with (
        IndexHome(settings.index_dir).lock(wait=False),
        pytest.raises(IngestBusyError, match="another ingest is running"),
    ):
        build_index(settings, embeddings)
    assert sorted(current_store(settings, embeddings).manifest()) == before
