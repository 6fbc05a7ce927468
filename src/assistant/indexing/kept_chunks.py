"""Every chunk of a generation with its sentence spans, kept in one file beside the vectors at
ingest: a start reads it in about a second, where reading 100,000 chunks back out of Chroma and
splitting their sentences again took ~10 s (benchmarks/scale.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from assistant.indexing.chunking import Chunk
from assistant.indexing.records import metadata, to_chunk

CHUNKS = "chunks.json"


def save_chunks(
    folder: Path, chunks: Sequence[Chunk], spans: Mapping[str, Sequence[tuple[int, int]]]
) -> None:
    """Write the chunks (as Chroma stores them) and their spans into a generation's folder."""
    rows = [[c.chunk_id, metadata(c), c.embed_text, spans[c.chunk_id]] for c in chunks]
    (folder / CHUNKS).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def load_chunks(folder: Path) -> tuple[list[Chunk], dict[str, list[tuple[int, int]]]] | None:
    """The chunks and spans a generation's folder keeps; None when it keeps none."""
    try:
        rows = json.loads((folder / CHUNKS).read_text(encoding="utf-8"))
        chunks = [to_chunk(i, meta, text) for i, meta, text, _ in rows]
        spans = {row[0]: [(int(a), int(b)) for a, b in row[3]] for row in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return chunks, spans
