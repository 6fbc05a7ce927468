"""The word index: BM25 (Okapi, as rank-bm25 scores it) over every chunk, built at ingest and
kept in the generation's folder, so a start reads it instead of tokenising the corpus.

Each term's weight in each chunk is computed once into a sparse matrix (a row per term); a
query adds up the rows of its terms, in its order, which gives rank-bm25's `BM25Okapi` scores
bit for bit while touching only the chunks that hold a query term (rank-bm25 walks every chunk
for every term: ~4 queries/s at 57k chunks).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from assistant.text.terms import terms

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's defaults, which the suites were tuned with
MATRIX, META = "lexical.npz", "lexical.json"
FILES = (META, MATRIX)  # as a reader may check them


class LexicalIndex:
    """BM25 over chunks: `scores(query_terms)` gives one score per id in `ids`."""

    def __init__(
        self, ids: list[str], vocabulary: list[str], idf: np.ndarray, weights: sparse.csr_array
    ):
        self.ids = ids
        self.vocabulary = vocabulary
        self.row = {term: i for i, term in enumerate(vocabulary)}
        self.idf = dict(zip(vocabulary, idf.tolist(), strict=True))
        self.weights = weights

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        """Index each text (a chunk's embedded text) under its id."""
        counts = [Counter(terms(text)) for text in texts]
        vocabulary = sorted({t for c in counts for t in c})
        row = {t: i for i, t in enumerate(vocabulary)}
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float64)
        size = len(counts)
        average = float(lengths.sum()) / size if size else 0.0
        holding = Counter(t for c in counts for t in c)
        # rank-bm25's floor for terms in over half the chunks: a share of the mean idf, summed
        # in the order terms first occur (so the float is the same to the last bit).
        first_seen = list(dict.fromkeys(t for c in counts for t in c))
        raw = {
            t: math.log(size - holding[t] + 0.5) - math.log(holding[t] + 0.5) for t in first_seen
        }
        total = 0.0
        for t in first_seen:
            total += raw[t]
        floor = EPSILON * (total / len(raw)) if raw else 0.0
        idf = np.array([raw[t] if raw[t] >= 0 else floor for t in vocabulary], dtype=np.float64)
        rows, cols, frequencies = [], [], []
        for doc, c in enumerate(counts):
            for term, frequency in c.items():
                rows.append(row[term])
                cols.append(doc)
                frequencies.append(frequency)
        tf = np.array(frequencies, dtype=np.float64)
        dl = lengths[np.array(cols, dtype=np.int64)] if cols else np.zeros(0)
        r = np.array(rows, dtype=np.int64)
        data = idf[r] * (tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / average))) if cols else tf
        weights = sparse.csr_array(
            (data, (r, np.array(cols, dtype=np.int64))), shape=(len(vocabulary), size)
        )
        return cls(list(ids), vocabulary, idf, weights)

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """One BM25 score per chunk (in `ids` order) for the query's terms, repeats counted."""
        total = np.zeros(len(self.ids))
        for term in query_terms:
            i = self.row.get(term)
            if i is None:
                continue
            start, end = self.weights.indptr[i], self.weights.indptr[i + 1]
            total[self.weights.indices[start:end]] += self.weights.data[start:end]
        return total

    def save(self, folder: Path) -> None:
        """Write the index into a generation's folder."""
        np.savez(
            folder / MATRIX,
            data=self.weights.data,
            indices=self.weights.indices,
            indptr=self.weights.indptr,
            idf=np.array([self.idf[t] for t in self.vocabulary], dtype=np.float64),
        )
        meta = {
            "ids": self.ids,
            "vocabulary": self.vocabulary,
            "k1": K1,
            "b": B,
            "epsilon": EPSILON,
        }
        (folder / META).write_text(json.dumps(meta), encoding="utf-8")

    @staticmethod
    def present(folder: Path) -> bool:
        """Whether a generation's folder holds a word index (without reading it)."""
        return (folder / META).is_file() and (folder / MATRIX).is_file()

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The index a generation's folder holds; None when it holds none (built before the
        index was kept) or one built with other settings."""
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            if (meta["k1"], meta["b"], meta["epsilon"]) != (K1, B, EPSILON):
                return None
            with np.load(folder / MATRIX) as arrays:
                shape = (len(meta["vocabulary"]), len(meta["ids"]))
                weights = sparse.csr_array(
                    (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
                )
                idf = arrays["idf"]
            return cls(meta["ids"], meta["vocabulary"], idf, weights)
        except (OSError, ValueError, KeyError):
            return None
