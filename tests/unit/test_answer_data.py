"""The labelled client questions: every shipped batch validates, and bad rows are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answering.data import load_split, read_batch
from assistant.errors import AssistantError
from assistant.indexing.corpus import load_corpus
from assistant.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT / "training" / "answers"
CORPUS = {d.doc_id: d.text for d in load_corpus(PROJECT_ROOT / "corpus")}
GOOD = {
    "id": "x-1",
    "batch": "x",
    "kind": "answer",
    "question": "how long do I hold the lunge?",
    "type": "numbers",
    "doc": "psoas-and-back-pain",
    "sentences": ["Hold for 30 seconds to one minute, and then switch sides."],
    "facts": ["30 seconds to one minute"],
}


def test_every_shipped_batch_validates_and_the_split_is_by_whole_batches() -> None:
    split = load_split(ROOT, CORPUS)
    assert len(split.train) + len(split.validation) >= 1900
    assert {q.batch for q in split.train}.isdisjoint({q.batch for q in split.validation})
    answerable = [q for q in split.train + split.validation if q.in_scope]
    assert len(answerable) >= 1500
    assert sum(bool(q.history) for q in answerable) >= 200
    assert sum(not q.in_scope for q in split.train + split.validation) >= 400


def test_no_validation_question_stands_alone_in_training() -> None:
    split = load_split(ROOT, CORPUS)
    trained = {(q.history, q.question.lower()) for q in split.train}
    assert [q.key for q in split.validation if (q.history, q.question.lower()) in trained] == []


def write(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(GOOD | changes) + "\n", encoding="utf-8")
    return path


def test_a_good_row_reads_with_its_provenance(tmp_path: Path) -> None:
    (question,) = read_batch(write(tmp_path), CORPUS)
    assert question.key == "x:1"
    assert question.in_scope
    assert question.docs == ("psoas-and-back-pain",)


@pytest.mark.parametrize(
    ("changes", "fault"),
    [
        ({"sentences": ["Hold for 45 seconds."]}, "not verbatim"),
        ({"facts": ["two minutes"]}, "fact not in the sentences"),
        ({"doc": "no-such-article"}, "unknown document"),
        ({"kind": "out_of_scope"}, "needs a 'category'"),
        ({"kind": "follow-up"}, "needs its 'history'"),
        ({"type": "essay"}, "type"),
    ],
    ids=["sentence-not-verbatim", "fact-elsewhere", "unknown-doc", "oos-no-category",
         "follow-up-no-history", "unknown-type"],
)  # fmt: skip
def test_a_bad_row_is_named_by_file_and_line(
    tmp_path: Path, changes: dict[str, object], fault: str
) -> None:
    with pytest.raises(AssistantError, match=rf"x\.jsonl:1: .*{fault}"):
        read_batch(write(tmp_path, **changes), CORPUS)


def test_the_question_kinds_the_model_knows_are_the_kinds_the_data_labels() -> None:
    from typing import get_args

    from assistant.answering.data import QuestionType
    from assistant.answering.kinds import Kind

    assert {str(k) for k in Kind} == set(get_args(QuestionType))
