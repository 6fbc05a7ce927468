"""The out-of-scope gate: scope score, threshold test and calibration."""

from __future__ import annotations

import pytest

from assistant.gate import (
    SENTENCE_WEIGHT,
    UNKNOWN_WORD_PENALTY,
    Calibration,
    calibrate,
    is_in_scope,
    scope_score,
    sentence_closeness,
)


@pytest.mark.parametrize(
    ("similarity", "coverage", "expected"),
    [
        pytest.param(0.7, 1.0, 0.7, id="all-words-known"),
        pytest.param(0.7, 0.0, 0.7 - UNKNOWN_WORD_PENALTY, id="no-words-known"),
        pytest.param(0.7, 0.5, 0.7 - UNKNOWN_WORD_PENALTY / 2, id="half-known"),
        pytest.param(0.0, 0.0, -UNKNOWN_WORD_PENALTY, id="can-go-negative"),
    ],
)
def test_scope_score_penalises_unknown_words(
    similarity: float, coverage: float, expected: float
) -> None:
    assert scope_score(similarity, similarity, coverage) == pytest.approx(expected)


def test_penalty_is_point_three() -> None:
    # "calves" in an otherwise known question: the score drops by 0.3 times the unknown share.
    assert scope_score(0.6, 0.6, 2 / 3) == pytest.approx(0.6 - 0.1)


def test_the_closest_sentence_counts_more_than_the_best_passage() -> None:
    expected = SENTENCE_WEIGHT * 0.8 + (1 - SENTENCE_WEIGHT) * 0.4
    assert scope_score(0.4, 0.8, 1.0) == pytest.approx(expected)
    assert expected > (0.4 + 0.8) / 2  # the sentence weighs more than half
    # A short specific question: one sentence answers it though no whole passage is close.
    assert scope_score(0.3, 0.6, 1.0) > scope_score(0.6, 0.3, 1.0)


@pytest.mark.parametrize(
    ("sentence", "coverage", "expected"),
    [
        pytest.param(0.6, 1.0, 0.6, id="all-words-known"),
        pytest.param(0.6, 0.5, 0.6 - UNKNOWN_WORD_PENALTY / 2, id="half-known"),
        pytest.param(0.0, 0.0, -UNKNOWN_WORD_PENALTY, id="nothing"),
    ],
)
def test_sentence_closeness_applies_the_same_penalty(
    sentence: float, coverage: float, expected: float
) -> None:
    assert sentence_closeness(sentence, coverage) == pytest.approx(expected)


def test_other_body_parts_and_medicines_are_off_topic() -> None:
    assert scope_score(0.9, 0.9, 1.0, "how do I stretch my calves") == -1.0
    assert scope_score(0.9, 0.9, 1.0, "how much ibuprofen for hip pain") == -1.0
    assert scope_score(0.9, 0.9, 1.0, "calf raises for the hip flexors") > 0
    assert scope_score(0.9, 0.9, 1.0, "will an x-ray show a psoas problem") == -1.0
    assert scope_score(0.9, 0.9, 1.0, "how is a labral tear diagnosed") == -1.0
    assert scope_score(0.9, 0.9, 1.0, "scan the article for the bridge") > 0


@pytest.mark.parametrize(
    ("score", "threshold", "expected"),
    [
        pytest.param(0.5, 0.5, True, id="at-threshold"),
        pytest.param(0.51, 0.5, True, id="above"),
        pytest.param(0.49, 0.5, False, id="below"),
    ],
)
def test_is_in_scope(score: float, threshold: float, expected: bool) -> None:
    assert is_in_scope(score, threshold) is expected


def hand_count(inside: list[float], outside: list[float], threshold: float) -> tuple[float, float]:
    refused = sum(not is_in_scope(s, threshold) for s in inside) / len(inside)
    answered = sum(is_in_scope(s, threshold) for s in outside) / len(outside)
    return refused, answered


@pytest.mark.parametrize(
    ("inside", "outside"),
    [
        pytest.param([0.8, 0.9, 0.75], [0.2, 0.3], id="wide-gap"),
        pytest.param([0.41], [0.4], id="narrow-gap"),
        pytest.param([0.6, 0.6, 0.7], [0.1, 0.5, 0.5], id="duplicates"),
    ],
)
def test_separable_scores_give_zero_error_rates(inside: list[float], outside: list[float]) -> None:
    result = calibrate(inside, outside)
    assert (result.false_refusal_rate, result.false_answer_rate) == (0.0, 0.0)
    assert max(outside) < result.threshold <= min(inside)
    assert hand_count(inside, outside, result.threshold) == (0.0, 0.0)
    assert (result.in_scope, result.out_of_scope) == (len(inside), len(outside))


def test_separable_threshold_sits_in_the_middle_of_the_gap() -> None:
    assert calibrate([0.8, 0.9], [0.2, 0.4]).threshold == pytest.approx(0.6)


def test_ties_in_errors_go_to_the_widest_gap() -> None:
    # Cuts at 0.4, 0.65 and 0.85 each make two errors; the gap around 0.4 (0.3 → 0.5) is widest.
    result = calibrate([0.5, 0.7, 0.9], [0.3, 0.6, 0.8])
    assert result == Calibration(
        threshold=0.4, false_refusal_rate=0.0, false_answer_rate=2 / 3, in_scope=3, out_of_scope=3
    )


@pytest.mark.parametrize(
    ("inside", "outside", "refused", "answered"),
    [
        # Cuts 0.7 and 0.875 and 0.475 all make two errors; 0.7 has the widest gap (0.6 → 0.8)
        # and refuses 0.5 while answering 0.85.
        pytest.param([0.5, 0.8, 0.9], [0.45, 0.6, 0.85], 1 / 3, 1 / 3, id="one-each"),
        # Out-of-scope 0.7 sits above all in-scope bar one: cheaper to answer it than refuse two.
        pytest.param([0.4, 0.5, 0.9], [0.1, 0.7], 0.0, 1 / 2, id="answer-one-outlier"),
        # Identical scores on both sides cannot be separated.
        pytest.param([0.5, 0.5], [0.5], 0.0, 1.0, id="identical"),
    ],
)
def test_overlapping_scores_report_the_hand_counted_rates(
    inside: list[float], outside: list[float], refused: float, answered: float
) -> None:
    result = calibrate(inside, outside)
    assert result.false_refusal_rate == pytest.approx(refused)
    assert result.false_answer_rate == pytest.approx(answered)
    assert hand_count(inside, outside, result.threshold) == pytest.approx((refused, answered))


def test_returned_threshold_reproduces_the_reported_rates_for_close_scores() -> None:
    inside, outside = [0.12346], [0.12345]
    result = calibrate(inside, outside)
    reported = (result.false_refusal_rate, result.false_answer_rate)
    assert hand_count(inside, outside, result.threshold) == reported


@pytest.mark.parametrize(
    ("inside", "outside"),
    [
        pytest.param([], [0.1], id="no-in-scope"),
        pytest.param([0.9], [], id="no-out-of-scope"),
        pytest.param([], [], id="nothing"),
    ],
)
def test_calibrate_needs_both_labels(inside: list[float], outside: list[float]) -> None:
    with pytest.raises(ValueError, match="both in-scope and out-of-scope"):
        calibrate(inside, outside)
