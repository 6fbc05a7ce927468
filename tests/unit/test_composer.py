"""The extractive composer, on hand-built documents with a fake vectorizer (no model)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.composer import Composer
from assistant.answering.followups import Conversation, Turn
from assistant.answering.kinds import Kind, Kinds
from assistant.answering.layout import Composition
from assistant.answering.neighbours import sentences_of
from assistant.answering.retrieval import Passage
from assistant.indexing.chunking import Chunk, chunk_document
from assistant.indexing.corpus import Document
from assistant.indexing.sentence_vectors import SentenceRows
from tests.unit.answering_fakes import Flat, Leaning

GUIDE_TEXT = """---
title: Hip Guide
---
# Hip Guide

## What Is the Iliopsoas

The iliopsoas is a combination of two muscles, the psoas major and the iliacus.
It connects the lumbar spine to the femur.

## Kneeling Hip Flexor Stretch

Kneel on one knee with the other foot flat in front of you.
Hold the kneeling stretch for 30 seconds on each side.

## Glute Bridge

The glute bridge builds strength in the hips and the core.

1. Lie on your back with your knees bent and feet flat.
2. Press your heels down and lift your hips toward the ceiling.
3. Squeeze your glutes at the top of the movement.
4. Lower your hips slowly back to the floor.

## Hamstrings

Many yoga students have overstretched hamstrings from forward bends.
Strengthen the hamstrings with glute bridges and slow deadlifts.
A strong posterior chain brings balance back to the pelvis.
"""

OTHER_TEXT = """# Stretch Notes

## Kneeling Stretch

Hold the kneeling stretch for 60 seconds before switching sides.
Keep your back straight the whole time.
"""

SAME_TIME_TEXT = """# More Notes

## Kneeling Stretch

