"""What the corpus is not about, by rule: medicines (out of scope whatever else a question
says, before the learned gate in `answering/scope.py`), diagnostic tests and other body parts
(a question about warning signs naming one is not answered from the corpus's list), and how
close a sentence comes to a question once words the corpus never uses count against it.
"""

from __future__ import annotations

import re

# How much a question's share of unknown words lowers its closeness (chosen on evals/scope.yaml).
UNKNOWN_WORD_PENALTY = 0.3
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
