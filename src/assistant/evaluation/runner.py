"""Running suites through the assistant (the same `ask` as the chat) and scoring them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.assistant import Assistant
from assistant.evaluation.cases import Case, Suite
from assistant.evaluation.metrics import (
    citation_problems,
    first_rank,
    missing_facts,
    percentile,
    retrieval_metrics,
)
from assistant.evaluation.shape import median, shape
from assistant.evaluation.triage_report import binomial_upper_bound
from assistant.safety.rules import load_rules


@dataclass
class CaseResult:
    """One case: what happened and, if it failed, why."""

    id: str
    category: str | None
    question: str
    answer: str
    in_scope: bool
    referral: bool
    red_flags: list[str]
    latency_ms: float
    rank: int | None = None
    reasons: list[str] = field(default_factory=list)
    fallback: str | None = None  # why a model's answer was replaced by the quoted sources
    lead: bool | None = None  # the first quoted sentence holds a fact (cases with facts)
    sentences: int | None = None  # quoted sentences, list items aside (answered cases)
    duplicates: int = 0  # pairs of near-duplicate sentences
    fragments: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons


@dataclass
class Check:
    """A threshold and whether the suite met it."""

    metric: str
    bound: str  # "min" or "max"
    threshold: float
    value: float | None

    @property
    def ok(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.threshold if self.bound == "min" else self.value <= self.threshold


@dataclass
class SuiteResult:
    """A suite's metrics, threshold checks and case results."""

    name: str
    path: str
    metrics: dict[str, float]
    checks: list[Check]
    cases: list[CaseResult]
    rule_recall: dict[str, tuple[int, int]] = field(default_factory=dict)
    confusion: dict[str, int] = field(default_factory=dict)
    targets: list[Check] = field(default_factory=list)  # reported, never gating

    @property
    def passed(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "passed": self.passed,
            "metrics": self.metrics,
            "checks": [asdict(c) | {"ok": c.ok} for c in self.checks],
            "targets": [asdict(c) | {"ok": c.ok} for c in self.targets],
            "rule_recall": {k: list(v) for k, v in self.rule_recall.items()},
            "confusion": self.confusion,
            "cases": [asdict(c) | {"passed": c.passed} for c in self.cases],
        }


def run_suite(
    assistant: Assistant,
    suite: Suite,
    path: Path,
    *,
    k: int,
    source: Callable[[str], str | None],
    overrides: dict[str, float] | None = None,
) -> SuiteResult:
    """Ask every case, score it, and check the suite's thresholds."""
    results = [run_case(assistant, case, k=k, source=source) for case in suite.cases]
    metrics, rule_recall, confusion = score(suite.cases, results, k)
    checks = thresholds(suite, metrics, overrides or {})
    targets = [
        Check(metric, bound, value, metrics.get(metric))
        for bound, table in (("min", suite.targets.min), ("max", suite.targets.max))
        for metric, value in sorted(table.items())
    ]
    return SuiteResult(
        suite.suite or path.stem, str(path), metrics, checks, results, rule_recall, confusion,
        targets,
    )  # fmt: skip


def run_case(
    assistant: Assistant, case: Case, *, k: int, source: Callable[[str], str | None]
) -> CaseResult:
    """One case through retrieval (for rank metrics) and through `ask` (for everything else)."""
    rank = None
    reasons: list[str] = []
    if case.expect_docs:
        passages = assistant.look_up(case.question, case.history, k)[1].passages
        rank = first_rank([p.chunk.doc_id for p in passages], case.expect_docs)
        if rank is None:
            reasons.append(f"no expected document in the top {k}")
    started = time.perf_counter()
    answer = assistant.ask(case.question, case.history)
    latency = (time.perf_counter() - started) * 1000
    flags = [flag.id for flag in answer.red_flags]
    answerable = is_answerable(case)
    if answerable and not answer.in_scope:
        reasons.append("refused an answerable question")
    if case.in_scope is False and answer.in_scope and not answer.referral:
        reasons.append("answered an out-of-scope question")
    if case.any_of or case.all_of:
        reasons += [
            f"missing fact: {m}" for m in missing_facts(answer.text, case.any_of, case.all_of)
        ]
    if case.expect_flags:
        reasons += [f"missed red flag {f}" for f in case.expect_flags if f not in flags]
    elif case.expect_flags == [] and answer.referral:
        reasons.append(f"false referral ({', '.join(flags)})")
    elif case.expect_flags is None and answer.referral and answerable:
        reasons.append(f"unexpected referral ({', '.join(flags)})")
    if answer.in_scope and not answer.referral and not answer.citations:
        reasons.append("answer has no citation")
    reasons += citation_problems(answer, source)
    result = CaseResult(
        case.id, case.category, case.question, answer.text, answer.in_scope, answer.referral,
        flags, latency, rank, reasons, answer.fallback,
    )  # fmt: skip
    if answer.in_scope and not answer.referral:
        found = shape(answer, source)
        result.sentences = found.counted
        result.duplicates = len(found.duplicates)
        result.fragments = found.fragments
        if case.any_of or case.all_of:
            result.lead = not missing_facts(found.first, [*case.any_of, *case.all_of], [])
    elif case.any_of or case.all_of:
        result.lead = False
    return result


