"""Reproducible calibration of the out-of-scope gate on `evals/scope.yaml`."""

from __future__ import annotations

from pathlib import Path

from assistant.assistant import Assistant
from assistant.conversation import contextualize
from assistant.evaluation.cases import load_suite
from assistant.gate import Calibration, calibrate, scope_score


def scope_scores(assistant: Assistant, suite: Path) -> tuple[list[float], list[float]]:
    """Scope score of every labelled question, split by label."""
    inside: list[float] = []
    outside: list[float] = []
    for case in load_suite(suite):
        if case.in_scope is None:
            continue
        turn = contextualize(case.question, case.history)
        retrieval = assistant.retriever.retrieve(turn.query, 1)
        score = scope_score(
            retrieval.best_similarity, retrieval.best_sentence, retrieval.coverage, turn.query
        )
        (inside if case.in_scope else outside).append(score)
    return inside, outside


def calibrate_gate(assistant: Assistant, suite: Path) -> Calibration:
    """The threshold that best separates the suite's in-scope and out-of-scope questions."""
    return calibrate(*scope_scores(assistant, suite))
