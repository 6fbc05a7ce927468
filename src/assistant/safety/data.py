"""Labelled triage data: JSONL batches written blind, each row with its batch as provenance.

A row is a single message or a conversation (the client's turns, oldest first). `labels` are the
rules the whole row shows by its last turn; `turn_labels` what each turn shows read alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.batches import read_rows
from assistant.errors import AssistantError

# "harmless" is the sealed sets' word for any benign single message.
Kind = Literal[
    "refer",
    "near-miss",
    "warning-question",
    "mild-symptoms",
    "question",
    "conversation",
    "harmless",
]


class Row(BaseModel):
    """One labelled line of a batch file, as its writer wrote it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str | None = Field(default=None, min_length=1)
    turns: tuple[str, ...] | None = Field(default=None, min_length=1)
    turn_labels: tuple[tuple[str, ...], ...] | None = None
    labels: tuple[str, ...]
    describes_symptoms: bool | None = None
    kind: Kind
    note: str | None = None
    pair: int | None = None  # minimal-pair batches: a refer message and its benign twin

    @model_validator(mode="after")
    def one_shape(self) -> Row:
        if (self.text is None) == (self.turns is None):
            raise ValueError("a row has either 'text' or 'turns'")
        turns, labels = self.turns, self.turn_labels
        if turns is not None and labels is not None and len(labels) != len(turns):
            raise ValueError("'turn_labels' needs one list per turn")
        if self.kind == "refer" and not self.labels:
            raise ValueError("a 'refer' row needs labels")
        return self


@dataclass(frozen=True)
class Example:
    """A row ready to learn from or to score: its turns, labels and provenance."""

    batch: str
    line: int
    turns: tuple[str, ...]
    labels: frozenset[str]
    turn_labels: tuple[frozenset[str], ...] | None
    describes_symptoms: bool | None
    kind: str

    @property
    def refer(self) -> bool:
        return bool(self.labels)

    @property
    def key(self) -> str:
        """Batch and line: names the row in reports."""
        return f"{self.batch}:{self.line}"


def read_batch(path: Path, rule_ids: Iterable[str]) -> list[Example]:
    """Every row of one batch file; an AssistantError names the file, line and fault."""
    known = frozenset(rule_ids)
    examples = []
    for number, row in read_rows(path, Row):
        unknown = (set(row.labels) | {r for t in row.turn_labels or () for r in t}) - known
        if unknown:
            raise AssistantError(f"{path}:{number}: unknown rule id {sorted(unknown)[0]!r}")
        turns = row.turns if row.turns is not None else (row.text or "",)
        examples.append(
            Example(
                batch=path.stem,
                line=number,
                turns=tuple(turns),
                labels=frozenset(row.labels),
                turn_labels=tuple(frozenset(t) for t in row.turn_labels)
                if row.turn_labels is not None
                else None,
                describes_symptoms=row.describes_symptoms,
                kind=row.kind,
            )
        )
    return examples


def read_batches(folder: Path, rule_ids: Iterable[str]) -> list[Example]:
    """Every batch file (`*.jsonl`) in a folder, in name order."""
    ids = list(rule_ids)
    return [e for path in sorted(folder.glob("*.jsonl")) for e in read_batch(path, ids)]


def fingerprint(paths: Sequence[Path]) -> str:
    """A hash of the data files' names and contents (recorded with a trained model)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
