"""The learned part of the triage: linear heads over word and character n-grams and, optionally,
over sentence embeddings, with fixed weights loaded from the package.

Scores are plain float64 arithmetic in a fixed order, rounded to six decimals, so the same text
gets the same score in every process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from assistant.indexing.embeddings import Embed
from assistant.text.hashing import NgramHasher

if TYPE_CHECKING:
    from assistant.indexing.encoder import Encoder

Matrix = NDArray[np.float64]

# Besides one output per rule: any warning sign at all, a message describing symptoms (for the
# safety notice) and a question about warning signs (answered from the corpus, not referred).
EXTRA_OUTPUTS = ("refer", "symptoms", "warning_question")
N_FEATURES = 2**20
WORD_NGRAMS = (1, 3)
CHAR_NGRAMS = (2, 5)
TOKEN_PATTERN = r"(?u)\b\w+\b"


def hashers() -> tuple[NgramHasher, NgramHasher]:
    """The word and character n-gram hashers (stateless: nothing to store but their settings)."""
    word = NgramHasher("word", WORD_NGRAMS, N_FEATURES, token_pattern=TOKEN_PATTERN, norm=None)
    return word, NgramHasher("char_wb", CHAR_NGRAMS, N_FEATURES, norm=None)


class Scorer(Protocol):
    """Anything that gives each text a probability per output."""

    @property
    def outputs(self) -> tuple[str, ...]: ...

    def score(self, texts: Sequence[str]) -> Matrix: ...


@dataclass
class NgramModel:
    """Logistic heads over tf-idf weighted word (1-3) and character (2-5) n-grams.

    Only the hashed features seen in training are stored: `used` (sorted feature ids of the
    word block, then the char block offset by N_FEATURES), their idf and the heads' weights.
    """

    outputs: tuple[str, ...]
    used: NDArray[np.int64]
    idf: NDArray[np.float64]
    weights: NDArray[np.float64]  # (len(used), len(outputs))
    bias: NDArray[np.float64]  # (len(outputs),)
    _hashers: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)

    def features(self, texts: Sequence[str]) -> Any:
        """Sparse rows over `used`: sublinear tf × idf, each block L2-normalised."""
        from scipy import sparse

        return project(raw_counts(self.hashers_(), texts), self.used, self.idf, sparse)

    def hashers_(self) -> tuple[Any, Any]:
        if self._hashers is None:
            self._hashers = hashers()
        return self._hashers

    def score(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, len(self.outputs)))
        logits = self.features(texts) @ self.weights + self.bias
        return np.round(sigmoid(np.asarray(logits, dtype=np.float64)), 6)


@dataclass
class EmbeddingModel:
    """Logistic heads over the sentence embeddings of the bundled MiniLM model."""

    outputs: tuple[str, ...]
    weights: NDArray[np.float64]  # (384, len(outputs))
    bias: NDArray[np.float64]
    vectorize: Embed | None = field(default=None, repr=False, compare=False)

    def score(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, len(self.outputs)))
        if self.vectorize is None:
            raise RuntimeError("the embedding model needs the sentence embeddings")
        # Rounded before the heads so that last-bit differences between CPUs do not count.
        vectors = np.round(np.asarray(self.vectorize(list(texts)), dtype=np.float64), 5)
        return np.round(sigmoid(vectors @ self.weights + self.bias), 6)


@dataclass
class Blend:
    """Several models whose scores are averaged. Not a Scorer itself: each part reads its own
    texts of a conversation, and `reading.Reader` combines them."""

    parts: tuple[Scorer, ...]

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.parts[0].outputs


Model = Scorer | Blend  # what a detector runs and what is saved


def raw_counts(pair: tuple[Any, Any], texts: Sequence[str]) -> Any:
    """Hashed word and character n-gram counts side by side (2 × N_FEATURES columns, CSR with
    sorted column indices)."""
    from scipy import sparse

    word, char = pair
    counts = sparse.hstack([word.transform(texts), char.transform(texts)]).tocsr()
    counts.sort_indices()
    return counts


def project(counts: Any, used: NDArray[np.int64], idf: NDArray[np.float64], sparse: Any) -> Any:
    """Keep the used columns, weigh them (1 + log tf) × idf, L2-normalise each block (the word
    n-grams, then the character n-grams)."""
    position = np.searchsorted(used, counts.indices)
    known = position < len(used)
    known[known] = used[position[known]] == counts.indices[known]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[known]
    columns = position[known]
    data = (1.0 + np.log(counts.data[known].astype(np.float64))) * idf[columns]
    split = int(np.searchsorted(used, N_FEATURES))
    for block in (columns < split, columns >= split):
        norms = np.zeros(counts.shape[0])
        np.add.at(norms, rows[block], data[block] ** 2)
        norms = np.sqrt(norms)
        norms[norms == 0] = 1.0
        data[block] = data[block] * (1.0 / norms[rows[block]])
    return sparse.csr_matrix((data, (rows, columns)), shape=(counts.shape[0], len(used)))


def sigmoid(x: Matrix) -> Matrix:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -40, 40))), dtype=np.float64)


# ------------------------------------------------------------------ the artefact on disk


def save(model: Model, folder: Path, meta: dict[str, Any]) -> None:
    """Write the model's arrays (`weights.npz`) and what it is (`model.json`) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, NDArray[Any]] = {}
    kinds = []
    from assistant.safety.contrastive import ContrastiveModel
    from assistant.safety.finetune import FineTunedModel

    parts = model.parts if isinstance(model, Blend) else (model,)
    for i, part in enumerate(parts):
        if isinstance(part, NgramModel):
            kinds.append("ngram")
            arrays |= {f"{i}.used": part.used, f"{i}.idf": part.idf.astype(np.float32)}
        elif isinstance(part, EmbeddingModel):
            kinds.append("embedding")
        elif isinstance(part, ContrastiveModel):
            kinds.append("contrastive")
            arrays |= {f"{i}.layer.{name}": value for name, value in part.layers.items()}
        elif isinstance(part, FineTunedModel):
            kinds.append("finetuned")
            arrays |= {f"{i}.layer.{name}": value for name, value in part.layers.items()}
            arrays |= {f"{i}.weights": part.head_weight, f"{i}.bias": part.head_bias}
            continue
        else:  # pragma: no cover - only these kinds exist
            raise TypeError(type(part).__name__)
        arrays |= {
            f"{i}.weights": part.weights.astype(np.float32),
            f"{i}.bias": part.bias.astype(np.float32),
        }
    np.savez_compressed(folder / "weights.npz", **arrays)  # type: ignore[arg-type]
    meta = {"parts": kinds, "outputs": list(model.outputs), **meta}
    (folder / "model.json").write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n")


