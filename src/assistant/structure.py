"""Which sections of an article teach an exercise, read from its Markdown at ingest.

An exercise is a heading over two or more list items (its steps) whose first step puts the
body in a starting position: it starts with one of the lexicon's `exercise_starts` words, after
an optional label ("Starting Position: Begin by kneeling…"). The heading names the exercise,
without its list number or a subtitle after a colon ("3. Bird Dog Exercise: Core Strengthening"
→ "Bird Dog Exercise"). A clinic's new article with a "Clamshell" section and steps is then
known with no change to code or lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.lexicon import load_lexicon

MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
LABEL = re.compile(r"^[A-Z][\w /&-]{0,40}:\s+")  # "Starting Position: ", "Forward Lunge: "
NUMBER = re.compile(r"^\d+[.)]\s*")
FIRST_WORD = re.compile(r"[a-z]+")


def first_word(item: str) -> str:
    """The first word of a list item, lower-cased, after its marker, label and quotes."""
    quotes = " \"“'‘*"
    text = LABEL.sub("", MARKER.sub("", item).lstrip(quotes)).lstrip(quotes)
    found = FIRST_WORD.match(text.lower())
    return found.group(0) if found else ""


def exercise_name(section: str, items: Sequence[str]) -> str:
    """The exercise the section teaches, "" when it is not one. `items` are its list items."""
    if len(items) < 2 or not section:
        return ""
    starts = load_lexicon().exercise_starts
    if first_word(items[0]) not in starts:
        return ""
    return NUMBER.sub("", section).split(":", 1)[0].strip()
