"""Training the scope gate (`assistant scope train`): from the blind-written client questions
and the dev suites, with fixed seeds, the threshold chosen on out-of-fold probabilities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering.data import Question, load_split
from assistant.answering.scope import (
    CHAR_NGRAMS,
    N_FEATURES,
    NEIGHBOURS,
    WORD_NGRAMS,
    Evidence,
    ScopeModel,
    design,
    neighbours,
)
from assistant.errors import AssistantError
from assistant.lexicon import MEDICINE
from assistant.safety.data import fingerprint  # the same hash of data files

if TYPE_CHECKING:
    from assistant.assistant import Assistant

DEV_SUITES = ("answers.yaml", "retrieval.yaml", "scope.yaml")  # training data too
SEED = 20261201
FOLDS = 5
C = 4.0
FALSE_REFUSALS = 0.03  # issue 11's target for answerable questions refused


@dataclass(frozen=True)
class Labelled:
    batch: str
    history: tuple[str, ...]
    question: str
    in_scope: bool


def labelled(
    root: Path, evals: Path, corpus: dict[str, str]
) -> tuple[list[Labelled], list[Labelled], list[Path]]:
    """Training rows (blind training batches in `root` and the dev suites in `evals`) and
    validation rows."""
    from assistant.evaluation.cases import load_suite

    split = load_split(root, corpus)

    def rows(found: Sequence[Question]) -> list[Labelled]:
        return [Labelled(q.batch, q.history, q.question, q.in_scope) for q in found]

    train = rows(split.train)
    suites = [evals / name for name in DEV_SUITES]
    for path in suites:
        for case in load_suite(path):
            # Answerable: labelled so, or given documents or facts to find.
            inside = case.in_scope is True or (
                case.in_scope is None and bool(case.any_of or case.all_of or case.expect_docs)
            )
            if inside or case.in_scope is False:
                train.append(Labelled(path.stem, tuple(case.history), case.question, inside))
    files = [*sorted((root / "batches").glob("*.jsonl")), root / "split.yaml", *suites]
    return train, rows(split.validation), files


def gather(assistant: Assistant, rows: Sequence[Labelled]) -> list[Evidence]:
    """What the gate reads about each row, through the assistant's own look-up."""
    found = []
    for row in rows:
        turn, retrieval = assistant.look_up(row.question, row.history)
        found.append(Evidence.of(turn.query, retrieval))
    return found


def fit(
    evidence: list[Evidence], near: np.ndarray, labels: Sequence[bool]
) -> tuple[np.ndarray, float]:
    """Logistic weights (balanced classes, fixed seed), float32-exact as they are stored."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=SEED)
    model.fit(design(evidence, near), np.array(labels, dtype=np.int64))
    weights = model.coef_[0].astype(np.float32).astype(np.float64)
    return weights, float(np.float32(model.intercept_[0]))


def folds(rows: Sequence[Labelled]) -> np.ndarray:
    """Each row's fold: whole batches dealt round-robin in name order."""
    batches = sorted({r.batch for r in rows})
    group = {b: i % FOLDS for i, b in enumerate(batches)}
    return np.array([group[r.batch] for r in rows])


def references(evidence: list[Evidence]) -> np.ndarray:
    """The sentence vectors as stored (float32), for neighbour features."""
    return np.array([e.vector for e in evidence], dtype=np.float32).astype(np.float64)


def near_out_of_fold(
    evidence: list[Evidence], rows: Sequence[Labelled], without: int | None = None
) -> np.ndarray:
    """Each training row's neighbour features among the rows of the other folds (a question
    never finds itself or its batch), leaving fold `without` out of the references too."""
    group, vectors = folds(rows), references(evidence)
    labels = np.array([r.in_scope for r in rows])
    near = np.zeros((len(rows), 3))
    for fold in range(FOLDS):
        held, kept = group == fold, (group != fold) & (group != without)
        near[held] = neighbours(vectors[held], vectors[kept], labels[kept])
    return near


