"""Exercises are read from the articles' Markdown at ingest, and the lexicon validates."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.indexing.chunking import chunk_document
from assistant.indexing.corpus import Document, load_corpus
from assistant.indexing.structure import Dose, dose, exercise_name, first_words
from assistant.lexicon import Lexicon, load_lexicon, words_pattern
from assistant.settings import PROJECT_ROOT

# Every section of the shipped corpus that teaches an exercise with steps, by document. The
# answerer knows an exercise only through what ingest derives: a heading missing here from
# what it derives means a client asking "which stretches…" never hears of it.
CORPUS_EXERCISES = {
    "iliopsoas-pain-exercises": {
        "Hip Flexor Stretch",
        "Bird Dog Exercise",
        "Glute Bridge with Hip Extension",
    },
    "psoas-and-back-pain": {
        "Psoas Stretch (Lunge Stretch)",
        "Bridge Pose",
        "Kneeling Hip Flexor Stretch",
        "Cat-Cow Stretch (for Spine Mobility)",
        "Leg Lowering (for Core Strength)",
    },
    "stretching-the-iliopsoas": {"The Iliopsoas Stretch"},
}


def words(text: str) -> int:
    return len(text.split())


def test_every_exercise_heading_of_the_corpus_is_derived_at_ingest() -> None:
    derived: dict[str, set[str]] = {}
    for doc in load_corpus(PROJECT_ROOT / "corpus"):
        for chunk in chunk_document(doc, words, 200):
            if chunk.exercise:
                derived.setdefault(doc.doc_id, set()).add(chunk.exercise)
    assert derived == CORPUS_EXERCISES


CLAMSHELL = """# Hip Care at Home

## Clamshell

- Lie on your side with your knees bent and your feet together.
- Lift your top knee while keeping your feet touching.
- Lower it slowly. Repeat 15 times on each side.

## Tips

