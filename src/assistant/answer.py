"""The one result type that the chat page, the CLI and the evals all consume."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OUT_OF_SCOPE_TEXT = (
    "That is outside what my sources cover, so I can't answer it reliably. I can help with the "
    "iliopsoas (hip flexor) muscle: where it is, what causes pain or tightness, stretches and "
    "strengthening exercises, how long to hold them, and when to see a doctor."
)


@dataclass(frozen=True)
class Citation:
    """A numbered source: `quote` is a verbatim slice `[start:end]` of the document file."""

    n: int
    doc_id: str
    title: str
    section: str
    chunk_id: str
    quote: str
    start: int
    end: int

    @property
    def place(self) -> str:
        """Document title and section, as shown beside a source."""
        if self.section and self.section != self.title:
            return f"{self.title} — {self.section}"
        return self.title

    def to_dict(self) -> dict[str, Any]:
        """The citation in the public JSON contract (its offsets stay on the object)."""
        return {k: v for k, v in asdict(self).items() if k not in ("start", "end")}


@dataclass(frozen=True)
class RedFlag:
    """A warning sign recognised in the user's words."""

    id: str
    label: str


@dataclass
class Answer:
    """An answer with its sources, scope decision, referral and timings."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    in_scope: bool = True
    referral: bool = False
    red_flags: list[RedFlag] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    generator: str = "extractive"  # the backend asked to write it
    fallback: str | None = None  # why a model's answer was replaced by the quoted sources
    note: str | None = None  # shown to the user with the answer (e.g. about that fallback)
    safety_notice: bool = False  # the answer ends with the notice listing warning signs

    def to_dict(self) -> dict[str, Any]:
        """The public JSON contract (documented in the README)."""
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "in_scope": self.in_scope,
            "referral": self.referral,
            "red_flags": [asdict(flag) for flag in self.red_flags],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "generator": self.generator,
            "fallback": self.fallback,
            "note": self.note,
            "safety_notice": self.safety_notice,
        }
