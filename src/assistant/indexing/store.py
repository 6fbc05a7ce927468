"""The persistent Chroma index, through langchain-chroma; the only module that imports chromadb."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.errors import IndexUnreadableError
from assistant.indexing.chunking import Chunk, heading_prefix

REBUILD_HINT = "run `assistant ingest --rebuild` to rebuild it from the corpus"
BATCH = 128  # chunks embedded per call and progress step (the encoder sorts each by length)
COPY_BATCH = 1000  # chunks copied per call (Chroma caps one call's batch)
PAGE = 5000  # chunks read per request
LIST_SEPARATOR = "\n"  # between the phrases of a list kept in metadata
# The dense index's graph. Chroma's defaults (ef 100 both ways, 16 neighbours) found 0.969 of
# the exact 10 nearest chunks at 5,000 chunks (benchmarks/scale.py); recall falls as an HNSW
# graph grows, so new generations get a wider graph and search (README, "Speed at scale").
EF_CONSTRUCTION, EF_SEARCH, MAX_NEIGHBORS = 200, 200, 32


class Store:
    """Chunks with their embeddings in one Chroma collection (cosine space)."""

    def __init__(self, path: Path, collection: str, embeddings: Embeddings) -> None:
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.api.collection_configuration import CreateHNSWConfiguration
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.path = path
        self.embeddings = embeddings
        self._size: int | None = None
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
            )
            self._db = Chroma(
                client=self._client,
                collection_name=collection,
                embedding_function=embeddings,
                collection_configuration={
                    "hnsw": CreateHNSWConfiguration(
                        space="cosine",
                        ef_construction=EF_CONSTRUCTION,
                        ef_search=EF_SEARCH,
                        max_neighbors=MAX_NEIGHBORS,
                    )
                },
            )
            self._collection = self._client.get_collection(collection)
            self._collection.count()
        except Exception as exc:
            raise IndexUnreadableError(
                f"the index at {path} is unreadable; {REBUILD_HINT}"
            ) from exc

    def manifest(self) -> dict[str, dict[str, Any]]:
        """Every stored chunk id with its metadata."""
        return {i: m for i, m, _ in self.rows(documents=False)}

    def sample_metadata(self) -> list[dict[str, Any]]:
        """The metadata of one stored chunk ([] when there is none)."""
        got = self._guard(partial(self._collection.get, include=["metadatas"], limit=1))
        return [dict(m or {}) for m in got["metadatas"] or []]

    def chunks(self) -> list[Chunk]:
        """Every stored chunk, rebuilt from the index alone (for the lexical retriever)."""
        return [to_chunk(i, m, d) for i, m, d in self.rows(documents=True)]

    def rows(self, *, documents: bool) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Every stored chunk's id, metadata and (if asked) text, a page at a time: one
        request for all of 100,000 chunks exceeds SQLite's limit on query variables."""
        include: Any = ["metadatas", "documents"] if documents else ["metadatas"]
        for offset in itertools.count(0, PAGE):
            got = self._guard(
                partial(self._collection.get, include=include, limit=PAGE, offset=offset)
            )
            texts = got["documents"] if documents else [""] * len(got["ids"])
            yield from (
                (i, dict(m or {}), d)
                for i, m, d in zip(got["ids"], got["metadatas"] or [], texts or [], strict=True)
            )
            if len(got["ids"]) < PAGE:
                return

    def add(self, chunks: Sequence[Chunk], progress: Callable[[int], None]) -> None:
        """Embed and store chunks in batches, reporting how many are done after each."""
        for first in range(0, len(chunks), BATCH):
            batch = chunks[first : first + BATCH]
            texts = [c.embed_text for c in batch]
            metas: list[dict[str, Any]] = [metadata(c) for c in batch]
            ids = [c.chunk_id for c in batch]
            self._guard(partial(self._db.add_texts, texts, metas, ids=ids))
            progress(len(batch))

    def vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """The stored embeddings of those of `ids` this store holds."""
        found: dict[str, list[float]] = {}
        for first in range(0, len(ids), COPY_BATCH):
            part = list(ids[first : first + COPY_BATCH])
            got = self._guard(partial(self._collection.get, ids=part, include=["embeddings"]))
            embeddings = got["embeddings"] if got["embeddings"] is not None else []
            found.update(
                (i, [float(x) for x in v]) for i, v in zip(got["ids"], embeddings, strict=True)
            )
        return found

    def put(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        """Store chunks with embeddings computed before (copied from another generation)."""
        for first in range(0, len(chunks), COPY_BATCH):
            batch = chunks[first : first + COPY_BATCH]
            embeddings = [list(v) for v in vectors[first : first + COPY_BATCH]]
            metas: list[Any] = [metadata(c) for c in batch]
            add = partial(
                self._collection.add,
                ids=[c.chunk_id for c in batch],
                embeddings=embeddings,  # type: ignore[arg-type]
                metadatas=metas,
                documents=[c.embed_text for c in batch],
            )
            self._guard(add)

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Rewrite where unchanged chunks sit (their text, hence their vector, is the same)."""
        if chunks:
            ids, metas = [c.chunk_id for c in chunks], [metadata(c) for c in chunks]
            self._guard(lambda: self._collection.update(ids=ids, metadatas=metas))  # type: ignore[arg-type]

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id."""
        if ids:
            self._guard(lambda: self._collection.delete(ids=list(ids)))

    def count(self) -> int:
        """How many chunks are stored."""
        return int(self._guard(self._collection.count))

    def search(self, vector: list[float], k: int) -> list[tuple[Chunk, float]]:
        """The `k` chunks nearest a query vector, with cosine similarity."""
        if self._size is None:  # a generation in use never changes: count it once
            self._size = self.count()
        k = min(k, self._size)
        if k == 0:
            return []
        found = self._guard(
            lambda: self._collection.query(
                query_embeddings=[vector],  # type: ignore[arg-type]
                n_results=k,
                include=["metadatas", "documents", "distances"],
            )
        )
        rows = zip(
            found["ids"][0],
            found["metadatas"][0],
            found["documents"][0],
            found["distances"][0],
            strict=True,
        )
        # Cosine space: Chroma's distance is 1 - cosine similarity.
        return [(to_chunk(i, dict(m), d), 1.0 - float(dist)) for i, m, d, dist in rows]

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            raise IndexUnreadableError(
                f"the index at {self.path} failed ({exc}); {REBUILD_HINT}"
            ) from exc


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
