"""Sentences that lean on the one before them ("This helps…", "They attach…")."""

from __future__ import annotations

import re

ANAPHOR = re.compile(r"^(?:this|these|those|they|them|such|it|its|that)\b", re.IGNORECASE)
# "It is important to…" points back at nothing.
EXPLETIVE = re.compile(r"^it(?:'s|’s| is| can be| may be)\s+(?:\w+\s+)?\w+\s+to\b", re.IGNORECASE)


def leans_back(sentence: str) -> bool:
    """Whether the sentence opens with a word that points at the sentence before it."""
    text = sentence.lstrip(" \"“'‘*-")
    return bool(ANAPHOR.match(text)) and not EXPLETIVE.match(text)
