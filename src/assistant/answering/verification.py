"""Checks a model-written answer against the passages it was given, before anyone sees it.

The answer is split into sentences ("claims"), each with the `[n]` numbers that follow it. Every
claim must cite passages that were given, and `support.check_claim` must find it backed by them;
the first claim that fails makes the whole answer fail, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.support import check_claim
from assistant.indexing.chunking import LIST_ITEM, Chunk
from assistant.indexing.embeddings import Embed
from assistant.text.sentences import split_sentences

CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# Markers written after a sentence's full stop ("Hold it. [1] Then…") belong before it.
TRAILING = re.compile(r"([.!?…])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")
EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)")


@dataclass(frozen=True)
class Claim:
    """One sentence of the answer, the passages it cites, and its line's list marker."""

    text: str
    numbers: tuple[int, ...]
    line: int
    prefix: str = ""


@dataclass(frozen=True)
class Verdict:
    """The claims of an answer, and why it fails (None when it passes)."""

    claims: list[Claim]
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def claims_of(text: str) -> list[Claim]:
    """The sentences of `text` with their [n] numbers; a lone marker joins the sentence before."""
    claims: list[Claim] = []
    for line_no, line in enumerate(text.strip().splitlines()):
        marker = LIST_ITEM.match(line)
        prefix = marker.group(0).strip() + " " if marker else ""
        body = TRAILING.sub(r"\2\1", line[marker.end() :] if marker else line)
        for start, end in split_sentences(body):
            piece = body[start:end]
            numbers = tuple(int(n) for group in CITE.findall(piece) for n in group.split(","))
            # A marker is a word boundary: "ibuprofen[1]0" must not read as "ibuprofen0".
            sentence = " ".join(CITE.sub(" ", piece).split())
            sentence = re.sub(r"\s+([.,;:!?])", r"\1", EMPHASIS.sub("", sentence))
            sentence = re.sub(r"[,;:]+(?=[.!?]$)", "", sentence)  # "major, [1]." → "major."
            if not re.search(r"\w", sentence) and claims and claims[-1].line == line_no:
                last = claims[-1]
                claims[-1] = Claim(last.text, last.numbers + numbers, line_no, last.prefix)
            elif re.search(r"\w", sentence):
                claims.append(Claim(sentence, numbers, line_no, prefix if not claims or
                                    claims[-1].line != line_no else ""))  # fmt: skip
    return claims


def verify(text: str, chunks: Sequence[Chunk], vectors: Embed | None = None) -> Verdict:
    """Whether every sentence of `text` is cited and supported by the `chunks` it cites."""
    claims = claims_of(text)
    if not claims:
        return Verdict(claims, "the model gave no answer")
    for i, claim in enumerate(claims, 1):
        problem = cites_known(claim, len(chunks)) or check_claim(
            claim.text, [chunks[n - 1] for n in dict.fromkeys(claim.numbers)], vectors
        )
        if problem:
            return Verdict(claims, f"sentence {i}: {problem}")
    return Verdict(claims)


def cites_known(claim: Claim, given: int) -> str | None:
    """Why the claim's citations are unusable: none, or a number no passage has."""
    if not claim.numbers:
        return "no citation"
    unknown = [n for n in claim.numbers if not 1 <= n <= given]
    if unknown:
        return f"cites [{unknown[0]}], but only {given} passages were given"
    return None
