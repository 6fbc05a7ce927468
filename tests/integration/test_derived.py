"""What answering reads is derived at ingest and kept with each generation: a start, or the
switch to a new generation, embeds no source sentence; an edit embeds only its own new
sentences; an index built before they were kept gets them once, without re-embedding chunks."""

from __future__ import annotations

import gc
import weakref

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answering.generation import Generator
from assistant.indexing.generations import IndexHome
from assistant.indexing.ingest import build_index
from assistant.indexing.kept_chunks import CHUNKS
from assistant.indexing.lexical import META
from assistant.indexing.sentence_vectors import TEXTS, headed_sentences, plain_sentences
from assistant.indexing.store import Store
from assistant.pipeline import build_assistant, open_retriever
from assistant.settings import Settings
from tests.helpers import INDEX_QUESTIONS, CountingEmbeddings, edit

pytestmark = pytest.mark.integration


def test_a_start_and_a_switch_embed_no_source_sentence(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    embeddings.embedded = 0
    assistant = build_assistant(settings, embeddings=embeddings)
    assert assistant.ask(INDEX_QUESTIONS[0]).citations
    assert embeddings.embedded == 0
    edit(settings, "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    build_index(settings, embeddings)
    # The chunk, and its changed sentence alone and under its heading: nothing else.
    assert embeddings.embedded <= 3
    embeddings.embedded = 0
    assert "45 seconds" in assistant.ask(INDEX_QUESTIONS[0]).text  # read from the new generation
    assert embeddings.embedded == 0


def test_a_switch_lets_the_earlier_generation_go_and_verifies_with_the_new_one(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    model = GenericFakeChatModel(messages=iter([AIMessage("unused")]))
    assistant = build_assistant(settings, embeddings=embeddings, generator=Generator("fake", model))
    first = weakref.ref(assistant.reading)
    edit(settings, "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    build_index(settings, embeddings)
    assert assistant.current() is not first()
    gc.collect()
    assert first() is None  # no closure holds the first generation's reading
    assert assistant.generator is not None
    assert assistant.generator.vectors is not None
    new = [s for s in assistant.reading.retriever.sentences if "45 seconds" in s]
    assert new
    embeddings.embedded = 0
    vectors = assistant.generator.vectors(new)  # what verification reads
    assert embeddings.embedded == 0  # kept by the new generation, not embedded again
    assert vectors == assistant.reading.composer.vectors(new)


def test_kept_data_ranks_exactly_as_data_computed_at_start(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    path = IndexHome(settings.index_dir).current()
    assert path is not None
    kept = open_retriever(Store(path, settings.collection, embeddings), settings)
    assert kept.chunks == {c.chunk_id: c for c in kept.store.chunks()}  # the kept file = Chroma
    (path / META).unlink()
    (path / TEXTS).unlink()
    (path / CHUNKS).unlink()
    computed = open_retriever(
        Store(path, settings.collection, embeddings), settings
    )  # computed now
    assert kept.ids == computed.ids
    assert kept.idf == computed.idf
    assert kept.sentences == computed.sentences
    for question in [*INDEX_QUESTIONS, "whats fascia?", "bridge pose hold time"]:
        assert kept.lexical(question) == computed.lexical(question)
        left, right = kept.retrieve(question, 5), computed.retrieve(question, 5)
        assert [p.chunk.chunk_id for p in left.passages] == [
            p.chunk.chunk_id for p in right.passages
        ]
        assert left.best_sentence == pytest.approx(right.best_sentence, abs=1e-5)


def test_an_index_without_kept_data_gets_it_once_without_embedding_chunks(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    first = build_index(settings, embeddings)
    path = IndexHome(settings.index_dir).current()
    assert path is not None
    for name in ("lexical.json", "lexical.npz", "sentences.json", "sentences.npy", CHUNKS):
        (path / name).unlink()  # as a generation built by the previous release
    embeddings.embedded = 0
    assistant = build_assistant(settings, embeddings=embeddings)
    upgraded = IndexHome(settings.index_dir).current()
    assert upgraded != path
    assert upgraded is not None
    assert (upgraded / META).is_file()
    chunks = list(assistant.retriever.chunks.values())
    assert len(chunks) == first.added
    # Each sentence, alone and under its heading, once; no chunk.
    assert embeddings.embedded == len(set(plain_sentences(chunks)) | set(headed_sentences(chunks)))
    embeddings.embedded = 0
    build_assistant(settings, embeddings=embeddings)
    assert embeddings.embedded == 0  # once


@pytest.mark.parametrize("page", [7, 53, 54], ids=["pages-of-7", "one-full-page", "one-page-spare"])
@pytest.mark.fake_model
def test_every_chunk_is_read_a_page_at_a_time(
    settings: Settings, embeddings: CountingEmbeddings, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    # One request for all of 100,000 chunks exceeded SQLite's limit on query variables.
    from assistant.indexing import store as store_module

    report = build_index(settings, embeddings)
    path = IndexHome(settings.index_dir).current()
    assert path is not None
    store = store_module.Store(path, settings.collection, embeddings)
    whole = store.chunks()
    monkeypatch.setattr(store_module, "PAGE", page)
    assert store.chunks() == whole
    assert len(whole) == report.added == 53
    assert sorted(store.manifest()) == sorted(c.chunk_id for c in whole)
