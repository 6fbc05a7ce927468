"""Composition root: builds the assistant from settings — models, index, triage — and the
reading of the index it follows from one generation to the next."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answering.composer import Composer
from assistant.answering.followups import Conversation, FollowUps
from assistant.answering.generation import Generator, load_generator
from assistant.answering.kinds import Kinds
from assistant.answering.ranking import Ranker
from assistant.answering.retrieval import HybridRetriever
from assistant.answering.scope import ScopeModel
from assistant.assistant import Assistant, Reading
from assistant.errors import AssistantError
from assistant.indexing.embeddings import load_embeddings
from assistant.indexing.generations import IndexHome
from assistant.indexing.ingest import (
    ProgressFactory,
    build_index,
    fetch_derived,
    has_derived,
    lacks_derived,
    open_home,
    open_store,
)
from assistant.indexing.kept_chunks import load_chunks
from assistant.indexing.lexical import LexicalIndex
from assistant.indexing.sentence_vectors import SentenceVectors
from assistant.indexing.store import Store
from assistant.process import collecting_later
from assistant.safety.detector import Detector
from assistant.safety.referral import sources_for
from assistant.safety.rules import load_rules
from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)


def build_assistant(
    settings: Settings,
    *,
    embeddings: Embeddings | None = None,
    generator: Generator | None = None,
    progress: ProgressFactory | None = None,
    learned: bool = True,
) -> Assistant:
    """Load the model and index (building the index first if there is none).

    `generator` replaces the one `settings.generator` names (tests pass fake chat models);
    `learned=False` leaves out the learned scope gate and sentence ranker (to train them: such
    an assistant only looks up and reads passages).
    """
    embeddings = embeddings or load_embeddings()
    ranker = Ranker.load() if learned else None
    kinds = Kinds.load() if learned else None
    followups = FollowUps.load()
    # Triage's fine-tuned encoder shares the lower layers of the question's sentence vector.
    encoder = getattr(embeddings, "encoder", None)
    triage = Detector.load(load_rules(), vectorize=embeddings.embed_documents, encoder=encoder)
    scope = ScopeModel.load() if learned else None

    @collecting_later()  # (a start's many long-lived objects: see process.py)
    def read_index(retriever: HybridRetriever) -> Reading:
        composer = Composer(
            embeddings.embed_documents,
            retriever.idf,
            settings.max_sentences,
            siblings=retriever.siblings,
            ranker=ranker,
            kinds=kinds,
            known=retriever.known,  # every source sentence's vector, kept at ingest
        )
        # The follow-up model reads the corpus through the retriever; the gate and ranker train
        # after it (they read questions in context).
        conversation = Conversation(followups, retriever)
        sources = sources_for(triage.book, list(retriever.chunks.values()))
        return Reading(retriever, composer, conversation, sources)

    home = open_home(settings)  # (with a server: one connection and pointer lookup, not two)
    reading = read_index(build_retriever(settings, embeddings, progress, home))
    # The reading in use, for what outlives a switch of generation: a closure over the first
    # reading would keep that whole generation in memory, and verify with its vectors.
    latest = [reading]

    def sentence_vectors(texts: list[str]) -> list[list[float]]:
        return latest[0].composer.vectors(texts)

    if generator is None:
        generator = load_generator(settings, sentence_vectors)
    elif generator.vectors is None:
        generator = generator.with_vectors(sentence_vectors)
    if learned:
        warn_if_stale(followups, reading.composer, scope)
    del reading

    def reload() -> Reading:
        path = home.current()
        if path is None:  # the index folder was emptied under us: keep what we have
            return latest[0]
        store = open_generation(settings, home, path, embeddings)
        latest[0] = read_index(open_retriever(store, settings))
        return latest[0]

    stamp = home.stamp if home.registry is None else every(settings.chroma_refresh, home.stamp)
    return Assistant(settings, latest[0], triage, scope, generator, reload=reload, stamp=stamp)


def every(
    seconds: float, stamp: Callable[[], str], clock: Callable[[], float] = time.monotonic
) -> Callable[[], str]:
    """`stamp`, asked at most once every `seconds` (a Chroma server is asked over the network
    at each question otherwise); while the server cannot answer, the last answer stands (the
    question then fails, or not, on its own)."""
    seen, asked = stamp(), clock()

    def ask() -> str:
        nonlocal seen, asked
        if clock() - asked >= seconds:
            with contextlib.suppress(AssistantError):
                seen = stamp()
            asked = clock()
        return seen

    return ask


def warn_if_stale(followups: FollowUps, composer: Composer, scope: ScopeModel | None) -> None:
    """Say so when a model was trained on questions read by another follow-up model."""
    metas = {
        "kinds": composer.kinds.meta if composer.kinds else {},
        "ranker": composer.ranker.meta if composer.ranker else {},
        "scope": scope.meta if scope else {},
    }
    trained = {name: meta.get("data", {}).get("followups") for name, meta in metas.items()}
    stale = [
        name for name, through in trained.items() if through not in (None, followups.fingerprint)
    ]
    if stale:
        log.warning(
            "the %s model(s) were trained through another follow-up model: run "
            "`assistant answering train`",
            ", ".join(stale),
        )


def build_retriever(
    settings: Settings,
    embeddings: Embeddings,
    progress: ProgressFactory | None = None,
    home: IndexHome | None = None,
) -> HybridRetriever:
    """The hybrid retriever over the current index generation (building it first if there is
    none — the first start, or a first build that was killed — and bringing an index built
    before a piece of derived metadata existed up to date)."""
    home = home or open_home(settings)
    path = home.current()
    store = None if path is None else open_generation(settings, home, path, embeddings)
    if store is None or not usable(store):
        # An older index gets its chunk vectors copied with the new metadata (no chunk is
        # embedded again) and what it lacks derived once.
        build_index(settings, embeddings, progress=progress, wait=True)
        path = home.current()
        assert path is not None  # build_index switched to a generation or raised
        store = open_generation(settings, home, path, embeddings)
    return open_retriever(store, settings)


def open_generation(
    settings: Settings, home: IndexHome, path: Path, embeddings: Embeddings
) -> Store:
    """A generation's store; a server's generation first gets its derived data copied into
    this machine's folder for it (once; older ones are deleted from the folder)."""
    store = open_store(settings, path, embeddings)
    if store.remote and not has_derived(path):
        fetch_derived(store)
        home.tidy({path})
    return store


def usable(store: Store) -> bool:
    """Whether a generation holds chunks and everything this release derives from them."""
    return store.count() > 0 and not lacks_derived(store) and has_derived(store.path)


@collecting_later()  # (a start's many long-lived objects: see process.py)
def open_retriever(store: Store, settings: Settings) -> HybridRetriever:
    """The hybrid retriever over one generation, with what ingest derived and kept there."""
    path = store.path
    return HybridRetriever(
        store,
        store.embeddings,
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        lexical=LexicalIndex.load(path),
        sentences=SentenceVectors.load(path),
        kept=load_chunks(path),
    )
