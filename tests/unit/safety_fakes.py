"""Fakes for the triage's logic: a scorer driven by keywords, and labelled rows."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from assistant.safety.data import Example
from assistant.safety.learning import outputs_for
from assistant.safety.model import Matrix
from assistant.safety.rules import load_rules

OUTPUTS = outputs_for(load_rules().ids)


class KeywordScorer:
    """Scores a text by the keywords it contains. A keyword's score is shared out over the
    text's words beyond the fourth, so a long text dilutes it as a real model's score is."""

    def __init__(self, keywords: dict[str, dict[str, float]]) -> None:
        self.keywords = keywords
        self.outputs = OUTPUTS
        self.scored = 0

    def score(self, texts: Sequence[str]) -> Matrix:
        self.scored += len(texts)
        result = np.zeros((len(texts), len(self.outputs)))
        for row, text in enumerate(texts):
            dilution = max(1.0, len(text.split()) / 4)
            for keyword, outputs in self.keywords.items():
                if keyword in text:
                    for name, value in outputs.items():
                        column = self.outputs.index(name)
                        result[row, column] = max(result[row, column], value / dilution)
        return np.minimum(result, 1.0)


LINES = itertools.count(1)  # each example's line number, as a batch file would give


def example(turns: list[str], labels: set[str], batch: str = "t01", kind: str = "refer") -> Example:
    """A labelled row."""
    return Example(
        batch,
        next(LINES),
        tuple(turns),
        frozenset(labels),
        None,
        None,
        kind if labels else "question",
    )
