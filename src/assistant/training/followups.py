"""Training the follow-up model (`assistant followups train`) from the blind-written client
questions: every answerable follow-up after its client's earlier question leans back; every
stand-alone question, asked after the previous stand-alone question of its batch, does not.
The dev suite's follow-ups are training data too. Fixed seed; the threshold is chosen on
out-of-fold probabilities (whole batches held out) so that at most MISSED of the follow-ups
are read on their own: a lost thread costs a client more than a question read with too much
context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.data import Question, load_split
from assistant.answering.followups import (
    N_FEATURES,
    RARE,
    WORD_NGRAMS,
    Corpus,
    FollowUps,
    Pairing,
    design,
)
from assistant.errors import AssistantError
from assistant.safety.data import fingerprint

DEV_SUITE = "answers.yaml"  # in the evals folder: its follow-ups are training data too
SEED = 20261202
FOLDS = 5
C = 4.0
MISSED = 0.02


@dataclass(frozen=True)
class Pair:
    """A question after an earlier one, and whether it leans on it."""

    batch: str
    previous: str
    question: str
    leans: bool


def pairs(rows: Sequence[Question]) -> list[Pair]:
    """Follow-ups with their client's last question (leaning), and stand-alone questions (not
    leaning) after the previous stand-alone question of their batch and, when there is one,
    after the previous one answered from the same section: a client's next question is often
    on the same topic and still stands alone. Out-of-scope rows aside."""
    found: list[Pair] = []
    last: dict[str, str] = {}
    same: dict[tuple[str, str, str], str] = {}
    for row in rows:
        if not row.in_scope:
            continue
        if row.history:
            found.append(Pair(row.batch, row.history[-1], row.question, True))
            continue
        topic = (row.batch, row.docs[0] if row.docs else "", row.section)
        for earlier in dict.fromkeys([last.get(row.batch), same.get(topic)]):
            if earlier is not None:
                found.append(Pair(row.batch, earlier, row.question, False))
        last[row.batch] = same[topic] = row.question
    return found


def dev_pairs(path: Path) -> list[Pair]:
    """The dev suite's follow-up cases (all lean on their history)."""
    from assistant.evaluation.cases import load_suite

    return [Pair(path.stem, c.history[-1], c.question, True) for c in load_suite(path) if c.history]


def read(found: Sequence[Pair], corpus: Corpus) -> list[Pairing]:
    """What the model reads about each pair, as at run time."""
    return [Pairing.of(p.question, p.previous, corpus) for p in found]


def fit(
    found: Sequence[Pair], pairings: Sequence[Pairing], idf: Mapping[str, float]
) -> tuple[np.ndarray, float]:
    """Logistic weights (balanced classes, fixed seed), float32-exact as they are stored."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=SEED)
    model.fit(design(pairings, idf), [p.leans for p in found])
    weights = model.coef_[0].astype(np.float32).astype(np.float64)
    return weights, float(np.float32(model.intercept_[0]))


def out_of_fold(
    found: Sequence[Pair], pairings: Sequence[Pairing], idf: Mapping[str, float]
) -> np.ndarray:
    """Each pair's probability from a model that never saw its batch."""
    batches = sorted({p.batch for p in found})
    group = {b: i % FOLDS for i, b in enumerate(batches)}
    folds = np.array([group[p.batch] for p in found])
    result = np.zeros(len(found))
    for fold in range(FOLDS):
        kept = [int(i) for i in np.flatnonzero(folds != fold)]
        held = [int(i) for i in np.flatnonzero(folds == fold)]
        if not held or not kept:
            continue  # fewer batches than folds
        weights, bias = fit([found[i] for i in kept], [pairings[i] for i in kept], idf)
        model = FollowUps(weights, bias, 0.5, {})
        result[held] = model.probability([pairings[i] for i in held], idf)
    return result


def choose(probabilities: np.ndarray, found: Sequence[Pair]) -> float:
    """The highest threshold that reads at most MISSED of the follow-ups on their own."""
    leaning = np.sort(probabilities[np.array([p.leans for p in found], dtype=np.bool_)])
    if not len(leaning):
        raise AssistantError("the follow-up model needs follow-ups to train on")
    return float(leaning[int(MISSED * len(leaning))])


def rates(model: FollowUps, found: Sequence[Pair], corpus: Corpus) -> dict[str, Any]:
    """Follow-ups read with their context, and stand-alone questions given context wrongly."""
    said = [model.leans(p, corpus.idf) for p in read(found, corpus)]
    leaning = [s for s, p in zip(said, found, strict=True) if p.leans]
    alone = [s for s, p in zip(said, found, strict=True) if not p.leans]
    return {
        "follow_ups": len(leaning),
        "stand_alone": len(alone),
        "follow_ups_kept": round(sum(leaning) / max(1, len(leaning)), 4),
        "stand_alone_given_context": round(sum(alone) / max(1, len(alone)), 4),
    }


def train(
    documents: Mapping[str, str],
    corpus: Corpus,
    out: Path,
    log: Callable[[str], object] = print,
    *,
    root: Path,
    evals: Path,
) -> FollowUps:
    """Fit on the training batches in `root` and the dev suite in `evals`, choose the threshold
    out of fold, measure on the validation batches, and save with data fingerprint, settings
    and numbers."""
    split = load_split(root, documents)
    found = pairs(split.train) + dev_pairs(evals / DEV_SUITE)
    held = pairs(split.validation)
    log(f"follow-ups: {len(found)} training pairs, {len(held)} validation pairs")
    pairings, idf = read(found, corpus), corpus.idf
    threshold = round(choose(out_of_fold(found, pairings, idf), found), 6)
    weights, bias = fit(found, pairings, idf)
    model = FollowUps(weights, bias, threshold, {})
    files = [*sorted((root / "batches").glob("*.jsonl")), root / "split.yaml", evals / DEV_SUITE]
    model.meta.update(
        {
            "data": {"fingerprint": fingerprint(files), "train_pairs": len(found)},
            "settings": {"seed": SEED, "c": C, "folds": FOLDS, "missed": MISSED, "rare": RARE,
                         "n_features": N_FEATURES, "word_ngrams": list(WORD_NGRAMS)},
            "validation": rates(model, held, corpus),
        }
    )  # fmt: skip
    model.save(out)
    return model
