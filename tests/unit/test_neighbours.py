"""Sentences read with their neighbours: score smoothing and lead-ins with their lists."""

from __future__ import annotations

import pytest

from assistant.answering.layout import Candidate
from assistant.answering.neighbours import (
    NEIGHBOUR_PULL,
    coherent,
    introduced_lists,
    neighbours,
    sentences_of,
    smoothed,
    with_lists,
)
from assistant.indexing.chunking import Chunk

BLOG = (
    "Since the birth my hip flexors have been sore. Do I have a syndrome? "
    "I have started sitting a lot. The weather is nice."
)
LEAD_IN = "Pain in the iliopsoas can be caused by:\n\n- Sitting for long periods\n- Overuse"
ENDS_WITH_LEAD_IN = "Some background sentence here.\nPain in the iliopsoas can be caused by:"
LIST_START = "- Sitting for long periods\n- Overuse\n\nAn ordinary sentence after the list."


def chunk(text: str, chunk_id: str = "c1", section: str = "Notes", start: int = 0) -> Chunk:
    return Chunk(chunk_id, "doc", "Doc", section, text, start, start + len(text))


def usable(candidate: Candidate) -> bool:
    return not candidate.text.endswith("?")


def by_text(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {c.text: c for c in candidates}


def test_neighbours_skip_unusable_sentences_in_between() -> None:
    candidates = sentences_of(0, chunk(BLOG))
    s = by_text(candidates)
    near = neighbours(candidates, usable)
    sore, sitting = (
        s["Since the birth my hip flexors have been sore."],
        s["I have started sitting a lot."],
    )
    assert near[sore] == [sitting]  # the question between them is skipped
    assert sore in near[sitting]


def test_neighbours_never_cross_passages() -> None:
    first = sentences_of(0, chunk("One sentence here.", "a"))
    second = sentences_of(1, chunk("Another sentence there.", "b"))
    near = neighbours(first + second, usable)
    assert all(not found for found in near.values())


@pytest.mark.parametrize(
    ("own", "neighbour", "expected"),
    [
        pytest.param(0.2, 1.2, 0.2 + NEIGHBOUR_PULL * 1.0, id="weak-next-to-strong-is-pulled-up"),
        pytest.param(1.2, 0.2, 1.2, id="strong-next-to-weak-is-not-pulled-down"),
        pytest.param(0.5, 0.5, 0.5, id="equal-neighbours-unchanged"),
    ],
)
def test_smoothing_pulls_toward_a_stronger_neighbour(
    own: float, neighbour: float, expected: float
) -> None:
    candidates = sentences_of(0, chunk("First sentence here. Second sentence here."))
    first, second = candidates
    scores = smoothed(candidates, {first: own, second: neighbour}, usable)
    assert scores[first] == pytest.approx(expected)
    assert scores[second] >= neighbour


def test_smoothing_keeps_a_lone_sentence_as_it_is() -> None:
    candidates = sentences_of(0, chunk("Only one sentence here."))
    assert smoothed(candidates, {candidates[0]: 0.7}, usable) == {candidates[0]: 0.7}


def no_siblings(c: Chunk) -> list[Chunk]:
    return [c]


@pytest.mark.parametrize(
    ("texts", "expected_items"),
    [
        pytest.param([LEAD_IN], ["Sitting for long periods", "Overuse"], id="list-in-same-passage"),
        pytest.param(
            [ENDS_WITH_LEAD_IN, LIST_START],
            ["Sitting for long periods", "Overuse"],
            id="list-in-next-passage-same-heading",
        ),
        pytest.param([ENDS_WITH_LEAD_IN], [], id="no-list-follows"),
    ],
)
def test_a_lead_in_finds_the_list_it_introduces(
    texts: list[str], expected_items: list[str]
) -> None:
    chunks = [chunk(t, f"c{i}", start=100 * i) for i, t in enumerate(texts)]
    candidates = sentences_of(0, chunks[0])
    lists = introduced_lists(candidates, lambda c: chunks)
    lead = by_text(candidates)["Pain in the iliopsoas can be caused by:"]
    assert [i.text for i in lists.get(lead, [])] == expected_items
    assert all(not c.text.endswith(":") or c is lead for c in lists)


def test_a_list_under_another_heading_is_not_borrowed() -> None:
    lead_chunk = chunk(ENDS_WITH_LEAD_IN, "a", section="Causes")
    candidates = sentences_of(0, lead_chunk)
    assert introduced_lists(candidates, no_siblings) == {}


def test_a_chosen_lead_in_brings_its_items_right_after_it() -> None:
    candidates = sentences_of(0, chunk(LEAD_IN + "\n\nA closing sentence here."))
    s = by_text(candidates)
    lead, closing = s["Pain in the iliopsoas can be caused by:"], s["A closing sentence here."]
    lists = introduced_lists(candidates, no_siblings)
    result = with_lists([lead, closing], lists)
    assert [c.text for c in result] == [
        "Pain in the iliopsoas can be caused by:",
        "Sitting for long periods",
        "Overuse",
        "A closing sentence here.",
    ]
    assert with_lists([closing], lists) == [closing]  # no lead-in chosen, no list added


ANAPHORA = (
    "The psoas joins the spine to the thigh. This makes it a hip flexor. "
    "Sitting shortens it. It is important to stand up often. They say stretching helps."
)


def test_a_sentence_leaning_back_brings_the_one_before_it() -> None:
    s = by_text(sentences_of(0, chunk(ANAPHORA)))
    this = s["This makes it a hip flexor."]
    assert coherent([this], usable) == [s["The psoas joins the spine to the thigh."], this]


def test_a_sentence_leaning_back_on_one_that_leans_back_is_left_out() -> None:
    s = by_text(
        sentences_of(
            0, chunk("The psoas is deep. This makes it hard to reach. That is why massage helps.")
        )
    )
    chosen = [s["The psoas is deep."], s["That is why massage helps."]]
    # "That…" points at "This makes it…", which points further back: "That" goes.
    assert coherent(chosen, usable) == [s["The psoas is deep."]]


def test_expletive_it_and_sentences_after_their_antecedent_stay() -> None:
    s = by_text(sentences_of(0, chunk(ANAPHORA)))
    chosen = [
        s["The psoas joins the spine to the thigh."],
        s["This makes it a hip flexor."],
        s["It is important to stand up often."],
    ]
    assert coherent(chosen, usable) == chosen


def test_a_lead_in_without_its_list_is_left_out_and_with_it_stays() -> None:
    candidates = sentences_of(0, chunk(LEAD_IN))
    lead, *items = candidates
    assert coherent([lead], usable) == []
    assert coherent([lead, *items], usable) == [lead, *items]


def test_a_sentence_brought_in_before_its_follower_is_not_shown_twice() -> None:
    s = by_text(sentences_of(0, chunk(ANAPHORA)))
    first, this = s["The psoas joins the spine to the thigh."], s["This makes it a hip flexor."]
    # The best sentence leads; its antecedent, chosen too, moves up to stand before it.
    assert coherent([this, first], usable) == [first, this]
