"""Ingest: corpus → chunks → the persistent index, incrementally and without duplicates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.chunking import Chunk, TokenCounter, chunk_document
from assistant.corpus import load_corpus
from assistant.settings import Settings
from assistant.store import Store, metadata

ProgressFactory = Callable[[int], Callable[[int], None]]


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run changed."""

    added: int
    updated: int
    removed: int
    unchanged: int
    documents: int

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged ({self.documents} documents)"
        )


def build_chunks(settings: Settings, count_tokens: TokenCounter) -> list[Chunk]:
    """Load and chunk the whole corpus; raises CorpusError before anything is written."""
    documents = load_corpus(settings.corpus_dir)
    return [
        chunk
        for doc in documents
        for chunk in chunk_document(doc, count_tokens, settings.chunk_tokens)
    ]


def ingest(
    chunks: list[Chunk], store: Store, progress: ProgressFactory | None = None
) -> IngestReport:
    """Bring the index in line with `chunks`: embed new ones, drop vanished ones, fix moved ones."""
    stored = store.manifest()
    wanted = {chunk.chunk_id: chunk for chunk in chunks}
    new = [c for c in chunks if c.chunk_id not in stored]
    moved = [c for c in chunks if c.chunk_id in stored and stored[c.chunk_id] != metadata(c)]
    gone = [chunk_id for chunk_id in stored if chunk_id not in wanted]
    if new:
        store.add(new, (progress or silent)(len(new)))
    store.update_metadata(moved)
    store.delete(gone)
    unchanged = len(wanted) - len(new) - len(moved)
    documents = len({c.doc_id for c in chunks})
    return IngestReport(len(new), len(moved), len(gone), unchanged, documents)


def silent(total: int) -> Callable[[int], None]:
    """A progress reporter that reports nothing."""
    return lambda done: None
