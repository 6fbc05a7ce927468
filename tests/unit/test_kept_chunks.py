"""The chunks file a generation keeps: what is written is read back exactly, a file in the
earlier per-chunk format still reads, and a damaged one reads as none kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.indexing.chunking import Chunk
from assistant.indexing.kept_chunks import CHUNKS, load_chunks, save_chunks
from assistant.indexing.records import metadata

CHUNKED = [
    Chunk("a#0", "a", "Psoas “101”", "Stretches", "Hold it.\nBreathe.", 0, 17),
    Chunk(
        "b#1",
        "b",
        "B",
        "Bridge",
        "Lift. Hold for 10 seconds.",
        40,
        66,
        "Glute Bridge",
        ("10 seconds",),
        ("10 times", "3 sets"),
    ),
]
SPANS = {"a#0": [(0, 8), (9, 17)], "b#1": [(0, 5), (6, 26)]}


def test_the_chunks_and_spans_come_back_exactly(tmp_path: Path) -> None:
    save_chunks(tmp_path, CHUNKED, SPANS)
    assert load_chunks(tmp_path) == (CHUNKED, SPANS)


def test_a_generation_without_chunks_reads_back_empty(tmp_path: Path) -> None:
    save_chunks(tmp_path, [], {})
    assert load_chunks(tmp_path) == ([], {})


def test_a_file_in_the_earlier_per_chunk_format_still_reads(tmp_path: Path) -> None:
    rows = [[c.chunk_id, metadata(c), c.embed_text, SPANS[c.chunk_id]] for c in CHUNKED]
    (tmp_path / CHUNKS).write_text(json.dumps(rows), encoding="utf-8")
    assert load_chunks(tmp_path) == (CHUNKED, SPANS)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="missing"),
        pytest.param('{"columns": {"chunk_id": ["a"]}', id="cut-short"),
        pytest.param('{"columns": {"chunk_id": ["a"]}, "spans": [[]]}', id="fields-missing"),
    ],
)
def test_a_missing_or_damaged_file_reads_as_none_kept(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / CHUNKS).write_text(content, encoding="utf-8")
    assert load_chunks(tmp_path) is None


def test_a_field_the_file_predates_reads_as_its_default(tmp_path: Path) -> None:
    save_chunks(tmp_path, CHUNKED, SPANS)
    kept = json.loads((tmp_path / CHUNKS).read_text(encoding="utf-8"))
    for name in ("exercise", "holds", "repetitions"):
        del kept["columns"][name]
    (tmp_path / CHUNKS).write_text(json.dumps(kept), encoding="utf-8")
    found = load_chunks(tmp_path)
    assert found is not None
    assert [(c.exercise, c.holds, c.repetitions) for c in found[0]] == [("", (), ())] * 2
    assert [c.text for c in found[0]] == [c.text for c in CHUNKED]
