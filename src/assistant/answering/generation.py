"""Optional language-model answers: the backends, streaming, and the fall-back to quoting.

A model only ever writes an in-scope answer from the retrieved passages (triage and the scope
gate have run before it is called), and what it writes is shown only after `verify` passes;
otherwise the extractive answer is shown with a note saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.answer import Citation
from assistant.answering.grounding import build_messages
from assistant.answering.verification import Claim, verify
from assistant.indexing.chunking import Chunk
from assistant.indexing.embeddings import Embed

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.settings import Settings

log = logging.getLogger(__name__)
UNAVAILABLE_NOTE = (
    "The language model is unavailable ({reason}), so this answer quotes the sources."
)
UNVERIFIED_NOTE = (
    "The language model's answer could not be verified against the sources, so this answer "
    "quotes them directly."
)


@dataclass(frozen=True)
class Written:
    """A verified model answer, or the reason there is none."""

    text: str = ""
    citations: tuple[Citation, ...] = ()
    problem: str | None = None  # why the extractive answer is shown instead
    note: str | None = None  # what the user is told about it


class Generator:
    """Asks a chat model to answer from numbered passages and verifies what it wrote."""

    def __init__(
        self,
        name: str,
        model: BaseChatModel | None,
        *,
        vectors: Embed | None = None,
        unavailable: str | None = None,
    ):
        self.name = name
        self.model = model
        self.vectors = vectors
        self.unavailable = unavailable if model is None else None

    def with_vectors(self, vectors: Embed) -> Generator:
        """The same generator, verifying with `vectors` (one given without any)."""
        return Generator(self.name, self.model, vectors=vectors, unavailable=self.unavailable)

    def stream(
        self, question: str, chunks: Sequence[Chunk], history: Sequence[str] = ()
    ) -> Iterator[str | Written]:
        """Text pieces as the model writes them, then the verified `Written` result."""
        if self.model is None:
            reason = self.unavailable or "no model is configured"
            yield Written(problem=reason, note=UNAVAILABLE_NOTE.format(reason=reason))
            return
        pieces: list[str] = []
        try:
            for chunk in self.model.stream(build_messages(question, chunks, history)):
                piece = chunk.text
                if piece:
                    pieces.append(piece)
                    yield piece
        except Exception as exc:  # any failure of an optional backend falls back, never crashes
            reason = failure(exc)
            log.warning("generator %s failed: %s", self.name, reason)
            yield Written(problem=reason, note=UNAVAILABLE_NOTE.format(reason=reason))
            return
        yield self.check("".join(pieces), chunks)

    def check(self, text: str, chunks: Sequence[Chunk]) -> Written:
        """The answer with its citations renumbered, or why it can't be shown."""
        verdict = verify(text, chunks, self.vectors)
        if not verdict.ok:
            problem = f"unverified: {verdict.problem}"
            log.info("generator %s: %s", self.name, problem)
            return Written(problem=problem, note=UNVERIFIED_NOTE)
        body, citations = lay_out(verdict.claims, chunks)
        return Written(body, tuple(citations))


def lay_out(claims: list[Claim], chunks: Sequence[Chunk]) -> tuple[str, list[Citation]]:
    """The claims as text with `[n]` numbered by first use, and one citation per passage."""
    numbers: dict[int, int] = {}
    lines: dict[int, list[str]] = {}
    prefixes: dict[int, str] = {}
    for claim in claims:
        used = [numbers.setdefault(n, len(numbers) + 1) for n in dict.fromkeys(claim.numbers)]
        marks = "".join(f"[{n}]" for n in used)
        lines.setdefault(claim.line, []).append(f"{claim.text} {marks}")
        prefixes.setdefault(claim.line, claim.prefix)
    text = "\n".join(list_marks(prefixes[line] for line in lines)[i] + " ".join(parts)
                     for i, parts in enumerate(lines.values()))  # fmt: skip
    citations = [
        Citation(new, c.doc_id, c.title, c.section, c.chunk_id, c.text, c.start, c.end)
        for old, new in numbers.items()
        for c in [chunks[old - 1]]
    ]
    return text, citations


def list_marks(prefixes: Iterable[str]) -> list[str]:
    """The model's list markers, renumbered: a numbered list counts 1, 2, 3… whatever it wrote."""
    marks, count = [], 0
    for prefix in prefixes:
        numbered = prefix[:1].isdigit()
        count = count + 1 if numbered else 0
        marks.append(f"{count}. " if numbered else ("- " if prefix else ""))
    return marks


def failure(exc: BaseException) -> str:
    """A short, question-free description of why the model call failed."""
    name = type(exc).__name__
    if "timeout" in name.lower() or "timed out" in str(exc).lower():
        return "it timed out"
    if "connect" in name.lower():
        return "its server could not be reached"
    return f"{name}: {' '.join(str(exc).split())[:120]}"


def load_generator(settings: Settings, vectors: Embed | None = None) -> Generator | None:
    """The configured backend, or None for the extractive default.

    A backend that can't be loaded (package or model file missing) is still returned, so every
    answer falls back with a note saying why instead of the app failing to start.
    """
    if settings.generator == "extractive":
        return None
    try:
        model = chat_model(settings)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200]
        log.warning("generator %s unavailable: %s", settings.generator, reason)
        return Generator(settings.generator, None, unavailable=reason)
    return Generator(describe(settings), model, vectors=vectors)


def describe(settings: Settings) -> str:
    """The backend and model, as shown in reports."""
    model = {
        "openai": settings.openai_model,
        "ollama": settings.ollama_model,
        "local": settings.local_model_path and settings.local_model_path.name,
    }.get(settings.generator)
    return f"{settings.generator}:{model}" if model else settings.generator


def chat_model(settings: Settings) -> BaseChatModel:
    """Build the LangChain chat model for `settings.generator` (imports only what it uses)."""
    if settings.generator == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=settings.openai_model or "",
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            timeout=settings.generation_timeout,
            max_retries=0,
            temperature=0,
            max_tokens=settings.max_answer_tokens,  # type: ignore[call-arg]
        )
    if settings.generator == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=settings.ollama_model or "",
            base_url=settings.ollama_base_url,
            temperature=0,
            num_predict=settings.max_answer_tokens,
            client_kwargs={"timeout": settings.generation_timeout},
        )
    if settings.generator == "local":
        from assistant.answering.llamacpp import load_llamacpp

        if settings.local_model_path is None:
            raise ValueError("ASSISTANT_LOCAL_MODEL_PATH is not set")
        return load_llamacpp(
            settings.local_model_path,
            threads=settings.local_threads,
            context=settings.local_context,
            max_tokens=settings.max_answer_tokens,
            timeout=settings.generation_timeout,
        )
    raise ValueError(f"unknown generator {settings.generator!r}")
