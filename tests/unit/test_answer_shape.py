"""The shape metrics: lead sentence, sentence count, near-duplicates and fragments."""

from __future__ import annotations

import pytest

from assistant.answer import Answer, Citation
from assistant.evaluation.shape import median, shape

DOC = (
    "The psoas runs from the spine to the thigh. This makes it a hip flexor.\n\n"
    "Try these stretches:\n- Hold the lunge for 30 seconds.\n- Repeat twice.\n\n"
    "Tight hips come from sitting. It is important to move every hour."
)


def cite(n: int, quote: str) -> Citation:
    start = DOC.index(quote)
    return Citation(n, "doc", "Doc", "", "doc#0", quote, start, start + len(quote))


def answer(text: str, *quotes: str) -> Answer:
    return Answer("q", text, [cite(i, q) for i, q in enumerate(quotes, 1)])


def source(doc_id: str) -> str | None:
    return DOC if doc_id == "doc" else None


def test_sentences_and_the_lead_are_read_from_the_quoted_lines() -> None:
    found = shape(
        answer(
            "Try these stretches: [1]\n- Hold the lunge for 30 seconds. [2]\n- Repeat twice. [3]",
            "Try these stretches:", "Hold the lunge for 30 seconds.", "Repeat twice.",
        ),
        source,
    )  # fmt: skip
    assert found.first == "Try these stretches:"
    assert found.counted == 1  # list items (steps) aside
    assert found.fragments == []  # its list follows


@pytest.mark.parametrize(
    ("text", "quotes", "fragment"),
    [
        ("Try these stretches: [1]", ["Try these stretches:"], "without its list"),
        ("Tight hips come from sitting. [1] This makes it a hip flexor. [2]",
         ["Tight hips come from sitting.", "This makes it a hip flexor."], "not shown"),
        ("This makes it a hip flexor. [1]", ["This makes it a hip flexor."], "not shown"),
    ],
    ids=["colon-without-list", "this-after-another-sentence", "this-first"],
)  # fmt: skip
def test_fragments_are_found(text: str, quotes: list[str], fragment: str) -> None:
    found = shape(answer(text, *quotes), source)
    assert len(found.fragments) == 1
    assert fragment in found.fragments[0]


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ("The psoas runs from the spine to the thigh. [1] This makes it a hip flexor. [1]",
         ["The psoas runs from the spine to the thigh. This makes it a hip flexor."]),
        ("It is important to move every hour. [1]", ["It is important to move every hour."]),
    ],
    ids=["this-after-its-sentence", "expletive-it"],
)  # fmt: skip
def test_sentences_that_follow_their_antecedent_are_no_fragments(
    text: str, quotes: list[str]
) -> None:
    assert shape(answer(text, *quotes), source).fragments == []


def test_near_duplicates_are_paired_but_different_sentences_are_not() -> None:
    twice = "Hold the lunge for 30 seconds. [1] Hold the lunge for 30 seconds each. [2]"
    found = shape(answer(twice, "Hold the lunge for 30 seconds.", "Repeat twice."), source)
    assert len(found.duplicates) == 1
    other = "Hold the lunge for 30 seconds. [1] Tight hips come from sitting. [2]"
    assert (
        shape(answer(other, "Hold the lunge for 30 seconds.", "Repeat twice."), source).duplicates
        == []
    )


def test_median_of_even_and_odd_counts() -> None:
    assert median([1, 5, 3]) == 3
    assert median([1, 2, 3, 4]) == 2.5
    assert median([]) == 0.0
