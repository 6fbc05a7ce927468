"""Ingest: corpus → chunks → a new index generation, reusing every vector already computed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.indexing.chunking import Chunk, TokenCounter, chunk_document
from assistant.indexing.corpus import load_corpus
from assistant.indexing.embeddings import Embed, load_token_counter
from assistant.indexing.generations import IndexHome
from assistant.indexing.kept_chunks import CHUNKS, save_chunks
from assistant.indexing.lexical import FILES as LEXICAL_FILES
from assistant.indexing.lexical import LexicalIndex
from assistant.indexing.records import metadata
from assistant.indexing.registry import ServerRegistry
from assistant.indexing.sentence_journal import SentenceJournal
from assistant.indexing.sentence_vectors import FILES as SENTENCE_FILES
from assistant.indexing.sentence_vectors import (
    SentenceVectors,
    Spans,
    derive_sentence_vectors,
    sentence_spans,
)
from assistant.indexing.store import Store
from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

# Given how many items are to be embedded and what they are ("chunk", "sentence"): the
# reporter to call with each batch done.
ProgressFactory = Callable[[int, str], Callable[[int], None]]


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run changed."""

    added: int
    updated: int
    removed: int
    unchanged: int
    documents: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

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
    chunks: list[Chunk],
    target: Store,
    *,
    current: dict[str, dict[str, Any]],
    embed: Embed,
    donors: Sequence[Store] = (),
    progress: ProgressFactory | None = None,
    check: Callable[[], None] = lambda: None,
) -> IngestReport:
    """Fill the empty `target` generation with `chunks` and what answering derives from them:
    vectors the `donors` hold (the current generation, unfinished ones) are copied, only the
    rest embedded. The report compares it with the `current` generation's manifest. `check`
    runs before each write and at every progress step; it raises to stop the ingest."""
    progress = checked(progress or silent, check)
    reused: dict[str, list[float]] = {}
    for donor in donors:
        missing = [c.chunk_id for c in chunks if c.chunk_id not in reused]
        if not missing:
            break
        try:
            reused.update(donor.vectors(missing))
        except AssistantError:
            continue  # an unreadable leftover: embed instead
    copied = [c for c in chunks if c.chunk_id in reused]
    check()
    target.put(copied, [reused[c.chunk_id] for c in copied])
    fresh = [c for c in chunks if c.chunk_id not in reused]
    if fresh:
        target.add(fresh, progress(len(fresh), "chunk"))
    if target.count() != len({c.chunk_id for c in chunks}):
        raise AssistantError(
            f"the new index at {target.path} holds {target.count()} chunks, not {len(chunks)}"
        )
    if target.remote:
        # In the order the server gives them to every machine that reads this generation, so
        # that all derive the same files (copied chunks are stored before new ones).
        by_id = {c.chunk_id: c for c in chunks}
        chunks = [by_id[i] for i, _, _ in target.rows(documents=False)]
    held = [v for v in map(held_sentences, donors) if v is not None]
    vectors = derive(chunks, target.path, embed, held, progress)
    if target.remote:  # where the other machines read them
        check()
        target.keep_sentences(vectors.texts, vectors.matrix)
    return compare(chunks, current)


def derive(
    chunks: list[Chunk],
    folder: Path,
    embed: Embed,
    held: Sequence[SentenceVectors],
    progress: ProgressFactory | None,
) -> SentenceVectors:
    """Write what answering reads into the generation's folder, so no start computes it: the
    chunks with their sentence spans, the word index, and every source sentence's vectors
    (those `held` by an earlier generation are copied: a changed document embeds only its own
    new sentences; those embedded are journaled batch by batch until then, so that an ingest
    stopped meanwhile leaves them to the next)."""
    spans = sentence_spans(chunks)
    reporter = (lambda total: progress(total, "sentence")) if progress else None
    journal = SentenceJournal(folder)
    vectors = derive_sentence_vectors(chunks, embed, held, reporter, spans, journal.add)
    write_derived(folder, chunks, spans, vectors)
    return vectors


def write_derived(
    folder: Path, chunks: Sequence[Chunk], spans: Spans, vectors: SentenceVectors
) -> None:
    """Write the chunks with their spans, their word index and the sentence vectors into a
    generation's folder (the sentence vectors last: `has_derived` looks for them)."""
    save_chunks(folder, chunks, spans)
    LexicalIndex.build([c.chunk_id for c in chunks], [c.embed_text for c in chunks]).save(folder)
    vectors.save(folder)
    SentenceJournal(folder).remove()


def held_sentences(store: Store) -> SentenceVectors | None:
    """The sentence vectors a generation keeps: in its folder, else on its server, else those
    its unfinished ingest journaled in its folder here."""
    found = SentenceVectors.load(store.path)
    if found is None and store.remote:
        kept = store.kept_sentences()
        found = SentenceVectors(*kept) if kept else None
    return found if found is not None else SentenceJournal(store.path).load()


