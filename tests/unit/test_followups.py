"""Follow-up reading: the Conversation's logic with a fake model, and the model's features."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.data import Question
from assistant.answering.followups import (
    TOPIC,
    Conversation,
    FollowUps,
    Pairing,
    Turn,
    design,
    marked,
    topic,
)
from assistant.training.followups import Pair, choose, pairs
from tests.unit.answering_fakes import Flat, Leaning

KNEELING = "how do I do the kneeling hip flexor stretch?"


def test_a_first_question_stands_alone_without_asking_the_model() -> None:
    model = Leaning("how long do I hold it?")
    assert Conversation(model, Flat()).contextualize("how long do I hold it?") == Turn(
        "how long do I hold it?"
    )
    assert model.asked == []


def test_a_leaning_question_gets_the_previous_one_as_context() -> None:
    turn = Conversation(Leaning("how long do I hold it?"), Flat()).contextualize(
        "how long do I hold it?", [KNEELING]
    )
    assert turn.context == KNEELING
    assert turn.query == f"{KNEELING} how long do I hold it?"
    assert not turn.inherit_intent  # it asks for a duration of its own
    assert turn.intent_text == "how long do I hold it?"


def test_a_leaning_question_with_no_intent_of_its_own_takes_the_earlier_one() -> None:
    turn = Conversation(Leaning("and the bridge?"), Flat()).contextualize(
        "and the bridge?", [KNEELING]
    )
    assert turn.inherit_intent
    assert turn.intent_text == f"{KNEELING} and the bridge?"


def test_a_question_the_model_reads_alone_gets_no_context() -> None:
    turn = Conversation(Leaning(), Flat()).contextualize("what causes psoas pain?", [KNEELING])
    assert turn == Turn("what causes psoas pain?")


def test_chained_follow_ups_carry_the_first_question() -> None:
    history = [KNEELING, "how long do I hold it?"]
    conversation = Conversation(Leaning(*history[1:], "how often?"), Flat())
    turn = conversation.contextualize("how often?", history)
    assert turn.context == f"{KNEELING} how long do I hold it?"


def test_a_standalone_question_breaks_the_chain() -> None:
    history = [KNEELING, "what causes psoas pain?"]
    turn = Conversation(Leaning("why?"), Flat()).contextualize("why?", history)
    assert turn.context == "what causes psoas pain?"


def test_the_model_compares_with_the_last_question_only() -> None:
    model = Leaning("how long?")
    Conversation(model, Flat()).contextualize("how long?", ["what causes psoas pain?", KNEELING])
    assert model.asked[-1] == ("how long?", KNEELING)


def test_the_start_of_the_question_is_marked_for_the_hasher() -> None:
    assert marked("And the BRIDGE?").startswith("<s> and the bridge")


def test_topic_features_read_rarity_and_shared_words() -> None:
    idf = {"bridge": 3.0, "hold": 0.5}
    alone = dict(
        zip(TOPIC, topic("how long do I hold the bridge?", "what is a lunge?", idf), strict=True)
    )
    assert alone["rarest"] == pytest.approx(0.6)
    assert alone["rare_words"] == 1.0
    assert alone["shared"] == 0.0
    after = dict(zip(TOPIC, topic("and the bridge?", "how do I do the bridge?", idf), strict=True))
    assert after["shared"] == 1.0


def test_the_design_has_one_row_per_pair_and_its_topic_columns_last() -> None:
    pairings = [Pairing("a", "how long?", 0.1, 0.2), Pairing("b", "and the bridge?", 0.3, 0.4)]
    x = design(pairings, {"bridge": 3.0})
    assert x.shape[0] == 2
    assert x[1, -len(TOPIC) - 1] == pytest.approx(0.6)  # "rarest" of the second question
    assert x[1, -2] == pytest.approx(0.3)  # its similarity to the earlier question
    assert x[1, -1] == pytest.approx(0.4)  # and how close the corpus comes


def row(
    batch: str, question: str, history: tuple[str, ...] = (), in_scope: bool = True
) -> Question:
    return Question(
        f"{batch}:1", batch, history, question, in_scope, "what", ("d",), "", (), (), None
    )


def test_training_pairs_lean_for_follow_ups_and_not_for_stand_alone_questions() -> None:
    found = pairs(
        [
            row("a01", "what is the psoas?"),
            row("a01", "and where is it?", ("what is the psoas?",)),
            row("a01", "how do I stretch it out?", ()),
            row("a01", "tell me a joke", (), in_scope=False),
            row("a02", "how do I do the bridge?"),
        ]
    )
    assert found == [
        Pair("a01", "what is the psoas?", "and where is it?", True),
        Pair("a01", "what is the psoas?", "how do I stretch it out?", False),
    ]


def test_the_threshold_keeps_all_but_the_allowed_share_of_follow_ups() -> None:
    found = [Pair("a", "p", f"q{i}", i < 100) for i in range(150)]
    probabilities = np.r_[np.linspace(0.01, 1.0, 100), np.full(50, 0.5)]
    threshold = choose(probabilities, found)
    kept = (probabilities[:100] >= threshold).mean()
    assert 0.97 <= kept < 1.0


def test_a_reading_is_remembered_for_the_next_turn() -> None:
    model = Leaning("how long?")
    conversation = Conversation(model, Flat())
    conversation.contextualize("how long?", [KNEELING])
    conversation.contextualize("and the bridge?", [KNEELING, "how long?"])
    assert model.asked.count(("how long?", KNEELING)) == 1


def test_training_with_fewer_batches_than_folds_still_gives_a_threshold() -> None:
    from assistant.training.followups import out_of_fold, read

    found = [Pair("a01", KNEELING, "how long?", True), Pair("a01", KNEELING, "what is it?", False)]
    probabilities = out_of_fold(found * 3, read(found * 3, Flat()), {})
    assert probabilities.shape == (6,)


def test_models_trained_through_another_follow_up_model_are_named_at_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from types import SimpleNamespace

    from assistant.pipeline import warn_if_stale

    current = FollowUps(np.ones(3), 0.5, 0.2, {})
    other = FollowUps(np.zeros(3), 0.5, 0.2, {})
    assert current.fingerprint != other.fingerprint
    through = {"data": {"followups": current.fingerprint}}
    stale = {"data": {"followups": other.fingerprint}}
    composer = SimpleNamespace(
        kinds=SimpleNamespace(meta=through), ranker=SimpleNamespace(meta=stale)
    )
    with caplog.at_level("WARNING"):
        warn_if_stale(current, composer, SimpleNamespace(meta=through))  # type: ignore[arg-type]
    assert "ranker" in caplog.text
    assert "kinds" not in caplog.text
    assert "assistant answering train" in caplog.text
