"""Sentences read with their neighbours: a sentence next to a strong one often carries the
answer ("Since the birth I've been sore. … I've started sitting a lot."), and a lead-in ("can be
caused by:") means nothing without the list it introduces.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from assistant.answering.layout import Candidate
from assistant.indexing.chunking import LIST_ITEM, Chunk
from assistant.text.anaphora import leans_back
from assistant.text.sentences import split_sentences
from assistant.text.terms import terms

# How far a sentence is pulled toward the score of a stronger neighbour in its passage.
NEIGHBOUR_PULL = 0.35


def sentences_of(rank: int, chunk: Chunk) -> list[Candidate]:
    """Every sentence of a chunk, knowing whether it is a list item (an exercise step)."""
    candidates = []
    for start, end in split_sentences(chunk.text):
        line = chunk.text.rfind("\n", 0, start) + 1
        list_item = bool(LIST_ITEM.match(chunk.text[line:end]))
        candidates.append(Candidate(rank, chunk, start, end, list_item, line))
    return candidates


def neighbours(
    candidates: list[Candidate], usable: Callable[[Candidate], bool]
) -> dict[Candidate, list[Candidate]]:
    """For each sentence, the usable sentences right before and after it in its passage
    (noise in between is skipped)."""
    near: dict[Candidate, list[Candidate]] = {c: [] for c in candidates}
    kept = [c for c in candidates if usable(c)]
    for a, b in itertools.pairwise(kept):
        if a.chunk.chunk_id == b.chunk.chunk_id:
            near[a].append(b)
            near[b].append(a)
    return near


def smoothed(
    candidates: list[Candidate],
    scores: dict[Candidate, float],
    usable: Callable[[Candidate], bool],
) -> dict[Candidate, float]:
    """Each score pulled NEIGHBOUR_PULL of the way up toward its best neighbour's (never down)."""
    near = neighbours(candidates, usable)
    result = {}
    for candidate in candidates:
        best = max((scores[n] for n in near[candidate]), default=scores[candidate])
        result[candidate] = scores[candidate] + NEIGHBOUR_PULL * max(0.0, best - scores[candidate])
    return result


Siblings = Callable[[Chunk], list[Chunk]]


def introduced_lists(
    candidates: list[Candidate], siblings: Siblings
) -> dict[Candidate, list[Candidate]]:
    """Each lead-in sentence ("can be caused by:") with the list items that follow it, in its
    passage or at the start of the next passage under the same heading."""
    lists: dict[Candidate, list[Candidate]] = {}
    for lead in candidates:
        if lead.list_item or not lead.text.endswith(":"):
            continue
        following = [c for c in sentences_of(lead.rank, lead.chunk) if c.start > lead.start]
        if not following:
            section = siblings(lead.chunk)
            ids = [c.chunk_id for c in section]
            at = ids.index(lead.chunk.chunk_id) if lead.chunk.chunk_id in ids else len(ids)
            following = sentences_of(lead.rank, section[at + 1]) if at + 1 < len(ids) else []
        items = list(itertools.takewhile(lambda c: c.list_item, following))
        if items:
            lists[lead] = items
    return lists


def with_lists(chosen: list[Candidate], lists: dict[Candidate, list[Candidate]]) -> list[Candidate]:
    """A chosen lead-in brings the list it introduces, right after it."""
    result: list[Candidate] = []
    for candidate in chosen:
        result += [candidate] + [i for i in lists.get(candidate, []) if i not in chosen]
    return list(dict.fromkeys(result))


def coherent(chosen: list[Candidate], usable: Callable[[Candidate], bool]) -> list[Candidate]:
    """What a reader can follow: a sentence that leans on the one before it ("This helps…")
    comes right after that sentence — brought in when the answer lacks it — or is left out; a
    lead-in ending in ":" with no list after it is left out."""
    result: list[Candidate] = []
    for i, candidate in enumerate(chosen):
        if candidate in result:
            continue  # brought in earlier, before a sentence that leans on it
        if candidate.list_item:
            result.append(candidate)
            continue
        following = chosen[i + 1] if i + 1 < len(chosen) else None
        if candidate.text.rstrip().endswith(":") and not (following and following.list_item):
            continue
        if not leans_back(candidate.text):
            result.append(candidate)
            continue
        before = previous(candidate)
        if before is not None and result and result[-1] == before:
            result.append(candidate)
        elif (
            before is not None
            and before not in result
            and usable(before)
            and not before.list_item
            and not leans_back(before.text)
        ):
            result += [before, candidate]
    return result


def previous(candidate: Candidate) -> Candidate | None:
    """The sentence just before this one in its passage (None at the passage's start)."""
    earlier = [c for c in sentences_of(candidate.rank, candidate.chunk) if c.end <= candidate.start]
    return earlier[-1] if earlier else None


TWIN = 0.6  # shared content words (Jaccard) at which two sources' sentences say the same


def merged(chosen: list[Candidate]) -> tuple[list[Candidate], dict[Candidate, Candidate]]:
    """Sentences that say nearly the same, with the same numbers, shown once: a twin from
    another passage is cited beside the kept sentence, one from the same passage just dropped
    (its quote would widen the citation); steps of an exercise are never merged."""
    kept: list[Candidate] = []
    twins: dict[Candidate, Candidate] = {}
    for candidate in chosen:
        twin = next(
            (
                k
                for k in kept
                if not (k.list_item or candidate.list_item)
                and k not in twins
                and DIGITS.findall(k.text) == DIGITS.findall(candidate.text)
                and jaccard(set(terms(k.text)), set(terms(candidate.text))) >= TWIN
            ),
            None,
        )
        if twin is None:
            kept.append(candidate)
        elif twin.chunk.chunk_id != candidate.chunk.chunk_id:
            twins[twin] = candidate
    return kept, twins


def standalone(chosen: list[Candidate]) -> list[Candidate]:
    """When nothing chosen can be shown coherently: the first sentence that stands alone."""
    alone = [c for c in chosen if not leans_back(c.text) and not c.text.rstrip().endswith(":")]
    return alone[:1] or chosen[:1]


DIGITS = re.compile(r"\d+")


def jaccard(a: set[str], b: set[str]) -> float:
    """Overlap of two word sets."""
    return len(a & b) / len(a | b) if a | b else 1.0
