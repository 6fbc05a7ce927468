"""What the corpus is not about, by rule, and a sentence's closeness to a question."""

from __future__ import annotations

import pytest

from assistant.answering.gate import off_topic
from assistant.answering.retrieval import UNKNOWN_WORD_PENALTY, sentence_closeness
from assistant.lexicon import MEDICINE


@pytest.mark.parametrize(
    ("sentence", "coverage", "expected"),
    [
        pytest.param(0.6, 1.0, 0.6, id="all-words-known"),
        pytest.param(0.6, 0.5, 0.6 - UNKNOWN_WORD_PENALTY / 2, id="half-known"),
        pytest.param(0.0, 0.0, -UNKNOWN_WORD_PENALTY, id="nothing"),
    ],
)
def test_sentence_closeness_penalises_unknown_words(
    sentence: float, coverage: float, expected: float
) -> None:
    assert sentence_closeness(sentence, coverage) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I stretch my calves", True),
        ("how much ibuprofen for hip pain", True),
        ("calf raises for the hip flexors", False),
        ("will an x-ray show a psoas problem", True),
        ("how is a labral tear diagnosed", True),
        ("scan the article for the bridge", False),
    ],
    ids=["calves", "ibuprofen", "calf-and-hip", "x-ray", "diagnosed", "scan-the-article"],
)
def test_other_body_parts_medicines_and_tests_are_off_topic(question: str, expected: bool) -> None:
    assert off_topic(question) is expected


def test_medicines_are_named_whatever_the_body_part() -> None:
    assert MEDICINE.search("can I take 400 mg of advil for my psoas")
    assert not MEDICINE.search("how long do I hold the psoas stretch")
