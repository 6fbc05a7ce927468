"""Fakes for the answering stage's logic: a corpus with no signal and a follow-up model that
leans back where it is told to."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from assistant.answering.followups import FollowUps, Pairing


class Flat:
    """A fake corpus: every text has the same vector and no word is rare."""

    @property
    def idf(self) -> dict[str, float]:
        return {}

    def vector(self, text: str) -> list[float]:
        return [1.0]

    def closest_sentence(self, vector: list[float]) -> float:
        return 0.0


class Leaning(FollowUps):
    """A fake follow-up model: leans back exactly on the questions it is given (on every
    question when `always`), and records what it was asked."""

    def __init__(self, *leaning: str, always: bool = False) -> None:
        super().__init__(np.zeros(1), 0.0, 0.5, {})
        self.leaning = set(leaning)
        self.always = always
        self.asked: list[tuple[str, str]] = []

    def leans(self, pairing: Pairing, idf: Mapping[str, float]) -> bool:
        self.asked.append((pairing.question, pairing.previous))
        return self.always or pairing.question in self.leaning
