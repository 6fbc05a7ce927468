"""How a conversation is read and its scores combined, the same way in the product and in
training (out-of-fold scores, validation).

Each model reads texts of the conversation: the quick ones every turn whole, each clause of it
and the newest turns joined; the fine-tuned encoder (costly per text) each turn whole. An
output's score is, for each model, its highest score on any text it read, averaged over the
models of a blend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.safety.model import Blend, Matrix, Model, Scorer
from assistant.safety.segments import conversation, segments

CACHE_SIZE = 4096  # texts remembered per model: a chat re-reads its history every turn


@dataclass(frozen=True)
class Reading:
    """The texts of a conversation: `texts[i]` belongs to turn `turn[i]` (-1: turns joined);
    `whole[i]` says it is a turn whole (not a clause)."""

    texts: tuple[str, ...]
    turn: tuple[int, ...]
    whole: tuple[bool, ...]

    @property
    def newest(self) -> int:
        return max(self.turn, default=-1)


def read(messages: Sequence[str]) -> Reading:
    """Every text the triage scores in a conversation (oldest message first)."""
    texts, turns, whole = [], [], []
    for i, message in enumerate(messages):
        for j, text in enumerate(segments(message)):
            texts.append(text)
            turns.append(i)
            whole.append(j == 0)
    joined = conversation(messages)
    if joined:
        texts.append(joined)
        turns.append(-1)
        whole.append(False)
    return Reading(tuple(texts), tuple(turns), tuple(whole))


@dataclass(frozen=True)
class Scores:
    """A conversation's combined scores: `best` per output over everything read, `newest` over
    the newest message only, and per rule the text that scored highest (for the referral)."""

    best: np.ndarray
    newest: np.ndarray
    evidence: tuple[str, ...]
    clause_best: np.ndarray  # the first model's (it reads every clause) best, alone


class Reader:
    """Scores conversations with a model (or blend), remembering each text's scores."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.parts: tuple[Scorer, ...] = model.parts if isinstance(model, Blend) else (model,)
        self.caches: list[dict[str, np.ndarray]] = [{} for _ in self.parts]

    def prepare(self, readings: Sequence[Reading]) -> None:
        """Score, in bulk, every text of these readings that no cache holds yet."""
        for part, cache in zip(self.parts, self.caches, strict=True):
            clauses = reads_clauses(part)
            new = list(
                dict.fromkeys(
                    text
                    for reading in readings
                    for text, whole in zip(reading.texts, reading.whole, strict=True)
                    if (clauses or whole) and text not in cache
                )
            )
            if new:
                if len(cache) + len(new) > CACHE_SIZE:
                    cache.clear()
                cache.update(zip(new, part.score(new), strict=True))

    def scores(self, reading: Reading) -> Scores:
        """The combined scores of one reading (its texts are scored first if need be)."""
        self.prepare([reading])
        width = len(self.model.outputs)
        if not reading.texts:
            return Scores(np.zeros(width), np.zeros(width), (), np.zeros(width))
        best, newest = [], []
        evidence: tuple[str, ...] = ()
        for part, cache in zip(self.parts, self.caches, strict=True):
            clauses = reads_clauses(part)
            rows = [i for i, whole in enumerate(reading.whole) if clauses or whole]
            matrix: Matrix = np.array([cache[reading.texts[i]] for i in rows])
            best.append(matrix.max(axis=0))
            mine = [k for k, i in enumerate(rows) if reading.turn[i] == reading.newest]
            newest.append(matrix[mine].max(axis=0) if mine else np.zeros(width))
            if not evidence:
                evidence = tuple(reading.texts[rows[k]] for k in matrix.argmax(axis=0))
        combined = np.round(np.mean(best, axis=0), 6)
        latest = np.round(np.mean(newest, axis=0), 6)
        return Scores(np.asarray(combined), np.asarray(latest), evidence, np.asarray(best[0]))


def reads_clauses(part: Scorer) -> bool:
    """Whether a model reads clauses and joined turns, or each turn whole only."""
    return bool(getattr(part, "reads_clauses", True))


def row_scores(model: Model, conversations: Sequence[Sequence[str]]) -> Matrix:
    """Each conversation's combined best scores (as the product computes them)."""
    reader = Reader(model)
    readings = [read(turns) for turns in conversations]
    reader.prepare(readings)
    if not readings:
        return np.zeros((0, len(model.outputs)))
    return np.array([reader.scores(reading).best for reading in readings])
