"""The learned sentence ranker: which sentence of the retrieved passages answers the question.

A logistic model over a few features of each candidate sentence (the composer's hand-set
score and its parts: similarity to the question, question words it shares, its heading's
words, its passage's rank, whether it is the kind of statement the question asks for; and its
form: a list item, a lead-in, a sentence leaning on the one before, its position and length).
It was trained on the sentences blind writers marked as answering their questions
(`training/answers/`, `assistant ranker train`), and it remembers them: a sentence that answered
training questions close to this one (by sentence vector) is "supported" (how close the nearest
of them is, the mean of the three nearest, and whether any marked it). The composer opens the
answer with the sentence it ranks first. A handful of weights, and the remembered questions'
vectors and marked sentences, are in `ranker_model/`.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant.answering.artefacts import load_model, packaged, save_model
from assistant.answering.data import plain

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
    "support_nearest",
    "support_three",
    "supported",
)
SUPPORT = 3  # the remembered questions the middle support feature averages


def marked(candidate: str, sentences: Sequence[str]) -> bool:
    """Whether a candidate sentence is one of the marked ones (quoted without Markdown, maybe
    only in part: a clause of at least four words)."""
    return matches(plain(candidate).lower(), [plain(s).lower() for s in sentences])


def matches(text: str, marks: Sequence[str]) -> bool:
    """`marked` on texts already made plain and lower case."""
    long_ = four_words(text)
    return any(quotes(text, long_, mark, four_words(mark)) for mark in marks)


def four_words(text: str) -> bool:
    """Whether `text` is long enough (four words) to count as quoted when found inside another."""
    return len(text.split()) >= 4


def quotes(text: str, text_long: bool, mark: str, mark_long: bool) -> bool:
    """Whether `text` and `mark` are the same, or the shorter (of at least four words: the
    `*_long` flags) is part of the other."""
    if text == mark:
        return True
    if len(text) <= len(mark):  # a longer text cannot be part of the mark (nor, equal, differ)
        return text_long and text in mark
    return mark_long and mark in text


@dataclass(eq=False)
class Memory:
    """Labelled questions remembered: their sentence vectors and the sentences that answer them."""

    vectors: NDArray[np.float64]  # (questions, 384)
    sentences: tuple[tuple[str, ...], ...]
    _marks: dict[str, NDArray[np.bool_]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Each distinct marked sentence (plain, lower case) once, whether it has four words, and the
    # questions that marked it: far fewer than the marks of every question (255 to 2,166), so
    # a new sentence is compared with each only once.
    _distinct: list[tuple[str, bool, NDArray[np.intp]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        holders: dict[str, list[int]] = {}
        for question, group in enumerate(self.sentences):
            for sentence in group:
                holders.setdefault(plain(sentence).lower(), []).append(question)
        self._distinct = [
            (mark, four_words(mark), np.array(sorted(set(questions)), dtype=np.intp))
            for mark, questions in holders.items()
        ]

    def marks(self, text: str) -> NDArray[np.bool_]:
        """Which remembered questions a sentence answers (worked out once per sentence)."""
        with self._lock:
            found = self._marks.get(text)
        if found is None:
            text_ = plain(text).lower()
            long_ = four_words(text_)
            found = np.zeros(len(self.sentences), dtype=np.bool_)
            for mark, mark_long, questions in self._distinct:
                if quotes(text_, long_, mark, mark_long):
                    found[questions] = True
            with self._lock:
                self._marks[text] = found
        return found

    def support(
        self, vector: Sequence[float], texts: Sequence[str], among: NDArray[np.bool_] | None = None
    ) -> list[tuple[float, float, float]]:
        """Per sentence: similarity of the nearest remembered question it answers, the mean of
        the SUPPORT nearest, and whether any (only questions in `among`, if given)."""
        similarity = np.round(self.vectors @ np.asarray(vector, dtype=np.float64), 5)
        found = []
        for text in texts:
            mask = self.marks(text) if among is None else self.marks(text) & among
            near = np.sort(similarity[mask])
            if not len(near):
                found.append((0.0, 0.0, 0.0))
                continue
            found.append((float(near[-1]), float(near[-SUPPORT:].mean()), 1.0))
        return found


@dataclass(frozen=True)
class Ranker:
    """Weights per feature, a bias, and what they were trained on."""

    weights: tuple[float, ...]
    bias: float
    memory: Memory
    meta: dict[str, Any]

    def rank(
        self, features: list[tuple[float, ...]], vector: Sequence[float], texts: Sequence[str]
    ) -> list[float]:
        """Each candidate's score: its composer features and its support."""
        support = self.memory.support(vector, texts)
        return self.score([(*f, *s) for f, s in zip(features, support, strict=True)])

    def score(self, features: list[tuple[float, ...]]) -> list[float]:
        """Each candidate's probability of answering the question, rounded (fixed order)."""
        found = []
        for row in features:
            logit = self.bias + math.fsum(w * x for w, x in zip(self.weights, row, strict=True))
            found.append(round(1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit)))), 6))
        return found

    def save(self, folder: Path) -> None:
        data = {"features": FEATURES, "weights": self.weights, "bias": self.bias, **self.meta}
        vectors = {"vectors": self.memory.vectors.astype(np.float32)}
        save_model(folder, data, vectors, "memory.npz")
        sentences = [list(s) for s in self.memory.sentences]
        (folder / "memory.json").write_text(json.dumps(sentences) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path | None = None) -> Ranker:
        folder = folder or model_folder()
        data, arrays = load_model(folder, "memory.npz")
        if tuple(data.pop("features")) != FEATURES:
            raise ValueError("the ranker was trained on other features; retrain it")
        weights, bias = tuple(data.pop("weights")), float(data.pop("bias"))
        vectors = arrays["vectors"].astype(np.float64)
        sentences = json.loads((folder / "memory.json").read_text(encoding="utf-8"))
        return cls(weights, bias, Memory(vectors, tuple(tuple(s) for s in sentences)), data)


def model_folder() -> Path:
    """Where the packaged sentence ranker lives."""
    return packaged("ranker_model")
