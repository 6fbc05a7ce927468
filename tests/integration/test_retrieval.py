"""Hybrid retrieval over the shipped corpus finds the right document for client questions."""

from __future__ import annotations

from collections import defaultdict

import pytest

from assistant.assistant import Assistant
from assistant.evaluation.cases import load_suite
from assistant.settings import PROJECT_ROOT

EVALS = PROJECT_ROOT / "evals"

pytestmark = pytest.mark.integration
CASES = load_suite(EVALS / "retrieval.yaml")


@pytest.fixture(scope="module")
def ranks(assistant: Assistant) -> dict[str, int | None]:
    """Rank (1-based) of the first passage from an expected document, per case."""
    found: dict[str, int | None] = {}
    for case in CASES:
        passages = assistant.look_up(case.question, case.history, 5)[1].passages
        docs = [p.chunk.doc_id for p in passages]
        found[case.id] = next((i for i, d in enumerate(docs, 1) if d in case.expect_docs), None)
    return found


def test_suite_covers_every_document_with_enough_questions() -> None:
    per_doc: defaultdict[str, int] = defaultdict(int)
    for case in CASES:
        per_doc[case.expect_docs[0]] += 1
    assert len(CASES) >= 25
    assert len(per_doc) == 5
    assert min(per_doc.values()) >= 5


def test_expected_document_in_top_three_for_most_questions(ranks: dict[str, int | None]) -> None:
    hits = [case_id for case_id, rank in ranks.items() if rank is not None and rank <= 3]
    assert len(hits) >= 25
    assert len(hits) / len(ranks) >= 0.9, sorted(set(ranks) - set(hits))


def test_expected_document_first_for_most_questions(ranks: dict[str, int | None]) -> None:
    first = sum(rank == 1 for rank in ranks.values())
    assert first / len(ranks) >= 0.8


def test_every_document_is_found_for_its_own_questions(ranks: dict[str, int | None]) -> None:
    per_doc: dict[str, list[bool]] = defaultdict(list)
    for case in CASES:
        rank = ranks[case.id]
        per_doc[case.expect_docs[0]].append(rank is not None and rank <= 3)
    for doc_id, hits in per_doc.items():
        assert sum(hits) / len(hits) >= 0.75, doc_id


def test_results_carry_scores_and_metadata(assistant: Assistant) -> None:
    retrieval = assistant.retriever.retrieve("how do I do the bird dog exercise", 5)
    top = retrieval.passages[0]
    assert top.chunk.doc_id == "iliopsoas-pain-exercises"
    assert "Bird Dog" in top.chunk.section
    assert top.dense is not None
    assert 0 < top.dense <= 1
    assert top.lexical is not None
    assert top.lexical > 0
    scores = [p.score for p in retrieval.passages]
    assert scores == sorted(scores, reverse=True)
