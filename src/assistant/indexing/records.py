"""A chunk as Chroma keeps it: its text (heading included) and scalar metadata, enough to cite
it without the corpus; and back."""

from __future__ import annotations

from typing import Any

from assistant.indexing.chunking import Chunk, heading_prefix

LIST_SEPARATOR = "\n"  # between the phrases of a list kept in metadata


def metadata(chunk: Chunk) -> dict[str, str | int]:
    """What Chroma keeps beside each chunk: enough to cite it without the corpus."""
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "prefix": len(heading_prefix(chunk.title, chunk.section)),
        "exercise": chunk.exercise,
        "holds": LIST_SEPARATOR.join(chunk.holds),
        "repetitions": LIST_SEPARATOR.join(chunk.repetitions),
    }


def to_chunk(chunk_id: str, meta: dict[str, Any], document: str) -> Chunk:
    """Rebuild a chunk from what Chroma stored (the document is the embedded text)."""
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        section=str(meta["section"]),
        text=document[int(meta["prefix"]) :],
        start=int(meta["start"]),
        end=int(meta["end"]),
        exercise=str(meta.get("exercise", "")),  # indexes built before it was derived
        holds=split_list(meta.get("holds")),
        repetitions=split_list(meta.get("repetitions")),
    )


def split_list(value: Any) -> tuple[str, ...]:
    """A list kept in Chroma's metadata (which holds scalars only), back as a tuple."""
    return tuple(str(value).split(LIST_SEPARATOR)) if value else ()
