"""What the sources prescribe for a problem a question names (overstretched → strengthen).

A remedy rarely repeats the problem's wording, so a remedy question's word search is widened
with the remedy's words, and sentences that only restate the problem are ranked down.
"""

from __future__ import annotations

import re

from assistant.intent import Intent, pattern, question_intents

# What the sources prescribe for a named problem: added to a remedy question's search words,
# because the remedy rarely repeats the problem's wording (overstretched → strengthen, balance).
REMEDIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        pattern(r"over-?stretch", r"too flexible", r"hypermobil", r"too loose"),
        "strengthen strengthening strong balance bridge",
    ),
    (pattern(r"tight", r"stiff", r"shorten"), "stretch stretching loosen"),
    (pattern(r"weak"), "strengthen strengthening strong"),
    (pattern(r"overuse", r"overdid", r"overtrain"), "rest resting recovery"),
)


def remedy_terms(question: str) -> str:
    """Words of the remedies for the problems a remedy question names ("" if none)."""
    intents = question_intents(question)
    if Intent.REMEDY not in intents or Intent.CAUSE in intents:
        return ""
    return " ".join(words for problem, words in REMEDIES if problem.search(question))


def problem_words(question: str) -> list[str]:
    """The problem wording of a question ("overstretching"), to spot sentences that restate it."""
    return [m.group(0) for problem, _ in REMEDIES for m in problem.finditer(question)]
