"""The shape of an answer, as a client reads it: does the first sentence hold the fact, how many
sentences does it quote, does it repeat itself, does it leave fragments.

Measured on the answer's text and citations only, the same for every answerer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answer import Answer
from assistant.evaluation.metrics import CITE
from assistant.indexing.chunking import LIST_ITEM
from assistant.text.anaphora import leans_back
from assistant.text.terms import terms

NEAR_DUPLICATE = 0.6  # shared share of content words (Jaccard) that counts as saying it twice


@dataclass(frozen=True)
class Line:
    """One quoted sentence of an answer: its words, citation numbers, and whether it is an item
    of a list (a step, or an entry of a list answer)."""

    text: str
    numbers: tuple[int, ...]
    item: bool


@dataclass
class Shape:
    lines: list[Line]
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)

    @property
    def first(self) -> str:
        return self.lines[0].text if self.lines else ""

    @property
    def counted(self) -> int:
        """Quoted sentences, list items (steps, entries) aside."""
        return sum(not line.item for line in self.lines)


def lines(text: str) -> list[Line]:
    """The answer's quoted sentences in order (a line never continues the one before)."""
    found = []
    for row in text.splitlines():
        item = bool(LIST_ITEM.match(row))
        for piece in re.split(r"(?<=\])\s+(?!\[)", row):
            numbers = tuple(int(n) for n in CITE.findall(piece))
            sentence = LIST_ITEM.sub("", CITE.sub("", piece)).strip()
            if numbers and sentence:
                found.append(Line(sentence, numbers, item))
    return found


def shape(answer: Answer, source: Callable[[str], str | None]) -> Shape:
    """The answer's quoted sentences, near-duplicate pairs and fragments."""
    found = Shape(lines(answer.text))
    quoted = found.lines
    for i, a in enumerate(quoted):
        for b in quoted[i + 1 :]:
            # Steps of two exercises may share words ("hold for 30 seconds, then relax").
            if not (a.item and b.item) and similar(a.text, b.text):
                found.duplicates.append((a.text, b.text))
    rows = answer.text.splitlines()
    for index, row in enumerate(rows):
        if not CITE.search(row):
            continue  # the answerer's own lead-in ("The sources differ on this:") is no quote
        text = CITE.sub("", row).strip()
        later = [r for r in rows[index + 1 :] if r.strip()]
        if text.endswith(":") and not (later and LIST_ITEM.match(later[0])):
            found.fragments.append(f"ends in ':' without its list: {text[:60]}")
    docs = {c.n: c.doc_id for c in answer.citations}
    for i, line in enumerate(quoted):
        if not leans_back(line.text):
            continue
        before = quoted[i - 1].text if i else ""
        if not follows(line, before, docs, source):
            found.fragments.append(f"points at a sentence not shown: {line.text[:60]}")
    return found


def similar(a: str, b: str) -> bool:
    """Whether two sentences say nearly the same (most content words shared)."""
    x, y = set(terms(a)), set(terms(b))
    if not x or not y:
        return a.strip().lower() == b.strip().lower()
    return len(x & y) / len(x | y) >= NEAR_DUPLICATE


def follows(
    line: Line, before: str, docs: dict[int, str], source: Callable[[str], str | None]
) -> bool:
    """Whether the sentence shown before `line` is the one its source has just before it."""
    if not before:
        return False
    for n in line.numbers:
        text = source(docs.get(n, ""))
        if text is None:
            continue
        at = text.find(line.text)
        while at > 0:  # a sentence may occur more than once in a document
            if tail(text[:at]).endswith(tail(before)):
                return True
            at = text.find(line.text, at + 1)
    return False


def tail(text: str) -> str:
    """Words only (Markdown and list marks dropped), for comparing where sentences meet."""
    return " ".join(re.sub(r"[*_#>`]|^\s*(?:[-*•]|\d+[.)])\s+", " ", text, flags=re.M).split())


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