- Warm up first: a brisk walk will do.
- Rest when it hurts.
"""


def test_a_new_articles_exercise_is_known_with_no_code_change() -> None:
    doc = Document("hip-care", Path("hip-care.md"), "Hip Care at Home", CLAMSHELL, 0)
    chunks = chunk_document(doc, words, 200)
    by_section = {c.section: c.exercise for c in chunks}
    assert by_section["Clamshell"] == "Clamshell"
    assert by_section["Tips"] == ""  # advice, not steps


def test_a_new_articles_holds_and_repetitions_are_derived_at_ingest() -> None:
    doc = Document("hip-care", Path("hip-care.md"), "Hip Care at Home", CLAMSHELL, 0)
    by_section = {c.section: (c.holds, c.repetitions) for c in chunk_document(doc, words, 200)}
    assert by_section["Clamshell"] == ((), ("15 times on each side",))
    assert by_section["Tips"] == ((), ())


# Every exercise of the shipped corpus that prescribes a hold or repetitions, as ingest derives
# it: a dose missing here is a "how long do I hold it?" answered from the wrong sentences.
CORPUS_DOSES = {
    "Hip Flexor Stretch": Dose(("20-30 seconds",), ("2-3 times",)),
    "Bird Dog Exercise": Dose(("a few seconds",), ("10-15 repetitions on each side", "2-3 sets")),
    "Glute Bridge with Hip Extension": Dose((), ("10-15 repetitions on each side", "2-3 sets")),
    "Psoas Stretch (Lunge Stretch)": Dose(("30 seconds to one minute",), ()),
    "Bridge Pose": Dose(("10-20 seconds",), ()),
    "Kneeling Hip Flexor Stretch": Dose(("30 seconds",), ()),
    "Cat-Cow Stretch (for Spine Mobility)": Dose(("30 seconds to a minute",), ()),
}


def test_every_dose_of_the_corpus_is_derived_at_ingest() -> None:
    derived = {}
    for doc in load_corpus(PROJECT_ROOT / "corpus"):
        for chunk in chunk_document(doc, words, 200):
            if chunk.exercise and (chunk.holds or chunk.repetitions):
                derived[chunk.exercise] = Dose(chunk.holds, chunk.repetitions)
    assert derived == CORPUS_DOSES


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param(
            "Hold the stretch for 30 seconds, then relax. Repeat three times.",
            Dose(("30 seconds",), ("three times",)),
            id="words-and-digits",
        ),
        pytest.param(
            "Hold for 30 seconds to one minute, then for 30 seconds again.",
            Dose(("30 seconds to one minute", "30 seconds"), ()),
            id="a-range-to-a-minute-and-each-phrase-once-in-order",
        ),
        pytest.param(
            "Hold for a few seconds. Do 2–3 sets, twice a day.",
            Dose(("a few seconds",), ("2–3 sets", "twice a day")),
            id="vague-amounts-en-dash-and-frequency",
        ),
        pytest.param(
            "Rest for a few days. Once you are in position, breathe. Sit for 8 hours.",
            Dose((), ()),
            id="days-hours-and-once-are-no-dose",
        ),
    ],
)
def test_doses_are_the_holds_and_repetitions_a_text_words(text: str, found: Dose) -> None:
    assert dose(text) == found


@pytest.mark.parametrize(
    ("section", "items", "name"),
    [
        pytest.param(
            "3. Bird Dog Exercise: Core Strengthening",
            ["1. Starting Position: Begin on your hands and knees.", "2. Extend one arm."],
            "Bird Dog Exercise",
            id="number-and-subtitle-dropped",
        ),
        pytest.param(
            "Warnings",
            ["- Severe Pain: If you experience severe pain, see a doctor.", "- Numbness."],
            "",
            id="advice-list-is-not-an-exercise",
        ),
        pytest.param("Bridge", ["- Lie on your back."], "", id="one-step-is-not-enough"),
        pytest.param(
            "**Clamshell**",
            ["- Lie on your side: knees bent.", "- Lift your knee."],
            "Clamshell",
            id="first-clause-before-a-colon-and-emphasis-marks",
        ),
        pytest.param(
            "Causes",
            ["- Sitting for prolonged periods of time.", "- Overuse in runners."],
            "",
            id="a-list-of-causes-is-not-an-exercise",
        ),
        pytest.param("", ["- Lie down.", "- Get up."], "", id="no-heading-no-name"),
    ],
)
def test_exercise_names_come_from_headings_over_steps(
    section: str, items: list[str], name: str
) -> None:
    assert exercise_name(section, items) == name


def test_the_first_words_skip_marker_and_quotes_and_read_both_sides_of_a_label() -> None:
    assert first_words('1. Starting Position: "Begin by kneeling') == {"starting", "begin"}
    assert first_words("- Lie on your back: knees bent") == {"lie", "knees"}


def test_the_packaged_lexicon_validates_and_names_our_parts() -> None:
    lexicon = load_lexicon()
    assert "begin" in lexicon.exercise_starts
    assert lexicon.synonyms["doctor"]
    assert words_pattern(lexicon.body_ours).search("my hip flexors are tight")
    assert not words_pattern(lexicon.body_ours).search("my shoulder hurts")
    assert words_pattern(lexicon.body_elsewhere).search("my shoulder hurts")


def test_every_entry_keeps_its_word_start() -> None:
    pattern = words_pattern(("ibu|advil",))
    assert pattern.search("advil")
    assert not pattern.search("xadvil")  # the | stays inside its entry


def test_a_broken_remedy_pattern_is_refused_with_its_entry() -> None:
    data = load_lexicon().model_dump()
    data["remedies"] = [{"problem": ["tight("], "remedy": "stretch"}]
    with pytest.raises(ValidationError, match="tight"):
        Lexicon.model_validate(data)


def test_a_broken_pattern_in_the_lexicon_is_refused_with_its_entry() -> None:
    data = load_lexicon().model_dump()
    data["medicine"] = ["ibuprofen(", *data["medicine"]]
    with pytest.raises(ValidationError, match="ibuprofen"):
        Lexicon.model_validate(data)


def test_unknown_lexicon_keys_are_refused() -> None:
    data = load_lexicon().model_dump() | {"exercise_names": ["clamshell"]}
    with pytest.raises(ValidationError):
        Lexicon.model_validate(data)
