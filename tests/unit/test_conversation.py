"""Follow-up questions get the earlier question as context; standalone ones do not."""

from __future__ import annotations

import pytest

from assistant.conversation import Turn, contextualize

KNEELING = "how do I do the kneeling hip flexor stretch?"


def test_first_question_stands_alone() -> None:
    assert contextualize("how long do I hold it?") == Turn("how long do I hold it?")


def test_pronoun_follow_up_gets_the_previous_question_as_context() -> None:
    turn = contextualize("how long do I hold it?", [KNEELING])
    assert turn.context == KNEELING
    assert turn.query == f"{KNEELING} how long do I hold it?"
    assert not turn.inherit_intent
    assert turn.intent_text == "how long do I hold it?"


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("and the bridge?", id="and"),
        pytest.param("What about the bridge?", id="what-about"),
        pytest.param("  how about lying down?", id="how-about-leading-space"),
        pytest.param("same for the glute bridge", id="same-for"),
    ],
)
def test_elliptical_follow_up_inherits_context_and_intent(question: str) -> None:
    turn = contextualize(question, [KNEELING])
    assert turn.context == KNEELING
    assert turn.inherit_intent
    assert turn.intent_text == f"{KNEELING} {question}"


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("what causes psoas pain?", id="no-pronoun"),
        pytest.param("how do I do the glute bridge?", id="own-topic"),
        pytest.param("Android phones and hip flexor pain", id="and-inside-is-not-ellipsis"),
    ],
)
def test_standalone_question_gets_no_context(question: str) -> None:
    turn = contextualize(question, [KNEELING])
    assert turn == Turn(question)
    assert turn.query == question


@pytest.mark.parametrize(
    "question",
    [
        pytest.param(
            "how often should I do that stretch for my psoas?", id="demonstrative-stretch"
        ),
        pytest.param("is this exercise ok for my knee?", id="demonstrative-exercise"),
    ],
)
def test_a_demonstrative_refers_back_even_with_a_topic_named(question: str) -> None:
    assert contextualize(question, [KNEELING]).context == KNEELING


def test_chained_follow_ups_carry_the_first_question() -> None:
    history = [KNEELING, "how long do I hold it?"]
    turn = contextualize("how often should I do it?", history)
    assert turn.context == f"{KNEELING} how long do I hold it?"
    assert KNEELING in turn.query
    assert turn.query.endswith("how often should I do it?")


def test_ellipsis_after_a_follow_up_inherits_the_whole_chain() -> None:
    history = [KNEELING, "how long do I hold it?"]
    turn = contextualize("and the bridge?", history)
    assert turn.context == f"{KNEELING} how long do I hold it?"
    assert turn.inherit_intent


def test_a_standalone_question_breaks_the_chain() -> None:
    history = [KNEELING, "what causes psoas pain?"]
    turn = contextualize("why does it happen?", history)
    assert turn.context == "what causes psoas pain?"


def test_only_the_last_question_is_looked_at_first() -> None:
    history = ["what causes psoas pain?", KNEELING]
    assert contextualize("how long do I hold it?", history).context == KNEELING


def test_topic_words_inside_other_words_do_not_make_a_question_standalone() -> None:
    previous = "should I put ice on my psoas?"
    turn = contextualize("how often should I keep applying it?", [previous])
    assert turn.context == previous


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("is it normal to feel it in my lower back?", id="pronoun-with-topic"),
        pytest.param("does it help with back pain?", id="it-help-back-pain"),
        pytest.param("so how often should I do that?", id="connector"),
        pytest.param("how long do I keep going?", id="no-topic-of-its-own"),
    ],
)
def test_question_leaning_on_the_last_one_gets_its_context(question: str) -> None:
    turn = contextualize(question, [KNEELING])
    assert turn.context == KNEELING
    assert not turn.inherit_intent
