"""Eval arithmetic: ranks, facts, citation checks, percentiles, thresholds, baseline diffs."""

from __future__ import annotations

import pytest

from assistant.answer import Answer, Citation
from assistant.evaluation.cases import Case, Suite, Thresholds
from assistant.evaluation.metrics import (
    citation_problems,
    first_rank,
    missing_facts,
    percentile,
    retrieval_metrics,
)
from assistant.evaluation.report import compare, to_html
from assistant.evaluation.runner import CaseResult, score, thresholds

DOC = "Intro. Hold the stretch for 30 seconds, then relax. More text."
QUOTE = Citation(1, "doc", "T", "S", "doc-1", "Hold the stretch for 30 seconds, then relax.", 7, 52)


def source(doc_id: str) -> str | None:
    return DOC if doc_id == "doc" else None


def test_first_rank_and_retrieval_metrics() -> None:
    assert first_rank(["a", "b", "c"], ["c", "x"]) == 3
    assert first_rank(["a"], ["x"]) is None
    metrics = retrieval_metrics([1, 3, None, 5], [1.0, 1.0, 0.0, 1.0], k=5)
    assert metrics["retrieval.hit@1"] == 0.25
    assert metrics["retrieval.hit@3"] == 0.5
    assert metrics["retrieval.hit@5"] == 0.75
    assert metrics["retrieval.mrr"] == pytest.approx((1 + 1 / 3 + 1 / 5) / 4)
    assert metrics["retrieval.recall@5"] == 0.75


@pytest.mark.parametrize(
    ("any_of", "all_of", "missing"),
    [
        pytest.param(["30 SECONDS", "one minute"], [], [], id="any-of-case-insensitive"),
        pytest.param(["one minute"], [], ["none of ['one minute']"], id="any-of-missing"),
        pytest.param([], ["hold", "relax", "knee"], ["knee"], id="all-of-missing-one"),
    ],
)
def test_missing_facts(any_of: list[str], all_of: list[str], missing: list[str]) -> None:
    assert (
        missing_facts("Hold the stretch for 30   seconds, then relax.", any_of, all_of) == missing
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Hold the stretch for 30 seconds, then relax. [1]", id="one-sentence"),
        pytest.param(
            "Bananas are rich in potassium, fibre, vitamins and minerals: a line of its own.\n"
            "“Hold the stretch for 30 seconds, then relax.” [1]",
            id="uncited-line-above-a-quote-line",
        ),
        pytest.param("9. Hold the stretch and feel calm joy. [1]", id="list-marker-is-not-a-word"),
    ],
)
def test_valid_citations_pass(text: str) -> None:
    assert citation_problems(Answer("q", text, [QUOTE]), source) == []


@pytest.mark.parametrize(
    ("text", "citations", "problem"),
    [
        pytest.param("Claim. [2]", [QUOTE], "[2] does not resolve", id="unresolved"),
        pytest.param(
            "Hold it. [1]",
            [Citation(1, "doc", "T", "S", "c", "Hold it for an hour.", 0, 5)],
            "not verbatim",
            id="not-verbatim",
        ),
        pytest.param(
            "Bananas are rich in potassium and fibre. [1]",
            [QUOTE],
            "too few key words",
            id="unrelated-passage",
        ),
    ],
)
def test_citation_problems_are_named(text: str, citations: list[Citation], problem: str) -> None:
    problems = citation_problems(Answer("q", text, citations), source)
    assert any(problem in p for p in problems), problems


def test_percentile_nearest_rank() -> None:
    assert percentile([], 0.5) == 0.0
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert percentile(list(range(1, 101)), 0.95) == 95


def result(case_id: str, **fields: object) -> CaseResult:
    values: dict[str, object] = {
        "category": None, "question": "q", "answer": "a [1]", "in_scope": True,
        "referral": False, "red_flags": [], "latency_ms": 10.0,
    } | fields  # fmt: skip
    return CaseResult(case_id, **values)  # type: ignore[arg-type]


