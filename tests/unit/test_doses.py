"""'How long do I hold it?' answers: the doses ingest derived for the exercise asked about."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.doses import dose_sentences
from assistant.answering.layout import Candidate
from assistant.answering.neighbours import sentences_of
from assistant.indexing.chunking import Chunk, chunk_document
from assistant.indexing.corpus import Document

HOME = """# Hip Care at Home

## Clamshell

The clamshell strengthens the side of the hip.

- Lie on your side with your knees bent.
- Lift your top knee and hold for 5 seconds.
- Lower it slowly. Repeat 15 times on each side.

## Side Bridge

- Lie on your side propped on one elbow.
- Lift your hips and hold for 20 seconds.

## In Bed

Lie on your back at the edge of the bed. Let one leg hang down. Hold for 30 seconds.

Then hug both knees to your chest. Stay there for 10 breaths.
"""

CLINIC = """# The Clinic's Routine

## Clamshell

- Lie on your side, knees bent.
- Lift the top knee and hold for 10 seconds.
"""


def chunks(doc_id: str = "home", text: str = HOME) -> list[Chunk]:
    doc = Document(doc_id, Path(f"{doc_id}.md"), text.splitlines()[0][2:], text, 0)
    return chunk_document(doc, lambda t: len(t.split()), 200)


def siblings(found: list[Chunk]):  # type: ignore[no-untyped-def]
    return lambda chunk: [
        c for c in found if (c.doc_id, c.section) == (chunk.doc_id, chunk.section)
    ]


def ranked(found: list[Chunk], *best: str) -> list[Candidate]:
    """Every sentence, those starting with `best` first in that order (a fake ranker)."""
    every = [c for rank, chunk in enumerate(found) for c in sentences_of(rank, chunk)]
    first = [next(c for c in every if c.text.startswith(b)) for b in best]
    return first + [c for c in every if c not in first]


def usable(candidate: Candidate) -> bool:
    return True


def texts(candidates: list[Candidate]) -> list[str]:
    return [c.text for c in candidates]


@pytest.mark.parametrize(
    ("holds_first", "expected"),
    [
        pytest.param(
            None,
            ["Lift your top knee and hold for 5 seconds.", "Repeat 15 times on each side."],
            id="reading-order",
        ),
        pytest.param(
            False,
            ["Repeat 15 times on each side.", "Lift your top knee and hold for 5 seconds."],
            id="repetitions-first",
        ),
    ],
)
def test_the_doses_of_the_exercise_the_best_sentence_is_about(
    holds_first: bool | None, expected: list[str]
) -> None:
    found = chunks()
    order = ranked(found, "The clamshell strengthens", "Lift your top knee")
    doses = dose_sentences(order, siblings(found), usable, holds_first=holds_first)
    assert doses is not None
    assert texts(doses.sentences) == expected
    assert doses.differing == []


def test_no_dose_among_the_best_sentences_means_the_question_asks_something_else() -> None:
    found = chunks()
    order = ranked(found, "The clamshell strengthens", "Lie on your side with")
    assert dose_sentences(order, siblings(found), usable) is None


def test_a_question_worded_for_a_dose_gets_the_best_exercises_dose_from_anywhere() -> None:
    found = chunks()
    order = ranked(found, "The clamshell strengthens", "Lie on your side with")
    doses = dose_sentences(order, siblings(found), usable, worded=True)
    assert doses is not None
    assert texts(doses.sentences) == [
        "Lift your top knee and hold for 5 seconds.",
        "Repeat 15 times on each side.",
    ]
    prose = ranked(found, "Lie on your back at the edge", "Let one leg")
    assert dose_sentences(prose, siblings(found), usable, worded=True) is None  # no exercise


def test_a_stretch_taught_in_prose_gives_only_its_own_paragraphs_doses() -> None:
    found = chunks()
    order = ranked(found, "Hold for 30 seconds.")
    doses = dose_sentences(order, siblings(found), usable)
    assert doses is not None
    assert texts(doses.sentences) == ["Hold for 30 seconds."]  # not the 10 breaths after it


def test_another_articles_same_named_exercise_with_another_dose_is_shown_as_differing() -> None:
    found = chunks() + chunks("clinic", CLINIC)
    order = ranked(found, "Lift your top knee", "Lift the top knee", "Lift your hips")
    doses = dose_sentences(order, siblings(found), usable)
    assert doses is not None
    assert texts(doses.differing) == ["Lift the top knee and hold for 10 seconds."]
    assert {c.chunk.doc_id for c in doses.differing} == {"clinic"}


def test_a_differently_named_exercise_is_not_a_differing_source() -> None:
    found = chunks() + chunks("clinic", CLINIC.replace("Clamshell", "Side Lying Knee Lift"))
    order = ranked(found, "Lift your top knee", "Lift the top knee")
    doses = dose_sentences(order, siblings(found), usable)
    assert doses is not None
    assert doses.differing == []