Hold the kneeling stretch for 30 seconds, then switch to the other side.
"""


def count_tokens(text: str) -> int:
    return len(text.split()) + 2


def make_doc(doc_id: str, text: str, title: str) -> Document:
    body_start = text.index("---\n", 4) + 4 if text.startswith("---\n") else 0
    return Document(doc_id, Path(f"{doc_id}.md"), title, text, body_start, {})


DOCS = {
    "guide": make_doc("guide", GUIDE_TEXT, "Hip Guide"),
    "other": make_doc("other", OTHER_TEXT, "Stretch Notes"),
    "same": make_doc("same", SAME_TIME_TEXT, "More Notes"),
}


def chunks_of(*doc_ids: str, budget: int = 200) -> list[Chunk]:
    return [c for d in doc_ids for c in chunk_document(DOCS[d], count_tokens, budget)]


def flat_vectors(texts: list[str]) -> list[list[float]]:
    """Every sentence equally similar to every query: ranking rests on words and intents."""
    return [[0.0, 0.0] for _ in texts]


def siblings_from(chunks: list[Chunk]) -> Callable[[Chunk], list[Chunk]]:
    def siblings(chunk: Chunk) -> list[Chunk]:
        same = [c for c in chunks if (c.doc_id, c.section) == (chunk.doc_id, chunk.section)]
        return sorted(same, key=lambda c: c.start)

    return siblings


def compose(
    question: str,
    chunks: list[Chunk],
    *,
    history: tuple[str, ...] = (),
    max_sentences: int = 4,
    siblings: Callable[[Chunk], list[Chunk]] | None = None,
) -> Composition:
    composer = Composer(flat_vectors, {}, max_sentences, siblings=siblings)
    passages = [Passage(c, 1.0 / (i + 1)) for i, c in enumerate(chunks)]
    turn = Conversation(Leaning(always=True), Flat()).contextualize(question, history)
    return composer.compose(turn, passages, [0.0, 0.0])


def cited_sentences(text: str) -> list[tuple[str, int]]:
    """(sentence, n) for every "sentence [n]" of an answer, list markers removed."""
    pairs = []
    for line in text.splitlines():
        if line == "The sources differ on this:":
            continue
        body = re.sub(r"^(?:- |\d+[.)] )", "", line)
        found = re.findall(r"(.+?) \[(\d+)\](?: |$)", body)
        assert "".join(f"{s} [{n}]" for s, n in found) == body.replace("] ", "]"), line
        pairs += [(sentence, int(n)) for sentence, n in found]
    return pairs


QUESTIONS = [
    pytest.param("how long should I hold the kneeling stretch?", ("guide", "other"), id="duration"),
    pytest.param("how do I do the glute bridge?", ("guide",), id="howto"),
    pytest.param("which stretch for hamstring overstretching?", ("guide",), id="remedy"),
    pytest.param("what is the iliopsoas?", ("guide", "other"), id="definition"),
    pytest.param("where does the iliopsoas attach?", ("guide",), id="location"),
]


@pytest.mark.parametrize(("question", "doc_ids"), QUESTIONS)
def test_every_sentence_line_ends_with_a_citation_that_resolves(
    question: str, doc_ids: tuple[str, ...]
) -> None:
    result = compose(question, chunks_of(*doc_ids))
    numbers = [c.n for c in result.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    lines = [line for line in result.text.splitlines() if line != "The sources differ on this:"]
    assert lines
    assert all(re.search(r" \[\d+\]$", line) for line in lines), result.text
    pairs = cited_sentences(result.text)
    assert {n for _, n in pairs} == set(numbers)  # no unused and no dangling citation
    quotes = {c.n: c.quote for c in result.citations}
    for sentence, n in pairs:
        assert sentence in quotes[n]


@pytest.mark.parametrize(("question", "doc_ids"), QUESTIONS)
def test_every_quote_is_a_verbatim_slice_of_its_source(
    question: str, doc_ids: tuple[str, ...]
) -> None:
    chunks = chunks_of(*doc_ids)
    by_id = {c.chunk_id: c for c in chunks}
    result = compose(question, chunks)
    assert result.citations
    for citation in result.citations:
        source = DOCS[citation.doc_id]
        assert citation.quote == source.text[citation.start : citation.end]
        chunk = by_id[citation.chunk_id]
        assert chunk.start <= citation.start < citation.end <= chunk.end
        assert (citation.title, citation.section) == (chunk.title, chunk.section)


def test_sources_giving_different_hold_times_are_both_shown() -> None:
    result = compose("how long should I hold the kneeling stretch?", chunks_of("guide", "other"))
    lines = result.text.splitlines()
    assert lines[0] == "The sources differ on this:"
    assert {c.doc_id for c in result.citations} == {"guide", "other"}
    assert any("30 seconds" in line for line in lines[1:])
    assert any("60 seconds" in line for line in lines[1:])
    assert all(line.startswith("- ") for line in lines[1:])


def test_sources_agreeing_on_the_time_are_not_called_different() -> None:
    result = compose("how long should I hold the kneeling stretch?", chunks_of("guide", "same"))
    assert "differ" not in result.text
    assert "30 seconds" in result.text.splitlines()[0]


def test_a_follow_up_duration_question_uses_the_earlier_question() -> None:
    result = compose(
        "how long do I hold it?",
        chunks_of("guide"),
        history=("how do I do the kneeling hip flexor stretch?",),
    )
    first = result.text.splitlines()[0]
    assert "Hold the kneeling stretch for 30 seconds" in first
    assert "glute" not in result.text.lower()


STEPS = [
    "Lie on your back with your knees bent and feet flat.",
    "Press your heels down and lift your hips toward the ceiling.",
    "Squeeze your glutes at the top of the movement.",
    "Lower your hips slowly back to the floor.",
]


def step_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"\d+\. ", line)]


def test_howto_returns_the_exercise_steps_in_source_order() -> None:
    result = compose("how do I do the glute bridge?", chunks_of("guide"))
    assert step_lines(result.text) == [f"{n}. {step} [1]" for n, step in enumerate(STEPS, start=1)]


def test_howto_steps_split_across_chunks_come_back_whole_and_in_order() -> None:
    chunks = chunks_of("guide", budget=22)
    bridge = [c for c in chunks if c.section == "Glute Bridge"]
    assert len(bridge) > 2  # the steps really are spread over several chunks
    # Retrieval found only some of the pieces, worst first: siblings supply the rest.
    retrieved = list(reversed(bridge[1:]))
    result = compose(
        "how do I do the glute bridge?", retrieved, siblings=siblings_from(chunks), max_sentences=2
    )
    texts = [re.sub(r"^\d+\. | \[\d+\]$", "", line) for line in step_lines(result.text)]
    assert texts == STEPS
    assert all(c.section == "Glute Bridge" for c in result.citations)


def test_remedy_for_overstretching_prefers_strengthening_to_restating_the_problem() -> None:
    result = compose("which stretch for hamstring overstretching?", chunks_of("guide"))
    first = cited_sentences(result.text)[0][0]
    assert first.startswith("Strengthen the hamstrings")
    assert "Many yoga students have overstretched hamstrings" not in result.text


def test_at_most_max_sentences_outside_howto() -> None:
    result = compose("what is the iliopsoas?", chunks_of("guide", "other"), max_sentences=2)
    assert 1 <= len(cited_sentences(result.text)) <= 2


def test_dense_similarity_breaks_ties_between_equal_sentences() -> None:
    text = "# Notes\n\nAlpha stretch eases the psoas.\n\nBeta stretch eases the psoas.\n"
    doc = Document("notes", Path("notes.md"), "Notes", text, 0, {})
    chunks = chunk_document(doc, count_tokens, 12)
    assert len(chunks) == 2

    def vectors(texts: list[str]) -> list[list[float]]:
        return [[1.0] if t.startswith("Beta") else [0.0] for t in texts]

    composer = Composer(vectors, {}, 1)
    passages = [Passage(c, 1.0) for c in chunks]
    result = composer.compose(Turn("psoas stretch"), passages, [1.0])
    assert result.text == "Beta stretch eases the psoas. [1]"


def test_noise_is_not_chosen() -> None:
    text = (
        "# Clinic\n\nBook a psoas massage online at https://clinic.example/psoas today.\n\n"
        "A psoas massage releases tension in the deep hip muscles.\n"
    )
    doc = Document("clinic", Path("clinic.md"), "Clinic", text, 0, {})
    chunks = chunk_document(doc, count_tokens, 100)
    result = compose("does psoas massage help?", chunks, max_sentences=1)
    assert result.text == "A psoas massage releases tension in the deep hip muscles. [1]"


def test_sentence_vectors_are_computed_once() -> None:
    calls: list[list[str]] = []

    def counting(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        return flat_vectors(texts)

    composer = Composer(counting, {}, 3)
    passages = [Passage(c, 1.0) for c in chunks_of("guide")]
    first = composer.compose(Turn("what is the iliopsoas?"), passages, [0.0, 0.0])
    second = composer.compose(Turn("what is the iliopsoas?"), passages, [0.0, 0.0])
    assert first == second
    assert len(calls) == 1
    assert len(calls[0]) == len(set(calls[0]))


def test_known_sentence_vectors_are_read_not_embedded_and_give_the_same_answer() -> None:
    calls: list[str] = []

    def counting(texts: list[str]) -> list[list[float]]:
        calls.extend(texts)
        return flat_vectors(texts)

    passages = [Passage(c, 1.0) for c in chunks_of("guide")]
    question = Turn("what is the iliopsoas?")
    expected = Composer(counting, {}, 3).compose(question, passages, [0.0, 0.0])
    texts = sorted(set(calls))
    known = SentenceRows(texts, np.array(flat_vectors(texts), dtype=np.float32))
    calls.clear()
    composer = Composer(counting, {}, 3, known=known)
    assert composer.compose(question, passages, [0.0, 0.0]) == expected
    assert calls == []
    assert composer.cache == {}  # the known vectors are read from the matrix, not copied


def test_no_passages_give_an_empty_composition() -> None:
    composer = Composer(flat_vectors, {}, 3)
    assert composer.compose(Turn("anything"), [], [0.0, 0.0]) == Composition("", [])


BOOKING_TEXT = """# Massage Notes

