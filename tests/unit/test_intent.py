"""What a question asks for, what a sentence states, and the remedy words for a problem."""

from __future__ import annotations

import pytest

from assistant.answering.intent import (
    Intent,
    describes_problem,
    durations,
    question_intents,
    sentence_kinds,
)
from assistant.answering.remedies import problem_words, remedy_terms

D, N, CON, R, C, L, H, DEF = (
    Intent.DURATION,
    Intent.COUNT,
    Intent.CONTACT,
    Intent.REMEDY,
    Intent.CAUSE,
    Intent.LOCATION,
    Intent.HOWTO,
    Intent.DEFINITION,
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("how long should I hold the stretch?", {D}, id="duration-how-long"),
        pytest.param("How many reps of the bridge?", {N}, id="count-reps"),
        pytest.param("how often should I stretch?", {N}, id="count-how-often"),
        pytest.param("how many of those should i do", {N}, id="count-how-many-of-those"),
        pytest.param("how many seconds do I hold it?", {D}, id="duration-how-many-seconds"),
        pytest.param("is there a number i can call to book", {CON}, id="contact-number-book"),
        pytest.param("do they have a website?", {CON}, id="contact-website"),
        pytest.param("where can i read more, was there a link", {L, CON}, id="contact-link"),
        pytest.param("so what happens if i overstretch", {C}, id="cause-what-happens"),
        pytest.param("what muscles are part of the iliopsoas", {DEF}, id="definition-part-of"),
        pytest.param("which stretch for hamstring overstretching?", {R}, id="remedy-which"),
        pytest.param("what helps with tight hip flexors?", {R}, id="remedy-helps"),
        pytest.param("how can I relieve psoas pain", {R}, id="remedy-relieve"),
        pytest.param("why does my psoas hurt?", {C}, id="cause-why"),
        pytest.param("what causes iliopsoas tightness", {C}, id="cause-causes"),
        pytest.param("where is the psoas located?", {L}, id="location"),
        pytest.param("where does the psoas attach?", {L}, id="location-attach"),
        pytest.param("how do I do the glute bridge?", {H}, id="howto"),
        pytest.param("walk me through the bird dog", {H}, id="howto-walk-through"),
        pytest.param("what is the iliopsoas?", {DEF}, id="definition"),
        pytest.param("What's the function of the iliacus?", {DEF}, id="definition-function"),
        pytest.param("what causes tight hips and what helps?", {C, R}, id="cause-and-remedy"),
        pytest.param(
            "how do I do the bridge and how long do I hold it?", {H, D}, id="howto-and-duration"
        ),
        pytest.param("tell me about rolfing", set(), id="no-cue"),
        pytest.param("", set(), id="empty"),
    ],
)
def test_question_intents(question: str, expected: set[Intent]) -> None:
    assert question_intents(question) == expected


def test_counting_question_is_not_a_duration_question() -> None:
    assert Intent.DURATION not in question_intents("how many muscles make up the iliopsoas?")
    assert Intent.COUNT not in question_intents("how many muscles make up the iliopsoas?")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param("Hold for 30 seconds.", {D, H}, id="hold-time"),
        pytest.param("Repeat two times a day.", {N, H}, id="spelled-count"),
        pytest.param("Do 10-12 repetitions.", {N}, id="rep-range"),
        pytest.param("Repeat three times.", {N, H}, id="count-in-words"),
        pytest.param("Hold for 20-30 seconds, 2-3 sets.", {D, N, H}, id="time-and-sets"),
        pytest.param("Call/text: 720-620-8018", {CON}, id="phone"),
        pytest.param("Online: aspenlmt.com", {CON}, id="website"),
        pytest.param("To read more: https://example.org/psoas", {CON}, id="url"),
        pytest.param("The psoas attaches to the femur.", {L}, id="location"),
        pytest.param("Lie on your back.", {H}, id="step"),
        pytest.param("Prolonged sitting causes tightness.", {C}, id="cause"),
        pytest.param("The iliopsoas is a combination of two muscles.", {DEF}, id="definition"),
        pytest.param("Strengthen the glutes.", {R}, id="remedy"),
        pytest.param("Call us today.", set(), id="nothing"),
    ],
)
def test_sentence_kinds(sentence: str, expected: set[Intent]) -> None:
    assert sentence_kinds(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param("Overstretched hamstrings are common in yoga.", True, id="overstretched"),
        pytest.param("A tight psoas can cause back pain.", True, id="tight-pain"),
        pytest.param("Strengthen the hamstrings with bridges.", False, id="remedy-only"),
    ],
)
def test_describes_problem(sentence: str, expected: bool) -> None:
    assert describes_problem(sentence) is expected


@pytest.mark.parametrize(
    ("question", "expected_words"),
    [
        pytest.param(
            "which stretch for hamstring overstretching?",
            {"strengthen", "balance", "bridge"},
            id="overstretching",
        ),
        pytest.param("what helps a tight psoas?", {"stretch", "loosen"}, id="tight"),
        pytest.param("best exercise for weak glutes", {"strengthen"}, id="weak"),
        pytest.param(
            "how to recover, I overdid it, what helps", {"rest", "recovery"}, id="overuse"
        ),
    ],
)
def test_remedy_terms_name_what_the_sources_prescribe(
    question: str, expected_words: set[str]
) -> None:
    assert expected_words <= set(remedy_terms(question).split())


def test_remedy_terms_for_overstretching_contain_strengthen_not_stretch() -> None:
    extra = remedy_terms("which stretch for hamstring overstretching?").split()
    assert "strengthen" in extra
    assert "stretch" not in extra


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("why are my hamstrings overstretched?", id="cause-not-remedy"),
        pytest.param("what causes tight hips and what helps?", id="cause-and-remedy"),
        pytest.param("how long do I hold the stretch?", id="not-remedy"),
        pytest.param("what helps with psoas pain?", id="remedy-without-known-problem"),
    ],
)
def test_remedy_terms_empty(question: str) -> None:
    assert remedy_terms(question) == ""


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("which stretch for overstretching?", ["overstretch"], id="overstretch"),
        pytest.param("help, tight and weak hips", ["tight", "weak"], id="two-problems"),
        pytest.param("what is the psoas?", [], id="none"),
    ],
)
def test_problem_words(question: str, expected: list[str]) -> None:
    assert problem_words(question) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param("Hold for 30 seconds.", ["30 seconds"], id="simple"),
        pytest.param("Hold for 20\u201330 Seconds.", ["20-30 seconds"], id="en-dash-and-case"),
        pytest.param("Hold for 20 - 30 seconds.", ["20 - 30 seconds"], id="spaced-hyphen"),
        pytest.param("Hold 20 to  30\nseconds.", ["20 to 30 seconds"], id="whitespace-collapsed"),
        pytest.param(
            "Hold 30 seconds to one minute.", ["30 seconds to one minute"], id="to-minute"
        ),
        pytest.param(
            "Rest 1 minute, then 45 seconds.", ["1 minute", "45 seconds"], id="two-values"
        ),
        pytest.param("Hold 30 seconds to 2 minutes.", ["30 seconds to 2 minutes"], id="to-minutes"),
        pytest.param("Hold for two minutes.", [], id="spelled-number"),
        pytest.param("Repeat 10 times.", [], id="count-not-time"),
        pytest.param("No numbers here.", [], id="none"),
    ],
)
def test_durations_are_normalised(sentence: str, expected: list[str]) -> None:
    assert durations(sentence) == expected


def test_equivalent_durations_compare_equal_after_normalising() -> None:
    assert durations("hold 20\u201330 SECONDS") == durations("Hold for 20-30 seconds.")
