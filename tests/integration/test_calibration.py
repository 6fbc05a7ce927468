"""The out-of-scope threshold is reproducible from the labelled questions."""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from assistant.evaluation.calibration import calibrate_gate
from assistant.settings import PROJECT_ROOT, Settings

EVALS = PROJECT_ROOT / "evals"

pytestmark = pytest.mark.integration


def test_default_threshold_is_the_calibrated_one(assistant: Assistant) -> None:
    result = calibrate_gate(assistant, EVALS / "scope.yaml")
    print(
        f"\ncalibrated threshold {result.threshold:.4f}: false refusals "
        f"{result.false_refusal_rate:.1%} of {result.in_scope}, false answers "
        f"{result.false_answer_rate:.1%} of {result.out_of_scope}"
    )
    assert result.in_scope >= 50
    assert result.out_of_scope >= 50
    assert abs(Settings().gate_threshold - result.threshold) <= 0.02
    assert result.false_refusal_rate <= 0.05
    assert result.false_answer_rate <= 0.05
