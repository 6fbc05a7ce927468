"""Checks a model-written answer against the passages it was given, before anyone sees it.

Every sentence must cite a passage it was given, and each cited passage must support it: share
half its key words, contain its numbers, and not be contradicted by a negation the passage lacks.
Medicines, doses and diagnoses may appear only when a cited passage has them too; links never.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.chunking import Chunk
from assistant.gate import MEDICINE
from assistant.sentences import split_sentences
from assistant.terms import terms, words

Vectors = Callable[[list[str]], list[list[float]]]

CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# Markers written after a sentence's full stop ("Hold it. [1] Then…") belong before it.
TRAILING = re.compile(r"([.!?…])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")
# Text that addresses whoever reads the prompt rather than a client: a passage with it is
# withheld from the model, and an answer citing it is rejected.
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,30}\b(?:instructions|rules|prompt)\b|\byou are now\b"
    r"|\bsystem prompt\b|\b(?:new|updated) instructions\b|\bas an? (?:ai|language model)\b",
    re.IGNORECASE,
)
SIMILARITY_MIN = 0.35  # cosine to the closest sentence of a cited passage
NEGATION = frozenset({"not", "no", "never", "dont", "doesnt", "cant", "shouldnt", "avoid"})
RISKY = re.compile(
    MEDICINE.pattern
    + r"|\b\d+(?:\.\d+)?\s*(?:mg|mcg|ml|g|tablets?|pills?|capsules?)\b"
    + r"|\b(?:tear|strain|sprain|bursitis|tend[io]nitis|hernia|fracture|sciatica|arthritis"
    + r"|infection|appendicitis|cancer|tumou?r|herniated|impingement|labral)\b"
    + r"|\bdiagnos\w*",
    re.IGNORECASE,
)
LINK = re.compile(r"https?://|\bwww\.|\S@\S+\.\w|\b\w+\.(?:com|org|net|co|io)\b", re.IGNORECASE)


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
        marker = LIST_MARK.match(line)
        prefix = marker.group(0).strip() + " " if marker else ""
        body = TRAILING.sub(r"\2\1", line[marker.end() :] if marker else line)
        for start, end in split_sentences(body):
            piece = body[start:end]
            numbers = tuple(int(n) for group in CITE.findall(piece) for n in group.split(","))
            # A marker is a word boundary: "ibuprofen[1]0" must not read as "ibuprofen0".
            sentence = " ".join(CITE.sub(" ", piece).split())
            sentence = re.sub(r"\s+([.,;:!?])", r"\1", sentence)
            sentence = re.sub(r"[,;:]+(?=[.!?]$)", "", sentence)  # "major, [1]." → "major."
            if not re.search(r"\w", sentence) and claims and claims[-1].line == line_no:
                last = claims[-1]
                claims[-1] = Claim(last.text, last.numbers + numbers, line_no, last.prefix)
            elif re.search(r"\w", sentence):
                claims.append(Claim(sentence, numbers, line_no, prefix if not claims or
                                    claims[-1].line != line_no else ""))  # fmt: skip
    return claims


def verify(text: str, chunks: Sequence[Chunk], vectors: Vectors | None = None) -> Verdict:
    """Whether every sentence of `text` is cited and supported by the `chunks` it cites."""
    claims = claims_of(text)
    if not claims:
        return Verdict(claims, "the model gave no answer")
    for i, claim in enumerate(claims, 1):
        problem = check_claim(claim, chunks, vectors)
        if problem:
            return Verdict(claims, f"sentence {i}: {problem}")
    return Verdict(claims)


def check_claim(claim: Claim, chunks: Sequence[Chunk], vectors: Vectors | None) -> str | None:
    """Why one sentence is not backed by the passages it cites (None when it is)."""
    if not claim.numbers:
        return "no citation"
    unknown = [n for n in claim.numbers if not 1 <= n <= len(chunks)]
    if unknown:
        return f"cites [{unknown[0]}], but only {len(chunks)} passages were given"
    cited = [chunks[n - 1].text for n in dict.fromkeys(claim.numbers)]
    if any(INJECTION.search(passage) for passage in cited):
        return "it cites a passage that contains instructions, not information"
    said = set(terms(claim.text))
    for n, passage in zip(dict.fromkeys(claim.numbers), cited, strict=True):
        # The same bar as the eval's citation check: half the sentence's key words.
        if said and len(said & set(terms(passage))) < max(1, len(said) // 2):
            return f"[{n}] shares too few of its key words"
    text, flat = unglue(claim.text), unglue(" ".join(cited)).lower()
    source_words = set(words(flat))
    numbers = [w for w in words(text) if w.isdigit() and w not in source_words]
    if numbers:
        return f"the number {numbers[0]} is not in its cited passages"
    if NEGATION & set(words(text)) and not NEGATION & source_words:
        return "it negates what its cited passages say"
    if LINK.search(text):
        return "it contains a link or address (answers never send people elsewhere)"
    for match in RISKY.finditer(text):
        if match.group(0).lower() not in flat:
            return f"'{match.group(0)}' (a medicine, dose or diagnosis) is not in its sources"
    if vectors is not None and not similar_enough(claim.text, cited, vectors):
        return "it does not mean what its cited passages say"
    return None


def unglue(text: str) -> str:
    """Digits and letters apart, spaces collapsed: "0ibuprofen" and "200mg" can't hide."""
    return " ".join(re.sub(r"(?<=\d)(?=[^\W\d])|(?<=[^\W\d])(?=\d)", " ", text).split())


def similar_enough(sentence: str, passages: list[str], vectors: Vectors) -> bool:
    """Whether some sentence of the cited passages is close in meaning to `sentence`."""
    sources = [p[s:e] for p in passages for s, e in split_sentences(p)]
    if not sources:
        return False
    first, *rest = vectors([sentence, *sources])
    best = max(sum(a * b for a, b in zip(first, v, strict=True)) for v in rest)
    return best >= SIMILARITY_MIN
