"""The word index ingest keeps: rank-bm25's BM25Okapi scores to the last bit, from a sparse
matrix that is saved with the generation and read back."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from assistant.indexing.chunking import chunk_document
from assistant.indexing.corpus import load_corpus
from assistant.indexing.lexical import META, LexicalIndex
from assistant.settings import PROJECT_ROOT
from assistant.text.terms import terms


def corpus_texts() -> list[str]:
    return [
        chunk.embed_text
        for doc in load_corpus(PROJECT_ROOT / "corpus")
        for chunk in chunk_document(doc, lambda text: len(text.split()), 150)
    ]


SMALL = [
    "The psoas stretch: hold the psoas stretch for thirty seconds.",
    "Psoas pain after sitting. Stretch the hip flexors.",
    "Psoas and iliacus make the iliopsoas.",
    "",  # a chunk with no content words
    "Hip hip hip: the psoas again.",
]


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param(corpus_texts(), id="shipped-corpus"),
        pytest.param(SMALL, id="small-with-common-terms"),
    ],
)
def test_scores_equal_rank_bm25_to_the_last_bit(texts: list[str]) -> None:
    reference = BM25Okapi([terms(t) for t in texts])
    index = LexicalIndex.build([f"c{i}" for i in range(len(texts))], texts)
    assert index.vocabulary == sorted(reference.idf)
    assert index.idf == reference.idf  # "psoas", in over half the chunks, floored alike
    chooser = random.Random(7)
    queries = [
        chooser.choices(index.vocabulary, k=chooser.randint(1, 9)) + ["unknownword"] * (n % 2)
        for n in range(300)
    ]
    queries += [["psoas", "psoas"], [], ["unknownword"]]
    for query in queries:
        assert np.array_equal(index.scores(query), reference.get_scores(query)), query


def test_a_saved_index_reads_back_with_the_same_scores(tmp_path: Path) -> None:
    texts = corpus_texts()
    index = LexicalIndex.build([f"c{i}" for i in range(len(texts))], texts)
    index.save(tmp_path)
    read = LexicalIndex.load(tmp_path)
    assert read is not None
    assert (read.ids, read.vocabulary, read.idf) == (index.ids, index.vocabulary, index.idf)
    for query in (["psoas", "stretch"], ["hold", "second", "bridge"], ["fascia"]):
        assert np.array_equal(read.scores(query), index.scores(query))


@pytest.mark.parametrize("damage", ["missing", "other-settings", "broken-matrix"])
def test_an_index_that_cannot_be_trusted_reads_as_none(tmp_path: Path, damage: str) -> None:
    LexicalIndex.build(["a", "b"], SMALL[:2]).save(tmp_path)
    if damage == "missing":
        (tmp_path / META).unlink()
    elif damage == "other-settings":
        meta = json.loads((tmp_path / META).read_text())
        (tmp_path / META).write_text(json.dumps({**meta, "k1": 1.2}))
    else:
        (tmp_path / "lexical.npz").write_bytes(b"not a matrix")
    assert LexicalIndex.load(tmp_path) is None
