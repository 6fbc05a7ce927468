"""Normalising user text for the red-flag lexicon: case, apostrophes and misspellings.

Only words that are not English dictionary words (nor regular inflections of one) are
corrected, and only towards the rules' own trigger words: "numbess" → "numbness", while
"tried" never becomes "tripped".
"""

from __future__ import annotations

import difflib
import re
from functools import cache


def normalise(
    text: str, vocabulary: frozenset[str] = frozenset(), keep: frozenset[str] = frozenset()
) -> str:
    """Lower case, apostrophes dropped ("can't" → "cant"), misspelt trigger words corrected."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("'", "")
    text = re.sub(r"[^\w/&.,;:!?\n%-]+", " ", text)
    if vocabulary:
        text = re.sub(r"[a-z]{5,}", lambda m: correct(m.group(0), vocabulary, keep), text)
    return re.sub(r"[ \t]+", " ", text).strip()


def correct(word: str, vocabulary: frozenset[str], keep: frozenset[str] = frozenset()) -> str:
    """The trigger word a misspelling stands for ("numbess" → "numbness"), else the word.

    Words in `keep` are ordinary words close to a trigger word ("never" ~ "fever").
    """
    if word in vocabulary or word in keep or is_english(word):
        return word
    # Same first letter: typos rarely change it, and it keeps "never" from becoming "fever".
    near = [v for v in vocabulary if v[0] == word[0] and abs(len(v) - len(word)) <= 2]
    close = difflib.get_close_matches(word, near, n=1, cutoff=0.8)
    return close[0] if close else word


@cache
def dictionary() -> frozenset[str]:
    """English words (Webster's 2nd and GCIDE, from the `english-words` package)."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2", "gcide"], lower=True, alpha=True))


def is_english(word: str) -> bool:
    """A dictionary word or a regular inflection of one ("screamed", "tripped", "hurdles")."""
    words = dictionary()
    stems = [word]
    if word.endswith("s"):
        stems.append(word[:-1])
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        stems.append(word[:-2])
    for suffix in ("ed", "ing"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            stems += [base, base + "e", base[:-1] if base[-1:] == base[-2:-1] else base]
    if word.endswith("ly"):
        stems += [word[:-2], word[:-2] + "le"]
    return any(stem in words for stem in stems)
