"""The question-kind model with the real corpus: it reproduces its recorded numbers, and the
command line shows every answering model's numbers."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import assistant.cli as cli
from assistant.answering.data import load_split
from assistant.answering.kinds import Kinds
from assistant.assistant import Assistant
from assistant.indexing.corpus import load_corpus
from assistant.training.kinds import measure, texts
from tests.helpers import SHIPPED_ANSWERS, SHIPPED_CORPUS

pytestmark = pytest.mark.integration


def test_the_validation_batches_reproduce_the_numbers_recorded_at_training(
    assistant: Assistant,
) -> None:
    corpus = {d.doc_id: d.text for d in load_corpus(SHIPPED_CORPUS)}
    held = [q for q in load_split(SHIPPED_ANSWERS, corpus).validation if q.in_scope and q.type]
    model = Kinds.load()
    measured = measure(model, texts(held, assistant.conversation), held)
    assert measured == model.meta["validation"]


def test_answering_check_prints_every_model() -> None:
    result = CliRunner().invoke(cli.main, ["answering", "check"])
    assert result.exit_code == 0, result.output
    for name in ("== follow-ups", "== kinds", "== scope", "== ranker"):
        assert name in result.output
    assert "follow-ups read with their context" in result.output
