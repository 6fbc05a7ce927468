"""Which sections of an article teach an exercise, read from its Markdown at ingest.

An exercise is a heading over two or more list items (its steps) whose first step puts the
body in a starting position: it starts with one of the lexicon's `exercise_starts` words, after
an optional label ("Starting Position: Begin by kneeling…"). The heading names the exercise,
without its list number or a subtitle after a colon ("3. Bird Dog Exercise: Core Strengthening"
→ "Bird Dog Exercise"). A clinic's new article with a "Clamshell" section and steps is then
known with no change to code or lexicon.

A section's dose is the holds and repetitions its text prescribes, verbatim: time spans
("30 seconds to one minute", "a few seconds") and counts ("three times", "2-3 sets"). They are
derived for any section, exercise or not (an article may teach a stretch in prose).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.lexicon import load_lexicon

MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
LABEL = re.compile(r"^[A-Z][\w /&-]{0,40}:\s+")  # "Starting Position: ", "Forward Lunge: "
NUMBER = re.compile(r"^\d+[.)]\s*")
FIRST_WORD = re.compile(r"[a-z]+")
AMOUNT = (
    r"(?:\d+|one|two|three|four|five|six|eight|ten|twelve|fifteen|twenty|thirty|sixty"
    r"|a few|a couple of|several)"
)
SPAN = rf"{AMOUNT}(?:\s*(?:-|–|to|or)\s*{AMOUNT})?"
HOLD = re.compile(
    rf"\b{SPAN}[\s-]+(?:seconds?|secs?|minutes?|mins?|breaths?)\b"
    r"(?:\s+to\s+(?:a|one|\d+)\s+minutes?\b)?",
    re.IGNORECASE,
)
REPETITIONS = re.compile(
    rf"\b{SPAN}\s+(?:repetitions|reps|sets|times|rounds)\b(?:\s+(?:on )?each side\b)?"
    r"|\b(?:once|twice) (?:a|per|each) (?:day|week|side)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Dose:
    """The holds and repetitions a section prescribes, as its text words them."""

    holds: tuple[str, ...] = ()
    repetitions: tuple[str, ...] = ()


def dose(text: str) -> Dose:
    """Every hold and repetition phrase in `text`, each once, in reading order."""

    def found(pattern: re.Pattern[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(" ".join(m.group(0).split()) for m in pattern.finditer(text)))

    return Dose(found(HOLD), found(REPETITIONS))


def first_words(item: str) -> set[str]:
    """The first word of a list item, lower-cased, after its marker and quotes — both before
    and after a label ("Starting Position: Begin…" → starting, begin; "Lie on your back: knees
    bent" → lie, knees)."""
    quotes = " \"“'‘*_"
    text = MARKER.sub("", item).lstrip(quotes)
    found = set()
    for candidate in (text, LABEL.sub("", text).lstrip(quotes)):
        word = FIRST_WORD.match(candidate.lower())
        if word:
            found.add(word.group(0))
    return found


def exercise_name(section: str, items: Sequence[str]) -> str:
    """The exercise the section teaches, "" when it is not one. `items` are its list items."""
    if len(items) < 2 or not section:
        return ""
    starts = load_lexicon().exercise_starts
    if not first_words(items[0]) & starts:
        return ""
    return NUMBER.sub("", section.strip("*_ ")).split(":", 1)[0].strip("*_ ")
