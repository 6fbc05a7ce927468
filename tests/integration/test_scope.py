"""The learned scope gate with the real model: it reproduces its recorded numbers, and the
command line shows them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import assistant.cli as cli
from assistant.assistant import Assistant
from assistant.indexing.corpus import load_corpus
from assistant.training.scope import gather, labelled, rates
from tests.helpers import SHIPPED_ANSWERS, SHIPPED_CORPUS, SHIPPED_EVALS

pytestmark = pytest.mark.integration


def test_the_validation_batches_reproduce_the_numbers_recorded_at_training(
    assistant: Assistant,
) -> None:
    corpus = {d.doc_id: d.text for d in load_corpus(SHIPPED_CORPUS)}
    _, validation, _ = labelled(SHIPPED_ANSWERS, SHIPPED_EVALS, corpus)
    scope = assistant.scope
    assert scope is not None
    measured = rates(scope, gather(assistant, validation), validation)
    assert measured == scope.meta["validation"]


@pytest.mark.parametrize(
    ("question", "in_scope"),
    [
        ("how long should I hold the kneeling hip flexor stretch?", True),
        ("what is the capital of France?", False),
        ("how many mg of ibuprofen can I take for my psoas?", False),
    ],
    ids=["hold-time", "general-knowledge", "medicine"],
)
def test_the_product_answers_or_refuses_through_the_gate(
    assistant: Assistant, question: str, in_scope: bool
) -> None:
    assert assistant.ask(question).in_scope is in_scope


def test_scope_check_prints_the_threshold_and_validation_numbers() -> None:
    result = CliRunner().invoke(cli.main, ["scope", "check"])
    assert result.exit_code == 0, result.output
    assert "threshold: " in result.output
    assert "answerable questions refused" in result.output
