"""Sentence spans: verbatim slices that never cross a line and leave list markers out."""

from __future__ import annotations

import itertools

import pytest

from assistant.text.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Lie down. Lift your hips.", ["Lie down.", "Lift your hips."], id="two"),
        pytest.param(
            "Is it tight? Yes! Stretch.", ["Is it tight?", "Yes!", "Stretch."], id="?-and-!"
        ),
        pytest.param("Wait… Then lift.", ["Wait…", "Then lift."], id="ellipsis-char"),
        pytest.param(
            "Hold 30 s. 10 reps follow.", ["Hold 30 s.", "10 reps follow."], id="digit-start"
        ),
        pytest.param("the end. then more", ["the end. then more"], id="lowercase-no-split"),
        pytest.param("Use a prop, e.g. A block.", ["Use a prop, e.g. A block."], id="e.g."),
        pytest.param("Ask Dr. Smith. She knows.", ["Ask Dr. Smith.", "She knows."], id="Dr."),
        pytest.param("It is 3.5 cm. Next one.", ["It is 3.5 cm.", "Next one."], id="decimal"),
        pytest.param(
            'He said "Rest." Then he left.',
            ['He said "Rest."', "Then he left."],
            id="closing-quote-stays",
        ),
        pytest.param("Lift. (Then hold.) Rest.", ["Lift.", "(Then hold.)", "Rest."], id="brackets"),
        pytest.param("- Hold it. Breathe.", ["Hold it.", "Breathe."], id="bullet-marker"),
        pytest.param("12) Lie down.", ["Lie down."], id="numbered-paren"),
        pytest.param("3. Lie down.", ["Lie down."], id="numbered-dot"),
        pytest.param("  * Nested item.", ["Nested item."], id="indented-bullet"),
        pytest.param("## The Bridge", ["The Bridge"], id="heading"),
        pytest.param(
            "First line\nsecond line.", ["First line", "second line."], id="no-line-crossing"
        ),
        pytest.param("One.\n\n\nTwo.", ["One.", "Two."], id="blank-lines"),
        pytest.param("Trailing.   ", ["Trailing."], id="trailing-space"),
        pytest.param('"Hold it. Then rest.', ["Hold it.", "Then rest."], id="stray-open-quote"),
        pytest.param('"Hold it."', ['"Hold it."'], id="balanced-straight-quotes"),
        pytest.param("", [], id="empty"),
        pytest.param("   \n  ", [], id="whitespace-only"),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "She said. “Hold it.” Then rest.",
            ["She said.", "“Hold it.”", "Then rest."],
            id="curly-quoted-sentence",
        ),
        pytest.param(
            "He told me “stop.” Then rest.",
            ["He told me “stop.”", "Then rest."],
            id="curly-quote-closes-sentence",
        ),
    ],
)
def test_balanced_curly_quotes_are_kept(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Para one.\n  indented line. Another one.", id="indented-line-two-sentences"),
        pytest.param("  Hello there. World.", id="indented-first-line"),
        pytest.param('Hello. "', id="dangling-quote"),
    ],
)
def test_spans_are_non_empty_and_carry_no_surrounding_whitespace(text: str) -> None:
    spans = sentences(text)
    assert spans
    assert all(s and s == s.strip() for s in spans), spans


def test_a_lone_quote_mark_is_no_sentence() -> None:
    assert sentences('"') == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Intro.\n\n1. Lie down. Bend your knees.\n2. Lift.\n", id="list"),
        pytest.param("# Head\nPara one. Para two? Yes!\n- a b c.\n", id="mixed"),
        pytest.param('He said "Rest." Then, e.g. Dr. Who left… End.', id="tricky"),
    ],
)
def test_spans_are_ordered_disjoint_and_single_line(text: str) -> None:
    spans = split_sentences(text)
    assert spans
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert all("\n" not in text[s:e] for s, e in spans)


def test_offsets_are_absolute_when_a_window_is_given() -> None:
    text = "Skip this. ## not a heading\n- Hold it. Breathe.\nAfter."
    start = text.index("- Hold")
    end = text.index("\nAfter")
    spans = split_sentences(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Hold it.", "Breathe."]
    assert all(start <= s < e <= end for s, e in spans)


def test_window_end_is_respected() -> None:
    text = "Alpha one. Beta two. Gamma three."
    assert [text[s:e] for s, e in split_sentences(text, 0, text.index(" Gamma"))] == [
        "Alpha one.",
        "Beta two.",
    ]
