"""Follow-up questions: resolve "it" and "what about …" against the earlier turns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PRONOUN = re.compile(r"\b(?:it|that|this|those|these|them|the same|one)\b", re.IGNORECASE)
# Naming one of these makes a question stand on its own.
SPECIFIC = re.compile(
    r"\b(?:(?:ilio)?psoas|iliacus|hip flexor|hamstring|glute|bridge|lunge|bird ?dog|pigeon|frog|"
    r"cat-cow|cat cow|leg lowering|rolfing|massage|cupping|back pain|lower back|knee|thigh|groin|"
    r"pregnan\w*|runners?|sitting|posture|pelvi\w*|spine|femur|kneeling|half-kneeling|lying|bed)\b",
    re.IGNORECASE,
)
DEMONSTRATIVE = re.compile(
    r"\b(?:that|this|the same|those) (?:stretch|exercise|pose|one|move)", re.IGNORECASE
)
CONNECTOR = re.compile(r"^\s*(?:so|also|ok so|okay so|then|but|plus|btw)\b", re.IGNORECASE)
ELLIPSIS = re.compile(r"^\s*(?:and|what about|how about|and what about|same for)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    """One question in context: `context` is the earlier question it leans on, if any."""

    question: str
    context: str = ""
    inherit_intent: bool = False

    @property
    def query(self) -> str:
        """What retrieval searches for."""
        return f"{self.context} {self.question}".strip() if self.context else self.question

    @property
    def intent_text(self) -> str:
        """Whose wording decides what kind of answer is wanted."""
        return self.query if self.inherit_intent else self.question


def contextualize(question: str, history: Sequence[str] = ()) -> Turn:
    """Attach the previous question when this one cannot stand alone."""
    if not history:
        return Turn(question)
    previous = contextualize(history[-1], history[:-1])
    if ELLIPSIS.search(question):
        return Turn(question, previous.query, inherit_intent=True)
    # Leaning on the earlier question: "it"/"that", a connector ("so …", "also …"), or no
    # topic of its own ("how long do I keep going?").
    refers_back = (
        PRONOUN.search(question) or CONNECTOR.search(question) or not SPECIFIC.search(question)
    )
    if refers_back:
        return Turn(question, previous.query)
    return Turn(question)
