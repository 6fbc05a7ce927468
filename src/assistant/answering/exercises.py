"""The answer to "which exercises / stretches / poses…": one line per exercise the retrieved
passages teach (`Chunk.exercise`, derived from the Markdown at ingest), named by its heading,
with the section's first sentence of prose as its purpose (its first step when it has none),
each cited. Articles in the order of their best passage, exercises in article order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from assistant.answering.layout import Candidate
from assistant.answering.neighbours import Siblings, sentences_of

KEEP = 0.5  # an exercise is listed when its best sentence scores this share of the best one's
MOST = 8
LEADING = 2  # the list answers when one of this many best sentences is an exercise's


def exercise_lines(
    candidates: Sequence[Candidate],
    scores: Mapping[Candidate, float],
    siblings: Siblings,
    usable: Callable[[Candidate], bool],
) -> list[tuple[Candidate, str]]:
    """(sentence, exercise name) for each exercise worth listing; [] when fewer than two, or
    when the best sentences are not about an exercise at all (a list of tips or of poses named
    in prose is answered by those sentences)."""
    leading = sorted((c for c in candidates if usable(c)), key=lambda c: -scores[c])[:LEADING]
    if not any(c.chunk.exercise for c in leading):
        return []
    best: dict[tuple[str, str], Candidate] = {}
    for candidate in candidates:
        key = (candidate.chunk.doc_id, candidate.chunk.exercise)
        if candidate.chunk.exercise and (key not in best or scores[candidate] > scores[best[key]]):
            best[key] = candidate
    if len(best) < 2:
        return []
    top = max(scores[c] for c in best.values())
    kept = [c for c in best.values() if scores[c] >= KEEP * top] if top > 0 else []
    if len(kept) < 2:
        return []
    first_rank: dict[str, int] = {}
    for candidate in kept:
        doc = candidate.chunk.doc_id
        first_rank[doc] = min(first_rank.get(doc, candidate.rank), candidate.rank)
    kept.sort(key=lambda c: (first_rank[c.chunk.doc_id], c.chunk.doc_id, c.chunk.start))
    lines = []
    for candidate in kept[:MOST]:
        line = purpose(candidate, siblings, usable)
        if line is not None:
            lines.append((line, candidate.chunk.exercise))
    return lines if len(lines) >= 2 else []


def purpose(
    candidate: Candidate, siblings: Siblings, usable: Callable[[Candidate], bool]
) -> Candidate | None:
    """The exercise's first usable sentence of prose, else its first usable step."""
    section = [
        s for chunk in siblings(candidate.chunk) for s in sentences_of(candidate.rank, chunk)
    ]
    fitting = [s for s in section if usable(s) and not s.text.rstrip().endswith(":")]
    prose = [s for s in fitting if not s.list_item]
    return next(iter(prose or fitting), None)
