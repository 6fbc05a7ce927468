"""What the detector reads: a message normalised, and the pieces it is scored in.

A warning sign can hide in one clause of a long message or only appear when turns are read
together, so every message is scored whole, clause by clause, and joined to the turns before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text.normalise import normalise

# Sentence ends and the words that turn a message ("…, but now my leg is numb").
CLAUSE_BREAK = re.compile(
    r"[.;!?\n]+(?:\s|$)|[.;!?\n]{2,}|\s[-–—]+\s|\b(?:but|however|although|though|except|whereas)\b"
)
MIN_CLAUSE_WORDS = 2
MAX_SEGMENTS = 24  # per message: a wall of text is still read whole, and in its first clauses
CONVERSATION_TURNS = 6  # the turns a conversation is read across (the newest ones)


def clauses(text: str) -> list[str]:
    """The clauses of a normalised message that have at least two words."""
    parts = (part.strip(" ,:-") for part in CLAUSE_BREAK.split(text))
    return [part for part in parts if len(part.split()) >= MIN_CLAUSE_WORDS]


def segments(message: str) -> list[str]:
    """A normalised message whole, then each of its clauses (no repeats)."""
    text = normalise(message)
    if not text:
        return []
    found = [text]
    for clause in clauses(text):
        if clause not in found:
            found.append(clause)
        if len(found) >= MAX_SEGMENTS:
            break
    return found


def conversation(messages: Sequence[str]) -> str | None:
    """The newest turns read as one text, when there is more than one turn."""
    recent = [normalise(m) for m in messages[-CONVERSATION_TURNS:]]
    recent = [m for m in recent if m]
    if len(recent) < 2:
        return None
    return " . ".join(recent)
