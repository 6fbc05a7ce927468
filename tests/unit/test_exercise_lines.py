"""'Which exercises…' answers: one cited line per exercise the passages teach."""

from __future__ import annotations

from pathlib import Path

from assistant.answering.exercises import exercise_lines
from assistant.answering.layout import Candidate, write
from assistant.answering.neighbours import sentences_of
from assistant.indexing.chunking import Chunk, chunk_document
from assistant.indexing.corpus import Document

HOME = """# Hip Care at Home

## Clamshell

The clamshell strengthens the muscles on the side of the hip.

- Lie on your side with your knees bent.
- Lift your top knee and lower it again.

## Side Bridge

- Lie on your side propped on one elbow.
- Lift your hips until your body is straight.

## Tips

- Warm up first with a brisk walk around the block.
- Rest when it hurts and come back to it later.
"""


def chunks() -> list[Chunk]:
    doc = Document("home", Path("home.md"), "Hip Care at Home", HOME, 0)
    return chunk_document(doc, lambda text: len(text.split()), 200)


def siblings(found: list[Chunk]):  # type: ignore[no-untyped-def]
    return lambda chunk: [c for c in found if c.section == chunk.section]


def candidates(found: list[Chunk]) -> list[Candidate]:
    return [c for rank, chunk in enumerate(found) for c in sentences_of(rank, chunk)]


def always(candidate: Candidate) -> bool:
    return True


def test_each_exercise_gets_its_purpose_or_first_step_named_by_its_heading() -> None:
    found = chunks()
    every = candidates(found)
    lines = exercise_lines(every, dict.fromkeys(every, 1.0), siblings(found), always)
    assert [(c.text, name) for c, name in lines] == [
        ("The clamshell strengthens the muscles on the side of the hip.", "Clamshell"),
        ("Lie on your side propped on one elbow.", "Side Bridge"),
    ]


def test_the_list_is_written_with_names_and_citations() -> None:
    found = chunks()
    every = candidates(found)
    lines = exercise_lines(every, dict.fromkeys(every, 1.0), siblings(found), always)
    text = write([c for c, _ in lines], conflict=False, labels=dict(lines)).text
    assert text.splitlines() == [
        "- Clamshell: The clamshell strengthens the muscles on the side of the hip. [1]",
        "- Side Bridge: Lie on your side propped on one elbow. [2]",
    ]


def test_one_exercise_is_not_a_list() -> None:
    found = [c for c in chunks() if c.section != "Side Bridge"]
    every = candidates(found)
    assert exercise_lines(every, dict.fromkeys(every, 1.0), siblings(found), always) == []


def test_an_exercise_far_below_the_best_is_left_out() -> None:
    found = chunks()
    every = candidates(found)
    scores = {c: (1.0 if c.chunk.section == "Clamshell" else 0.2) for c in every}
    assert exercise_lines(every, scores, siblings(found), always) == []
