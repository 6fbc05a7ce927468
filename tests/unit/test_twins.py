"""Near-duplicate sentences are shown once, citing every passage that says them."""

from __future__ import annotations

from assistant.answering.layout import Candidate, write
from assistant.answering.neighbours import merged, sentences_of
from assistant.indexing.chunking import Chunk

BRIDGE_A = (
    "The glute bridge with hip extension strengthens the glutes and hamstrings, reducing stress."
)
BRIDGE_B = (
    "The glute bridge with hip extension strengthens the gluteal muscles and hamstrings, "
    "reducing stress."
)
HOLD_A = "Hold the stretch for 30 seconds, then relax."
HOLD_B = "Hold the stretch for 20 seconds, then relax."


def chunk(text: str, chunk_id: str) -> Chunk:
    return Chunk(chunk_id, f"doc-{chunk_id}", "Doc", "Notes", text, 0, len(text))


def only(text: str, chunk_id: str) -> Candidate:
    (candidate,) = sentences_of(0, chunk(text, chunk_id))
    return candidate


def test_two_sources_saying_the_same_are_shown_once_citing_both() -> None:
    a, b = only(BRIDGE_A, "a"), only(BRIDGE_B, "b")
    kept, twins = merged([a, b])
    assert kept == [a]
    assert twins == {a: b}
    composition = write(kept, conflict=False, twins=twins)
    assert composition.text == f"{BRIDGE_A} [1] [2]"
    assert [c.quote for c in composition.citations] == [BRIDGE_A, BRIDGE_B]


def test_sentences_with_different_numbers_are_not_merged() -> None:
    a, b = only(HOLD_A, "a"), only(HOLD_B, "b")
    assert merged([a, b]) == ([a, b], {})


def test_steps_of_exercises_are_not_merged() -> None:
    a, b = only(f"- {HOLD_A}", "a"), only(f"- {HOLD_A}", "b")
    assert a.list_item
    assert merged([a, b]) == ([a, b], {})


def test_a_twin_from_the_same_passage_is_dropped_without_widening_the_citation() -> None:
    text = f"{BRIDGE_A} Squeeze the glutes at the top. {BRIDGE_B}"
    candidates = sentences_of(0, chunk(text, "a"))
    first, _, last = candidates
    kept, twins = merged([first, last])
    assert (kept, twins) == ([first], {})
    assert [c.quote for c in write(kept, conflict=False, twins=twins).citations] == [BRIDGE_A]


def test_standalone_falls_back_to_a_sentence_that_needs_nothing_before_it() -> None:
    from assistant.answering.neighbours import standalone

    leaning = only("This makes it a hip flexor.", "a")
    lead_in = only("Try these stretches:", "b")
    plain = only(BRIDGE_A, "c")
    assert standalone([leaning, lead_in, plain]) == [plain]
    assert standalone([leaning]) == [leaning]  # nothing better to show
