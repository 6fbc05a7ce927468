"""Training the question-kind model (`assistant kinds train`) on the kinds blind writers gave
their answerable questions: training batches to fit, validation batches to measure. A follow-up
is read as the product reads it (with the earlier question when it leans on it and has no kind
of its own), so the training questions go through the same follow-up model."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.data import Question, load_split
from assistant.answering.followups import Conversation
from assistant.answering.kinds import CHAR_NGRAMS, N_FEATURES, WORD_NGRAMS, Kind, Kinds, design
from assistant.safety.data import fingerprint

SEED = 20261202
C = 16.0


def texts(rows: Sequence[Question], conversation: Conversation) -> list[str]:
    """Each question as the kind model reads it."""
    return [conversation.contextualize(q.question, q.history).intent_text for q in rows]


def measure(model: Kinds, said: Sequence[str], rows: Sequence[Question]) -> dict[str, Any]:
    """Accuracy overall and per kind."""
    found = np.array([str(model.kind(t)) for t in said])
    truth = np.array([q.type for q in rows])
    per_kind = {k: round(float((found[truth == k] == k).mean()), 4) for k in sorted(set(truth))}
    return {"questions": len(rows), "accuracy": round(float((found == truth).mean()), 4),
            "per_kind": per_kind}  # fmt: skip


def train(
    documents: Mapping[str, str],
    conversation: Conversation,
    out: Path,
    log: Callable[[str], object] = print,
    *,
    root: Path,
) -> Kinds:
    """Fit on the training batches' answerable questions, measure on the validation batches,
    and save with data fingerprint, settings and numbers."""
    from sklearn.linear_model import LogisticRegression

    split = load_split(root, documents)
    rows = [q for q in split.train if q.in_scope and q.type]
    held = [q for q in split.validation if q.in_scope and q.type]
    log(f"kinds: {len(rows)} training and {len(held)} validation questions")
    order = tuple(Kind)
    fitted = LogisticRegression(C=C, max_iter=5000, random_state=SEED)
    fitted.fit(design(texts(rows, conversation)), [order.index(Kind(str(q.type))) for q in rows])
    model = Kinds(
        fitted.coef_.T.astype(np.float32).astype(np.float64),
        fitted.intercept_.astype(np.float64),
        tuple(order[i] for i in fitted.classes_),
        {},
    )
    files = [*sorted((root / "batches").glob("*.jsonl")), root / "split.yaml"]
    model.meta.update(
        {
            "data": {"fingerprint": fingerprint(files), "train_questions": len(rows),
                     "followups": conversation.model.fingerprint},
            "settings": {"seed": SEED, "c": C, "n_features": N_FEATURES,
                         "word_ngrams": list(WORD_NGRAMS), "char_ngrams": list(CHAR_NGRAMS)},
            "validation": measure(model, texts(held, conversation), held),
        }
    )  # fmt: skip
    model.save(out)
    return model
