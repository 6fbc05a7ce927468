"""The therapist summary and the local feedback store."""

from __future__ import annotations

import sqlite3
import stat
import threading
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from assistant.answer import Answer, Citation, RedFlag
from assistant.errors import FeedbackError
from assistant.web.feedback import FeedbackStore
from assistant.web.summary import therapist_summary

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


def rated(n: int) -> Answer:
    return Answer(f"question {n}", f"answer {n} [1]", [])


def test_the_store_is_owner_only_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.record(rated(1), liked=True, keep_question=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for sidecar in path.parent.glob("feedback.sqlite3-*"):
        assert stat.S_IMODE(sidecar.stat().st_mode) & 0o077 == 0, sidecar.name
    with sqlite3.connect(path) as db:
        assert db.execute("pragma journal_mode").fetchone() == ("wal",)


def test_twenty_sessions_rating_at_once_lose_no_row(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    start = threading.Barrier(20)

    def session(n: int) -> None:
        start.wait()
        for i in range(10):
            FeedbackStore(store.path).record(
                rated(n * 100 + i), liked=i % 2 == 0, keep_question=True
            )

    threads = [threading.Thread(target=session, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = store.rows()
    assert len(rows) == 200
    assert len({r["question"] for r in rows}) == 200


def test_a_corrupt_store_is_a_clear_error_on_rating_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = FeedbackStore(path)  # the page still starts
    with pytest.raises(FeedbackError, match="feedback"):
        store.record(rated(1), liked=True, keep_question=False)


def test_purge_deletes_old_ratings_then_all_and_leaves_no_trace_of_a_question(
    tmp_path: Path,
) -> None:
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    for n in range(3):
        store.record(rated(n), liked=True, keep_question=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("update feedback set created_at = '2020-01-01T00:00:00+00:00' where id < 3")
    assert store.purge(older_than_days=30) == 2
    assert [r["question"] for r in store.rows()] == ["question 2"]
    assert store.purge() == 1
    assert store.rows() == []
    written = b"".join(p.read_bytes() for p in tmp_path.glob("feedback.sqlite3*"))
    assert b"question 2" not in written


def test_the_purge_command_says_how_many_it_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import assistant.cli as cli

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    FeedbackStore(tmp_path / "feedback.sqlite3").record(rated(1), liked=False, keep_question=True)
    result = CliRunner().invoke(cli.main, ["feedback", "purge"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 rating(s) deleted")
    assert CliRunner().invoke(cli.main, ["feedback", "purge", "--older-than", "-1"]).exit_code == 2
