"""Triage report arithmetic: confidence bounds, per-rule recall, the similarity threshold."""

from __future__ import annotations

import pytest

from assistant.evaluation.cases import Case
from assistant.evaluation.triage_report import (
    OFF,
    Observed,
    binomial_upper_bound,
    report_at,
    similarity_threshold,
)


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


def observed(
    case_id: str, flags: list[str], lexicon: set[str], similarity: dict[str, float]
) -> Observed:
    case = Case(id=case_id, question="q", expect_flags=flags)
    return Observed(case, frozenset(lexicon), similarity)


SUITE = [
    observed("numb", ["numbness_tingling"], {"numbness_tingling"}, {}),
    observed("fever", ["systemic_symptoms"], set(), {"systemic_symptoms": 0.8}),
    observed("calf", ["calf_dvt"], set(), {"calf_dvt": 0.5}),
    observed("benign-a", [], set(), {"severe_pain": 0.6}),
    observed("benign-b", [], set(), {"calf_dvt": 0.3}),
]


def test_report_counts_recall_misses_and_false_referrals() -> None:
    report = report_at(SUITE, 0.55)
    assert report.recall == {
        "numbness_tingling": (1, 1),
        "systemic_symptoms": (1, 1),
        "calf_dvt": (0, 1),
    }
    assert report.missed == ["calf: calf_dvt"]
    assert report.false_referrals == ["benign-a"]
    assert (report.referred, report.refer_cases, report.benign_cases) == (2, 3, 2)
    assert report.false_referral_rate == 0.5


def test_threshold_sits_just_above_the_closest_benign_message() -> None:
    threshold = similarity_threshold(SUITE)
    assert threshold == pytest.approx(0.61)
    report = report_at(SUITE, threshold)
    assert report.false_referrals == []
    assert report.missed == ["calf: calf_dvt"]


def test_threshold_is_off_without_benign_messages_above_it() -> None:
    assert similarity_threshold([observed("x", [], set(), {"a": 1.0})]) == OFF
