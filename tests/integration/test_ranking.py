"""The learned sentence ranker with the real model: it reproduces its recorded validation
number, it opens the product's answers, and the command line shows it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import assistant.cli as cli
from assistant.answering.data import load_split
from assistant.answering.ranking import FEATURES
from assistant.assistant import Assistant
from assistant.indexing.corpus import load_corpus
from assistant.training.ranking import gather, top_one, with_support
from tests.helpers import SHIPPED_ANSWERS, SHIPPED_CORPUS

pytestmark = pytest.mark.integration


def test_the_validation_batches_reproduce_the_recorded_top_one(assistant: Assistant) -> None:
    ranker = assistant.composer.ranker
    assert ranker is not None
    corpus = {d.doc_id: d.text for d in load_corpus(SHIPPED_CORPUS)}
    held = [q for q in load_split(SHIPPED_ANSWERS, corpus).validation if q.in_scope]
    groups = gather(assistant, held)
    rows = with_support(groups, ranker.memory, out_of_fold=False)
    learned = top_one(groups, rows, lambda m: ranker.score([*map(tuple, m)]))
    hand = top_one(groups, rows, lambda m: m[:, FEATURES.index("hand_score")])
    assert round(learned, 4) == ranker.meta["validation"]["learned_top1"]
    assert round(hand, 4) == ranker.meta["validation"]["hand_top1"]
    assert learned > hand


def test_the_answer_opens_with_the_sentence_that_answers(assistant: Assistant) -> None:
    answer = assistant.ask("does the overhead lunge give a deeper stretch than a normal lunge?")
    first = answer.text.split("[1]")[0]
    assert "deeper, more meaningful stretch" in first


def test_ranker_check_prints_the_validation_numbers() -> None:
    result = CliRunner().invoke(cli.main, ["ranker", "check"])
    assert result.exit_code == 0, result.output
    assert "questions remembered" in result.output
    assert "hand-set score" in result.output
