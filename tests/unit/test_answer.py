"""The public JSON contract of an answer."""

from __future__ import annotations

import json

import pytest

from assistant.answer import OUT_OF_SCOPE_TEXT, Answer, Citation, RedFlag
from tests.helpers import ANSWER_KEYS, CITATION_KEYS

SOURCE = "x" * 120 + "Lie on your back. Bend your knees."  # the document the quote is from
CITATION = Citation(
    n=1,
    doc_id="guide",
    title="Hip Guide",
    section="Glute Bridge",
    chunk_id="guide-0123456789abcdef",
    quote="Lie on your back.",
    start=120,
    end=137,
)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            Answer(
                "how do I do the bridge?",
                "Lie on your back. [1]",
                [CITATION],
                referral=True,
                red_flags=[RedFlag("numbness", "Numbness or tingling")],
                timings_ms={"retrieve": 12.345, "total": 20.06},
            ),
            id="full",
        ),
        pytest.param(Answer("what is bitcoin?", OUT_OF_SCOPE_TEXT, in_scope=False), id="refusal"),
    ],
)
def test_to_dict_has_exactly_the_documented_keys(answer: Answer) -> None:
    data = answer.to_dict()
    assert set(data) == ANSWER_KEYS
    assert all(set(c) == CITATION_KEYS for c in data["citations"])
    assert json.loads(json.dumps(data)) == data  # plain JSON types only


def test_to_dict_values() -> None:
    answer = Answer(
        "how do I do the bridge?",
        "Lie on your back. [1]",
        [CITATION],
        referral=True,
        red_flags=[RedFlag("numbness", "Numbness or tingling")],
        timings_ms={"retrieve": 12.345, "total": 20.06},
    )
    assert answer.to_dict() == {
        "question": "how do I do the bridge?",
        "answer": "Lie on your back. [1]",
        "citations": [
            {
                "n": 1,
                "doc_id": "guide",
                "title": "Hip Guide",
                "section": "Glute Bridge",
                "chunk_id": "guide-0123456789abcdef",
                "quote": "Lie on your back.",
            }
        ],
        "in_scope": True,
        "referral": True,
        "red_flags": [{"id": "numbness", "label": "Numbness or tingling"}],
        "timings_ms": {"retrieve": 12.3, "total": 20.1},
        "generator": "extractive",
        "fallback": None,
        "note": None,
        "safety_notice": False,
    }


def test_defaults_of_a_refusal() -> None:
    data = Answer("what is bitcoin?", OUT_OF_SCOPE_TEXT, in_scope=False).to_dict()
    assert data["citations"] == []
    assert data["red_flags"] == []
    assert data["timings_ms"] == {}
    assert (data["in_scope"], data["referral"]) == (False, False)


def test_offsets_stay_on_the_citation_object_and_locate_its_quote() -> None:
    answer = Answer("q", "a", [CITATION])
    data = answer.to_dict()
    assert "start" not in data["citations"][0]
    assert "end" not in data["citations"][0]
    cited = answer.citations[0]
    assert SOURCE[cited.start : cited.end] == data["citations"][0]["quote"]
