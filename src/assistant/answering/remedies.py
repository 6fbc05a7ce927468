"""What the sources prescribe for a problem a question names (overstretched → strengthen).

A remedy rarely repeats the problem's wording, so a remedy question's word search is widened
with the remedy's words, and sentences that only restate the problem are ranked down.
"""

from __future__ import annotations

import re

from assistant.answering.intent import Intent, question_intents
from assistant.lexicon import load_lexicon, words_pattern

# What the sources prescribe for a named problem (lexicon.yaml): added to a remedy question's
# search words, because the remedy rarely repeats the problem's wording.
REMEDIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (words_pattern(r.problem), r.remedy) for r in load_lexicon().remedies
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
