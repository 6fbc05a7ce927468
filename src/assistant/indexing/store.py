"""The Chroma index, through langchain-chroma; the only module that imports chromadb.

A generation is a Chroma folder of its own, or — with a Chroma server (`ASSISTANT_CHROMA_URL`)
— a collection named after it on the server, beside a collection of its sentence vectors and
one record naming the generation in use (`registry.py`), so that several machines share it.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import IndexUnreadableError
from assistant.indexing.chunking import Chunk
from assistant.indexing.records import metadata, to_chunk

REBUILD_HINT = "run `assistant ingest --rebuild` to rebuild it from the corpus"
BATCH = 128  # chunks embedded per call and progress step (the encoder sorts each by length)
COPY_BATCH = 1000  # chunks copied per call (Chroma caps one call's batch)
PAGE = 5000  # chunks read per request
# Seconds the Chroma client waits for each read and write of a request (for a connection):
# long enough for a page of `PAGE` chunks or a generation's deletion, short enough that a hung
# server is reported. Each wait is limited, not a whole request.
SERVER_TIMEOUT, CONNECT_TIMEOUT = 120.0, 10.0
# The dense index's graph. Chroma's defaults (ef 100 both ways, 16 neighbours) found 0.969 of
# the exact 10 nearest chunks at 5,000 chunks (benchmarks/scale.py); recall falls as an HNSW
# graph grows, so new generations get a wider graph and search (README, "Speed at scale").
EF_CONSTRUCTION, EF_SEARCH, MAX_NEIGHBORS = 200, 200, 32
SENTENCES = ".sentences"  # suffix of a server generation's sentence-vector collection
POINTER = ".current"  # suffix of the server record naming the generation in use


def chroma_failure(exc: BaseException) -> bool:
    """Whether `exc` is Chroma's report of a damaged index or a server it cannot reach; any
    other exception is a bug, and is left to show as one."""
    import httpx
    from chromadb.errors import ChromaError

    return isinstance(exc, ChromaError | sqlite3.Error | httpx.HTTPError)


def not_found(exc: BaseException) -> bool:
    """Whether `exc` is Chroma's "no such collection"."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


def server_failed(url: str, what: str, exc: Exception) -> IndexUnreadableError:
    """The error that says what went wrong with the Chroma server at `url`, and what to do."""
    return IndexUnreadableError(f"{what} ({exc}); check that the Chroma server at {url} runs "
                                "(`assistant chroma`)")  # fmt: skip


