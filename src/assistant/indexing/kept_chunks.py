"""Every chunk of a generation with its sentence spans, kept in one file beside the vectors at
ingest: a start reads it in about a second, where reading 100,000 chunks back out of Chroma and
splitting their sentences again took ~10 s (benchmarks/scale.py).

The file holds one list per field of `Chunk` (and one of spans), not one record per chunk: a
list of strings parses faster than as many small objects, and the chunks are then built
positionally (measured at 100,000 chunks: 2.1 s → 1.3 s). A field added to `Chunk` later reads
as its default from older files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from assistant.indexing.chunking import Chunk
from assistant.indexing.records import to_chunk
from assistant.indexing.sentence_vectors import Spans

CHUNKS = "chunks.json"
FIELDS = tuple(f.name for f in fields(Chunk))
DEFAULTS = {f.name: f.default for f in fields(Chunk) if f.default is not MISSING}
LISTS = ("holds", "repetitions")  # tuple fields: JSON gives them back as lists

Kept = tuple[list[Chunk], dict[str, list[tuple[int, int]]]]  # the chunks, and their spans


def save_chunks(folder: Path, chunks: Sequence[Chunk], spans: Spans) -> None:
    """Write the chunks and their spans into a generation's folder, a list per field."""
    columns = {name: [getattr(c, name) for c in chunks] for name in FIELDS}
    kept = {"columns": columns, "spans": [spans[c.chunk_id] for c in chunks]}
    (folder / CHUNKS).write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")


def load_chunks(folder: Path) -> Kept | None:
    """The chunks and spans a generation's folder keeps; None when it keeps none."""
    try:
        kept = json.loads((folder / CHUNKS).read_text(encoding="utf-8"))
        if isinstance(kept, list):  # a generation written before the file held columns
            return from_rows(kept)
        columns, count = kept["columns"], len(kept["spans"])
        for name in set(DEFAULTS) - set(columns):  # a file written before the field existed
            columns[name] = [DEFAULTS[name]] * count
        for name in LISTS:
            columns[name] = map(tuple, columns[name])
        chunks = [Chunk(*row) for row in zip(*(columns[name] for name in FIELDS), strict=True)]
        pairs = ([(int(a), int(b)) for a, b in found] for found in kept["spans"])
        spans = dict(zip((c.chunk_id for c in chunks), pairs, strict=True))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return chunks, spans


def from_rows(rows: list[list[Any]]) -> Kept:
    """The chunks and spans of the earlier format: one [id, metadata, embedded text, spans]
    record per chunk."""
    chunks = [to_chunk(i, meta, text) for i, meta, text, _ in rows]
    spans = {row[0]: [(int(a), int(b)) for a, b in row[3]] for row in rows}
    return chunks, spans