## To Book an Appointment

Aspen Leaf offers deep massage for a tight psoas.

Call/text: 720-620-8018

Online: aspenlmt.com
"""

REPEAT_TEXT = """# Kneeling Notes

## Kneeling Stretch

Hold the kneeling stretch for 30 seconds on each side.
Repeat the kneeling stretch three times.
"""

CAUSES_TEXT = """# Causes

## Why Hips Get Tight

- Sitting for long periods at a desk
- Muscle imbalance between neighbouring muscles
- Overuse in runners and dancers
"""

DOCS |= {
    "booking": make_doc("booking", BOOKING_TEXT, "Massage Notes"),
    "repeat": make_doc("repeat", REPEAT_TEXT, "Kneeling Notes"),
    "causes": make_doc("causes", CAUSES_TEXT, "Causes"),
}


@pytest.mark.parametrize(
    ("question", "shows_contact"),
    [
        pytest.param("how do I book, is there a phone number?", True, id="asks-for-contact"),
        pytest.param("do they have a website?", True, id="asks-for-website"),
        pytest.param("what does aspen leaf offer for the psoas?", False, id="no-contact-asked"),
    ],
)
def test_contact_lines_only_when_asked_for(question: str, shows_contact: bool) -> None:
    result = compose(question, chunks_of("booking"))
    assert ("720-620-8018" in result.text or "aspenlmt.com" in result.text) is shows_contact


def test_a_how_many_times_question_gets_the_count_not_the_hold_time() -> None:
    result = compose("how many times should I repeat the kneeling stretch?", chunks_of("repeat"))
    assert "three times" in result.text
    assert "differ" not in result.text


def test_a_list_of_causes_is_not_taken_for_exercise_steps() -> None:
    chunks = chunks_of("causes")
    composer = Composer(flat_vectors, {}, 4, siblings=siblings_from(chunks))
    candidates = [c for chunk in chunks for c in sentences_of(0, chunk)]
    assert composer.steps(candidates[:3]) == []
    bridge = chunks_of("guide")
    composer = Composer(flat_vectors, {}, 4, siblings=siblings_from(bridge))
    steps = [c for chunk in bridge for c in sentences_of(0, chunk) if c.list_item]
    assert [s.text for s in composer.steps(steps[:1])] == STEPS


@pytest.mark.parametrize(
    ("question", "history", "wanted", "unwanted"),
    [
        pytest.param(
            "and how long do I hold it?",
            ("how do I do the glute bridge?",),
            "30 seconds",
            "Press your heels down",
            id="own-kind-wins-over-the-earlier-how-to",
        ),
        pytest.param(
            "and the glute bridge?",
            ("how do I do the kneeling stretch?",),
            "Press your heels down",
            None,
            id="no-kind-of-its-own-borrows-the-earlier",
        ),
    ],
)
def test_a_follow_up_keeps_its_own_kind_of_question(
    question: str, history: tuple[str, ...], wanted: str, unwanted: str | None
) -> None:
    result = compose(question, chunks_of("guide"), history=history)
    assert wanted in result.text
    if unwanted:
        assert unwanted not in result.text


HOME = """# Hip Care at Home

