"""The learned scope gate's decision logic, with hand-set weights (no training)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answering.scope import N_FEATURES, Evidence, ScopeModel, design, neighbours

WIDTH = 2 * N_FEATURES + 4 + 3 + 3  # word and char n-grams, a 4-d vector, closeness, neighbours
REFERENCES = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0]])
LABELS = np.array([True, True, False])


def evidence(text: str, best: float = 0.5) -> Evidence:
    return Evidence(text, (0.5, 0.5, 0.5, 0.5), (best, best, 1.0))


def closeness_model(threshold: float = 0.5) -> ScopeModel:
    """Reads only the best-sentence closeness: in scope when it is over 0.5."""
    weights = np.zeros(WIDTH)
    weights[-5] = 20.0  # best sentence: closeness comes before the three neighbour features
    return ScopeModel(weights, -10.0, threshold, REFERENCES, LABELS, {"note": "hand-set"})


def test_features_are_ngrams_then_vector_then_closeness_then_neighbours() -> None:
    x = design([evidence("psoas stretch", best=0.7)], np.array([[0.9, 0.2, 0.7]]))
    assert x.shape == (1, WIDTH)
    assert x[0, -5] == pytest.approx(0.7)
    assert x[0, -1] == pytest.approx(0.7)
    assert x[0, : 2 * N_FEATURES].nnz > 0


def test_neighbour_features_average_the_nearest_of_each_label() -> None:
    inside = [[1.0, 0, 0, 0]] * 3 + [[0.6, 0.8, 0, 0]] * 3  # six in scope
    outside = [[0, 1.0, 0, 0]] * 6  # six out of scope
    references = np.array(inside + outside)
    labels = np.array([True] * 6 + [False] * 6)
    near = neighbours(np.array([[1.0, 0, 0, 0]]), references, labels)
    assert near[0, 0] == pytest.approx((3 * 1.0 + 2 * 0.6) / 5)  # the five nearest in scope
    assert near[0, 1] == pytest.approx(0.0)
    assert near[0, 2] == pytest.approx(near[0, 0] - near[0, 1])


@pytest.mark.parametrize(("best", "expected"), [(0.9, True), (0.1, False)], ids=["close", "far"])
def test_the_decision_follows_the_probability(best: float, expected: bool) -> None:
    decision, p = closeness_model().in_scope("how long do I hold it", evidence("x", best))
    assert decision is expected
    assert (p >= 0.5) is expected


def test_medicines_are_out_of_scope_whatever_the_model_says() -> None:
    decision, p = closeness_model().in_scope("how much ibuprofen", evidence("x", best=1.0))
    assert decision is False
    assert p == 0.0


def test_save_and_load_give_the_same_decisions(tmp_path: Path) -> None:
    model = closeness_model(threshold=0.42)
    model.save(tmp_path / "gate")
    loaded = ScopeModel.load(tmp_path / "gate")
    assert loaded.threshold == 0.42
    assert loaded.meta == {"note": "hand-set"}
    rows = [evidence("a", 0.2), evidence("b", 0.49), evidence("c", 0.8)]
    assert np.array_equal(loaded.probability(rows), model.probability(rows))


def test_the_packaged_gate_records_its_data_and_numbers() -> None:
    model = ScopeModel.load()
    assert 0 < model.threshold < 1
    assert model.meta["data"]["train_rows"] >= 1500
    assert model.meta["validation"]["false_refusal_rate"] <= 0.05
