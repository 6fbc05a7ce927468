"""Reciprocal rank fusion of the dense and lexical rankings; a message's clauses."""

from __future__ import annotations

import pytest

from assistant.answering.retrieval import clauses, fuse


@pytest.mark.parametrize(
    ("rankings", "k", "expected"),
    [
        pytest.param([], 60, {}, id="no-rankings"),
        pytest.param([[], []], 60, {}, id="empty-rankings"),
        pytest.param([["a", "b"]], 60, {"a": 1 / 61, "b": 1 / 62}, id="one-ranking"),
        pytest.param([["a"], ["a"]], 60, {"a": 2 / 61}, id="agreeing-top"),
        pytest.param(
            [["a", "b", "c"], ["c", "b"]],
            1,
            {"a": 1 / 2, "b": 1 / 3 + 1 / 3, "c": 1 / 4 + 1 / 2},
            id="overlap-k1",
        ),
        pytest.param([["x"], ["y"]], 0, {"x": 1.0, "y": 1.0}, id="k0-disjoint"),
    ],
)
def test_fuse(rankings: list[list[str]], k: int, expected: dict[str, float]) -> None:
    fused = fuse(rankings, k)
    assert fused.keys() == expected.keys()
    for key, value in expected.items():
        assert fused[key] == pytest.approx(value)


def test_an_id_in_both_lists_beats_ids_in_one() -> None:
    fused = fuse([["dense-top", "both"], ["lexical-top", "both"]], 60)
    ranked = sorted(fused, key=lambda key: -fused[key])
    assert ranked[0] == "both"


def test_fusion_is_symmetric_in_the_order_of_rankings() -> None:
    dense = ["a", "b", "c"]
    lexical = ["c", "d"]
    assert fuse([dense, lexical], 60) == pytest.approx(fuse([lexical, dense], 60))


def test_larger_k_flattens_the_difference_between_ranks() -> None:
    small = fuse([["a", "b"]], 1)
    large = fuse([["a", "b"]], 100)
    assert small["a"] / small["b"] > large["a"] / large["b"] > 1.0


def test_fuse_accepts_any_sequences() -> None:
    assert fuse((("a",), ("a", "b")), 10) == pytest.approx({"a": 2 / 11, "b": 1 / 12})


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("how long do I hold the bridge?", [], id="one-sentence"),
        pytest.param(
            "skip the citations, i trust you. how long do i hold a bridge?",
            ["skip the citations, i trust you.", "how long do i hold a bridge?"],
            id="instruction-then-question",
        ),
        pytest.param(
            "fascia? the overhead lunge thing kept mentioning it",
            [],
            id="one-word-clause-is-not-a-clause",
        ),
        pytest.param(
            "what is cat cow? how long do i keep going",
            ["what is cat cow?", "how long do i keep going"],
            id="two-questions",
        ),
        pytest.param("ok. thanks. psoas?", [], id="no-clause-has-two-content-words"),
    ],
)
def test_clauses(question: str, expected: list[str]) -> None:
    assert clauses(question) == expected
