"""Red-flag triage: a trained model with fixed weights, plus a few number patterns, run on the
user's own words (every turn, every clause, the turns read together) before anything else.

No language model takes part and nothing the user types can switch it off: the same messages
give the same decision in every process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from assistant.indexing.embeddings import Embed
from assistant.safety.lexicon import Lexicon
from assistant.safety.model import Model, load
from assistant.safety.reading import Reader, read
from assistant.safety.rules import Rule, RuleBook
from assistant.safety.thresholds import fired

if TYPE_CHECKING:
    from assistant.indexing.encoder import Encoder


@dataclass(frozen=True)
class Finding:
    """A rule recognised in the conversation, with the words that set it off."""

    rule: Rule
    evidence: str
    layer: Literal["model", "pattern"]


@dataclass(frozen=True)
class Assessment:
    """What the triage found in a conversation."""

    findings: tuple[Finding, ...]
    describes_symptoms: bool  # the user describes a complaint (theirs or someone's)
    asks_about_warnings: bool  # the newest message asks about warning signs
    scores: Mapping[str, float]  # each output's highest score

    @property
    def refer(self) -> bool:
        return bool(self.findings)


def model_folder() -> Path:
    """The packaged model (rebuilt by `assistant triage train`)."""
    return Path(str(resources.files("assistant.safety").joinpath("model")))


def packaged_kind() -> str:
    """The kind of model packaged (ngram, finetuned, ngram+finetuned, …)."""
    meta = json.loads((model_folder() / "model.json").read_text(encoding="utf-8"))
    return str(meta.get("kind", "ngram"))


class Detector:
    """Finds red flags in every user message of a conversation."""

    def __init__(
        self,
        book: RuleBook,
        model: Model,
        thresholds: Mapping[str, float],
        confident: float | None = None,
    ) -> None:
        missing = [name for name in model.outputs if name != "symptoms" and name not in thresholds]
        if list(model.outputs[: len(book.ids)]) != list(book.ids) or missing:
            raise ValueError("the triage model does not match the rules file")
        self.book = book
        self.model = model
        self.thresholds = dict(thresholds)
        # A blend averages a model that reads every clause with one that reads whole turns, so
        # words around a warning sign can dilute it; a clause the first model is this sure of
        # refers on its own.
        self.confident = confident
        self.lexicon = Lexicon(book)
        self.column = {name: i for i, name in enumerate(model.outputs)}
        self.reader = Reader(model)

    @classmethod
    def load(
        cls,
        book: RuleBook,
        folder: Path | None = None,
        vectorize: Embed | None = None,
        encoder: Encoder | None = None,
    ) -> Detector:
        """The trained detector saved in `folder` (the packaged one by default); `encoder` is
        the question encoder whose lower layers a fine-tuned model may share."""
        model, meta = load(folder or model_folder(), vectorize, encoder)
        return cls(book, model, meta["thresholds"], meta.get("confident"))

    def assess(self, messages: Sequence[str]) -> Assessment:
        """Read the conversation (oldest message first, the newest last) for warning signs."""
        reading = read(messages)
        if not reading.texts:
            return Assessment((), False, False, {})
        scores = self.reader.scores(reading)
        ids = list(self.book.ids)
        found = {
            rule: Finding(self.book.rule(rule), scores.evidence[self.column[rule]], "model")
            for rule in fired(scores.best, self.model.outputs, ids, self.thresholds)
        }
        if self.confident is not None:
            for rule in ids:
                if rule not in found and scores.clause_best[self.column[rule]] >= self.confident:
                    evidence = scores.evidence[self.column[rule]]
                    found[rule] = Finding(self.book.rule(rule), evidence, "model")
        wholes = [t for t, whole in zip(reading.texts, reading.whole, strict=True) if whole]
        for hit in self.lexicon.find(wholes):
            finding = Finding(self.book.rule(hit.rule_id), hit.evidence, "pattern")
            found.setdefault(hit.rule_id, finding)
        order = {rule: i for i, rule in enumerate(ids)}
        findings = sorted(
            found.values(), key=lambda f: (f.rule.urgency != "urgent", order[f.rule.id])
        )
        return Assessment(
            tuple(findings),
            describes_symptoms=self.reaches(scores.best, "symptoms"),
            asks_about_warnings=self.reaches(scores.newest, "warning_question"),
            scores={name: float(scores.best[i]) for name, i in self.column.items()},
        )

    def reaches(self, scores: np.ndarray, output: str) -> bool:
        """True when the score for `output` reaches its threshold."""
        return float(scores[self.column[output]]) >= self.thresholds.get(output, 0.5)

    def forget(self) -> None:
        """Drop the remembered scores (benchmarks time a message read for the first time)."""
        self.reader = Reader(self.model)
