"""Labelled client questions, written blind: JSONL batches, each row with its batch as provenance.

An answerable row names the document and the verbatim sentences that answer it and the facts a
correct answer must hold; a follow-up carries the client's earlier messages; an out-of-scope row
says what kind of question the articles do not answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.batches import read_rows
from assistant.errors import AssistantError

QuestionType = Literal["list", "how-to", "numbers", "why", "yes-no", "what", "other"]
Category = Literal[
    "other-body-part",
    "medicine",
    "prescription-diagnosis",
    "comparison",
    "other-therapy",
    "general",
    "role-change",
    "translation-format",
    "near-miss",
]
MARKUP = re.compile(r"[*_`#>\"“”]")  # what writers were told to leave out when quoting


class Row(BaseModel):
    """One line of a batch file, as its writer wrote it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    batch: str
    kind: Literal["answer", "follow-up", "out_of_scope"]
    history: tuple[str, ...] = ()
    question: str = Field(min_length=1)
    type: QuestionType | None = None
    doc: str | None = None
    section: str | None = None
    sentences: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    also_docs: tuple[str, ...] = ()
    category: Category | None = None
    why: str | None = None

    @model_validator(mode="after")
    def one_shape(self) -> Row:
        if self.kind == "out_of_scope":
            if self.category is None:
                raise ValueError("an out-of-scope row needs a 'category'")
            return self
        if not (self.doc and self.sentences and self.facts and self.type):
            raise ValueError("an answerable row needs 'doc', 'type', 'sentences' and 'facts'")
        if self.kind == "follow-up" and not self.history:
            raise ValueError("a follow-up needs its 'history'")
        return self


@dataclass(frozen=True)
class Question:
    """A labelled question ready to measure or learn from."""

    key: str  # batch:line
    batch: str
    history: tuple[str, ...]
    question: str
    in_scope: bool
    type: str | None
    docs: tuple[str, ...]  # the best first, then the others that answer it
    section: str
    sentences: tuple[str, ...]
    facts: tuple[str, ...]
    category: str | None


def plain(text: str) -> str:
    """Text without Markdown marks and quotation marks, spaces collapsed (for matching)."""
    return " ".join(MARKUP.sub("", text).split())


def read_batch(path: Path, corpus: Mapping[str, str]) -> list[Question]:
    """Every row of one batch; an AssistantError names the file, line and fault (a sentence that
    is not verbatim in its document, a fact not in its sentences, an unknown document)."""
    texts = {doc: plain(text) for doc, text in corpus.items()}
    found = []
    for number, row in read_rows(path, Row):
        fault = check(row, texts)
        if fault:
            raise AssistantError(f"{path}:{number}: {fault}")
        found.append(
            Question(
                key=f"{path.stem}:{number}",
                batch=path.stem,
                history=row.history,
                question=row.question,
                in_scope=row.kind != "out_of_scope",
                type=row.type,
                docs=tuple(d for d in (row.doc, *row.also_docs) if d),
                section=row.section or "",
                sentences=row.sentences,
                facts=row.facts,
                category=row.category,
            )
        )
    return found


def check(row: Row, texts: Mapping[str, str]) -> str | None:
    """What is wrong with an answerable row's labels, if anything."""
    for doc in (row.doc, *row.also_docs):
        if doc is not None and doc not in texts:
            return f"unknown document {doc!r}"
    if row.doc is None:
        return None
    for sentence in row.sentences:
        if plain(sentence) not in texts[row.doc]:
            return f"sentence not verbatim in {row.doc}: {sentence[:60]!r}"
    quoted = " ".join(plain(s).lower() for s in row.sentences)
    for fact in row.facts:
        if plain(fact).lower() not in quoted:
            return f"fact not in the sentences: {fact!r}"
    return None


@dataclass(frozen=True)
class Split:
    train: list[Question]
    validation: list[Question]


def load_split(root: Path, corpus: Mapping[str, str]) -> Split:
    """`batches/*.jsonl` split by whole batches as `split.yaml` names them."""
    settings = yaml.safe_load((root / "split.yaml").read_text(encoding="utf-8"))
    held = set(settings.get("validation", []))
    rows = read_batches(sorted((root / "batches").glob("*.jsonl")), corpus)
    unknown = held - {q.batch for q in rows}
    if unknown:
        raise AssistantError(f"{root / 'split.yaml'}: no batch named {sorted(unknown)[0]}")
    return Split(
        train=[q for q in rows if q.batch not in held],
        validation=[q for q in rows if q.batch in held],
    )


def read_batches(paths: Iterable[Path], corpus: Mapping[str, str]) -> list[Question]:
    return [q for path in paths for q in read_batch(path, corpus)]
