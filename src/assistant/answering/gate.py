"""What the corpus is not about, by rule: medicines (out of scope whatever else a question
says, before the learned gate in `answering/scope.py`), diagnostic tests and other body parts
(a question about warning signs naming one is not answered from the corpus's list), and how
close a sentence comes to a question once words the corpus never uses count against it.
"""

from __future__ import annotations

from assistant.lexicon import load_lexicon, words_pattern

# How much a question's share of unknown words lowers its closeness (chosen on evals/scope.yaml).
UNKNOWN_WORD_PENALTY = 0.3
# The lexicon's lists (lexicon.yaml): our parts of the body, the others, medicines and doses
# (out of scope whatever the body part) and imaging and diagnostic tests.
LEXICON = load_lexicon()
OUR_PARTS = words_pattern(LEXICON.body_ours)
ELSEWHERE = words_pattern(LEXICON.body_elsewhere)
MEDICINE = words_pattern(LEXICON.medicine)
DIAGNOSTICS = words_pattern(LEXICON.diagnostics)


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
