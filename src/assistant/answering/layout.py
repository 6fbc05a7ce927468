"""Laying chosen source sentences out as a cited answer: paragraphs, steps, citations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.answer import Citation
from assistant.indexing.chunking import LIST_ITEM, Chunk


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved passage."""

    rank: int
    chunk: Chunk
    start: int  # offsets within chunk.text
    end: int
    list_item: bool
    line: int  # where its line starts within chunk.text

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]


@dataclass(frozen=True)
class Composition:
    """The composed answer text and its citations."""

    text: str
    citations: list[Citation]


def write(
    chosen: list[Candidate],
    *,
    conflict: bool,
    twins: dict[Candidate, Candidate] | None = None,
    labels: Mapping[Candidate, str] | None = None,
) -> Composition:
    """Lay the sentences out, one citation per passage, `[n]` after every sentence.

    Prose sentences run together as a paragraph; each list item (an exercise step) gets a line.
    A sentence with a twin (another source saying nearly the same) cites both: `[1] [2]`.
    A labelled sentence is an item of a list of its own: "- Bridge Pose: Lie on your back… [1]".
    """
    twins, labels = twins or {}, labels or {}
    numbers: dict[str, int] = {}
    groups: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        for used in (candidate, *([twins[candidate]] if candidate in twins else [])):
            numbers.setdefault(used.chunk.chunk_id, len(numbers) + 1)
            groups.setdefault(used.chunk.chunk_id, []).append(used)
    blocks: list[tuple[object, str, list[str]]] = []  # (block key, prefix, cited sentences)
    for candidate in chosen:
        cited = f"{candidate.text} [{numbers[candidate.chunk.chunk_id]}]"
        if candidate in twins:
            cited += f" [{numbers[twins[candidate].chunk.chunk_id]}]"
        key: object
        if candidate in labels:
            key, prefix = ("label", candidate), f"- {labels[candidate]}: "
        elif candidate.list_item or conflict:
            key = (candidate.chunk.chunk_id, candidate.line)
            prefix = "- " if conflict else bullet(candidate)
        else:
            key, prefix = "paragraph", ""
        if blocks and blocks[-1][0] == key:
            blocks[-1][2].append(cited)
        else:
            blocks.append((key, prefix, [cited]))
    lines = ["The sources differ on this:"] if conflict else []
    lines += [prefix + " ".join(parts) for _, prefix, parts in blocks]
    citations = [citation(numbers[key], group) for key, group in groups.items()]
    return Composition("\n".join(lines), citations)


def bullet(candidate: Candidate) -> str:
    """The list marker to show: the source's step number where it has one."""
    marker = LIST_ITEM.match(candidate.chunk.text[candidate.line : candidate.end])
    number = marker.group(0).strip() if marker else "-"
    return f"{number} " if number[:1].isdigit() else "- "


def citation(n: int, group: list[Candidate]) -> Citation:
    """A citation quoting the passage from its first used sentence to its last."""
    chunk = group[0].chunk
    start = min(c.start for c in group)
    end = max(c.end for c in group)
    return Citation(
        n=n,
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section,
        chunk_id=chunk.chunk_id,
        quote=chunk.text[start:end],
        start=chunk.start + start,
        end=chunk.start + end,
    )
