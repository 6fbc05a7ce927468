"""`assistant triage train` and `assistant triage compare`: the detector rebuilt from the
labelled batches in `training/triage/`, with fixed seeds, and candidate models compared on the
validation batches.

Thresholds are chosen recall first on out-of-fold scores of the training batches (each row
scored by a model that never saw its batch); the validation batches are used only to measure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.errors import AssistantError
from assistant.indexing.embeddings import Embed
from assistant.safety import segments
from assistant.safety.data import Example, fingerprint, read_batches
from assistant.safety.detector import Detector
from assistant.safety.learning import (
    SEED,
    fit_contrastive,
    fit_embedding,
    fit_finetuned,
    fit_ngram,
    out_of_fold,
    outputs_for,
    units,
)
from assistant.safety.measuring import evaluate, latency_ms, summary
from assistant.safety.model import Blend, Model, Scorer, load, save
from assistant.safety.rules import RuleBook
from assistant.safety.thresholds import choose, recall_threshold

RECALL = 0.97  # wanted recall per rule on out-of-fold scores
URGENT_RECALL = 0.99  # for the urgent rules
SYMPTOMS_RECALL = 0.95  # the safety notice: most messages that describe a complaint get it
# In a blend, a score of the clause-reading model alone that refers by itself (so text around a
# warning sign cannot dilute it). On out-of-fold scores it added 0.06 points of false referrals
# and no missed referral fewer; it exists for the property that surrounding text never hides a
# sign (tests/unit/test_triage_properties.py).
CONFIDENT = 0.95
FOLDS = 5


@dataclass(frozen=True)
class Split:
    """The labelled rows: training and validation, by whole batches."""

    train: list[Example]
    validation: list[Example]
    files: list[Path]


def load_split(root: Path, book: RuleBook) -> Split:
    """Blind batches (`batches/`), earlier suites (`legacy/`, training only) and `split.yaml`,
    which names the validation batches."""
    settings = yaml.safe_load((root / "split.yaml").read_text(encoding="utf-8"))
    held = set(settings.get("validation", []))
    blind = read_batches(root / "batches", book.ids)
    legacy = read_batches(root / "legacy", book.ids) if (root / "legacy").is_dir() else []
    unknown = held - {e.batch for e in blind}
    if unknown:
        raise AssistantError(f"{root / 'split.yaml'}: no batch named {sorted(unknown)[0]}")
    files = sorted((root / "batches").glob("*.jsonl")) + sorted((root / "legacy").glob("*.jsonl"))
    return Split(
        train=[e for e in blind if e.batch not in held] + legacy,
        validation=[e for e in blind if e.batch in held],
        files=[*files, root / "split.yaml"],
    )


Fitter = Callable[..., Scorer]
Log = Callable[[str], object]
KINDS = (
    "ngram",
    "embedding",
    "finetuned",
    "contrastive",
    "ngram+embedding",
    "ngram+finetuned",
    "ngram+contrastive",
)


def fitters(outputs: Sequence[str], vectorize: Embed | None) -> dict[str, Fitter]:
    """How to fit each base model (a kind is one base or several blended: "ngram+finetuned")."""
    found: dict[str, Fitter] = {
        "ngram": lambda u: fit_ngram(u, outputs),
        "finetuned": lambda u: fit_finetuned(u, outputs),
        "contrastive": lambda u: fit_contrastive(u, outputs),
    }
    if vectorize is not None:
        found["embedding"] = lambda u: fit_embedding(u, outputs, vectorize)
    return found


class Bases:
    """Each base model's out-of-fold scores on the training rows and its fit on all of them,
    computed once however many blends use it."""

    def __init__(
        self,
        split: Split,
        book: RuleBook,
        vectorize: Embed | None,
        log: Log,
        cache: Path | None = None,
    ):
        self.split, self.book, self.log = split, book, log
        self.fit = fitters(outputs_for(book.ids), vectorize)
        self.vectorize = vectorize
        self.oof: dict[str, np.ndarray] = {}
        self.models: dict[str, Scorer] = {}
        # Fitting is slow (the fine-tuned part takes ~30 minutes with its folds) and exactly
        # reproducible, so results are kept per data fingerprint and fitting settings.
        key = f"{fingerprint(split.files)}-{SEED}-{FOLDS}-{fitting_version()}"
        self.cache = cache / key if cache is not None else None

    def parts(self, kind: str) -> list[str]:
        names = kind.split("+")
        unknown = [n for n in names if n not in self.fit]
        if unknown:
            raise AssistantError(f"unknown model kind {unknown[0]!r} (or it needs the embeddings)")
        return names

    def scores(self, kind: str) -> np.ndarray:
        """Out-of-fold scores of the blend: the mean of its parts' (as the blend scores)."""
        for name in self.parts(kind):
            stored = self.cache / f"{cached_name(name)}.oof.npy" if self.cache else None
            if name not in self.oof and stored is not None and stored.exists():
                self.oof[name] = np.load(stored)
            if name not in self.oof:
                self.log(f"{name}: out-of-fold scores")
                self.oof[name] = out_of_fold(
                    self.split.train, self.book.ids, self.fit[name], FOLDS, self.log
                )
                if stored is not None:
                    stored.parent.mkdir(parents=True, exist_ok=True)
                    np.save(stored, self.oof[name])
        return np.asarray(np.mean([self.oof[n] for n in self.parts(kind)], axis=0))

    def model(self, kind: str) -> Model:
        """The blend of the parts fitted on every training row."""
        for name in self.parts(kind):
            stored = self.cache / cached_name(name) if self.cache else None
            if name not in self.models and stored is not None and stored.exists():
                part = load(stored, self.vectorize)[0]
                assert not isinstance(part, Blend)  # each part is cached on its own
                self.models[name] = part
            if name not in self.models:
                self.log(f"{name}: fitting on every training batch")
                self.models[name] = self.fit[name](units(self.split.train, self.book.ids))
                if stored is not None:
                    save(self.models[name], stored, {"kind": name})
        parts = tuple(self.models[n] for n in self.parts(kind))
        return parts[0] if len(parts) == 1 else Blend(parts)


