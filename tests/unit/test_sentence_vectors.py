"""Sentence vectors derived at ingest: every plain and headed sentence once, those an earlier
generation holds copied rather than embedded, saved and read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.indexing.chunking import Chunk
from assistant.indexing.sentence_vectors import (
    VECTORS,
    SentenceRows,
    SentenceVectors,
    complete,
    derive_sentence_vectors,
    headed_sentences,
    plain_sentences,
)


class FakeEmbed:
    """A deterministic 'embedding' (length and first letters) that counts what it embeds."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return [[float(len(t)), float(ord(t[0])), float(ord(t[-1]))] for t in texts]


def chunk(chunk_id: str, section: str, text: str) -> Chunk:
    return Chunk(chunk_id, "doc", "Doc", section, text, 0, len(text))


CHUNKS = [
    chunk("a", "Glute Bridge", "Lie on your back. Hold for 10-20 seconds."),
    chunk("b", "", "The psoas is deep. Hold for 10-20 seconds."),
]


def test_every_plain_and_headed_sentence_is_embedded_once() -> None:
    embed = FakeEmbed()
    vectors = derive_sentence_vectors(CHUNKS, embed)
    expected = set(plain_sentences(CHUNKS)) | set(headed_sentences(CHUNKS))
    assert "Glute Bridge: Hold for 10-20 seconds." in expected
    assert sorted(embed.embedded) == sorted(expected)  # each once, shared ones too
    assert vectors.texts == sorted(expected)
    assert vectors.rows(["The psoas is deep."]).tolist() == [[18.0, 84.0, 46.0]]


def test_an_edited_chunk_embeds_only_its_new_sentences() -> None:
    before = derive_sentence_vectors(CHUNKS, FakeEmbed())
    edited = [CHUNKS[0], chunk("b2", "", "The psoas is deep. Hold for 45 seconds.")]
    embed = FakeEmbed()
    after = derive_sentence_vectors(edited, embed, [before])
    assert embed.embedded == ["Hold for 45 seconds."]
    assert "Hold for 10-20 seconds." in after.texts  # still in chunk "a"
    assert (
        after.rows(["The psoas is deep."]).tolist() == before.rows(["The psoas is deep."]).tolist()
    )


def test_progress_is_told_how_many_are_embedded_and_each_batch() -> None:
    totals: list[int] = []
    steps: list[int] = []

    def progress(total: int) -> Callable[[int], None]:
        totals.append(total)
        return steps.append

    derive_sentence_vectors(CHUNKS, FakeEmbed(), progress=progress)
    assert totals == [len(set(plain_sentences(CHUNKS)) | set(headed_sentences(CHUNKS)))]
    assert sum(steps) == totals[0]


def test_saved_vectors_read_back_and_broken_ones_read_as_none(tmp_path: Path) -> None:
    vectors = derive_sentence_vectors(CHUNKS, FakeEmbed())
    vectors.save(tmp_path)
    read = SentenceVectors.load(tmp_path)
    assert read is not None
    assert read.texts == vectors.texts
    assert np.array_equal(read.matrix, vectors.matrix)
    np.save(tmp_path / VECTORS, vectors.matrix[:1])  # fewer rows than texts
    assert SentenceVectors.load(tmp_path) is None
    assert SentenceVectors.load(tmp_path / "nothing") is None


@pytest.mark.parametrize("held", [None, "some"], ids=["nothing-held", "some-held"])
def test_complete_embeds_only_what_is_not_held(held: str | None) -> None:
    texts = plain_sentences(CHUNKS)
    vectors = derive_sentence_vectors(CHUNKS[:1], FakeEmbed()) if held else None
    embed = FakeEmbed()
    full = complete(vectors, texts, embed)
    assert set(embed.embedded) == {t for t in texts if vectors is None or t not in vectors.row}
    assert full.rows(texts).shape == (len(texts), 3)


def test_sentence_rows_read_each_row_as_the_floats_of_the_matrix() -> None:
    matrix = np.array([[0.1, 0.2], [0.3, 1 / 3]], dtype=np.float32)
    rows = SentenceRows(["a", "b"], matrix)
    assert rows["b"] == matrix.tolist()[1]  # float32 values, exactly
    assert "a" in rows
    assert "c" not in rows
    assert list(rows) == ["a", "b"]
    assert len(rows) == 2
    with pytest.raises(KeyError):
        rows["c"]


def test_sentence_rows_refuse_texts_and_vectors_of_different_counts() -> None:
    with pytest.raises(ValueError, match="2 texts for 1 vectors"):
        SentenceRows(["a", "b"], np.zeros((1, 2), dtype=np.float32))