## Clamshell

The clamshell strengthens the side of the hip.

- Lie on your side with your knees bent.
- Lift your top knee and lower it again.

## Side Bridge

- Lie on your side propped on one elbow.
- Lift your hips until your body is straight.
"""


class Always(Kinds):
    """A fake question-kind model: every question is of one kind."""

    def __init__(self, kind: Kind) -> None:
        super().__init__(np.zeros((1, 1)), np.zeros(1), (kind,), {})

    def kind(self, text: str) -> Kind:
        return self.kinds[0]


def home_answer(question: str, kind: Kind) -> str:
    doc = Document("home", Path("home.md"), "Hip Care at Home", HOME, 0)
    chunks = chunk_document(doc, count_tokens, 200)
    composer = Composer(flat_vectors, {}, 4, siblings=siblings_from(chunks), kinds=Always(kind))
    passages = [Passage(c, 1.0 / (i + 1)) for i, c in enumerate(chunks)]
    return composer.compose(Turn(question), passages, [0.0, 0.0]).text


def test_a_list_question_gets_the_exercises_by_name() -> None:
    lines = home_answer("which exercises strengthen the side of the hip?", Kind.LIST).splitlines()
    assert lines[0].startswith("- Clamshell: The clamshell strengthens the side of the hip. [1]")
    assert lines[1].startswith("- Side Bridge: ")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        pytest.param("which exercises strengthen the side of the hip?", Kind.WHAT, id="not-a-list"),
        pytest.param("how do I do the clamshell exercise?", Kind.LIST, id="how-to-wording-wins"),
    ],
)
def test_other_questions_are_not_answered_with_the_list(question: str, kind: Kind) -> None:
    assert not home_answer(question, kind).startswith("- Clamshell: ")
