"""Choosing among ranked source sentences: at most so many per document, no repeats or
near-repeats, the best first then in reading order, and one timed sentence per document when
documents give different times."""

from __future__ import annotations

from assistant.answering.intent import durations
from assistant.answering.layout import Candidate
from assistant.answering.neighbours import jaccard
from assistant.text.terms import terms


def capped(candidates: list[Candidate], limit: int, per_doc: int = 3) -> list[Candidate]:
    """The first `limit` candidates, at most `per_doc` from any one document."""
    kept: list[Candidate] = []
    for candidate in candidates:
        if sum(k.chunk.doc_id == candidate.chunk.doc_id for k in kept) < per_doc:
            kept.append(candidate)
    return kept[:limit]


def in_reading_order(chosen: list[Candidate], scores: dict[Candidate, float]) -> list[Candidate]:
    """The best sentence first (it answers the question); then passages by their best
    sentence's score, sentences of one passage in source order."""
    if not chosen:
        return []
    lead = max(chosen, key=lambda c: scores[c])
    best: dict[str, float] = {}
    for candidate in chosen:
        key = candidate.chunk.chunk_id
        best[key] = max(best.get(key, scores[candidate]), scores[candidate])
    rest = sorted(
        (c for c in chosen if c != lead), key=lambda c: (-best[c.chunk.chunk_id], c.start)
    )
    return [lead, *rest]


def distinct(candidates: list[Candidate]) -> list[Candidate]:
    """Drop repeats and near-repeats (two sources saying the same thing in the same words)."""
    kept: list[Candidate] = []
    for candidate in unique(candidates):
        words = set(terms(candidate.text))
        if all(jaccard(words, set(terms(k.text))) < 0.7 for k in kept):
            kept.append(candidate)
    return kept


def unique(candidates: list[Candidate]) -> list[Candidate]:
    """Drop repeats, keeping the first of each."""
    return list(dict.fromkeys(candidates))


def conflicting(chosen: list[Candidate]) -> list[Candidate]:
    """One timed sentence per document when documents give different times, else nothing."""
    per_doc: dict[str, Candidate] = {}
    for candidate in chosen:
        if durations(candidate.text):
            per_doc.setdefault(candidate.chunk.doc_id, candidate)
    values = {tuple(durations(c.text)) for c in per_doc.values()}
    return list(per_doc.values()) if len(per_doc) > 1 and len(values) > 1 else []
