"""The n-gram hasher gives scikit-learn's `HashingVectorizer` matrices bit for bit, with every
setting the learned models use, on the suites' own texts and on odd ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.followups import hasher as followups_hasher
from assistant.answering.kinds import hashers as kinds_hashers
from assistant.answering.scope import hashers as scope_hashers
from assistant.safety.model import hashers as triage_hashers
from assistant.text.hashing import NgramHasher

EVALS = Path(__file__).resolve().parents[2] / "evals"
HASHERS = {
    "triage-word": triage_hashers()[0],
    "triage-char": triage_hashers()[1],
    "scope-word": scope_hashers()[0],
    "scope-char": scope_hashers()[1],
    "kinds-word": kinds_hashers()[0],
    "kinds-char": kinds_hashers()[1],
    "followups-word": followups_hasher(),
    "short-ngrams": NgramHasher("word", (2, 2), 7),  # defaults, and many collisions
}
ODD = [
    "",
    "   ",
    "a",
    "<s> and the other side?",
    "Hip  flexor\t\tpain\n\nafter running – é 水 👍",
    "x" * 300,
    "I can't feel my leg!!! since yesterday... 10-20 seconds?",
    "\x1c\x1d separators \u2003 em space",
]


def texts_of_the_suites() -> list[str]:
    """Every string in the eval suites (questions, messages, histories, expectations)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(EVALS.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def pair(name: str) -> tuple[NgramHasher, Any]:
    """A model's hasher, and scikit-learn's with the same settings."""
    from sklearn.feature_extraction.text import HashingVectorizer

    ours = HASHERS[name]
    theirs = HashingVectorizer(
        analyzer=ours.analyzer,
        ngram_range=ours.ngram_range,
        n_features=ours.n_features,
        token_pattern=ours.tokens.pattern,
        alternate_sign=False,
        norm=ours.norm,
        lowercase=False,
    )
    return ours, theirs


def assert_same(ours: Any, theirs: Any) -> None:
    assert type(ours) is type(theirs)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert ours.data.tobytes() == theirs.data.tobytes()  # to the bit


@pytest.mark.parametrize("name", list(HASHERS))
def test_the_suites_texts_hash_exactly_as_scikit_learn(name: str) -> None:
    texts = texts_of_the_suites()
    assert len(texts) > 1000
    ours, theirs = pair(name)
    assert_same(ours.transform(texts + ODD), theirs.transform(texts + ODD))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_any_text_hashes_exactly_as_scikit_learn(texts: list[str]) -> None:
    for name in ("triage-word", "triage-char", "kinds-word", "short-ngrams"):
        ours, theirs = pair(name)
        assert_same(ours.transform(texts), theirs.transform(texts))


def test_a_single_text_or_none_is_refused() -> None:
    hasher = NgramHasher("word", (1, 2), 16)
    with pytest.raises(ValueError, match="not one text"):
        hasher.transform("a text")
    with pytest.raises(ValueError, match="no text"):
        hasher.transform([])
