"""The learned scope gate: does the corpus answer this question?

A logistic model, trained on blind-written in-scope and out-of-scope client questions
(`training/answers/`, `assistant scope train`), reads four things about a question in context:
its words (hashed word and character n-grams), its sentence vector (the one retrieval already
computed), how close the corpus came (the best passage's and the best sentence's similarity,
and the share of its words the corpus uses) and how close it comes to the labelled questions
(mean similarity of its NEIGHBOURS nearest in-scope and nearest out-of-scope ones).
Medicines stay out of scope by rule, whatever the model says. Weights are fixed and the
arithmetic is float64 in a fixed order, rounded, so the same question gets the same decision in
every process; no generative model takes part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant.answering.artefacts import load_model, packaged, save_model
from assistant.answering.retrieval import Retrieval
from assistant.lexicon import MEDICINE
from assistant.text.hashing import NgramHasher
from assistant.text.normalise import normalise

N_FEATURES = 2**18
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 4)
CLOSENESS = ("best_passage", "best_sentence", "coverage")
NEIGHBOURS = 5


def hashers() -> tuple[NgramHasher, NgramHasher]:
    """The word and character n-gram hashers (stateless: only their settings matter)."""
    word = NgramHasher("word", WORD_NGRAMS, N_FEATURES, token_pattern=r"(?u)\b\w+\b")
    return word, NgramHasher("char_wb", CHAR_NGRAMS, N_FEATURES)


@dataclass(frozen=True)
class Evidence:
    """What the gate reads about one question in context."""

    text: str  # the question as retrieval searched for it (with the earlier one, if it leans)
    vector: tuple[float, ...]
    closeness: tuple[float, float, float]

    @classmethod
    def of(cls, query: str, retrieval: Retrieval) -> Evidence:
        return cls(
            normalise(query),
            tuple(retrieval.vector),
            (retrieval.best_similarity, retrieval.best_sentence, retrieval.coverage),
        )


def design(
    evidence: list[Evidence], near: NDArray[np.float64], pair: tuple[Any, Any] | None = None
) -> Any:
    """The feature matrix (sparse): n-grams, the sentence vector, closeness, then `near` (the
    labelled-question neighbour features, one row per question)."""
    from scipy import sparse

    word, char = pair or hashers()
    texts = [e.text for e in evidence]
    dense = np.array([[*e.vector, *e.closeness] for e in evidence], dtype=np.float64)
    dense = np.hstack([dense.reshape(len(evidence), -1), near.reshape(len(evidence), -1)])
    dense = np.round(dense, 5)  # last-bit differences between CPUs do not count
    return sparse.hstack(
        [word.transform(texts), char.transform(texts), sparse.csr_matrix(dense)]
    ).tocsr()


def neighbours(
    vectors: NDArray[np.float64], references: NDArray[np.float64], labels: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Per question: mean similarity of its NEIGHBOURS closest in-scope references, of its
    closest out-of-scope ones, and their difference."""
    similarity = np.round(vectors @ references.T, 5)
    inside = np.sort(np.where(labels[None, :], similarity, -1.0), axis=1)[:, -NEIGHBOURS:]
    outside = np.sort(np.where(~labels[None, :], similarity, -1.0), axis=1)[:, -NEIGHBOURS:]
    a, b = inside.mean(axis=1), outside.mean(axis=1)
    return np.asarray(np.c_[a, b, a - b], dtype=np.float64)


@dataclass
class ScopeModel:
    """Logistic weights over `design` features, and the threshold chosen in training."""

    weights: NDArray[np.float64]
    bias: float
    threshold: float
    references: NDArray[np.float64]  # the labelled questions' sentence vectors
    labels: NDArray[np.bool_]  # which of them are in scope
    meta: dict[str, Any]
    _hashers: tuple[Any, Any] | None = None

    def probability(self, evidence: list[Evidence]) -> NDArray[np.float64]:
        if self._hashers is None:
            self._hashers = hashers()
        vectors = np.array([e.vector for e in evidence], dtype=np.float64)
        near = neighbours(vectors, self.references, self.labels)
        logits = design(evidence, near, self._hashers) @ self.weights + self.bias
        p = np.round(1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40))), 6)
        return np.asarray(p, dtype=np.float64)

    def in_scope(self, question: str, evidence: Evidence) -> tuple[bool, float]:
        """The decision and the probability behind it (medicines: out, probability 0, also when
        the earlier question the evidence leans on named one)."""
        if MEDICINE.search(question) or MEDICINE.search(evidence.text):
            return False, 0.0
        p = float(self.probability([evidence])[0])
        return p >= self.threshold, p

    def save(self, folder: Path) -> None:
        arrays = {
            "weights": self.weights.astype(np.float32),
            "references": self.references.astype(np.float32),
            "labels": self.labels,
        }
        meta = {"bias": self.bias, "threshold": self.threshold, **self.meta}
        save_model(folder, meta, arrays, "weights.npz")

    @classmethod
    def load(cls, folder: Path | None = None) -> ScopeModel:
        meta, arrays = load_model(folder or model_folder(), "weights.npz")
        weights = arrays["weights"].astype(np.float64)
        references = arrays["references"].astype(np.float64)
        labels = arrays["labels"].astype(np.bool_)
        bias, threshold = float(meta.pop("bias")), float(meta.pop("threshold"))
        return cls(weights, bias, threshold, references, labels, meta)


def model_folder() -> Path:
    """Where the packaged scope model lives."""
    return packaged("scope_model")
