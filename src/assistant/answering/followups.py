"""Follow-up questions: does this question lean on the one before it?

"how long per side though?", "and the bridge?" or "who came up with it?" only make sense with
the earlier question; "How do I do the bird dog?" stands on its own whatever came before. A
logistic model learned from blind-written follow-ups and stand-alone questions
(`training/answers/`, `assistant followups train`) decides, from the question's words (hashed
word n-grams, with its first words marked), its topic (how rare its rarest corpus word is, how
many of its words the corpus uses, how many it shares with the earlier question) and two
sentence-vector readings: how close it comes to the earlier question, and to the closest
sentence of the corpus on its own. The corpus's own word rarity (BM25 idf) and sentences stand
in for a list of topic words, so a new article's terms count with no code change. Weights are
fixed and the arithmetic is rounded float64, so the same conversation gets the same reading in
every process.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from assistant.answering.artefacts import load_model, packaged, save_model
from assistant.answering.intent import question_intents
from assistant.text.hashing import NgramHasher
from assistant.text.normalise import normalise
from assistant.text.terms import terms, words

N_FEATURES = 2**14
WORD_NGRAMS = (1, 3)
RARE = 1.5  # idf above which a corpus word names a topic rather than a common word
TOPIC = ("length", "rarest", "rare_words", "known_share", "shared")
VECTORS = ("similarity", "closeness")
REMEMBERED = 4096  # (question, earlier question) readings kept per process


class Corpus(Protocol):
    """What the follow-up reading needs from the indexed corpus (the retriever has it)."""

    @property
    def idf(self) -> Mapping[str, float]: ...

    def vector(self, text: str) -> list[float]: ...

    def closest_sentence(self, vector: list[float]) -> float: ...


@dataclass(frozen=True)
class Pairing:
    """What the model reads about a question asked after an earlier one."""

    previous: str
    question: str
    similarity: float  # cosine of the two questions' sentence vectors
    closeness: float  # of the corpus sentence closest to the question on its own

    @classmethod
    def of(cls, question: str, previous: str, corpus: Corpus) -> Pairing:
        vector = np.array(corpus.vector(question), dtype=np.float64)
        earlier = np.array(corpus.vector(previous), dtype=np.float64)
        return cls(
            previous,
            question,
            round(float(vector @ earlier), 5),
            round(corpus.closest_sentence(vector.tolist()), 5),
        )


def hasher() -> NgramHasher:
    """The word n-gram hasher (stateless: only its settings matter)."""
    return NgramHasher("word", WORD_NGRAMS, N_FEATURES, token_pattern=r"(?u)\b\w+\b|<s>")


def marked(question: str) -> str:
    """The question as the hasher reads it: normalised, its start marked ("<s> and the …")."""
    return f"<s> {normalise(question)}"


def topic(question: str, previous: str, idf: Mapping[str, float]) -> list[float]:
    """The TOPIC features of a question after `previous`, rounded (CPU-independent)."""
    asked = terms(question)
    known = [idf[t] for t in asked if t in idf]
    shared = set(asked) & set(terms(previous))
    values = [
        math.log1p(len(words(question))),
        max(known, default=0.0) / 5,
        float(sum(1 for v in known if v > RARE)),
        len(known) / max(1, len(asked)),
        len(shared) / max(1, len(set(asked))),
    ]
    return [round(v, 5) for v in values]


def design(pairings: Sequence[Pairing], idf: Mapping[str, float], hashed: Any = None) -> Any:
    """The feature matrix (sparse): n-grams, then TOPIC, then VECTORS."""
    from scipy import sparse

    hashed = hashed or hasher()
    grams = hashed.transform([marked(p.question) for p in pairings])
    dense = np.array(
        [[*topic(p.question, p.previous, idf), p.similarity, p.closeness] for p in pairings],
        dtype=np.float64,
    )
    dense = dense.reshape(len(pairings), len(TOPIC) + len(VECTORS))
    return sparse.hstack([grams, sparse.csr_matrix(dense)]).tocsr()


@dataclass
class FollowUps:
    """Logistic weights over `design` features and the threshold chosen in training."""

    weights: NDArray[np.float64]
    bias: float
    threshold: float
    meta: dict[str, Any]
    _hasher: Any = None

    def probability(self, pairings: Sequence[Pairing], idf: Mapping[str, float]) -> Any:
        if self._hasher is None:
            self._hasher = hasher()
        logits = design(pairings, idf, self._hasher) @ self.weights + self.bias
        return np.round(1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40))), 6)

    def leans(self, pairing: Pairing, idf: Mapping[str, float]) -> bool:
        """Whether the question needs the earlier one to be understood."""
        return bool(self.probability([pairing], idf)[0] >= self.threshold)

    @property
    def fingerprint(self) -> str:
        """A short hash of the weights and threshold: the models trained on questions read
        through this one record it, so a retrained follow-up model shows they are stale."""
        digest = hashlib.sha256(self.weights.astype(np.float32).tobytes())
        digest.update(repr((round(self.bias, 6), self.threshold)).encode())
        return digest.hexdigest()[:16]

    def save(self, folder: Path) -> None:
        meta = {"bias": self.bias, "threshold": self.threshold, **self.meta}
        save_model(folder, meta, {"weights": self.weights.astype(np.float32)}, "weights.npz")

    @classmethod
    def load(cls, folder: Path | None = None) -> FollowUps:
        meta, arrays = load_model(folder or model_folder(), "weights.npz")
        weights = arrays["weights"].astype(np.float64)
        return cls(weights, float(meta.pop("bias")), float(meta.pop("threshold")), meta)


def model_folder() -> Path:
    """Where the packaged follow-up model lives."""
    return packaged("followup_model")


@dataclass(frozen=True)
class Turn:
    """One question in context: `context` is the earlier question it leans on, if any."""

    question: str
    context: str = ""
    inherit_intent: bool = False

    @property
    def query(self) -> str:
        """What retrieval searches for."""
        return f"{self.context} {self.question}".strip() if self.context else self.question

    @property
    def intent_text(self) -> str:
        """Whose wording decides what kind of answer is wanted."""
        return self.query if self.inherit_intent else self.question


@dataclass
class Conversation:
    """Reads each question in the light of the earlier ones, with a `FollowUps` model and what
    it needs from the corpus."""

    model: FollowUps
    corpus: Corpus
    # Each turn re-reads the chat's history: earlier readings are remembered (a bounded memo).
    remembered: dict[tuple[str, str], bool] = field(default_factory=dict)

    def leans(self, question: str, previous: str) -> bool:
        """Whether `question` needs `previous` to be understood."""
        key = (question, previous)
        if key not in self.remembered:
            if len(self.remembered) >= REMEMBERED:
                self.remembered.pop(next(iter(self.remembered)))
            pairing = Pairing.of(question, previous, self.corpus)
            self.remembered[key] = self.model.leans(pairing, self.corpus.idf)
        return self.remembered[key]

    def contextualize(self, question: str, history: Sequence[str] = ()) -> Turn:
        """Attach the previous question (itself in context) when this one leans on it; a
        question that asks nothing of its own kind ("and the bridge?") also takes its intent."""
        if not history:
            return Turn(question)
        previous = self.contextualize(history[-1], history[:-1])
        if not self.leans(question, history[-1]):
            return Turn(question)
        return Turn(question, previous.query, inherit_intent=not question_intents(question))
