"""The answer to "how long do I hold…" and "how many reps…": the sentences that prescribe the
holds and repetitions (derived at ingest: `Chunk.holds`, `Chunk.repetitions`) of the section
the question is about, what was asked first. When another article prescribes an exercise of the same
name differently, its sentences follow under "The sources differ on this".

Which section the question is about is the learned ranker's: the section of the best-ranked
dose sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.answering.layout import Candidate
from assistant.answering.neighbours import Siblings, sentences_of
from assistant.text.terms import terms

LEAD = 2  # a dose sentence among this many of the ranker's best: the question asks for a dose
RIVALS = 4  # another article's same-named exercise is compared when among this many
# Words every exercise name shares: a name agreeing only in these is another exercise.
GENERIC = frozenset(terms("stretch exercise pose for strength strengthening mobility spine core"))


@dataclass(frozen=True)
class Doses:
    """The dose sentences of the section asked about, and of same-named exercises elsewhere
    that prescribe something else."""

    sentences: list[Candidate]
    differing: list[Candidate]


def prescribes(candidate: Candidate) -> bool:
    """Whether the sentence states one of its section's holds or repetitions."""
    chunk = candidate.chunk
    return any(phrase in candidate.text for phrase in (*chunk.holds, *chunk.repetitions))


def dose_sentences(
    ranked: Sequence[Candidate],
    siblings: Siblings,
    usable: Callable[[Candidate], bool],
    *,
    holds_first: bool | None = None,
    worded: bool = False,
) -> Doses | None:
    """The doses of the section the question is about: the section of the dose sentence among
    the `LEAD` best `ranked` (by the learned ranker), else, when the question is `worded` as
    asking for a dose, of the best sentence if it belongs to an exercise with one; None
    otherwise (the question is about something else: resting days, an angle, why).
    `holds_first` puts the holds (True) or the repetitions (False) first."""
    best = [c for c in ranked if usable(c)]
    anchor = next((c for c in best[:LEAD] if prescribes(c)), None)
    if anchor is None and worded and best and best[0].chunk.exercise:
        # The question says "how long", "reps"…, and the best sentence is an exercise's whose
        # dose sits in a passage not retrieved.
        anchor = best[0] if best[0].chunk.holds or best[0].chunk.repetitions else None
    if anchor is None:
        return None
    own = section_doses(anchor, siblings, usable, holds_first)
    if not own:
        return None
    name = name_words(anchor.chunk.exercise)
    differing: list[Candidate] = []
    for other in best[:RIVALS]:
        theirs = name_words(other.chunk.exercise)
        if (
            other.chunk.doc_id == anchor.chunk.doc_id
            or not prescribes(other)
            or not (name and theirs and (name <= theirs or theirs <= name))
        ):
            continue
        found = section_doses(other, siblings, usable, holds_first)
        if {c.text for c in found} != {c.text for c in own}:
            differing = found
            break
    return Doses(own, differing)


def section_doses(
    candidate: Candidate,
    siblings: Siblings,
    usable: Callable[[Candidate], bool],
    holds_first: bool | None,
) -> list[Candidate]:
    """Every usable dose sentence of the candidate's exercise, in reading order, those stating
    what was asked first. A section that is no exercise may teach several in prose: only the
    candidate's own paragraph is read then."""
    if candidate.chunk.exercise:
        section = [s for chunk in siblings(candidate.chunk) for s in sentences_of(0, chunk)]
    else:
        section = [s for s in sentences_of(0, candidate.chunk) if same_paragraph(s, candidate)]
    found = [replace(s, rank=candidate.rank) for s in section if usable(s) and prescribes(s)]
    if holds_first is None:
        return found
    holds = [s for s in found if any(p in s.text for p in s.chunk.holds)]
    rest = [s for s in found if s not in holds]
    return holds + rest if holds_first else rest + holds


def same_paragraph(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences of a chunk stand in one paragraph (no blank line between them)."""
    low, high = sorted((a.start, b.start))
    return a.chunk is b.chunk and "\n\n" not in a.chunk.text[low:high]


def name_words(name: str) -> frozenset[str]:
    """What tells an exercise's name from another's ("Kneeling Hip Flexor Stretch" → hip,
    flexor, kneel)."""
    return frozenset(terms(name)) - GENERIC
