"""Deterministic metrics: retrieval ranks, answer facts, citation validity, rates, latency."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from assistant.answer import Answer
from assistant.indexing.chunking import LIST_ITEM
from assistant.text.terms import terms

CITE = re.compile(r"\[(\d+)\]")


def first_rank(docs: Sequence[str], expected: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved passage from an expected document."""
    return next((rank for rank, doc in enumerate(docs, 1) if doc in expected), None)


def retrieval_metrics(
    ranks: Sequence[int | None], recalls: Sequence[float], k: int
) -> dict[str, float]:
    """hit@1/3/5, mean reciprocal rank and recall@k over cases with expected documents."""
    if not ranks:
        return {}
    n = len(ranks)
    hit = {cut: sum(r is not None and r <= cut for r in ranks) / n for cut in (1, 3, 5)}
    return {
        "retrieval.hit@1": hit[1],
        "retrieval.hit@3": hit[3],
        "retrieval.hit@5": hit[5],
        "retrieval.mrr": sum(1 / r for r in ranks if r is not None) / n,
        f"retrieval.recall@{k}": sum(recalls) / n,
    }


def missing_facts(text: str, any_of: Sequence[str], all_of: Sequence[str]) -> list[str]:
    """What the answer lacks: 'any of [...]' and each absent 'all of' fact (case-insensitive)."""
    flat = " ".join(text.lower().split())
    missing = []
    if any_of and not any(" ".join(f.lower().split()) in flat for f in any_of):
        missing.append(f"none of {list(any_of)}")
    missing += [f for f in all_of if " ".join(f.lower().split()) not in flat]
    return missing


def citation_problems(answer: Answer, source: Callable[[str], str | None]) -> list[str]:
    """Why an answer's citations fail: unresolved [n], a quote not verbatim in its document,
    or a cited passage that shares too few of its sentence's key words."""
    problems = []
    by_number = {c.n: c for c in answer.citations}
    for n in sorted({int(m) for m in CITE.findall(answer.text)} - set(by_number)):
        problems.append(f"[{n}] does not resolve to a source")
    for citation in answer.citations:
        text = source(citation.doc_id)
        if text is None or citation.quote not in text:
            problems.append(f"[{citation.n}] quote is not verbatim in {citation.doc_id}")
    for sentence, numbers in cited_sentences(answer.text):
        words = set(terms(sentence))
        for n in numbers:
            cited = by_number.get(n)
            if cited is None or not words:
                continue
            shared = words & set(terms(cited.quote))
            if len(shared) < max(1, len(words) // 2):
                problems.append(f"[{n}] shares too few key words with its sentence")
    return problems


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Each stretch of text ending in one or more [n] markers, with those numbers."""
    found = []
    # A line never continues a sentence of the line before (lists, referral quotes).
    for piece in re.split(r"(?<=\])\s+(?!\[)|\n", text):
        numbers = [int(n) for n in CITE.findall(piece)]
        # A list marker ("3. ", "- ") is layout, not a word of the sentence.
        sentence = LIST_ITEM.sub("", CITE.sub("", piece)).strip()
        if numbers and sentence:
            found.append((sentence, numbers))
    return found


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]