def connect(path: Path | None, url: str | None) -> Any:
    """A Chroma client: of the server at `url`, else of the folder `path`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if url is None:
        settings = ChromaSettings(anonymized_telemetry=False)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    try:
        return server_client(url)
    except Exception as exc:
        # (ValueError: chromadb's error when nothing answers; ChromaError: one it answered
        # with while the client was built, such as a refused login)
        if not (isinstance(exc, ValueError) or chroma_failure(exc)):
            raise
        raise server_failed(url, f"the Chroma server at {url} cannot be reached", exc) from exc


@functools.cache
def server_client(url: str) -> Any:
    """One client per server and process (a failed attempt is not remembered), with
    `SERVER_TIMEOUT` on every request: Chroma's own client waits forever, so a server that
    accepts a connection and never answers would hang a question or an ingest."""
    import chromadb
    import httpx
    from chromadb.config import Settings as ChromaSettings

    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    limit = httpx.Timeout(SERVER_TIMEOUT, connect=CONNECT_TIMEOUT)
    # The client's first requests, made while it is built, cannot be timed: ask first.
    where = f"[{host}]" if ":" in host else host  # an IPv6 address
    heartbeat = (
        f"{'https' if parts.scheme == 'https' else 'http'}://{where}:{port}/api/v2/heartbeat"
    )
    httpx.get(heartbeat, timeout=limit).raise_for_status()
    client: Any = chromadb.HttpClient(
        host=where,  # (Chroma puts it in its URLs as it is)
        port=port,
        ssl=parts.scheme == "https",
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    # Chroma has no setting for it: this is chromadb 1.5's own HTTP session (a test pauses a
    # real server to prove the limit holds).
    client._server._session.timeout = limit
    return client


class Store:
    """Chunks with their embeddings in one Chroma collection (cosine space).

    `path` is the generation's folder. Without `url` Chroma keeps the collection there; with a
    server `url` the collection lives on the server, named `<collection>.<folder name>`, and
    the folder keeps only what this machine derives from it.
    """

    def __init__(
        self, path: Path, collection: str, embeddings: Embeddings, *, url: str | None = None
    ) -> None:
        from chromadb.api.collection_configuration import CreateHNSWConfiguration
        from langchain_chroma import Chroma

        self.path, self.url, self.remote = path, url, url is not None
        self.name = f"{collection}.{path.name}" if url else collection
        self.embeddings = embeddings
        self._size: int | None = None
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._client = connect(path, url)
            self._db = Chroma(
                client=self._client,
                collection_name=self.name,
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
            self._collection = self._client.get_collection(self.name)
            self._collection.count()
        except Exception as exc:
            if not chroma_failure(exc):
                raise
            raise self._failure("is unreadable", exc) from exc

    def _failure(self, what: str, exc: Exception) -> IndexUnreadableError:
        """The error that says the index `what` ("failed"), and what to do."""
        if self.url:
            return server_failed(self.url, f"the index {self.name} on {self.url} {what}", exc)
        return IndexUnreadableError(f"the index at {self.path} {what} ({exc}); {REBUILD_HINT}")

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
        include = ["metadatas", "documents"] if documents else ["metadatas"]
        for got in self._pages(self._collection, include):
            texts = got["documents"] if documents else [""] * len(got["ids"])
            yield from (
                (i, dict(m or {}), d)
                for i, m, d in zip(got["ids"], got["metadatas"] or [], texts or [], strict=True)
            )

    def _pages(self, collection: Any, include: list[str]) -> Iterator[Any]:
        """Everything a collection holds, `PAGE` records to a request."""
        for offset in itertools.count(0, PAGE):
            got = self._guard(partial(collection.get, include=include, limit=PAGE, offset=offset))
            yield got
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
                embeddings=embeddings,
                metadatas=metas,
                documents=[c.embed_text for c in batch],
            )
            self._guard(add)

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Rewrite where unchanged chunks sit (their text, hence their vector, is the same)."""
        if chunks:
            ids, metas = [c.chunk_id for c in chunks], [metadata(c) for c in chunks]
            self._guard(lambda: self._collection.update(ids=ids, metadatas=metas))

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
                query_embeddings=[vector],
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

    def keep_sentences(self, texts: Sequence[str], matrix: np.ndarray) -> None:
        """Keep sentence vectors on the server beside the chunks (where every machine reads
        them, instead of embedding them again)."""
        # Chroma's default (l2) space keeps vectors as given; its cosine space would store them
        # renormalised, a bit off what the ingesting machine keeps (nothing searches this one).
        create = partial(
            self._client.get_or_create_collection, self.name + SENTENCES, embedding_function=None
        )
        sentences = self._guard(create)
        for first in range(0, len(texts), COPY_BATCH):
            part = texts[first : first + COPY_BATCH]
            add = partial(
                sentences.add,
                ids=[str(first + n) for n in range(len(part))],
                embeddings=matrix[first : first + COPY_BATCH],
                documents=list(part),
            )
            self._guard(add)

    def keeps_sentences(self) -> bool:
        """Whether sentence vectors are kept on the server for this generation."""
        sentences = self._sentences()
        return sentences is not None and bool(self._guard(sentences.count))

    def kept_sentences(self) -> tuple[list[str], np.ndarray] | None:
        """The sentence vectors kept on the server, in order; None when none are."""
        sentences = self._sentences()
        if sentences is None:
            return None
        rows: list[tuple[int, str, Any]] = []
        for got in self._pages(sentences, ["documents", "embeddings"]):
            found = got["embeddings"] if got["embeddings"] is not None else []
            rows += zip(map(int, got["ids"]), got["documents"] or [], found, strict=True)
        rows.sort(key=lambda row: row[0])
        if not rows:
            return None
        return [t for _, t, _ in rows], np.array([v for _, _, v in rows], dtype=np.float32)

    def _sentences(self) -> Any | None:
        """The server collection of this generation's sentence vectors (None: there is none)."""
        get = partial(self._client.get_collection, self.name + SENTENCES, embedding_function=None)
        try:
            return self._guard(get)
        except IndexUnreadableError as exc:
            if exc.__cause__ is not None and not_found(exc.__cause__):
                return None
            raise

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            if not chroma_failure(exc):
                raise
            raise self._failure("failed", exc) from exc
