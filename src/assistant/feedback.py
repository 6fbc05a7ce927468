"""Thumbs up/down on answers, kept in a local SQLite file in the data folder."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from assistant.answer import Answer

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
    """Appends feedback rows; one short connection per write (safe across threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute(SCHEMA)

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, answer: Answer, *, liked: bool, keep_question: bool) -> int:
        """Store one rating with the answer's citations; the question only with consent."""
        citations = json.dumps(
            [
                {k: v for k, v in asdict(c).items() if k not in ("start", "end")}
                for c in answer.citations
            ],
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
        with self.connect() as db:
            cursor = db.execute(
                "insert into feedback (created_at, rating, answer, citations, referral, "
                "in_scope, question) values (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def rows(self) -> list[dict[str, object]]:
        """Every stored row, oldest first (for reports and tests)."""
        with self.connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("select * from feedback order by id")]
