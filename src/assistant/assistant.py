"""Composition root: builds the assistant from settings and answers questions."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.answer import OUT_OF_SCOPE_TEXT, Answer, Citation
from assistant.answering.composer import Composer
from assistant.answering.followups import Conversation, FollowUps, Turn
from assistant.answering.gate import off_topic
from assistant.answering.generation import Generator, Written, load_generator
from assistant.answering.kinds import Kinds
from assistant.answering.ranking import Ranker
from assistant.answering.remedies import remedy_terms
from assistant.answering.retrieval import HybridRetriever, Retrieval
from assistant.answering.scope import Evidence, ScopeModel
from assistant.embeddings import load_embeddings, load_token_counter, set_threads
from assistant.errors import AssistantError
from assistant.generations import IndexHome
from assistant.indexing import IngestReport, ProgressFactory, build_chunks, compare, ingest
from assistant.safety.detector import Detector
from assistant.safety.referral import (
    add_safety_notice,
    referral_answer,
    sources_for,
    warning_signs_answer,
)
from assistant.safety.rules import load_rules
from assistant.settings import Settings
from assistant.store import Store
from assistant.text.cleaning import clean, clean_history

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """What the assistant reads one index generation with: the retriever over it, the composer
    and follow-up reader built on it, and the red-flag rules' quotes found in it."""

    retriever: HybridRetriever
    composer: Composer
    conversation: Conversation
    sources: dict[str, Citation | None]


