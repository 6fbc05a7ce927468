"""What kind of answer a question wants: a list, steps, numbers, a cause, a yes or no, a
description. Learned from the kinds blind writers gave their questions (`training/answers/`,
`assistant kinds train`): a multinomial logistic model over hashed word and character n-grams
of the question (with the earlier question when it leans on it and asks nothing of its own).
Fixed weights, rounded arithmetic: the same question gets the same kind in every process.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant.answering.artefacts import load_model, packaged, save_model
from assistant.text.hashing import NgramHasher
from assistant.text.normalise import normalise

N_FEATURES = 2**16
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 4)


class Kind(StrEnum):
    """The kinds of question the training data labels (its `type` field)."""

    LIST = "list"
    HOWTO = "how-to"
    NUMBERS = "numbers"
    WHY = "why"
    YES_NO = "yes-no"
    WHAT = "what"
    OTHER = "other"


def hashers() -> tuple[NgramHasher, NgramHasher]:
    """The word and character n-gram hashers (stateless: only their settings matter)."""
    word = NgramHasher("word", WORD_NGRAMS, N_FEATURES, token_pattern=r"(?u)\b\w+\b|<s>")
    return word, NgramHasher("char_wb", CHAR_NGRAMS, N_FEATURES)


def design(texts: list[str], pair: tuple[Any, Any] | None = None) -> Any:
    """The feature matrix (sparse) of the questions' n-grams, their start marked."""
    from scipy import sparse

    word, char = pair or hashers()
    marked = [f"<s> {normalise(t)}" for t in texts]
    return sparse.hstack([word.transform(marked), char.transform(marked)]).tocsr()


@dataclass
class Kinds:
    """Per-kind logistic weights (one column per kind, in `kinds` order)."""

    weights: NDArray[np.float64]  # (features, kinds)
    bias: NDArray[np.float64]
    kinds: tuple[Kind, ...]
    meta: dict[str, Any]
    _hashers: tuple[Any, Any] | None = None

    def scores(self, texts: list[str]) -> NDArray[np.float64]:
        if self._hashers is None:
            self._hashers = hashers()
        logits = design(texts, self._hashers) @ self.weights + self.bias
        return np.asarray(np.round(np.asarray(logits, dtype=np.float64), 5), dtype=np.float64)

    def kind(self, text: str) -> Kind:
        """The most likely kind of `text` (ties go to the first kind in order)."""
        return self.kinds[int(np.argmax(self.scores([text])[0]))]

    def save(self, folder: Path) -> None:
        arrays: dict[str, np.ndarray] = {
            "weights": self.weights.astype(np.float32),
            "bias": self.bias,
        }
        meta = {"kinds": [str(k) for k in self.kinds], **self.meta}
        save_model(folder, meta, arrays, "weights.npz")

    @classmethod
    def load(cls, folder: Path | None = None) -> Kinds:
        meta, arrays = load_model(folder or model_folder(), "weights.npz")
        weights = arrays["weights"].astype(np.float64)
        bias = arrays["bias"].astype(np.float64)
        kinds = tuple(Kind(k) for k in meta.pop("kinds"))
        return cls(weights, bias, kinds, meta)


def model_folder() -> Path:
    """Where the packaged question-kind model lives."""
    return packaged("kinds_model")
