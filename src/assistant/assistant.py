"""The `Assistant`: one question through triage, follow-up reading, retrieval, the scope gate and
the composer — the one path the chat page, the CLI and the evals all call (built by `pipeline`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.answer import OUT_OF_SCOPE_TEXT, Answer, Citation
from assistant.answering.composer import Composer
from assistant.answering.followups import Conversation, Turn
from assistant.answering.gate import off_topic
from assistant.answering.generation import Generator, Written
from assistant.answering.remedies import remedy_terms
from assistant.answering.retrieval import HybridRetriever, Retrieval
from assistant.answering.scope import Evidence, ScopeModel
from assistant.errors import AssistantError
from assistant.safety.detector import Detector
from assistant.safety.referral import (
    add_safety_notice,
    referral_answer,
    warning_signs_answer,
)
from assistant.settings import Settings
from assistant.text.cleaning import clean, clean_history

if TYPE_CHECKING:
    pass

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


def warn_missing_quotes(reading: Reading) -> None:
    for name, source in reading.sources.items():
        if source is None:
            # The referral still happens, but without its quote: the clinic should know.
            log.warning("red-flag rules: the quote for %s is not in the indexed corpus", name)