def fetch_derived(store: Store) -> None:
    """Bring a server generation's derived data into this machine's folder for it: the chunks
    and their sentence vectors are read from the server (nothing is embedded), the word index
    is built from the chunks. Written beside the folder and moved in file by file, the
    sentence vectors last, so another process on this machine never reads half of it."""
    kept = store.kept_sentences()
    if kept is None:
        return  # an ingest that never finished: `usable` says no
    chunks = store.chunks()
    with tempfile.TemporaryDirectory(dir=store.path.parent, prefix=".fetch-") as scratch:
        write_derived(Path(scratch), chunks, sentence_spans(chunks), SentenceVectors(*kept))
        store.path.mkdir(exist_ok=True)  # (another process here may have pruned it meanwhile)
        for name in (CHUNKS, *LEXICAL_FILES, *SENTENCE_FILES):
            os.replace(Path(scratch) / name, store.path / name)


def has_derived(folder: Path) -> bool:
    """Whether a generation's folder holds the derived data this release reads (whether the
    files are there; reading them is the start's job)."""
    return LexicalIndex.present(folder) and SentenceVectors.present(folder)


def keeps_derived(store: Store) -> bool:
    """Whether a generation holds its derived data: in its folder, or on its server."""
    if store.remote:
        return store.keeps_sentences()
    return has_derived(store.path)


def open_home(settings: Settings) -> IndexHome:
    """The index's generations: in the data folder, or on the Chroma server."""
    url = settings.chroma_url
    registry = ServerRegistry(url, settings.collection) if url else None
    return IndexHome(settings.index_dir, registry)


def open_store(settings: Settings, path: Path, embeddings: Embeddings) -> Store:
    """One generation's chunks: in its folder, or on the Chroma server."""
    return Store(path, settings.collection, embeddings, url=settings.chroma_url)


def compare(chunks: list[Chunk], current: dict[str, dict[str, Any]]) -> IngestReport:
    """What `chunks` change against the `current` generation's manifest."""
    wanted = {chunk.chunk_id for chunk in chunks}
    new = sum(c.chunk_id not in current for c in chunks)
    moved = sum(c.chunk_id in current and current[c.chunk_id] != metadata(c) for c in chunks)
    gone = sum(chunk_id not in wanted for chunk_id in current)
    documents = len({c.doc_id for c in chunks})
    return IngestReport(new, moved, gone, len(wanted) - new - moved, documents)


def checked(progress: ProgressFactory, check: Callable[[], None]) -> ProgressFactory:
    """`progress`, with `check` run at every step (it raises to stop the ingest)."""

    def start(total: int, unit: str = "chunk") -> Callable[[int], None]:
        report = progress(total, unit)

        def step(done: int) -> None:
            check()
            report(done)

        return step

    return start


def silent(total: int, unit: str = "chunk") -> Callable[[int], None]:
    """A progress reporter that reports nothing."""
    return lambda done: None


def lacks_derived(store: Store) -> bool:
    """Whether the stored chunks lack metadata that ingest now derives (`Chunk.exercise`,
    `Chunk.holds`). One ingest writes every chunk of a generation, so one chunk tells."""
    return any("holds" not in meta for meta in store.sample_metadata())


def build_index(
    settings: Settings,
    embeddings: Embeddings,
    *,
    rebuild: bool = False,
    progress: ProgressFactory | None = None,
    wait: bool = False,
    home: IndexHome | None = None,
) -> IngestReport:
    """Ingest the corpus into a new index generation and switch to it; the corpus is validated
    in full first. Nothing changed: nothing written. `rebuild`: embed everything again (and
    read nothing of the current index, which may be broken). Another ingest running: wait for
    it, or (without `wait`) refuse; with a server, one that takes over this one's lease stops
    it at its next step. `home`: the index's generations (default: `open_home(settings)`)."""
    chunks = build_chunks(settings, load_token_counter())
    home = home or open_home(settings)
    with home.lock(wait=wait):
        path = None if rebuild else home.current()
        current = open_store(settings, path, embeddings) if path else None
        manifest = current.manifest() if current else {}
        unchanged = compare(chunks, manifest)
        if (
            current is not None
            and not unchanged.changed
            and current.count() == len(chunks)
            and keeps_derived(current)
        ):
            return unchanged
        donors = (
            []
            if rebuild
            else [*([current] if current else []), *leftovers(home, settings, embeddings)]
        )
        target = open_store(settings, home.new_generation(), embeddings)
        report = ingest(
            chunks,
            target,
            current=manifest,
            embed=embeddings.embed_documents,
            donors=donors,
            progress=progress,
            check=home.check_lease,
        )
        home.switch(target.path)
        return report


def leftovers(home: IndexHome, settings: Settings, embeddings: Embeddings) -> list[Store]:
    """The generations other than the current one that can still be read (their vectors are
    reused: an interrupted ingest resumes without embedding again what it had stored)."""
    found = []
    for path in home.unfinished():
        try:
            found.append(open_store(settings, path, embeddings))
        except AssistantError:
            continue
    return found
