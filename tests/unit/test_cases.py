"""Labelled question suites: loading and the error messages for malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.evaluation.cases import Case, load_suite, read_suite

VALID = """\
# a comment
cases:
  - id: bridge-steps
    question: how do I do the glute bridge?
    expect_docs: [guide]
    expect_section: Glute Bridge
  - id: hold-follow-up
    question: how long do I hold it?
    history: ["how do I do the kneeling hip flexor stretch?"]
    in_scope: true
  - id: bitcoin
    question: what is bitcoin?
    in_scope: false
"""


def write(tmp_path: Path, text: str | bytes, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_a_valid_suite_loads(tmp_path: Path) -> None:
    cases = load_suite(write(tmp_path, VALID))
    assert [c.id for c in cases] == ["bridge-steps", "hold-follow-up", "bitcoin"]
    assert cases[0] == Case(
        id="bridge-steps",
        question="how do I do the glute bridge?",
        expect_docs=["guide"],
        expect_section="Glute Bridge",
    )
    assert cases[1].history == ["how do I do the kneeling hip flexor stretch?"]
    assert [c.in_scope for c in cases] == [None, True, False]


def test_the_project_suites_load() -> None:
    evals = Path(__file__).resolve().parents[2] / "evals"
    for name in ("retrieval.yaml", "scope.yaml"):
        cases = load_suite(evals / name)
        assert cases
        assert len({c.id for c in cases}) == len(cases)


@pytest.mark.parametrize(
    ("suite", "expected"),
    [
        pytest.param(
            "cases:\n  - id: no-question\n    in_scope: true\n",
            "case no-question: field question: Field required",
            id="missing-question",
        ),
        pytest.param(
            "cases:\n  - id: typo\n    question: q\n    expect_doc: [guide]\n",
            "case typo: field expect_doc: Extra inputs are not permitted",
            id="unknown-field",
        ),
        pytest.param(
            "cases:\n  - id: wrong-type\n    question: q\n    in_scope: perhaps\n",
            "case wrong-type: field in_scope: Input should be a valid boolean",
            id="wrong-type",
        ),
        pytest.param(
            "cases:\n  - id: hist\n    question: q\n    history: [1]\n",
            "case hist: field history.0: Input should be a valid string",
            id="wrong-type-in-list",
        ),
        pytest.param(
            "cases:\n  - id: empty-q\n    question: ''\n",
            "case empty-q: field question: String should have at least 1 character",
            id="empty-question",
        ),
        pytest.param(
            "cases:\n  - id: ok\n    question: q\n  - question: no id here\n",
            "case #2: field id: Field required",
            id="missing-id-named-by-position",
        ),
        pytest.param(
            "cases:\n  - id: twice\n    question: a\n  - id: twice\n    question: b\n",
            "case twice: field id: used twice",
            id="duplicate-id",
        ),
        pytest.param(
            "cases:\n  - just a string\n", "case 1: field (case):", id="case-not-a-mapping"
        ),
        pytest.param(
            "items: []\n", "top-level 'cases:', 'batches:' or 'questions:' list", id="no-cases-key"
        ),
    ],
)
def test_malformed_suite_names_file_case_and_field(
    tmp_path: Path, suite: str, expected: str
) -> None:
    path = write(tmp_path, suite)
    with pytest.raises(AssistantError) as caught:
        load_suite(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("cases:\n  - id: a\n    question: [unclosed\n", id="invalid-yaml"),
        pytest.param("cases: [\n", id="unclosed-flow"),
        pytest.param(b"cases:\n  - id: caf\xe9\n", id="not-utf8"),
    ],
)
def test_unreadable_suite_names_the_file(tmp_path: Path, content: str | bytes) -> None:
    path = write(tmp_path, content)
    with pytest.raises(AssistantError) as caught:
        load_suite(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: cannot read suite: ")
    assert "\n" not in message


def test_missing_suite_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(AssistantError, match="cannot read suite") as caught:
        load_suite(path)
    assert str(path) in str(caught.value)


def test_cases_are_frozen() -> None:
    case = Case(id="a", question="q")
    with pytest.raises(ValueError, match="frozen"):
        case.id = "b"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("", id="empty-file"),
        pytest.param("- id: a\n  question: q\n", id="top-level-list"),
    ],
)
def test_a_suite_that_is_not_a_mapping_is_rejected(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(
        AssistantError, match="top-level 'cases:', 'batches:' or 'questions:' list"
    ) as caught:
        load_suite(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_top_level_error_message_has_no_empty_location(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(AssistantError) as caught:
        load_suite(path)
    assert f"{path}: : " not in str(caught.value)


def test_a_suite_may_take_its_cases_from_triage_batches_and_name_targets(tmp_path: Path) -> None:
    (tmp_path / "b01.jsonl").write_text(
        '{"text": "my leg is numb", "labels": ["numbness_tingling"], "kind": "refer"}\n'
        '{"turns": ["hi", "where is the psoas"], "labels": [], "kind": "conversation"}\n',
        encoding="utf-8",
    )
    path = write(
        tmp_path,
        "batches: [b01.jsonl]\ntargets: {min: {triage.referral_recall: 0.99}}\n",
    )
    suite = read_suite(path)
    assert [c.id for c in suite.cases] == ["b01:1", "b01:2"]
    assert suite.cases[0].expect_flags == ["numbness_tingling"]
    assert suite.cases[1].history == ["hi"]
    assert suite.cases[1].expect_flags == []
    assert suite.targets.min == {"triage.referral_recall": 0.99}


def test_a_missing_batch_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "batches: [nowhere.jsonl]\n")
    with pytest.raises(AssistantError, match=r"no file nowhere\.jsonl"):
        read_suite(path)


def test_a_superseded_sealed_suite_is_reported_but_no_longer_gates(tmp_path: Path) -> None:
    sealed = tmp_path / "sealed"
    sealed.mkdir()
    text = (
        "thresholds:\n  min:\n    answers.facts: 0.68\n"
        "cases:\n  - id: a\n    question: where is the psoas?\n"
    )
    (sealed / "old.yaml").write_text(text, encoding="utf-8")
    (sealed / "new.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "superseded.txt").write_text(
        "# why\nsealed/old.yaml  superseded by sealed/new.yaml\n", encoding="utf-8"
    )
    old, new = read_suite(sealed / "old.yaml"), read_suite(sealed / "new.yaml")
    assert old.thresholds.min == {}
    assert old.targets.min == {"answers.facts": 0.68}  # still reported
    assert new.thresholds.min == {"answers.facts": 0.68}
