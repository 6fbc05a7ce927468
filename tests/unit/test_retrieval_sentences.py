"""The retriever's sentence-level signals, with a bag-of-words fake model and a fake store."""

from __future__ import annotations

import math
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from assistant.answering.retrieval import HybridRetriever
from assistant.indexing.chunking import Chunk
from assistant.text.terms import terms

VOCABULARY = sorted(
    set(
        terms(
            "bridge hold seconds fascia casing sausage muscles lunge overhead arms psoas "
            "kneel knee citations trust skip stretch long"
        )
    )
)


class BagOfWords(Embeddings):
    """Unit vectors of word counts over a small vocabulary: overlap is similarity."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        words = terms(text)
        vector = [float(words.count(v)) for v in VOCABULARY]
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]


class FakeStore:
    def __init__(self, chunks: list[Chunk]):
        self._chunks = chunks

    def chunks(self) -> list[Chunk]:
        return self._chunks

    def search(self, vector: list[float], n: int) -> list[tuple[Chunk, float]]:
        return [(c, 0.1) for c in self._chunks[:n]]


def chunk(chunk_id: str, section: str, text: str) -> Chunk:
    return Chunk(chunk_id, "doc", "Doc", section, text, 0, len(text))


CHUNKS = [
    chunk(
        "lunge", "Overhead Lunge", "Lunge with the arms overhead. It pulls on the fascia casing."
    ),
    chunk("bridge", "Bridge", "Lie down and lift the hips. Hold for 20 seconds."),
    chunk("kneel", "Kneeling Stretch", "Kneel on one knee. Keep the back straight."),
]


@pytest.fixture(scope="module")
def retriever() -> HybridRetriever:
    store: Any = FakeStore(CHUNKS)
    return HybridRetriever(store, BagOfWords(), candidates=5, rrf_k=60)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        pytest.param("what is fascia casing", "lunge", id="word-in-one-sentence"),
        pytest.param("kneel knee", "kneel", id="another-chunk"),
    ],
)
def test_chunks_are_ranked_by_their_closest_sentence(
    retriever: HybridRetriever, query: str, first: str
) -> None:
    ranking = retriever.by_sentence(BagOfWords().embed_query(query))
    assert ranking[0] == first
    assert len(ranking) <= retriever.candidates


def test_a_sentence_is_also_read_under_its_heading(retriever: HybridRetriever) -> None:
    # "Hold for 20 seconds." never says "bridge"; under its heading it does.
    vector = BagOfWords().embed_query("bridge hold seconds")
    alone = max(
        sum(a * b for a, b in zip(BagOfWords().embed_query(s), vector, strict=True))
        for s in retriever.sentences
    )
    assert retriever.closest_sentence(vector) > alone


def test_the_best_clause_of_a_message_speaks_for_it(retriever: HybridRetriever) -> None:
    message = "skip the citations, i trust you. how long do i hold the bridge?"
    whole = retriever.closest_sentence(BagOfWords().embed_query(message))
    result = retriever.retrieve(message, 3)
    assert result.best_sentence > whole
    assert result.best_sentence == pytest.approx(
        retriever.closest_sentence(BagOfWords().embed_query("how long do i hold the bridge?"))
    )


class Recording(BagOfWords):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return super().embed_query(text)


@pytest.mark.parametrize(
    ("extra", "searched"),
    [
        pytest.param("kneel knee", "which stretch helps kneel knee", id="remedy-words-searched"),
        pytest.param("", None, id="no-remedy-words-no-extra-search"),
    ],
)
def test_the_sentence_ranking_also_seeks_the_prescribed_remedy(
    extra: str, searched: str | None
) -> None:
    embeddings = Recording()
    store: Any = FakeStore(CHUNKS)
    retriever = HybridRetriever(store, embeddings, candidates=5, rrf_k=60)
    retriever.retrieve("which stretch helps", 3, extra)
    assert (searched in embeddings.queries) is (searched is not None)
    if searched:
        assert retriever.by_sentence(embeddings.embed_query(searched))[0] == "kneel"


def many_chunks(count: int) -> list[Chunk]:
    """Chunks of a few sentences each, drawn from a fixed pool (seeded): ties included."""
    import random

    pool = [
        "Hold the bridge for 20 seconds.",
        "The psoas is a deep muscle.",
        "Kneel on one knee and keep the back straight.",
        "Lunge with the arms overhead.",
        "Fascia is a casing around muscles.",
        "Stretch slowly.",
        "Skip nothing.",
    ]
    rng = random.Random(3)
    return [
        Chunk(
            f"c{n}",
            f"d{n % 7}",
            "Doc",
            f"S{n % 5}",
            " ".join(rng.sample(pool, k=rng.randint(0, 3))),
            n,
            n + 1,
        )
        for n in range(count)
    ]


def test_scaled_up_scoring_ranks_exactly_as_the_plain_loops() -> None:
    import difflib

    import numpy as np

    chunks = many_chunks(400)
    store: Any = FakeStore(chunks)
    retriever = HybridRetriever(store, BagOfWords(), candidates=25, rrf_k=60)
    for query in ["hold the bridge", "psoas muscle", "fascia", "kneel lunge stretch", "nothing"]:
        vector = BagOfWords().embed_query(query)
        similarity = retriever.sentence_vectors @ np.array(vector, dtype=np.float32)
        best = {
            i: max((float(similarity[j]) for j in retriever.chunk_sentences[i]), default=-1.0)
            for i in retriever.ids
        }
        assert retriever.by_sentence(vector) == sorted(best, key=lambda i: -best[i])[:25]
        scores = retriever.words.scores(terms(query))
        ranked = sorted(zip(retriever.ids, scores, strict=True), key=lambda item: -item[1])
        expected = [(i, float(s)) for i, s in ranked[:25] if s > 0]
        assert retriever.lexical(query) == expected
    for chunk_ in chunks[:30]:
        plain = sorted(
            (c for c in chunks if (c.doc_id, c.section) == (chunk_.doc_id, chunk_.section)),
            key=lambda c: c.start,
        )
        assert retriever.siblings(chunk_) == plain
    for typo in ["bridgge", "musclles", "strettch", "overhaed", "fasciaa", "kneeell", "zzzzzz"]:
        close = difflib.get_close_matches(typo, retriever.vocabulary, n=1, cutoff=0.8)
        assert retriever.speller.correct([typo]) == [close[0] if close else typo]
