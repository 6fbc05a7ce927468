"""Spelling: a word the corpus never uses, mapped to the closest word it does use."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

# Shorter words are left alone: at four letters one typo is a quarter of the word, and
# "hips" → "hops" would change the question, not mend it.
SHORTEST = 5
CUTOFF = 0.8  # difflib's similarity (2 × matching letters / both lengths)
REMEMBERED = 10_000  # corrections kept before the memory starts again (a bound, not a policy)


class Speller:
    """Corrects words against a fixed vocabulary (typos: “streching” → “stretching”)."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.known = frozenset(vocabulary)
        self.by_length: dict[int, list[str]] = {}
        for word in sorted(self.known):
            self.by_length.setdefault(len(word), []).append(word)
        self.corrected: dict[str, str] = {}

    def correct(self, words: list[str]) -> list[str]:
        """Each word, or the closest known word when the vocabulary lacks it."""
        return [self.one(word) for word in words]

    def one(self, word: str) -> str:
        if word in self.known or len(word) < SHORTEST:
            return word
        if word not in self.corrected:
            # Only words of a length within 1.5 times can reach a ratio of 0.8: the same match
            # as searching the whole vocabulary, far faster.
            lengths = range(math.ceil(len(word) / 1.5), math.floor(len(word) * 1.5) + 1)
            near = [w for n in lengths for w in self.by_length.get(n, ())]
            close = difflib.get_close_matches(word, near, n=1, cutoff=CUTOFF)
            if len(self.corrected) > REMEMBERED:
                self.corrected.clear()
            self.corrected[word] = close[0] if close else word
        return self.corrected[word]
