"""Properties of the verifier on generated model output (hypothesis).

Whatever a model writes, verification never crashes, and whatever it lets through is laid out
as an answer whose every `[n]` resolves and whose every sentence shares key words with its
source — the same check the eval suites apply to every answer shown.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer import Answer
from assistant.answering.generation import lay_out
from assistant.answering.support import normalise
from assistant.answering.verification import verify
from assistant.evaluation.metrics import citation_problems
from assistant.indexing.chunking import Chunk

PASSAGES = [
    "Kneel on one knee with the other foot flat in front of you. Hold for 30 seconds.",
    "Sitting for long periods shortens the hip flexors. Do not bounce while you stretch.",
    "- Lie on your back with your knees bent.\n- Lift your hips toward the ceiling.",
]
DOCUMENT = "\n\n".join(PASSAGES)
CHUNKS = []
for n, text in enumerate(PASSAGES, 1):
    start = DOCUMENT.index(text)
    CHUNKS.append(Chunk(f"c{n}", "doc", "Doc", "Section", text, start, start + len(text)))

# Pieces a model might write: source sentences, paraphrase, noise, markers of every shape.
PIECES = [
    "Kneel on one knee",
    "with the other foot flat in front of you",
    "Hold for 30 seconds",
    "Sitting for long periods shortens the hip flexors",
    "Do not bounce while you stretch",
    "Lift your hips toward the ceiling",
    "Take ibuprofen",
    "you have a tear",
    "visit www.example.com",
    "Hold for 90 seconds",
    "[1]", "[2]", "[3]", "[4]", "[0]", "[1, 2]", "[2][3]", ".", ",", "!", "?", "\n", "\n- ",
    "\n1. ", " ", ":", "“", "”",
]  # fmt: skip
SENTENCES = [p for p in PIECES if p[:1].isalpha()]
MARKERS = ["[1]", "[2]", "[3]", "[4]", "[1, 2]", "[2][3]", ""]
SUPPORTED = [
    ("Kneel on one knee", "[1]"),
    ("Hold for 30 seconds", "[1]"),
    ("Sitting for long periods shortens the hip flexors", "[2]"),
    ("Do not bounce while you stretch", "[2]"),
    ("Lift your hips toward the ceiling", "[3]"),
]
# Answers shaped like a model's: mostly supported sentences, some not, with the marker before
# or after the full stop, on one line or several.
claims = st.tuples(
    st.one_of(
        st.sampled_from(SUPPORTED),
        st.sampled_from(SUPPORTED),
        st.tuples(st.sampled_from(SENTENCES), st.sampled_from(MARKERS)),
    ),
    st.booleans(),
    st.sampled_from([" ", "\n", "\n- ", "\n2. "]),
).map(lambda c: (f"{c[0][0]} {c[0][1]}." if c[1] else f"{c[0][0]}. {c[0][1]}") + c[2])
outputs = st.one_of(
    st.lists(claims, min_size=1, max_size=6).map("".join),
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
)


def source(doc_id: str) -> str | None:
    return DOCUMENT if doc_id == "doc" else None


@settings(max_examples=400, deadline=None)
@given(outputs)
def test_whatever_passes_verification_is_shown_with_honest_citations(text: str) -> None:
    verdict = verify(text, CHUNKS)
    if not verdict.ok:
        assert verdict.problem
        return
    body, citations = lay_out(verdict.claims, CHUNKS)
    answer = Answer("q", body, citations)
    assert citations
    assert citation_problems(answer, source) == []
    shown = normalise(body).lower()  # "0ibuprofen" reads as "0 ibuprofen"
    for bad in ("ibuprofen", "tear", "www", "90 seconds"):
        assert not re.search(rf"\b{bad}\b", shown)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(SUPPORTED), min_size=1, max_size=5),
    st.sampled_from([" ", "\n", "\n- "]),
)
def test_supported_sentences_cited_to_their_passage_pass(
    picked: list[tuple[str, str]], separator: str
) -> None:
    # The test above returns early on a rejection: this one fails if the verifier rejects
    # what it must let through.
    text = separator.join(f"{sentence}. {marker}" for sentence, marker in picked)
    verdict = verify(text, CHUNKS)
    assert verdict.ok, verdict.problem
    assert len(verdict.claims) == len(picked)