class Assistant:
    """Answers questions from the indexed corpus: retrieve, gate, compose, cite.

    With `reload` and `stamp` it follows the index: when `stamp()` changes (an ingest switched
    generations) the next question is answered from the new one, read by `reload()`.
    """

    def __init__(
        self,
        settings: Settings,
        reading: Reading,
        triage: Detector,
        scope: ScopeModel | None,
        generator: Generator | None = None,
        *,
        reload: Callable[[], Reading] | None = None,
        stamp: Callable[[], str] | None = None,
    ):
        self.settings = settings
        self.scope = scope
        self.triage = triage
        self.generator = generator
        self.reload, self.stamp = reload, stamp
        self.seen = stamp() if stamp else ""
        self.switching = threading.Lock()
        self.reading = reading
        warn_missing_quotes(reading)

    @property
    def retriever(self) -> HybridRetriever:
        return self.reading.retriever

    @property
    def composer(self) -> Composer:
        return self.reading.composer

    @property
    def conversation(self) -> Conversation:
        return self.reading.conversation

    @property
    def sources(self) -> dict[str, Citation | None]:
        return self.reading.sources

    def current(self) -> Reading:
        """The reading of the index in use, switching first if an ingest has replaced it."""
        if self.stamp is None or self.reload is None or self.stamp() == self.seen:
            return self.reading
        with self.switching:  # one session reads the new generation; the others wait for it
            stamp = self.stamp()
            if stamp != self.seen:
                self.reading = self.reload()
                self.seen = stamp
                warn_missing_quotes(self.reading)
                log.info("switched to the index generation %s", stamp)
        return self.reading

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer one question; `history` holds the user's earlier questions, oldest first."""
        for event in self.stream(question, history):
            if isinstance(event, Answer):
                return event
        raise AssertionError("stream() ends with an Answer")  # pragma: no cover

    def stream(self, question: str, history: Sequence[str] = ()) -> Iterator[str | Answer]:
        """Like `ask`, but first yields the text a language model writes as it arrives.

        The last item is the Answer to show: the model's text only once it has been verified
        against its citations, otherwise the extractive answer (with a note saying why).
        """
        question, history = clean(question), clean_history(history)
        if not question:
            raise AssistantError("please type a question")
        started = time.perf_counter()
        reading = self.current()  # one generation for the whole answer
        sources = reading.sources
        # Safety first, on the user's own words (every turn), before retrieval or any model.
        assessment = self.triage.assess([*history, question])
        timings = {"triage": (time.perf_counter() - started) * 1000}
        if assessment.refer:
            yield self.finish(
                referral_answer(question, assessment.findings, sources), timings, started, sources
            )
            return
        if assessment.asks_about_warnings and not off_topic(question):
            book = self.triage.book
            answer = warning_signs_answer(question, book, sources, assessment.scores)
            yield self.finish(answer, timings, started, sources)
            return
        triaged = time.perf_counter()
        turn, retrieval = self.look_up(question, history, reading=reading)
        retrieved = time.perf_counter()
        timings["retrieve"] = (retrieved - triaged) * 1000
        if not self.in_scope(question, turn, retrieval):
            answer = Answer(question, OUT_OF_SCOPE_TEXT, in_scope=False)
            yield self.finish(
                answer, timings, started, sources, notice=assessment.describes_symptoms
            )
            return
        composition = reading.composer.compose(turn, retrieval.passages, retrieval.vector)
        composed = time.perf_counter()
        timings["compose"] = (composed - retrieved) * 1000
        answer = Answer(question, composition.text, composition.citations)
        if self.generator is not None:
            answer.generator = self.generator.name
            chunks = [p.chunk for p in retrieval.passages]
            for event in self.generator.stream(question, chunks, history):
                if isinstance(event, Written):
                    apply(answer, event)
                else:
                    yield event
            timings["generate"] = (time.perf_counter() - composed) * 1000
        yield self.finish(answer, timings, started, sources, notice=assessment.describes_symptoms)

    def look_up(
        self,
        question: str,
        history: Sequence[str] = (),
        k: int | None = None,
        *,
        reading: Reading | None = None,
    ) -> tuple[Turn, Retrieval]:
        """The question in context and the passages retrieved for it (`k`: how many, default
        `settings.top_k`). The chat, the CLI, the evals and the gate's training all use this."""
        reading = reading or self.current()
        turn = reading.conversation.contextualize(question, history)
        extra = remedy_terms(turn.intent_text)
        return turn, reading.retriever.retrieve(turn.query, k or self.settings.top_k, extra)

    def in_scope(self, question: str, turn: Turn, retrieval: Retrieval) -> bool:
        """Whether the corpus answers the question (the learned gate, answering/scope.py)."""
        if self.scope is None:
            raise AssistantError("this assistant was built without its scope gate")
        return self.scope.in_scope(question, Evidence.of(turn.query, retrieval))[0]

    def finish(
        self,
        answer: Answer,
        timings: dict[str, float],
        started: float,
        sources: dict[str, Citation | None],
        notice: bool = False,
    ) -> Answer:
        """Add the safety notice if wanted, and the timings."""
        if notice:
            add_safety_notice(answer, self.triage.book, sources)
        answer.timings_ms = {**timings, "total": (time.perf_counter() - started) * 1000}
        return answer


def apply(answer: Answer, written: Written) -> None:
    """Show the model's verified text, or keep the quoted sources and say why."""
    if written.problem is None:
        answer.text, answer.citations = written.text, list(written.citations)
    else:
        answer.fallback, answer.note = written.problem, written.note


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
    embeddings = embeddings or load_embeddings(settings.torch_threads)
    ranker = Ranker.load() if learned else None
    kinds = Kinds.load() if learned else None
    followups = FollowUps.load()
    # Triage's fine-tuned encoder shares the lower layers of the question's sentence vector.
    encoder = getattr(embeddings, "encoder", None)
    triage = Detector.load(load_rules(), vectorize=embeddings.embed_documents, encoder=encoder)
    scope = ScopeModel.load() if learned else None

    def read_index(retriever: HybridRetriever) -> Reading:
        composer = Composer(
            embeddings.embed_documents,
            retriever.idf,
            settings.max_sentences,
            siblings=retriever.siblings,
            ranker=ranker,
            kinds=kinds,
        )
        # The retriever has embedded every source sentence already: the composer reuses them.
        composer.cache.update(
            zip(retriever.sentences, retriever.sentence_vectors.tolist(), strict=True)
        )
        # The follow-up model reads the corpus through the retriever; the gate and ranker train
        # after it (they read questions in context).
        conversation = Conversation(followups, retriever)
        sources = sources_for(triage.book, list(retriever.chunks.values()))
        return Reading(retriever, composer, conversation, sources)

    reading = read_index(build_retriever(settings, embeddings, progress))
    if generator is None:
        generator = load_generator(settings, reading.composer.vectors)
    elif generator.vectors is None:
        generator.vectors = reading.composer.vectors
    if learned:
        warn_if_stale(followups, reading.composer, scope)
    home = IndexHome(settings.index_dir)

    def reload() -> Reading:
        path = home.current()
        if path is None:  # the index folder was emptied under us: keep what we have
            return reading
        store = Store(path, settings.collection, embeddings)
        return read_index(
            HybridRetriever(store, embeddings, candidates=settings.candidates, rrf_k=settings.rrf_k)
        )

    return Assistant(settings, reading, triage, scope, generator, reload=reload, stamp=home.stamp)