def load(
    folder: Path, vectorize: Embed | None = None, encoder: Encoder | None = None
) -> tuple[Model, dict[str, Any]]:
    """The model saved in `folder`, and its metadata (thresholds, data, settings, numbers).

    A fine-tuned part runs its lower layers in `encoder` (shared with the question's sentence
    vector) when one is given, else in its own copy of the bundled model."""
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    outputs = tuple(meta["outputs"])
    with np.load(folder / "weights.npz") as arrays:
        parts: list[Scorer] = []
        for i, kind in enumerate(meta["parts"]):
            weights = arrays[f"{i}.weights"].astype(np.float64)
            bias = arrays[f"{i}.bias"].astype(np.float64)
            if kind == "ngram":
                used = arrays[f"{i}.used"].astype(np.int64)
                idf = arrays[f"{i}.idf"].astype(np.float64)
                parts.append(NgramModel(outputs, used, idf, weights, bias))
            elif kind == "finetuned":
                from assistant.safety.finetune import FineTunedModel

                prefix = f"{i}.layer."
                layers = {k[len(prefix) :]: arrays[k] for k in arrays.files if k.startswith(prefix)}
                tuned = FineTunedModel(
                    outputs, layers, arrays[f"{i}.weights"], arrays[f"{i}.bias"], encoder
                )
                tuned.parts()  # build the encoder now, at start-up, not on the first question
                parts.append(tuned)
            elif kind == "contrastive":
                from assistant.safety.contrastive import ContrastiveModel

                prefix = f"{i}.layer."
                layers = {k[len(prefix) :]: arrays[k] for k in arrays.files if k.startswith(prefix)}
                parts.append(ContrastiveModel(outputs, layers, weights, bias, encoder))
            else:
                parts.append(EmbeddingModel(outputs, weights, bias, vectorize))
    model: Model = parts[0] if len(parts) == 1 else Blend(tuple(parts))
    return model, meta