def out_of_fold(evidence: list[Evidence], rows: Sequence[Labelled]) -> np.ndarray:
    """Each row's probability from a model that never saw its batch."""
    group, near = folds(rows), near_out_of_fold(evidence, rows)
    result = np.zeros(len(rows))
    for fold in range(FOLDS):
        held = [i for i in range(len(rows)) if group[i] == fold]
        kept = [i for i in range(len(rows)) if group[i] != fold]
        # The rows a fold model learns from never see the held-out fold, not even as neighbours.
        inner = near_out_of_fold(evidence, rows, without=fold)
        weights, bias = fit(
            [evidence[i] for i in kept], inner[kept], [rows[i].in_scope for i in kept]
        )
        logits = design([evidence[i] for i in held], near[held]) @ weights + bias
        result[held] = np.round(1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40))), 6)
    return result


def choose(probabilities: np.ndarray, rows: Sequence[Labelled]) -> float:
    """The highest threshold that refuses at most FALSE_REFUSALS of the answerable rows: a
    client's real question is answered first; out-of-scope ones are refused as far as that
    allows."""
    inside = np.sort(probabilities[np.array([r.in_scope for r in rows])])
    if not len(inside):
        raise AssistantError("the scope gate needs answerable questions to train on")
    allowed = int(FALSE_REFUSALS * len(inside))  # rows that may fall below the threshold
    return float(inside[allowed])


def rates(model: ScopeModel, evidence: list[Evidence], rows: Sequence[Labelled]) -> dict[str, Any]:
    """False refusals and out-of-scope answered, as the product decides (medicine rule too)."""
    said = [model.in_scope(r.question, e)[0] for r, e in zip(rows, evidence, strict=True)]
    inside = [s for s, r in zip(said, rows, strict=True) if r.in_scope]
    outside = [s for s, r in zip(said, rows, strict=True) if not r.in_scope]
    return {
        "in_scope_rows": len(inside),
        "out_of_scope_rows": len(outside),
        "false_refusal_rate": round(1 - sum(inside) / max(1, len(inside)), 4),
        "out_of_scope_refused": round(1 - sum(outside) / max(1, len(outside)), 4),
    }


def train(assistant: Assistant, out: Path, log: Callable[[str], object] = print) -> ScopeModel:
    """Fit the gate on the training rows, choose its threshold out of fold, measure it on the
    validation batches and save it with its data fingerprint, settings and numbers."""
    from assistant.indexing.corpus import load_corpus

    settings = assistant.settings
    corpus = {d.doc_id: d.text for d in load_corpus(settings.corpus_dir)}
    train_rows, validation, files = labelled(settings.answers_dir, settings.evals_dir, corpus)
    log(f"scope: reading {len(train_rows)} training and {len(validation)} validation questions")
    evidence = gather(assistant, train_rows)
    held = gather(assistant, validation)
    log("scope: out-of-fold probabilities")
    threshold = choose(out_of_fold(evidence, train_rows), train_rows)
    near = near_out_of_fold(evidence, train_rows)
    weights, bias = fit(evidence, near, [r.in_scope for r in train_rows])
    meta: dict[str, Any] = {
        "data": {"fingerprint": fingerprint(files), "train_rows": len(train_rows),
                 "validation_rows": len(validation),
                 "followups": assistant.conversation.model.fingerprint},
        "settings": {"seed": SEED, "folds": FOLDS, "c": C, "false_refusals": FALSE_REFUSALS,
                     "neighbours": NEIGHBOURS,
                     "n_features": N_FEATURES,
                     "word_ngrams": WORD_NGRAMS, "char_ngrams": CHAR_NGRAMS,
                     "medicine_rule": MEDICINE.pattern},
    }  # fmt: skip
    labels = np.array([r.in_scope for r in train_rows])
    model = ScopeModel(weights, bias, round(threshold, 6), references(evidence), labels, meta)
    model.meta["validation"] = rates(model, held, validation)
    model.save(out)
    return model