def warn_missing_quotes(reading: Reading) -> None:
    for name, source in reading.sources.items():
        if source is None:
            # The referral still happens, but without its quote: the clinic should know.
            log.warning("red-flag rules: the quote for %s is not in the indexed corpus", name)


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
    settings: Settings, embeddings: Embeddings, progress: ProgressFactory | None = None
) -> HybridRetriever:
    """The hybrid retriever over the current index generation (building it first if there is
    none — the first start, or a first build that was killed — and bringing an index built
    before a piece of derived metadata existed up to date)."""
    home = IndexHome(settings.index_dir)
    path = home.current()
    store = None if path is None else Store(path, settings.collection, embeddings)
    if store is None or store.count() == 0 or lacks_derived(store):
        # An older index gets its vectors copied with the new metadata: nothing is embedded.
        build_index(settings, embeddings, progress=progress, wait=True)
        path = home.current()
        assert path is not None  # build_index switched to a generation or raised
        store = Store(path, settings.collection, embeddings)
    return HybridRetriever(store, embeddings, candidates=settings.candidates, rrf_k=settings.rrf_k)


def lacks_derived(store: Store) -> bool:
    """Whether some stored chunk lacks metadata that ingest now derives (`Chunk.exercise`,
    `Chunk.holds`)."""
    return any("holds" not in meta for meta in store.manifest().values())


def build_index(
    settings: Settings,
    embeddings: Embeddings,
    *,
    rebuild: bool = False,
    progress: ProgressFactory | None = None,
    wait: bool = False,
) -> IngestReport:
    """Ingest the corpus into a new index generation and switch to it; the corpus is validated
    in full first. Nothing changed: nothing written. `rebuild`: embed everything again (and
    read nothing of the current index, which may be broken). Another ingest running: wait for
    it, or (without `wait`) refuse."""
    chunks = build_chunks(settings, load_token_counter())
    home = IndexHome(settings.index_dir)
    with home.lock(wait=wait):
        path = None if rebuild else home.current()
        current = Store(path, settings.collection, embeddings) if path else None
        manifest = current.manifest() if current else {}
        unchanged = compare(chunks, manifest)
        if current is not None and not unchanged.changed and current.count() == len(chunks):
            return unchanged
        donors = (
            []
            if rebuild
            else [*([current] if current else []), *leftovers(home, settings, embeddings)]
        )
        target = Store(home.new_generation(), settings.collection, embeddings)
        set_threads(settings.ingest_threads)
        try:
            report = ingest(chunks, target, current=manifest, donors=donors, progress=progress)
        finally:
            set_threads(settings.torch_threads)
        home.switch(target.path)
        return report


def leftovers(home: IndexHome, settings: Settings, embeddings: Embeddings) -> list[Store]:
    """The generations other than the current one that can still be read (their vectors are
    reused: an interrupted ingest resumes without embedding again what it had stored)."""
    found = []
    for path in home.unfinished():
        try:
            found.append(Store(path, settings.collection, embeddings))
        except AssistantError:
            continue
    return found
