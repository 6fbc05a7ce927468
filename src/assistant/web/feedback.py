"""Thumbs up/down on answers, kept in a local SQLite file in the data folder."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.answer import Answer
from assistant.errors import FeedbackError

log = logging.getLogger(__name__)

SCHEMA = """
create table if not exists feedback (
    id integer primary key,
    created_at text not null,          -- UTC, ISO 8601
    rating integer not null,           -- +1 thumbs up, -1 thumbs down
    answer text not null,
    citations text not null,           -- JSON list of the answer's citations
    referral integer not null,
    in_scope integer not null,
    question text                      -- only when the client allowed it
)
"""


class FeedbackStore:
    """Appends feedback rows; one short connection per write (safe across threads and, in WAL
    mode, across processes). The file and its folder are readable by their owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ready = False
        try:
            self.prepare()
        except FeedbackError as exc:  # the chat works without it; each rating says so
            log.warning("%s", exc)

    def prepare(self) -> None:
        """Create the folder, the file and its table once (WAL mode)."""
        if self.ready:
            return
        previous = os.umask(0o077)  # the database and its -wal/-shm files: owner only
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with closing(self.connect()) as db, db:
                db.execute("pragma journal_mode=wal")
                db.execute(SCHEMA)
            os.chmod(self.path, 0o600)
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackError(f"the feedback store {self.path} is unusable ({exc})") from exc
        finally:
            os.umask(previous)
        self.ready = True

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, answer: Answer, *, liked: bool, keep_question: bool) -> int:
        """Store one rating with the answer's citations; the question only with consent."""
        citations = json.dumps(
            [c.to_dict() for c in answer.citations],
            ensure_ascii=False,
        )
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            1 if liked else -1,
            answer.text,
            citations,
            int(answer.referral),
            int(answer.in_scope),
            answer.question if keep_question else None,
        )
        self.prepare()
        try:
            with closing(self.connect()) as db, db:
                cursor = db.execute(
                    "insert into feedback (created_at, rating, answer, citations, referral, "
                    "in_scope, question) values (?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                return int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise FeedbackError(f"the feedback could not be saved ({exc})") from exc

    def rows(self) -> list[dict[str, object]]:
        """Every stored row, oldest first (for reports and tests)."""
        with closing(self.connect()) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("select * from feedback order by id")]

    def purge(self, older_than_days: float | None = None) -> int:
        """Delete every row (or those older than `older_than_days`) and the space they took;
        returns how many were deleted."""
        self.prepare()
        query, args = "delete from feedback where created_at < ?", ("9999",)  # every row
        if older_than_days is not None:
            cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
            args = (cutoff.isoformat(timespec="seconds"),)
        try:
            with closing(self.connect()) as db:
                with db:
                    deleted = db.execute(query, args).rowcount
                # Deleted rows must not linger in free pages or the write-ahead log.
                db.execute("vacuum")
                db.execute("pragma wal_checkpoint(truncate)")
        except sqlite3.Error as exc:
            raise FeedbackError(f"the feedback could not be purged ({exc})") from exc
        return int(deleted)
