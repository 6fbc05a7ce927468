"""Word-level text handling shared by the lexical retriever and the answer composer."""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing don down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just let me more most my myself no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself im ive id dont doesnt cant
    get got really thing things please tell know want need like okay ok hi hello thanks
    thank put make go use
    u ur r lol btw tho pls plz gonna wanna kinda sorta ya yeah yep idk omg rn
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def words(text: str) -> list[str]:
    """Lower-cased words, apostrophes dropped (“don’t” → “dont”)."""
    return WORD.findall(text.lower().replace("’", "").replace("'", ""))


def terms(text: str) -> list[str]:
    """Content words, stemmed: what lexical matching compares."""
    return list(_terms(text))


# The composer and the answer checks read the same source sentences again for every question;
# remembering the last few thousand texts saves ~15 ms of a first answer (a fresh list each call).
@lru_cache(maxsize=8192)
def _terms(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text) if w not in STOPWORDS)


def stem(word: str) -> str:
    """A light suffix stripper: stretches/stretching/stretched → stretch, hips → hip."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ness") and len(word) > 6:
        return word[:-4]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = undouble(word[: -len(suffix)])
            break
    return word


def undouble(word: str) -> str:
    """sitt → sit, but keep stretch, stiff and fall whole."""
    if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz" and word[-1].isalpha():
        return word[:-1]
    return word
