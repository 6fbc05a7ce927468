"""Training the sentence ranker (`assistant ranker train`): candidates come from the assistant's
own look-up and composer, labels from the sentences blind writers marked as the answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering.data import Question, load_split, plain
from assistant.answering.ranking import FEATURES, Ranker
from assistant.answering.scope_training import ROOT, fingerprint

if TYPE_CHECKING:
    from assistant.assistant import Assistant

SEED = 20261201
C = 1.0
NEGATIVES = 15
Group = tuple[np.ndarray, np.ndarray]  # a question's candidate features and labels


def answers(candidate: str, sentences: Sequence[str]) -> bool:
    """Whether a candidate sentence is one the writer marked (quoted without Markdown, maybe
    only in part)."""
    text = plain(candidate).lower()
    for sentence in sentences:
        marked = plain(sentence).lower()
        shorter = min(text, marked, key=len)
        if text == marked or (len(shorter.split()) >= 4 and (marked in text or text in marked)):
            return True
    return False


def gather(assistant: Assistant, rows: Sequence[Question]) -> list[Group]:
    """Per question: its candidates' features and which of them answer it."""
    found = []
    for row in rows:
        turn, retrieval = assistant.look_up(row.question, row.history)
        read = assistant.composer.read(turn, retrieval.passages, retrieval.vector)
        labels = np.array([answers(c.text, row.sentences) for c in read.candidates])
        found.append((np.array(read.features, dtype=np.float64).reshape(-1, len(FEATURES)), labels))
    return found


def differences(groups: Sequence[Group]) -> tuple[np.ndarray, np.ndarray]:
    """Feature differences of (answering, other) candidate pairs of each question, both ways
    round; at most NEGATIVES others per answering sentence, the best-scored by hand first."""
    hand = FEATURES.index("hand_score")
    rows, labels = [], []
    for x, y in groups:
        positives = np.flatnonzero(y)
        negatives = np.flatnonzero(~y)
        negatives = negatives[np.argsort(-x[negatives, hand], kind="stable")][:NEGATIVES]
        for p in positives:
            for n in negatives:
                rows += [x[p] - x[n], x[n] - x[p]]
                labels += [1, 0]
    width = len(FEATURES)
    return np.array(rows, dtype=np.float64).reshape(-1, width), np.array(labels, dtype=np.int64)


def top_one(
    groups: Sequence[tuple[np.ndarray, np.ndarray]], score: Callable[[np.ndarray], Any]
) -> float:
    """Share of questions whose best-scored usable candidate answers them."""
    usable = FEATURES.index("usable")
    hits = 0
    for x, y in groups:
        if not len(y):
            continue
        s = np.asarray(score(x), dtype=np.float64)
        s[x[:, usable] == 0] = -np.inf
        hits += bool(y[int(np.argmax(s))])
    return hits / len(groups)


def train(assistant: Assistant, out: Path, log: Callable[[str], object] = print) -> Ranker:
    """Fit the ranker on the training batches' answerable questions, compare it with the
    hand-set score on the validation batches, and save it with its data and numbers."""
    from sklearn.linear_model import LogisticRegression

    from assistant.corpus import load_corpus

    corpus = {d.doc_id: d.text for d in load_corpus(assistant.settings.corpus_dir)}
    split = load_split(ROOT, corpus)
    train_rows = [q for q in split.train if q.in_scope]
    held = [q for q in split.validation if q.in_scope]
    log(f"ranker: reading {len(train_rows)} training and {len(held)} validation questions")
    groups, checks = gather(assistant, train_rows), gather(assistant, held)
    x, y = differences(groups)
    # Pairwise: the weights learn to put an answering sentence above the others of its own
    # question (what opening the answer needs), not to score sentences in isolation.
    model = LogisticRegression(C=C, fit_intercept=False, max_iter=5000, random_state=SEED)
    model.fit(x, y)
    ranker = Ranker(tuple(round(float(w), 6) for w in model.coef_[0]), 0.0, {})
    hand = FEATURES.index("hand_score")
    numbers = {
        "learned_top1": round(top_one(checks, lambda m: ranker.score([tuple(r) for r in m])), 4),
        "hand_top1": round(top_one(checks, lambda m: m[:, hand]), 4),
        "questions": len(checks),
    }
    files = [*sorted((ROOT / "batches").glob("*.jsonl")), ROOT / "split.yaml"]
    ranker = Ranker(
        ranker.weights,
        ranker.bias,
        {
            "data": {"fingerprint": fingerprint(files), "train_questions": len(train_rows),
                     "candidates": len(y), "answering": int(y.sum())},
            "settings": {"seed": SEED, "c": C},
            "validation": numbers,
        },
    )  # fmt: skip
    ranker.save(out)
    log(f"ranker: validation top-1 {numbers['learned_top1']:.1%} learned, "
        f"{numbers['hand_top1']:.1%} hand-set ({len(checks)} questions)")  # fmt: skip
    return ranker
