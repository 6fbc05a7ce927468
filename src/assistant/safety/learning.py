"""Fitting the detector's models: training units from labelled rows, and scores of whole rows
(every turn, every clause, the conversation) for choosing thresholds and measuring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.indexing.embeddings import Embed
from assistant.safety.data import Example
from assistant.safety.model import (
    EXTRA_OUTPUTS,
    EmbeddingModel,
    Matrix,
    Model,
    NgramModel,
    Scorer,
    hashers,
    raw_counts,
)
from assistant.safety.reading import row_scores as read_rows
from assistant.safety.segments import conversation
from assistant.text.normalise import normalise

SEED = 20261201


@dataclass(frozen=True)
class Unit:
    """One text to learn from, with a target per output (None: unknown for this text)."""

    text: str
    targets: tuple[float | None, ...]


def outputs_for(rule_ids: Sequence[str]) -> tuple[str, ...]:
    """The model's outputs: one per rule, then EXTRA_OUTPUTS."""
    return (*rule_ids, *EXTRA_OUTPUTS)


def units(examples: Sequence[Example], rule_ids: Sequence[str]) -> list[Unit]:
    """Texts to learn from: every single message; every turn of a conversation that has labels
    per turn; every conversation read as one text."""
    found: list[Unit] = []
    for example in examples:
        symptoms = example.describes_symptoms
        if example.refer:
            symptoms = True
        warning = 1.0 if example.kind == "warning-question" else 0.0
        if len(example.turns) == 1:
            found.append(
                Unit(
                    normalise(example.turns[0]),
                    targets(example.labels, rule_ids, symptoms, warning),
                )
            )
            continue
        if example.turn_labels is not None:
            for turn, labels in zip(example.turns, example.turn_labels, strict=True):
                # What one turn shows alone; whether it describes symptoms is not known.
                found.append(Unit(normalise(turn), targets(labels, rule_ids, None, None)))
        joined = conversation(example.turns)
        if joined:
            found.append(Unit(joined, targets(example.labels, rule_ids, symptoms, warning)))
    return [u for u in found if u.text]


# Rules that writers label inconsistently beside another (a fall that stops someone walking is
# major trauma, and to some writers also loss of function): unknown there unless labelled.
OVERLAPS = {
    "major_trauma": ("sudden_injury", "loss_of_function"),
    "saddle_numbness": ("numbness_tingling",),
}


def targets(
    labels: frozenset[str], rule_ids: Sequence[str], symptoms: bool | None, warning: float | None
) -> tuple[float | None, ...]:
    """The target of each output for one text (None where it is not known)."""
    unsure = {other for rule in labels for other in OVERLAPS.get(rule, ())} - labels
    rules = [None if rule in unsure else float(rule in labels) for rule in rule_ids]
    refer = float(bool(labels))
    return (*rules, refer, None if symptoms is None else float(symptoms), warning)


def fit_ngram(found: Sequence[Unit], outputs: Sequence[str], c: float = 8.0) -> NgramModel:
    """Logistic heads over tf-idf n-grams, each output fitted on the texts where it is known."""
    from scipy import sparse

    counts = raw_counts(hashers(), [u.text for u in found])
    used = np.flatnonzero(np.asarray((counts > 0).sum(axis=0)).ravel()).astype(np.int64)
    df = np.asarray((counts[:, used] > 0).sum(axis=0)).ravel()
    idf = np.log((1 + len(found)) / (1 + df)) + 1.0
    model = NgramModel(
        tuple(outputs), used, idf, np.zeros((len(used), len(outputs))), np.zeros(len(outputs))
    )
    x = model.features([u.text for u in found])
    assert sparse.issparse(x)
    for j in range(len(outputs)):
        weights, bias = fit_head(x, [u.targets[j] for u in found], c)
        model.weights[:, j], model.bias[j] = weights, bias
    return model


def fit_embedding(
    found: Sequence[Unit], outputs: Sequence[str], vectorize: Embed, c: float = 4.0
) -> EmbeddingModel:
    """Logistic heads over frozen sentence embeddings."""
    model = EmbeddingModel(
        tuple(outputs), np.zeros((384, len(outputs))), np.zeros(len(outputs)), vectorize
    )
    x = np.round(np.asarray(vectorize([u.text for u in found]), dtype=np.float64), 5)
    for j in range(len(outputs)):
        weights, bias = fit_head(x, [u.targets[j] for u in found], c)
        model.weights[:, j], model.bias[j] = weights, bias
    return model


def fit_finetuned(found: Sequence[Unit], outputs: Sequence[str]) -> Scorer:
    """The bundled MiniLM's top layers and a head, trained on the texts (see finetune.py)."""
    from assistant.safety.finetune import fit_finetuned as fit

    return fit([u.text for u in found], [u.targets for u in found], outputs, SEED)


def fit_contrastive(found: Sequence[Unit], outputs: Sequence[str]) -> Scorer:
    """SetFit-style: the top layers tuned on label pairs, then logistic heads (contrastive.py)."""
    from assistant.safety.contrastive import fit_contrastive as fit

    return fit(
        [u.text for u in found],
        [u.targets for u in found],
        outputs,
        SEED,
        lambda x, target: fit_head(x, target, 4.0),
    )


def fit_head(x: object, target: Sequence[float | None], c: float) -> tuple[Matrix, float]:
    """One logistic head (balanced classes, fixed seed) on the rows whose target is known."""
    from sklearn.linear_model import LogisticRegression

    rows = np.array([t is not None for t in target])
    y = np.array([t for t in target if t is not None], dtype=np.int64)
    if len(set(y.tolist())) < 2:
        raise ValueError("an output has examples of one class only")
    head = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=SEED)
    head.fit(x[rows], y)  # type: ignore[index]
    return head.coef_[0].astype(np.float64), float(head.intercept_[0])


def row_scores(scorer: Model, examples: Sequence[Example]) -> Matrix:
    """Per row, each output's score as the product combines it (see reading.py)."""
    return read_rows(scorer, [example.turns for example in examples])


Fitter = Callable[[Sequence[Unit]], Scorer]


def out_of_fold(
    examples: Sequence[Example],
    rule_ids: Sequence[str],
    fit: Fitter,
    folds: int = 5,
    log: Callable[[str], object] | None = None,
) -> Matrix:
    """Scores of every row by a model that never saw its batch (batches dealt round-robin
    into `folds` groups, in name order)."""
    batches = sorted({e.batch for e in examples})
    group = {batch: i % folds for i, batch in enumerate(batches)}
    result = np.zeros((len(examples), len(outputs_for(rule_ids))))
    for fold in range(folds):
        held = [i for i, e in enumerate(examples) if group[e.batch] == fold]
        if not held:
            continue
        train = [e for e in examples if group[e.batch] != fold]
        if log is not None:
            log(f"out-of-fold scores: fold {fold + 1}/{folds}")
        model = fit(units(train, rule_ids))
        result[held] = row_scores(model, [examples[i] for i in held])
    return result
