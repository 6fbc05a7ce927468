"""Composition root: builds the assistant from settings and answers questions."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from assistant.answer import OUT_OF_SCOPE_TEXT, Answer
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
from assistant.indexing import IngestReport, ProgressFactory, build_chunks, ingest
from assistant.safety.detector import Detector
from assistant.safety.referral import (
    add_safety_notice,
    referral_answer,
    sources_for,
    warning_signs_answer,
)
from assistant.safety.rules import load_rules
from assistant.settings import Settings
from assistant.store import Store, wipe

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

MAX_QUESTION_CHARS = 4000
log = logging.getLogger(__name__)


class Assistant:
    """Answers questions from the indexed corpus: retrieve, gate, compose, cite."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        composer: Composer,
        triage: Detector,
        scope: ScopeModel | None,
        conversation: Conversation,
        generator: Generator | None = None,
    ):
        self.settings = settings
        self.conversation = conversation
        self.scope = scope
        self.retriever = retriever
        self.composer = composer
        self.triage = triage
        self.generator = generator
        self.sources = sources_for(triage.book, list(retriever.chunks.values()))
        for name, source in self.sources.items():
            if source is None:
                # The referral still happens, but without its quote: the clinic should know.
                log.warning("red-flag rules: the quote for %s is not in the indexed corpus", name)

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
        question = question.strip()
        if not question:
            raise AssistantError("please type a question")
        if len(question) > MAX_QUESTION_CHARS:
            raise AssistantError(f"the question is too long (over {MAX_QUESTION_CHARS} characters)")
        started = time.perf_counter()
        # Safety first, on the user's own words (every turn), before retrieval or any model.
        assessment = self.triage.assess([*history, question])
        timings = {"triage": (time.perf_counter() - started) * 1000}
        if assessment.refer:
            yield self.finish(
                referral_answer(question, assessment.findings, self.sources), timings, started
            )
            return
        if assessment.asks_about_warnings and not off_topic(question):
            book = self.triage.book
            answer = warning_signs_answer(question, book, self.sources, assessment.scores)
            yield self.finish(answer, timings, started)
            return
        triaged = time.perf_counter()
        turn, retrieval = self.look_up(question, history)
        retrieved = time.perf_counter()
        timings["retrieve"] = (retrieved - triaged) * 1000
        if not self.in_scope(question, turn, retrieval):
            answer = Answer(question, OUT_OF_SCOPE_TEXT, in_scope=False)
            yield self.finish(answer, timings, started, notice=assessment.describes_symptoms)
            return
        composition = self.composer.compose(turn, retrieval.passages, retrieval.vector)
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
        yield self.finish(answer, timings, started, notice=assessment.describes_symptoms)

    def look_up(
        self, question: str, history: Sequence[str] = (), k: int | None = None
    ) -> tuple[Turn, Retrieval]:
        """The question in context and the passages retrieved for it (`k`: how many, default
        `settings.top_k`). The chat, the CLI, the evals and the gate's training all use this."""
        turn = self.conversation.contextualize(question, history)
        extra = remedy_terms(turn.intent_text)
        return turn, self.retriever.retrieve(turn.query, k or self.settings.top_k, extra)

    def in_scope(self, question: str, turn: Turn, retrieval: Retrieval) -> bool:
        """Whether the corpus answers the question (the learned gate, answering/scope.py)."""
        if self.scope is None:
            raise AssistantError("this assistant was built without its scope gate")
        return self.scope.in_scope(question, Evidence.of(turn.query, retrieval))[0]

    def finish(
        self, answer: Answer, timings: dict[str, float], started: float, notice: bool = False
    ) -> Answer:
        """Add the safety notice if wanted, and the timings."""
        if notice:
            add_safety_notice(answer, self.triage.book, self.sources)
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
    retriever = build_retriever(settings, embeddings, progress)
    idf = retriever.idf
    composer = Composer(
        embeddings.embed_documents,
        idf,
        settings.max_sentences,
        siblings=retriever.siblings,
        ranker=Ranker.load() if learned else None,
        kinds=Kinds.load() if learned else None,
    )
    # The retriever has embedded every source sentence already: the composer reuses them.
    composer.cache.update(
        zip(retriever.sentences, retriever.sentence_vectors.tolist(), strict=True)
    )
    # Triage's fine-tuned encoder shares the lower layers of the question's sentence vector.
    encoder = getattr(embeddings, "encoder", None)
    triage = Detector.load(load_rules(), vectorize=embeddings.embed_documents, encoder=encoder)
    if generator is None:
        generator = load_generator(settings, composer.vectors)
    elif generator.vectors is None:
        generator.vectors = composer.vectors
    scope = ScopeModel.load() if learned else None
    # The follow-up model reads the corpus through the retriever; the gate and ranker train
    # after it (they read questions in context).
    conversation = Conversation(FollowUps.load(), retriever)
    if learned:
        warn_if_stale(conversation.model, composer, scope)
    return Assistant(settings, retriever, composer, triage, scope, conversation, generator)


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
    """The hybrid retriever over the index (building the index first if there is none, and
    bringing an index built before a piece of derived metadata existed up to date)."""
    store = Store(settings.index_dir, settings.collection, embeddings)
    if store.count() == 0 or lacks_derived(store):
        # An older index only gets its metadata updated: nothing is embedded again.
        build_index(settings, embeddings, progress=progress, store=store)
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
    store: Store | None = None,
) -> IngestReport:
    """Ingest the corpus; the corpus is validated in full before the index is touched."""
    chunks = build_chunks(settings, load_token_counter())
    if rebuild:
        store = None
        wipe(settings.index_dir)
    store = store or Store(settings.index_dir, settings.collection, embeddings)
    set_threads(settings.ingest_threads)
    try:
        return ingest(chunks, store, progress)
    finally:
        set_threads(settings.torch_threads)