def fitting_version() -> str:
    """What the fitted models depend on besides the data (a change starts a fresh cache)."""
    from assistant.safety import finetune, model

    settings = (model.N_FEATURES, model.WORD_NGRAMS, model.CHAR_NGRAMS, finetune.LAYERS,
                finetune.EPOCHS, finetune.BATCH, finetune.LEARNING_RATE, finetune.MAX_TOKENS,
                segments.MAX_SEGMENTS, segments.CLAUSE_BREAK.pattern)  # fmt: skip
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:8]


def cached_name(part: str) -> str:
    """A base model's name in the cache, with its own settings where it has some (so that
    changing them refits that model only)."""
    if part != "contrastive":
        return part
    from assistant.safety import contrastive

    settings = (contrastive.PAIRS, contrastive.BATCH, contrastive.LEARNING_RATE)
    return f"{part}-{hashlib.sha256(repr(settings).encode()).hexdigest()[:8]}"


CACHE = ".cache"  # beside the batches: out-of-fold scores, keyed by data and settings


def blind_rows(examples: Sequence[Example]) -> list[int]:
    """Rows written blind (earlier suites only help the model learn, never set thresholds)."""
    return [i for i, e in enumerate(examples) if not e.batch.startswith("legacy")]


def thresholds_from(scores: np.ndarray, split: Split, book: RuleBook) -> dict[str, float]:
    """Per-output thresholds from out-of-fold scores of the blind training rows: recall first
    for the rules and for "any warning sign", recall first for the safety notice, best F1 for
    recognising a question about warning signs."""
    outputs = outputs_for(book.ids)
    rows = blind_rows(split.train)
    examples = [split.train[i] for i in rows]
    chosen = choose(scores[rows], examples, outputs, book.ids, book.urgent, RECALL, URGENT_RECALL)
    col = {name: i for i, name in enumerate(outputs)}
    symptomatic = [
        scores[r, col["symptoms"]]
        for r, e in zip(rows, examples, strict=True)
        if e.describes_symptoms and not e.refer
    ]
    chosen["symptoms"] = recall_threshold(symptomatic, SYMPTOMS_RECALL)
    chosen["warning_question"] = best_f1(
        [scores[r, col["warning_question"]] for r in rows],
        [e.kind == "warning-question" for e in examples],
    )
    return {name: round(float(value), 6) for name, value in chosen.items()}


def best_f1(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """The threshold with the best F1 (for outputs where neither error is a safety risk)."""
    best, best_f = 0.5, -1.0
    for cut in sorted(set(scores)):
        tp = sum(s >= cut and t for s, t in zip(scores, truth, strict=True))
        fp = sum(s >= cut and not t for s, t in zip(scores, truth, strict=True))
        fn = sum(s < cut and t for s, t in zip(scores, truth, strict=True))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f:
            best, best_f = cut, f1
    return best


def train(
    root: Path,
    out: Path,
    book: RuleBook,
    kind: str = "ngram",
    vectorize: Embed | None = None,
    log: Log = print,
) -> dict[str, Any]:
    """Fit the `kind` model on the training batches, choose its thresholds, measure it on the
    validation batches and save it with its data fingerprint, settings and numbers."""
    split = load_split(root, book)
    bases = Bases(split, book, vectorize, log, root / CACHE)
    thresholds = thresholds_from(bases.scores(kind), split, book)
    confident = CONFIDENT if "+" in kind else None
    detector = Detector(book, bases.model(kind), thresholds, confident)
    meta = {
        "kind": kind,
        "thresholds": thresholds,
        "confident": confident,
        "data": {
            "fingerprint": fingerprint(split.files),
            "train_rows": len(split.train),
            "validation_rows": len(split.validation),
            "validation_batches": sorted({e.batch for e in split.validation}),
        },
        "settings": {
            "seed": SEED,
            "folds": FOLDS,
            "recall": RECALL,
            "urgent_recall": URGENT_RECALL,
            "symptoms_recall": SYMPTOMS_RECALL,
        },
        "validation": summary(evaluate(detector, split.validation), book),
    }
    save(detector.model, out, meta)
    return meta


def compare(
    root: Path, book: RuleBook, vectorize: Embed | None, log: Log = print
) -> list[dict[str, Any]]:
    """Every kind, alone and with the number patterns, measured on the validation batches."""
    split = load_split(root, book)
    bases = Bases(split, book, vectorize, log, root / CACHE)
    rows = []
    for kind in KINDS:
        if any(part not in bases.fit for part in kind.split("+")):
            continue
        thresholds = thresholds_from(bases.scores(kind), split, book)
        detector = Detector(book, bases.model(kind), thresholds, CONFIDENT if "+" in kind else None)
        speed = latency_ms(detector, split.validation)
        for patterns in (False, True):
            result = evaluate(detector, split.validation, patterns)
            label = f"{kind} + patterns" if patterns else kind
            rows.append({"model": label, "latency_ms": round(speed, 2)} | summary(result, book))
    return rows
