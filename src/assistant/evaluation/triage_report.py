"""Triage measured on a labelled suite: per-rule recall, false referrals, missed-referral bound.

The similarity layer's threshold is calibrated here too, reproducibly: just above the most
similar benign message, so the layer adds no false referral on the labelled set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.evaluation.cases import Case
from assistant.triage import Triage

FALSE_REFERRAL_TARGET = 0.05  # the product's target for benign questions referred
OFF = 1.01  # a similarity no message reaches: the layer is off


@dataclass
class TriageReport:
    """How the triage did on a suite at one similarity threshold."""

    threshold: float
    recall: dict[str, tuple[int, int]] = field(default_factory=dict)  # rule → (found, expected)
    referred: int = 0  # refer cases with any flag
    refer_cases: int = 0
    false_referrals: list[str] = field(default_factory=list)  # benign case ids that fired
    benign_cases: int = 0
    missed: list[str] = field(default_factory=list)  # (case id: rule) expected but not found

    @property
    def false_referral_rate(self) -> float:
        return len(self.false_referrals) / self.benign_cases if self.benign_cases else 0.0

    @property
    def missed_referral_upper_95(self) -> float:
        """Exact (Clopper-Pearson) upper 95% bound on the rate of missed referrals."""
        return binomial_upper_bound(self.refer_cases - self.referred, self.refer_cases)

    def lines(self) -> list[str]:
        """The report as plain text lines."""
        lines = [f"  {self.refer_cases} refer cases, {self.benign_cases} benign"]
        for rule_id, (found, total) in sorted(self.recall.items()):
            lines.append(f"  recall {rule_id:<18} {found}/{total} = {found / total:.0%}")
        lines += [
            f"  referred {self.referred}/{self.refer_cases} refer cases; missed referrals: "
            f"upper 95% bound {self.missed_referral_upper_95:.1%}",
            f"  false referrals on benign: {len(self.false_referrals)}/{self.benign_cases} = "
            f"{self.false_referral_rate:.1%} (target ≤ {FALSE_REFERRAL_TARGET:.0%})",
        ]
        lines += [f"  MISSED {item}" for item in self.missed]
        lines += [f"  FALSE REFERRAL {case_id}" for case_id in self.false_referrals]
        return lines


def binomial_upper_bound(failures: int, trials: int, confidence: float = 0.95) -> float:
    """Upper end of the two-sided exact confidence interval for a failure rate."""
    if trials == 0:
        return 1.0
    if failures >= trials:
        return 1.0
    alpha = (1 - confidence) / 2
    low, high = failures / trials, 1.0
    for _ in range(60):  # bisection: P(X <= failures | p) = alpha
        mid = (low + high) / 2
        if binomial_cdf(failures, trials, mid) > alpha:
            low = mid
        else:
            high = mid
    return high


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    term, total = (1 - p) ** n, 0.0
    for i in range(k + 1):
        total += term
        term *= (n - i) / (i + 1) * (p / (1 - p)) if p < 1 else 0.0
    return total


@dataclass(frozen=True)
class Observed:
    """What the triage saw in one case: lexicon hits and per-rule best similarity."""

    case: Case
    lexicon: frozenset[str]
    similarity: dict[str, float]


def observe(triage: Triage, cases: Sequence[Case]) -> list[Observed]:
    """Run both layers once per case (thresholds are then tried without re-embedding)."""
    observed = []
    for case in cases:
        if case.expect_flags is None:
            continue
        messages = [*case.history, case.question]
        lexicon = {f.rule.id for f in triage.lexicon(triage.normalise(". ".join(messages)))}
        similarity: dict[str, float] = {}
        for message in messages:
            for rule_id, value in triage.best_similarity(message).items():
                similarity[rule_id] = max(similarity.get(rule_id, 0.0), value)
        observed.append(Observed(case, frozenset(lexicon), similarity))
    return observed


def report_at(observed: Sequence[Observed], threshold: float) -> TriageReport:
    """The report the triage would give with the similarity layer at `threshold`."""
    report = TriageReport(threshold)
    for item in observed:
        fired = set(item.lexicon) or {r for r, v in item.similarity.items() if v >= threshold}
        expected = item.case.expect_flags or []
        if not expected:
            report.benign_cases += 1
            if fired:
                report.false_referrals.append(item.case.id)
            continue
        report.refer_cases += 1
        report.referred += bool(fired)
        for rule_id in expected:
            found, total = report.recall.get(rule_id, (0, 0))
            report.recall[rule_id] = (found + (rule_id in fired), total + 1)
            if rule_id not in fired:
                report.missed.append(f"{item.case.id}: {rule_id}")
    return report


def similarity_threshold(observed: Sequence[Observed], margin: float = 0.01) -> float:
    """Just above the closest benign message: the similarity layer refers no labelled benign
    case, and catches what it can of wording the lexicon does not know."""
    benign = [max(o.similarity.values(), default=0.0) for o in observed if not o.case.expect_flags]
    return min(OFF, max(benign, default=0.0) + margin)
