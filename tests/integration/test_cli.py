"""The `assistant` command line, driven through click's CliRunner with real Chroma and model."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from langchain_core.embeddings import Embeddings

import assistant.cli as cli
from assistant.indexing.generations import IndexHome
from assistant.settings import Settings
from tests.helpers import ANSWER_KEYS as CONTRACT
from tests.helpers import CITATION_KEYS as CITATION
from tests.helpers import ModelRunner

pytestmark = pytest.mark.integration


@pytest.fixture
def runner(settings: Settings, model: Embeddings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the test's folders and the already-loaded model."""
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    return ModelRunner(model)


def test_ask_json_builds_missing_index_and_follows_the_contract(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["ask", "--json", "how do I do the bird dog exercise?"])
    assert result.exit_code == 0, result.output
    assert "No index yet" in result.stderr
    record = json.loads(result.stdout)
    assert set(record) == CONTRACT
    assert record["in_scope"] is True
    assert record["referral"] is False
    assert record["red_flags"] == []
    assert record["citations"]
    assert all(set(c) == CITATION for c in record["citations"])
    assert [c["n"] for c in record["citations"]] == list(range(1, len(record["citations"]) + 1))
    assert "[1]" in record["answer"]


def test_ask_prints_answer_and_sources(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["ask", "where is the psoas located?"])
    assert result.exit_code == 0, result.output
    assert "Sources:" in result.stdout
    assert "[1] " in result.stdout


def test_jsonl_batch_answers_each_line_and_supports_history(runner: CliRunner) -> None:
    lines = "\n".join(
        [
            "where is the psoas located?",
            "",
            "what is the capital of France?",
            json.dumps(
                {
                    "question": "how long do I hold it?",
                    "history": ["how do I do the kneeling hip flexor stretch?"],
                }
            ),
        ]
    )
    result = runner.invoke(cli.main, ["ask", "--jsonl", "-"], input=lines)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["in_scope"] for r in records] == [True, False, True]
    assert all(set(r) == CONTRACT for r in records)
    assert "seconds" in records[2]["answer"]


def test_jsonl_bad_line_is_reported_and_the_rest_answered(runner: CliRunner) -> None:
    result = runner.invoke(
        cli.main, ["ask", "--jsonl", "-"], input='{"question": 3}\nwhere is the psoas?\n'
    )
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert "error" in records[0]
    assert records[1]["citations"]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["ask"], id="no-question"),
        pytest.param(["ask", "q", "--jsonl", "-"], id="question-and-jsonl"),
        pytest.param(["nonsense"], id="unknown-command"),
        pytest.param(["ask", "--bogus", "q"], id="unknown-option"),
    ],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str]) -> None:
    assert runner.invoke(cli.main, args).exit_code == 2


def test_ingest_reports_counts_then_nothing_to_do(runner: CliRunner) -> None:
    first = runner.invoke(cli.main, ["ingest"])
    assert first.exit_code == 0, first.output
    assert " added, 0 updated, 0 removed, 0 unchanged" in first.stdout
    second = runner.invoke(cli.main, ["ingest"])
    assert second.exit_code == 0
    assert second.stdout.startswith("0 added, 0 updated, 0 removed, ")


def test_bad_corpus_file_is_one_line_error_exit_1(runner: CliRunner, settings: Settings) -> None:
    (settings.corpus_dir / "broken.md").write_text("---\ntitle: [\n---\nText\n", encoding="utf-8")
    result = runner.invoke(cli.main, ["ingest"])
    assert result.exit_code == 1
    assert "broken.md" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_corrupt_index_message_names_rebuild(runner: CliRunner, settings: Settings) -> None:
    assert runner.invoke(cli.main, ["ingest"]).exit_code == 0
    from chromadb.api.client import SharedSystemClient  # type: ignore[attr-defined]

    SharedSystemClient.clear_system_cache()
    current = IndexHome(settings.index_dir).current()
    assert current is not None
    (current / "chroma.sqlite3").write_bytes(b"garbage" * 500)
    result = runner.invoke(cli.main, ["ask", "where is the psoas?"])
    assert result.exit_code == 1
    assert "assistant ingest --rebuild" in result.stderr
    rebuilt = runner.invoke(cli.main, ["ingest", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert runner.invoke(cli.main, ["ask", "where is the psoas?"]).exit_code == 0


def test_empty_question_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["ask", "   "])
    assert result.exit_code == 2  # as documented for a missing question
    assert "the question is empty" in result.stderr


def test_a_second_ingest_while_one_runs_is_refused_with_a_clear_message(
    runner: CliRunner, settings: Settings
) -> None:
    with IndexHome(settings.index_dir).lock(wait=False):
        result = runner.invoke(cli.main, ["ingest"])
    assert result.exit_code == 1
    assert "another ingest is running" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_setting_names_the_variable(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_TOP_K", "lots")
    result = runner.invoke(cli.main, ["ask", "where is the psoas?"])
    assert result.exit_code == 1
    assert "ASSISTANT_TOP_K" in result.stderr