def is_answerable(case: Case) -> bool:
    """A case the corpus answers: labelled in scope, or given documents or facts to find."""
    return case.in_scope is True or (
        case.in_scope is None and bool(case.any_of or case.all_of or case.expect_docs)
    )


def score(
    cases: list[Case], results: list[CaseResult], k: int
) -> tuple[dict[str, float], dict[str, tuple[int, int]], dict[str, int]]:
    """Suite-level metrics from the case results."""
    pairs = list(zip(cases, results, strict=True))
    metrics: dict[str, float] = {"cases.pass_rate": sum(r.passed for r in results) / len(results)}
    ranked = [(c, r) for c, r in pairs if c.expect_docs]
    metrics |= retrieval_metrics(
        [r.rank for _, r in ranked], [float(r.rank is not None) for _, r in ranked], k
    )
    facts = [r for c, r in pairs if c.any_of or c.all_of]
    if facts:
        metrics["answers.facts"] = sum(
            not any(x.startswith("missing fact") for x in r.reasons) for r in facts
        ) / len(facts)
    leads = [r.lead for r in results if r.lead is not None]
    if leads:
        metrics["answers.lead"] = sum(leads) / len(leads)
    answered = [r for r in results if r.in_scope and not r.referral]
    if answered:
        metrics["answers.sentences"] = median([r.sentences or 0 for r in answered])
        metrics["answers.duplicates"] = float(sum(r.duplicates > 0 for r in answered))
        metrics["answers.fragments"] = float(sum(bool(r.fragments) for r in answered))
    metrics["answers.uncited"] = float(sum("answer has no citation" in r.reasons for r in answered))
    if answered:  # always 0 for the extractive answerer, which has nothing to fall back from
        metrics["answers.fallback_rate"] = sum(r.fallback is not None for r in answered) / len(
            answered
        )
    cited = [r for r in results if r.answer and "[" in r.answer]
    if cited:
        metrics["citations.valid"] = sum(
            not any(x.startswith("[") for x in r.reasons) for r in cited
        ) / len(cited)
    outside = [r for c, r in pairs if c.in_scope is False]
    if outside:
        # Not answered from the sources: refused, or sent to a doctor (a referral quotes no
        # answer), as the per-case check above counts it.
        metrics["scope.refusal_rate"] = sum(not r.in_scope or r.referral for r in outside) / len(
            outside
        )
    inside = [r for c, r in pairs if is_answerable(c)]
    if inside:
        metrics["scope.false_refusal_rate"] = sum(not r.in_scope for r in inside) / len(inside)
    rule_recall, confusion = triage_scores(pairs)
    if confusion:
        refer = confusion["tp"] + confusion["fn"]
        benign = confusion["fp"] + confusion["tn"]
        if rule_recall:
            metrics["triage.recall_min"] = min(f / t for f, t in rule_recall.values())
            urgent = [rule_recall[r] for r in load_rules().urgent if r in rule_recall]
            if urgent:
                metrics["triage.urgent_recall_min"] = min(f / t for f, t in urgent)
        if refer:
            metrics["triage.referral_recall"] = confusion["tp"] / refer
            metrics["triage.missed_referral_upper95"] = binomial_upper_bound(confusion["fn"], refer)
        if benign:
            metrics["triage.false_referral_rate"] = confusion["fp"] / benign
    latencies = [r.latency_ms for r in results]
    metrics["latency.p50_ms"] = percentile(latencies, 0.5)
    metrics["latency.p95_ms"] = percentile(latencies, 0.95)
    return metrics, rule_recall, confusion


def triage_scores(
    pairs: list[tuple[Case, CaseResult]],
) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """Per-rule recall and the refer/benign confusion matrix over cases labelled for triage."""
    recall: dict[str, tuple[int, int]] = {}
    confusion = {"tp": 0, "fn": 0, "fp": 0, "tn": 0}
    labelled = [(c, r) for c, r in pairs if c.expect_flags is not None]
    for case, result in labelled:
        expected = case.expect_flags or []
        for rule in expected:
            found, total = recall.get(rule, (0, 0))
            recall[rule] = (found + (rule in result.red_flags), total + 1)
        key = (
            ("tp" if result.referral else "fn") if expected else ("fp" if result.referral else "tn")
        )
        confusion[key] += 1
    return recall, confusion if labelled else {}


def thresholds(suite: Suite, metrics: dict[str, float], overrides: dict[str, float]) -> list[Check]:
    """The suite's threshold checks, with command-line overrides (same direction)."""
    checks = []
    bounds = {m: ("min", v) for m, v in suite.thresholds.min.items()}
    bounds |= {m: ("max", v) for m, v in suite.thresholds.max.items()}
    for metric, value in overrides.items():
        bound = bounds.get(metric, ("min", value))[0]
        bounds[metric] = (bound, value)
    for metric, (bound, value) in sorted(bounds.items()):
        checks.append(Check(metric, bound, value, metrics.get(metric)))
    return checks
