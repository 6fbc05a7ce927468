"""One normal form of a user's text, shared by triage and the question's sentence vector.

Both read the same form, so one pass through the encoder's lower layers serves both.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that could split a word ("numb\u200bness") without showing.
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")
APOSTROPHES = re.compile(r"[’‘`´']")


def normalise(text: str) -> str:
    """NFKC, invisible characters removed, lower case, apostrophes dropped ("can't" → "cant"),
    runs of spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = INVISIBLE.sub("", text).lower()
    text = APOSTROPHES.sub("", text)
    return " ".join(text.split())
