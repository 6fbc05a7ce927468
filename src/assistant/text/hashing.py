"""Hashed word and character n-gram counts, exactly as scikit-learn's `HashingVectorizer` gives
them (no accent stripping, no lower-casing, no alternating sign), without importing
scikit-learn: its import takes ~1.2 s, which a start would pay at its first question. The
learned models (triage, scope gate, question kinds, follow-ups) were trained on scikit-learn's
matrices; `tests/unit/test_hashing.py` holds this one to them, bit for bit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

WHITE_SPACES = re.compile(r"\s\s+")


class NgramHasher:
    """Texts → a sparse matrix (CSR, float64, `n_features` columns) of their n-gram counts,
    each row scaled to unit length when `norm` is "l2"."""

    def __init__(
        self,
        analyzer: Literal["word", "char_wb"],
        ngram_range: tuple[int, int],
        n_features: int,
        *,
        token_pattern: str = r"(?u)\b\w\w+\b",
        norm: Literal["l2"] | None = "l2",
    ) -> None:
        self.analyzer, self.ngram_range, self.n_features = analyzer, ngram_range, n_features
        self.tokens = re.compile(token_pattern)
        if self.tokens.groups > 1:
            raise ValueError("a token pattern may capture one group at most")
        self.norm = norm

    def grams(self, text: str) -> list[str]:
        """The n-grams of `text`, in scikit-learn's order and multiplicity."""
        if self.analyzer == "word":
            return word_ngrams(self.tokens.findall(text), self.ngram_range)
        return char_wb_ngrams(text, self.ngram_range)

    def transform(self, texts: Iterable[str]) -> Any:
        """The count matrix of `texts` (one row each)."""
        import mmh3
        import numpy as np
        from scipy import sparse

        if isinstance(texts, str):
            raise ValueError("expected an iterable of texts, not one text")
        indices: list[int] = []
        values: list[int] = []
        indptr = [0]
        for text in texts:
            # abs() of the signed 32-bit hash, as scikit-learn's (its -2**31 case included).
            counts = Counter(
                abs(mmh3.hash(g, 0, signed=True)) % self.n_features for g in self.grams(text)
            )
            for index in sorted(counts):
                indices.append(index)
                values.append(counts[index])
            indptr.append(len(indices))
        if len(indptr) == 1:
            raise ValueError("no text to hash")
        data = np.asarray(values, dtype=np.float64)
        if self.norm == "l2":
            # Squares of counts are whole numbers: their sum is exact in any order.
            rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(indptr) - 1))
            data /= norms[rows]
        return sparse.csr_matrix(
            (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
            shape=(len(indptr) - 1, self.n_features),
        )


def word_ngrams(tokens: list[str], ngram_range: tuple[int, int]) -> list[str]:
    """Word n-grams (joined by one space): all n-grams of the smallest n first, then larger."""
    low, high = ngram_range
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams inside each word padded with a space either side; a word shorter than
    n gives itself once."""
    low, high = ngram_range
    grams: list[str] = []
    for word in WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            grams.append(padded[:n])
            if len(padded) <= n:
                break  # (a short word, counted once)
            grams.extend(padded[i : i + n] for i in range(1, len(padded) - n + 1))
    return grams
