"""Training the sentence ranker (`assistant ranker train`): candidates come from the assistant's
own look-up and composer, labels from the sentences blind writers marked as the answer.

Pairwise logistic regression on feature differences (an answering sentence against the other
candidates of its question), fixed seed; a training question's support comes only from
questions of other batches (out of fold), as a new question's comes from all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering.data import Question, load_split
from assistant.answering.ranking import FEATURES, Memory, Ranker, marked
from assistant.safety.data import fingerprint
from assistant.training.scope import FOLDS

if TYPE_CHECKING:
    from assistant.assistant import Assistant

SEED = 20261201
C = 0.1
NEGATIVES = 15  # other candidates per answering sentence, the best-scored by hand first


@dataclass
class Group:
    """One question: its candidates' composer features, texts and labels, and its vector."""

    batch: str
    features: np.ndarray
    texts: list[str]
    labels: np.ndarray
    vector: np.ndarray
    sentences: tuple[str, ...]


def gather(assistant: Assistant, rows: Sequence[Question]) -> list[Group]:
    """Every question read through the assistant's own look-up and composer."""
    found = []
    for row in rows:
        turn, retrieval = assistant.look_up(row.question, row.history)
        read = assistant.composer.read(turn, retrieval.passages, retrieval.vector)
        texts = [c.text for c in read.candidates]
        found.append(
            Group(
                row.batch,
                np.array(read.features, dtype=np.float64).reshape(len(texts), -1),
                texts,
                np.array([marked(t, row.sentences) for t in texts], dtype=np.bool_),
                np.array(retrieval.vector, dtype=np.float32).astype(np.float64),
                row.sentences,
            )
        )
    return found


def with_support(groups: Sequence[Group], memory: Memory, out_of_fold: bool) -> list[np.ndarray]:
    """Each group's full feature rows: composer features, then support from the memory (for
    training groups, only from questions of other folds)."""
    batches = sorted({g.batch for g in groups})
    fold = {b: i % FOLDS for i, b in enumerate(batches)}
    folds = np.array([fold[g.batch] for g in groups])
    rows = []
    for group in groups:
        among = folds != fold[group.batch] if out_of_fold else None
        found = memory.support(group.vector.tolist(), group.texts, among)
        rows.append(np.hstack([group.features, np.array(found, dtype=np.float64).reshape(-1, 3)]))
    return rows


def differences(groups: Sequence[Group], rows: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Feature differences of (answering, other) pairs, both ways round."""
    hand = FEATURES.index("hand_score")
    pairs, labels = [], []
    for group, x in zip(groups, rows, strict=True):
        negatives = np.flatnonzero(~group.labels)
        negatives = negatives[np.argsort(-x[negatives, hand], kind="stable")][:NEGATIVES]
        for p in np.flatnonzero(group.labels):
            for n in negatives:
                pairs += [x[p] - x[n], x[n] - x[p]]
                labels += [1, 0]
    width = rows[0].shape[1] if len(rows) else len(FEATURES)  # FEATURES, maybe more columns
    return np.array(pairs).reshape(-1, width), np.array(labels, dtype=np.int64)


def top_one(
    groups: Sequence[Group], rows: Sequence[np.ndarray], score: Callable[..., Any]
) -> float:
    """Share of questions whose best-scored usable candidate answers them."""
    usable = FEATURES.index("usable")
    hits = 0
    for group, x in zip(groups, rows, strict=True):
        if not len(group.labels):
            continue
        if not x[:, usable].any():
            continue  # nothing could open the answer: a miss
        s = np.asarray(score(x), dtype=np.float64)
        s[x[:, usable] == 0] = -np.inf
        hits += bool(group.labels[int(np.argmax(s))])
    return hits / len(groups)


def train(assistant: Assistant, out: Path, log: Callable[[str], object] = print) -> Ranker:
    """Fit the ranker on the training batches' answerable questions, compare it with the
    hand-set score on the validation batches, and save it with its data and numbers."""
    from sklearn.linear_model import LogisticRegression

    from assistant.indexing.corpus import load_corpus

    corpus = {d.doc_id: d.text for d in load_corpus(assistant.settings.corpus_dir)}
    root = assistant.settings.answers_dir
    split = load_split(root, corpus)
    train_rows = [q for q in split.train if q.in_scope]
    held = [q for q in split.validation if q.in_scope]
    log(f"ranker: reading {len(train_rows)} training and {len(held)} validation questions")
    groups, checks = gather(assistant, train_rows), gather(assistant, held)
    memory = Memory(np.array([g.vector for g in groups]), tuple(g.sentences for g in groups))
    x, y = differences(groups, with_support(groups, memory, out_of_fold=True))
    model = LogisticRegression(C=C, fit_intercept=False, max_iter=5000, random_state=SEED)
    model.fit(x, y)
    weights = tuple(round(float(w), 6) for w in model.coef_[0])
    ranker = Ranker(weights, 0.0, memory, {})
    rows = with_support(checks, memory, out_of_fold=False)
    hand = FEATURES.index("hand_score")
    numbers = {
        "learned_top1": round(
            top_one(checks, rows, lambda m: ranker.score(list(map(tuple, m)))), 4
        ),
        "hand_top1": round(top_one(checks, rows, lambda m: m[:, hand]), 4),
        "questions": len(checks),
    }
    files = [*sorted((root / "batches").glob("*.jsonl")), root / "split.yaml"]
    ranker.meta.update(
        {
            "data": {"fingerprint": fingerprint(files), "train_questions": len(train_rows),
                     "followups": assistant.conversation.model.fingerprint,
                     "pairs": len(y)},
            "settings": {"seed": SEED, "c": C, "negatives": NEGATIVES, "folds": FOLDS},
            "validation": numbers,
        }
    )  # fmt: skip
    ranker.save(out)
    log(f"ranker: validation top-1 {numbers['learned_top1']:.1%} learned, "
        f"{numbers['hand_top1']:.1%} hand-set ({len(checks)} questions)")  # fmt: skip
    return ranker
