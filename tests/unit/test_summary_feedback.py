"""The therapist summary and the local feedback store."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from assistant.answer import Answer, Citation, RedFlag
from assistant.feedback import FeedbackStore
from assistant.summary import therapist_summary

BRIDGE = Citation(1, "psoas", "Psoas", "2. Bridge Pose", "psoas-1", "Lie on your back.", 0, 17)
CAUSES = Citation(1, "guide", "Guide", "Causes of Iliopsoas Pain", "guide-1", "Overuse.", 0, 8)


def test_summary_lists_questions_exercises_and_warnings() -> None:
    answers = [
        Answer("how do I do the bridge?", "Lie on your back. [1]", [BRIDGE]),
        Answer("what causes it?", "Overuse. [1]", [CAUSES]),
        Answer(
            "my leg is numb",
            "⚠️ Please see a doctor…",
            [CAUSES],
            referral=True,
            red_flags=[RedFlag("numbness_tingling", "Numbness or tingling in the hip or leg")],
        ),
    ]
    text = therapist_summary(answers, today=date(2026, 11, 22))
    assert text.startswith("Summary for my therapist — 2026-11-22")
    warnings, rest = text.split("Questions I asked:")
    assert "Numbness or tingling in the hip or leg" in warnings
    assert "- how do I do the bridge?" in rest
    assert "- my leg is numb" in rest
    exercises = rest.split("Exercises discussed")[1]
    assert "2. Bridge Pose" in exercises
    assert "Causes of Iliopsoas Pain" not in exercises


def test_empty_summary_says_none() -> None:
    text = therapist_summary([], today=date(2026, 1, 1))
    assert "WARNING" not in text
    assert text.count("- (none)") == 2


def test_feedback_stores_citations_and_question_only_with_consent(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    answer = Answer("where is the psoas?", "Deep in the lower back. [1]", [BRIDGE])
    store.record(answer, liked=True, keep_question=False)
    store.record(answer, liked=False, keep_question=True)
    first, second = store.rows()
    assert (first["rating"], first["question"]) == (1, None)
    assert (second["rating"], second["question"]) == (-1, "where is the psoas?")
    assert '"chunk_id": "psoas-1"' in str(first["citations"])
    assert str(first["created_at"]).endswith("+00:00")
    with sqlite3.connect(tmp_path / "data" / "feedback.sqlite3") as db:
        assert db.execute("select count(*) from feedback").fetchone() == (2,)
