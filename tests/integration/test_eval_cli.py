"""`assistant eval` end to end: real assistant, suites from files, reports, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from langchain_core.embeddings import Embeddings

import assistant.cli as cli
from assistant.settings import Settings
from tests.helpers import ModelRunner

pytestmark = pytest.mark.integration

SUITE = """
suite: small
thresholds:
  min:
    answers.facts: 1.0
    citations.valid: 1.0
    triage.referral_recall: 1.0
    scope.refusal_rate: 1.0
  max:
    answers.uncited: 0
cases:
  - id: bird-dog-reps
    category: answer
    question: "how many reps of the bird dog should i do"
    expect_docs: [iliopsoas-pain-exercises]
    any_of: ["10-15 repetitions"]
  - id: hold-follow-up
    category: follow-up
    history: ["how do I do the kneeling hip flexor stretch?"]
    question: "how long do I hold it?"
    any_of: ["seconds"]
  - id: numb-leg
    category: refer
    question: "my leg went numb, what stretch?"
    expect_flags: [numbness_tingling]
  - id: capital
    category: out-of-scope
    question: "what is the capital of France?"
    in_scope: false
"""


Invoke = Callable[..., Result]  # `assistant eval SUITE --out DIR` with more arguments


@pytest.fixture
def run(
    settings: Settings, model: Embeddings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Invoke:
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    suite = tmp_path / "small.yaml"
    suite.write_text(SUITE, encoding="utf-8")

    def invoke(*args: str) -> Result:
        return ModelRunner(model).invoke(
            cli.main, ["eval", str(suite), "--out", str(tmp_path / "out"), *args]
        )

    return invoke


def test_passing_suite_exits_0_and_writes_both_reports(run: Invoke, tmp_path: Path) -> None:
    result = run()
    assert result.exit_code == 0, result.output
    assert "all thresholds hold" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["passed"] is True
    meta = report["metadata"]
    assert {"git_commit", "embedding_model", "index_hash", "settings"} <= set(meta)
    suite = report["suites"][0]
    assert suite["metrics"]["answers.facts"] == 1.0
    assert suite["confusion"] == {"tp": 1, "fn": 0, "fp": 0, "tn": 0}
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "PASSED" in page
    assert "<svg" in page


def test_threshold_override_failing_exits_1_and_names_the_metric(run: Invoke) -> None:
    result = run("--fail-under", "retrieval.hit@1=1.01")
    assert result.exit_code == 1
    assert "retrieval.hit@1" in result.output
    assert "FAIL" in result.output


def test_baseline_shows_what_changed(run: Invoke, tmp_path: Path) -> None:
    assert run().exit_code == 0
    baseline = tmp_path / "baseline.json"
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    report["suites"][0]["cases"][0]["passed"] = False
    report["suites"][0]["metrics"]["answers.facts"] = 0.5
    baseline.write_text(json.dumps(report), encoding="utf-8")
    result = run("--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert "better than baseline: bird-dog-reps" in result.output
    assert "answers.facts: 0.5 → 1" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("cases:\n  - id: x\n", "case x: field question", id="missing-question"),
        pytest.param(
            "cases:\n  - id: x\n    question: q\n    colour: red\n",
            "field colour",
            id="unknown-field",
        ),
        pytest.param("cases: [", "cannot read suite", id="broken-yaml"),
    ],
)
def test_malformed_suite_exits_2_naming_file_case_and_field(
    settings: Settings, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["eval", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr
    assert message in result.stderr


def test_bad_override_is_a_usage_error(settings: Settings) -> None:
    assert CliRunner().invoke(cli.main, ["eval", "--fail-under", "nonsense"]).exit_code == 2


@pytest.mark.parametrize(
    ("script", "fallback_rate"),
    [
        pytest.param("good", 0.0, id="verified-answers"),
        pytest.param("miscited", 1.0, id="every-answer-falls-back"),
    ],
)
def test_generators_are_compared_in_one_table(
    run: Invoke,
    openai_server: tuple[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, script: str,
    fallback_rate: float,
) -> None:  # fmt: skip
    base_url, _ = openai_server
    monkeypatch.setenv("ASSISTANT_OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("ASSISTANT_OPENAI_MODEL", script)
    result = run("--generator", "extractive", "--generator", "openai")
    assert result.exit_code in (0, 1), result.output
    assert "small: generators compared" in result.output
    assert "fallback rate" in result.output
    reports = {
        name: json.loads((tmp_path / "out" / name / "report.json").read_text(encoding="utf-8"))
        for name in ("extractive", "openai")
    }
    assert reports["openai"]["metadata"]["generator"] == f"openai:{script}"
    assert reports["extractive"]["metadata"]["generator"] == "extractive"
    assert reports["extractive"]["suites"][0]["metrics"]["answers.fallback_rate"] == 0.0
    assert reports["openai"]["suites"][0]["metrics"]["answers.fallback_rate"] == fallback_rate


def test_a_generator_without_its_model_is_a_broken_run(run: Invoke) -> None:
    result = run("--generator", "ollama")
    assert result.exit_code == 2
    assert "ASSISTANT_OLLAMA_MODEL" in result.stderr
