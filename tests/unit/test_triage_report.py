"""Triage report arithmetic: confidence bounds, per-rule recall, missed and false referrals."""

from __future__ import annotations

import pytest

from assistant.evaluation.cases import Case
from assistant.evaluation.triage_report import binomial_upper_bound, triage_report


@pytest.mark.parametrize(
    ("failures", "trials", "expected"),
    [
        pytest.param(0, 128, 1 - 0.025 ** (1 / 128), id="none-missed-128"),
        pytest.param(0, 10, 1 - 0.025 ** (1 / 10), id="none-missed-10"),
        pytest.param(1, 10, 0.4450, id="one-of-ten"),
        pytest.param(5, 10, 0.8130, id="half"),
        pytest.param(10, 10, 1.0, id="all-missed"),
        pytest.param(0, 0, 1.0, id="no-trials"),
    ],
)
def test_upper_bound_matches_clopper_pearson(failures: int, trials: int, expected: float) -> None:
    assert binomial_upper_bound(failures, trials) == pytest.approx(expected, abs=5e-4)


def test_report_counts_recall_misses_and_false_referrals() -> None:
    from assistant.safety.detector import Detector
    from assistant.safety.rules import load_rules
    from tests.unit.safety_fakes import OUTPUTS, KeywordScorer

    scorer = KeywordScorer({"numb": {"numbness_tingling": 0.9}, "tight": {"severe_pain": 0.9}})
    detector = Detector(load_rules(), scorer, dict.fromkeys(OUTPUTS, 0.5))
    cases = [
        Case(id="numb", question="numb leg", expect_flags=["numbness_tingling"]),
        Case(id="calf", question="hot calf", expect_flags=["calf_dvt"]),
        Case(id="benign-a", question="tight hips", expect_flags=[]),
        Case(id="benign-b", question="where is it", expect_flags=[]),
        Case(id="unlabelled", question="numb", expect_flags=None),
    ]
    report = triage_report(detector, cases)
    assert report.recall == {"numbness_tingling": (1, 1), "calf_dvt": (0, 1)}
    assert report.missed == ["calf: calf_dvt"]
    assert report.false_referrals == ["benign-a"]
    assert (report.referred, report.refer_cases, report.benign_cases) == (1, 2, 2)
    assert report.false_referral_rate == 0.5
    assert any("FALSE REFERRAL benign-a" in line for line in report.lines())
