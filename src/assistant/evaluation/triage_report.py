"""Triage alone on labelled suites (no retrieval): per-rule recall, missed referrals with an
exact upper bound, false referrals. `assistant triage check` prints it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.evaluation.cases import Case
from assistant.safety.detector import Detector

FALSE_REFERRAL_TARGET = 0.05  # the product's target for benign messages referred


@dataclass
class TriageReport:
    """How the triage did on a suite."""

    recall: dict[str, tuple[int, int]] = field(default_factory=dict)  # rule → (found, expected)
    referred: int = 0  # refer cases with any flag
    refer_cases: int = 0
    false_referrals: list[str] = field(default_factory=list)  # benign case ids that fired
    benign_cases: int = 0
    missed: list[str] = field(default_factory=list)  # "case id: rule" expected but not found

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
            lines.append(f"  recall {rule_id:<18} {found}/{total} = {found / total:.1%}")
        lines += [
            f"  referred {self.referred}/{self.refer_cases} refer cases; missed referrals: "
            f"upper 95% bound {self.missed_referral_upper_95:.1%}",
            f"  false referrals on benign: {len(self.false_referrals)}/{self.benign_cases} = "
            f"{self.false_referral_rate:.1%} (target ≤ {FALSE_REFERRAL_TARGET:.0%})",
        ]
        lines += [f"  MISSED {item}" for item in self.missed]
        lines += [f"  FALSE REFERRAL {case_id}" for case_id in self.false_referrals]
        return lines


def triage_report(detector: Detector, cases: Sequence[Case]) -> TriageReport:
    """The detector's decisions on every case labelled for triage (`expect_flags` set)."""
    report = TriageReport()
    for case in cases:
        if case.expect_flags is None:
            continue
        found = {f.rule.id for f in detector.assess([*case.history, case.question]).findings}
        for rule in case.expect_flags:
            hit, total = report.recall.get(rule, (0, 0))
            report.recall[rule] = (hit + (rule in found), total + 1)
            if rule not in found:
                report.missed.append(f"{case.id}: {rule}")
        if case.expect_flags:
            report.refer_cases += 1
            report.referred += bool(found)
        else:
            report.benign_cases += 1
            if found:
                report.false_referrals.append(case.id)
    return report


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
