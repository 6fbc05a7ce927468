"""The journal of sentence vectors an unfinished ingest has embedded: whole batches read back
in order, a damaged batch skipped (its sentences are embedded again), removed once the whole set
is written."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from assistant.indexing import sentence_vectors
from assistant.indexing.sentence_journal import JOURNAL, SentenceJournal
from assistant.indexing.sentence_vectors import derive_sentence_vectors
from tests.unit.test_sentence_vectors import CHUNKS, FakeEmbed


def test_each_embedded_batch_is_journaled_and_read_back_as_one_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sentence_vectors, "BATCH", 2)
    journal = SentenceJournal(tmp_path)
    vectors = derive_sentence_vectors(CHUNKS, FakeEmbed(), keep=journal.add)
    batches = sorted(p.name for p in (tmp_path / JOURNAL).glob("*.npz"))
    assert batches == [f"{n:06d}.npz" for n in range(math.ceil(len(vectors.texts) / 2))]
    assert len(batches) >= 3
    read = journal.load()
    assert read is not None
    assert sorted(read.texts) == vectors.texts
    assert np.array_equal(read.rows(vectors.texts), vectors.matrix)


def test_nothing_journaled_reads_as_none(tmp_path: Path) -> None:
    assert SentenceJournal(tmp_path).load() is None
    assert SentenceJournal(tmp_path / "no such folder").load() is None


def test_a_damaged_batch_is_skipped_and_the_others_kept(tmp_path: Path) -> None:
    journal = SentenceJournal(tmp_path)
    journal.add(["One."], np.array([[1.0, 0.0]], dtype=np.float32))
    journal.add(["Two."], np.array([[0.0, 1.0]], dtype=np.float32))
    journal.add(["Three."], np.array([[1.0, 1.0, 1.0]], dtype=np.float32))  # another width
    [first, second, _] = sorted((tmp_path / JOURNAL).glob("*.npz"))
    second.write_bytes(second.read_bytes()[:20])  # cut short, as by a power cut
    (tmp_path / JOURNAL / "000009.tmp").write_bytes(b"half")  # a batch never renamed in
    read = SentenceJournal(tmp_path).load()
    assert read is not None
    assert read.texts == ["One."]
    assert read.matrix.tolist() == [[1.0, 0.0]]
    assert first.name == "000000.npz"


def test_removing_deletes_the_journal(tmp_path: Path) -> None:
    journal = SentenceJournal(tmp_path)
    journal.add(["One."], np.array([[1.0]], dtype=np.float32))
    journal.remove()
    assert not (tmp_path / JOURNAL).exists()
    assert journal.load() is None
