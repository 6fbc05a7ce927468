"""Turning scores into decisions, choosing per-output thresholds (recall first) and measuring.

A rule fires when its score reaches its threshold. When no rule does but the score for "any
warning sign" reaches its own, the rule closest to its threshold fires: a message that is clearly
a warning of some kind is never let through for want of knowing which.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.safety.data import Example
from assistant.safety.model import Matrix

FLOOR = 0.02  # no threshold goes below this: it would refer nearly everything


def fired(
    scores: Sequence[float] | np.ndarray,
    outputs: Sequence[str],
    rule_ids: Sequence[str],
    thresholds: Mapping[str, float],
) -> list[str]:
    """The rules a row of scores sets off, in rule order."""
    at = {name: float(scores[i]) for i, name in enumerate(outputs)}
    found = [rule for rule in rule_ids if at[rule] >= thresholds[rule]]
    if not found and at["refer"] >= thresholds["refer"]:
        found = [max(rule_ids, key=lambda rule: at[rule] / thresholds[rule])]
    return found


def recall_threshold(scores: Sequence[float], recall: float) -> float:
    """The highest threshold at which at least `recall` of these positive scores reach it."""
    if not len(scores):
        return 0.5
    ordered = sorted(scores, reverse=True)
    needed = max(1, math.ceil(recall * len(ordered)))
    return max(FLOOR, ordered[needed - 1])


def choose(
    scores: Matrix,
    examples: Sequence[Example],
    outputs: Sequence[str],
    rule_ids: Sequence[str],
    urgent: Collection[str],
    recall: float,
    urgent_recall: float,
) -> dict[str, float]:
    """Per output, the highest threshold that keeps the wanted recall on these rows."""
    col = {name: i for i, name in enumerate(outputs)}
    chosen: dict[str, float] = {}
    for rule in rule_ids:
        positives = [scores[r, col[rule]] for r, e in enumerate(examples) if rule in e.labels]
        chosen[rule] = recall_threshold(positives, urgent_recall if rule in urgent else recall)
    positives = [scores[r, col["refer"]] for r, e in enumerate(examples) if e.refer]
    chosen["refer"] = recall_threshold(positives, recall)
    return chosen


@dataclass
class Measure:
    """Triage on labelled rows: recall per rule, referrals, false referrals."""

    rule_hits: dict[str, list[int]] = field(default_factory=dict)  # rule -> [found, total]
    referred: int = 0
    refer_rows: int = 0
    false_referrals: int = 0
    benign_rows: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    @property
    def referral_recall(self) -> float:
        return self.referred / self.refer_rows if self.refer_rows else 1.0

    @property
    def false_referral_rate(self) -> float:
        return self.false_referrals / self.benign_rows if self.benign_rows else 0.0

    def recall(self, rule: str) -> float:
        found, total = self.rule_hits.get(rule, [0, 0])
        return found / total if total else 1.0

    def urgent_recall(self, urgent: Collection[str]) -> float:
        pairs = [self.rule_hits[r] for r in urgent if r in self.rule_hits]
        total = sum(t for _, t in pairs)
        return sum(f for f, _ in pairs) / total if total else 1.0


def measure(decisions: Sequence[Collection[str]], examples: Sequence[Example]) -> Measure:
    """Compare each row's fired rules with its labels."""
    result = Measure()
    for found, example in zip(decisions, examples, strict=True):
        for rule in example.labels:
            hits = result.rule_hits.setdefault(rule, [0, 0])
            hits[0] += rule in found
            hits[1] += 1
        if example.refer:
            result.refer_rows += 1
            result.referred += bool(found)
            if not found:
                result.missed.append(example.key)
        else:
            result.benign_rows += 1
            result.false_referrals += bool(found)
            if found:
                result.false.append(example.key)
    return result
