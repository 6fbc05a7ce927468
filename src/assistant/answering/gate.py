"""What the corpus is not about, by rule: medicines (out of scope whatever else a question
says, before the learned gate in `answering/scope.py`), diagnostic tests and other body parts
(a question about warning signs naming one is not answered from the corpus's list).
"""

from __future__ import annotations

from assistant.lexicon import DIAGNOSTICS, ELSEWHERE, MEDICINE, OUR_PARTS


def off_topic(question: str) -> bool:
    """True for a question about medicines or diagnostic tests, or about another body part and
    not about ours."""
    if MEDICINE.search(question) or DIAGNOSTICS.search(question):
        return True
    return bool(ELSEWHERE.search(question)) and not OUR_PARTS.search(question)