def test_scores_from_case_results() -> None:
    cases = [
        Case(id="a", question="q", any_of=["x"], expect_docs=["d"]),
        Case(id="b", question="q", in_scope=False),
        Case(id="c", question="q", expect_flags=["numbness_tingling"]),
        Case(id="d", question="q", expect_flags=[]),
    ]
    results = [
        result("a", rank=2, reasons=["missing fact: none of ['x']"]),
        result("b", in_scope=False, answer="outside"),
        result("c", referral=True, red_flags=["numbness_tingling"]),
        result("d", referral=True, red_flags=["severe_pain"], reasons=["false referral"]),
    ]
    metrics, recall, confusion = score(cases, results, k=5)
    assert metrics["answers.facts"] == 0.0
    assert metrics["retrieval.hit@3"] == 1.0
    assert metrics["scope.refusal_rate"] == 1.0
    assert recall == {"numbness_tingling": (1, 1)}
    assert confusion == {"tp": 1, "fn": 0, "fp": 1, "tn": 0}
    assert metrics["triage.false_referral_rate"] == 1.0
    assert metrics["cases.pass_rate"] == 0.5


def test_thresholds_with_overrides_keep_their_direction() -> None:
    suite = Suite(
        cases=[Case(id="a", question="q")],
        thresholds=Thresholds(min={"answers.facts": 0.8}, max={"latency.p95_ms": 100}),
    )
    checks = {c.metric: c for c in thresholds(
        suite, {"answers.facts": 0.9, "latency.p95_ms": 150}, {"latency.p95_ms": 200}
    )}  # fmt: skip
    assert checks["answers.facts"].ok
    assert checks["latency.p95_ms"].bound == "max"
    assert checks["latency.p95_ms"].ok
    missing = thresholds(suite, {}, {})
    assert not any(c.ok for c in missing), "an unmeasured metric must not pass"


def report(passed_a: bool, facts: float) -> dict[str, object]:
    return {
        "metadata": {"git_commit": "abc"},
        "passed": passed_a,
        "suites": [{
            "name": "answers", "path": "evals/answers.yaml", "passed": passed_a,
            "metrics": {"answers.facts": facts, "latency.p95_ms": 40.0},
            "checks": [{"metric": "answers.facts", "bound": "min", "threshold": 0.8,
                        "value": facts, "ok": facts >= 0.8}],
            "rule_recall": {"numbness_tingling": [3, 4]}, "confusion": {},
            "cases": [
                {"id": "a", "question": "<b>q</b>", "passed": passed_a, "reasons": [] if passed_a
                 else ["missing fact"], "latency_ms": 12.0},
                {"id": "b", "question": "q", "passed": True, "reasons": [], "latency_ms": 30.0},
            ],
        }],
    }  # fmt: skip


def test_compare_lists_metric_changes_and_flipped_cases() -> None:
    change = compare(report(False, 0.5), report(True, 0.9))["answers"]
    assert change["metrics"]["answers.facts"] == {"before": 0.9, "after": 0.5}
    assert change["worse"] == ["a"]
    assert change["better"] == []


def test_html_report_is_self_contained_and_escaped() -> None:
    page = to_html(
        report(False, 0.5) | {"baseline": compare(report(False, 0.5), report(True, 0.9))}
    )
    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page
    assert "&lt;b&gt;q&lt;/b&gt;" in page
    assert "<svg" in page
    assert "FAILED" in page
    assert "numbness_tingling" in page


def test_an_out_of_scope_question_referred_is_not_answered_from_the_sources() -> None:
    cases = [Case(id=x, question="q", in_scope=False) for x in "abc"]
    results = [
        result("a", in_scope=False, answer="outside"),
        result("b", referral=True, red_flags=["severe_pain"], answer="⚠️ Please see a doctor"),
        result("c", answer="An answer from the sources. [1]"),
    ]
    metrics, _, _ = score(cases, results, k=5)
    assert metrics["scope.refusal_rate"] == pytest.approx(2 / 3)


def test_markup_in_every_field_of_the_report_is_shown_as_text() -> None:
    hostile = "<i>x</i>\"'&"
    data = report(False, 0.5)
    suite = data["suites"][0]  # type: ignore[index]
    data["metadata"] = {hostile: hostile, "settings": {hostile: hostile}}
    suite.update(name=hostile, path=hostile, rule_recall={hostile: [1, 2]})
    suite["metrics"][hostile] = 1.0
    suite["checks"][0]["metric"] = hostile
    suite["cases"][0].update(id=hostile, question=hostile, reasons=[hostile])
    page = to_html(data | {"baseline": {hostile: {"new_suite": False, "metrics": {
        hostile: {"before": 1.0, "after": 0.5}}, "worse": [hostile], "better": []}}})  # fmt: skip
    assert "<i>" not in page
    assert page.count("&lt;i&gt;x&lt;/i&gt;") >= 9
