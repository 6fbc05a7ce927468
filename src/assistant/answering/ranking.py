"""The learned sentence ranker: which sentence of the retrieved passages answers the question.

A logistic model over a few features of each candidate sentence (the composer's hand-set
score and its parts: similarity to the question, question words it shares, its heading's
words, its passage's rank, whether it is the kind of statement the question asks for; and its
form: a list item, a lead-in, a sentence leaning on the one before, its position and length).
It was trained on the sentences blind writers marked as answering their questions
(`training/answers/`, `assistant ranker train`). The composer opens the answer with the
sentence it ranks first. Weights are a handful of numbers in `ranker_model.json`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

FEATURES = (
    "hand_score",
    "similarity",
    "question_words",
    "heading_words",
    "passage_rank",
    "kind_matches",
    "list_item",
    "lead_in",
    "leans_back",
    "usable",
    "first_in_passage",
    "words",
)


@dataclass(frozen=True)
class Ranker:
    """Weights per feature, a bias, and what they were trained on."""

    weights: tuple[float, ...]
    bias: float
    meta: dict[str, Any]

    def score(self, features: list[tuple[float, ...]]) -> list[float]:
        """Each candidate's probability of answering the question, rounded (fixed order)."""
        found = []
        for row in features:
            logit = self.bias + math.fsum(w * x for w, x in zip(self.weights, row, strict=True))
            found.append(round(1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit)))), 6))
        return found

    def save(self, path: Path) -> None:
        data = {"features": FEATURES, "weights": self.weights, "bias": self.bias, **self.meta}
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> Ranker:
        data = json.loads((path or model_path()).read_text(encoding="utf-8"))
        if tuple(data.pop("features")) != FEATURES:
            raise ValueError("the ranker was trained on other features; retrain it")
        weights, bias = tuple(data.pop("weights")), float(data.pop("bias"))
        return cls(weights, bias, data)


def model_path() -> Path:
    return Path(str(resources.files("assistant.answering") / "ranker_model.json"))
