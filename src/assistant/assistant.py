"""Composition root: builds the assistant from settings and answers questions."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.answer import OUT_OF_SCOPE_TEXT, Answer, Citation
from assistant.composer import Composer
from assistant.conversation import contextualize
from assistant.embeddings import load_embeddings, load_token_counter, set_threads
from assistant.errors import AssistantError
from assistant.gate import is_in_scope, scope_score
from assistant.indexing import IngestReport, ProgressFactory, build_chunks, ingest
from assistant.referral import locate, referral_answer
from assistant.remedies import remedy_terms
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.store import Store, wipe
from assistant.triage import Triage, load_rules

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
        triage: Triage,
    ):
        self.settings = settings
        self.retriever = retriever
        self.composer = composer
        self.triage = triage
        chunks = list(retriever.chunks.values())
        self.sources: dict[str, Citation | None] = {
            rule.id: locate(rule, chunks) for rule in triage.rules
        }
        for rule in triage.rules:
            if rule.citation is not None and self.sources[rule.id] is None:
                # The referral still happens, but without its quote: the clinic should know.
                log.warning("red-flag rule %s: its quote is not in the indexed corpus", rule.id)

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer one question; `history` holds the user's earlier questions, oldest first."""
        question = question.strip()
        if not question:
            raise AssistantError("please type a question")
        if len(question) > MAX_QUESTION_CHARS:
            raise AssistantError(f"the question is too long (over {MAX_QUESTION_CHARS} characters)")
        started = time.perf_counter()
        # Safety first, on the user's own words (every turn), before retrieval or any model.
        findings = self.triage.assess([*history, question])
        if findings:
            answer = referral_answer(question, findings, self.sources)
            answer.timings_ms = {"triage": (time.perf_counter() - started) * 1000}
            answer.timings_ms["total"] = answer.timings_ms["triage"]
            return answer
        triaged = time.perf_counter()
        turn = contextualize(question, history)
        extra = remedy_terms(turn.intent_text)
        retrieval = self.retriever.retrieve(turn.query, self.settings.top_k, extra)
        retrieved = time.perf_counter()
        timings = {
            "triage": (triaged - started) * 1000,
            "retrieve": (retrieved - triaged) * 1000,
        }
        score = scope_score(
            retrieval.best_similarity, retrieval.best_sentence, retrieval.coverage, turn.query
        )
        if not is_in_scope(score, self.settings.gate_threshold):
            timings["total"] = (retrieved - started) * 1000
            return Answer(question, OUT_OF_SCOPE_TEXT, in_scope=False, timings_ms=timings)
        composition = self.composer.compose(turn, retrieval.passages, retrieval.vector)
        finished = time.perf_counter()
        timings["compose"] = (finished - retrieved) * 1000
        timings["total"] = (finished - started) * 1000
        return Answer(question, composition.text, composition.citations, timings_ms=timings)


def build_assistant(
    settings: Settings,
    *,
    embeddings: Embeddings | None = None,
    progress: ProgressFactory | None = None,
) -> Assistant:
    """Load the model and index (building the index first if there is none)."""
    embeddings = embeddings or load_embeddings(settings.torch_threads)
    store = Store(settings.index_dir, settings.collection, embeddings)
    if store.count() == 0:
        build_index(settings, embeddings, progress=progress, store=store)
    retriever = HybridRetriever(
        store, embeddings, candidates=settings.candidates, rrf_k=settings.rrf_k
    )
    idf = retriever.bm25.idf if retriever.bm25 else {}
    composer = Composer(
        embeddings.embed_documents, idf, settings.max_sentences, siblings=retriever.siblings
    )
    # The retriever has embedded every source sentence already: the composer reuses them.
    composer.cache.update(
        zip(retriever.sentences, retriever.sentence_vectors.tolist(), strict=True)
    )
    triage = Triage(
        load_rules(),
        vectorize=embeddings.embed_documents,
        threshold=settings.triage_similarity,
    )
    return Assistant(settings, retriever, composer, triage)


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
