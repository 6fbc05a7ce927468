"""The out-of-scope gate: answer only when the corpus is close enough to the question.

Deterministic: a scope score (mostly the closest source sentence's cosine similarity, some of the
best passage's, lowered when the question uses words the corpus never does: "calves",
"ibuprofen") is compared with a threshold calibrated on labelled in-scope and out-of-scope
questions (`assistant calibrate`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

# How much a question's share of unknown words lowers its score (chosen on evals/scope.yaml).
UNKNOWN_WORD_PENALTY = 0.3
# Share of the closest sentence in the closeness (the rest is the best passage's): a short,
# specific question ("bridge pose hold time") is answered by one sentence, not a passage.
SENTENCE_WEIGHT = 0.8


OFF_TOPIC = -1.0
# Parts of the body the sources are about; a question naming one of these is on topic.
OUR_PARTS = re.compile(
    r"\b(?:hips?|hip flexors?|flexers?|(?:ilio)?psoas|iliacus|thighs?|groin|pelvi\w*|spine|lumbar|"
    r"(?:lower |low )?back|glutes?|buttocks?|hamstrings?|core|femur)\b",
    re.IGNORECASE,
)
# Other parts of the body: off topic unless the question also names one of ours.
ELSEWHERE = re.compile(
    r"\b(?:calf|calves|ankles?|heels?|plantar|achilles|shins?|wrists?|"
    r"elbows?|shoulders?|rotator|neck|jaw|tmj|head(?:aches?)?|eyes?|teeth|chest|"
    r"it band|carpal)\b",
    re.IGNORECASE,
)
# Medicines and doses: the sources say nothing about them, whatever the body part.
MEDICINE = re.compile(
    r"\b(?:ibuprofen|advil|tylenol|paracetamol|acetaminophen|aspirin|naproxen|opioids?|"
    r"relaxants?|cyclobenzaprine|cortisone|steroids?|dos(?:e|age)s?|mg|milligrams?)\b",
    re.IGNORECASE,
)


# Imaging and diagnostic tests: the sources say nothing about them either.
DIAGNOSTICS = re.compile(
    r"\b(?:x-?rays?|mri|ct scans?|ultrasounds?|blood tests?|diagnos(?:e|ed|es|is|ing))\b",
    re.IGNORECASE,
)


def off_topic(question: str) -> bool:
    """True for a question about medicines or diagnostic tests, or about another body part and
    not about ours."""
    if MEDICINE.search(question) or DIAGNOSTICS.search(question):
        return True
    return bool(ELSEWHERE.search(question)) and not OUR_PARTS.search(question)


def sentence_closeness(best_sentence: float, coverage: float) -> float:
    """The closest sentence's similarity less the unknown-word penalty: which of a message's
    clauses speaks for it."""
    return best_sentence - UNKNOWN_WORD_PENALTY * (1.0 - coverage)


def scope_score(
    best_passage: float, best_sentence: float, coverage: float, question: str = ""
) -> float:
    """How close the corpus comes to the question: the best sentence's and the best passage's
    cosine similarity (weighted SENTENCE_WEIGHT to the rest), minus a penalty for words the
    corpus does not use.

    A question about another body part or a medicine scores OFF_TOPIC whatever its wording.
    """
    if off_topic(question):
        return OFF_TOPIC
    closeness = SENTENCE_WEIGHT * best_sentence + (1 - SENTENCE_WEIGHT) * best_passage
    return closeness - UNKNOWN_WORD_PENALTY * (1.0 - coverage)


def is_in_scope(score: float, threshold: float) -> bool:
    """True when the scope score reaches the threshold."""
    return score >= threshold


@dataclass(frozen=True)
class Calibration:
    """A chosen threshold and the two error rates it gives on the labelled questions."""

    threshold: float
    false_refusal_rate: float  # in-scope questions refused
    false_answer_rate: float  # out-of-scope questions answered
    in_scope: int
    out_of_scope: int


def calibrate(in_scope: Sequence[float], out_of_scope: Sequence[float]) -> Calibration:
    """The threshold with the fewest errors; ties go to the middle of the widest gap.

    Candidate thresholds sit halfway between neighbouring observed scores, so the result does
    not hug any one labelled question.
    """
    if not in_scope or not out_of_scope:
        raise ValueError("calibration needs both in-scope and out-of-scope questions")
    scores = sorted(set(in_scope) | set(out_of_scope))
    cuts = [scores[0] - 1e-6] + [(a + b) / 2 for a, b in itertools.pairwise(scores)]
    cuts.append(scores[-1] + 1e-6)

    def errors(cut: float) -> tuple[int, int]:
        refused = sum(s < cut for s in in_scope)
        answered = sum(s >= cut for s in out_of_scope)
        return refused, answered

    def gap(cut: float) -> float:
        below = max((s for s in scores if s < cut), default=cut)
        above = min((s for s in scores if s >= cut), default=cut)
        return above - below

    best = min(cuts, key=lambda cut: (sum(errors(cut)), -gap(cut)))
    refused, answered = errors(best)
    return Calibration(
        threshold=best,
        false_refusal_rate=refused / len(in_scope),
        false_answer_rate=answered / len(out_of_scope),
        in_scope=len(in_scope),
        out_of_scope=len(out_of_scope),
    )
