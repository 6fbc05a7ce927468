"""Settings and start-up logic that need no server: the Chroma address and refresh, and where
paths default to."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.errors import IndexUnreadableError
from assistant.pipeline import every
from assistant.settings import Settings, project_root


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "https://chroma.clinic.example", "http://10.0.0.5:8000/"]
)
def test_a_server_address_is_accepted(url: str) -> None:
    assert Settings(chroma_url=url).chroma_url == url


@pytest.mark.parametrize(
    "url", ["127.0.0.1:8000", "ftp://host:21", "http://host:8000/some/path", "http:// host"]
)
def test_a_malformed_server_address_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="chroma_url"):
        Settings(chroma_url=url)


def test_the_server_is_asked_for_the_generation_at_most_once_per_interval() -> None:
    clock = iter([0.0, 1.0, 4.9, 5.0, 5.1, 10.2, 10.3]).__next__
    answers = itertools.count()
    stamp = every(5.0, lambda: f"gen-{next(answers)}", clock)  # asks once, at 0.0
    assert [stamp(), stamp()] == ["gen-0", "gen-0"]  # 1.0, 4.9: not yet
    assert stamp() == "gen-1"  # 5.0 asks (and 5.1 records when)
    assert stamp() == "gen-2"  # 10.2 asks again


def test_a_server_that_stops_answering_leaves_the_last_generation_in_use() -> None:
    clock = itertools.count(0.0, 10.0).__next__
    replies: list[str | Exception] = ["gen-1", IndexUnreadableError("server down"), "gen-2"]

    def ask() -> str:
        reply = replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    stamp = every(5.0, ask, clock)
    assert stamp() == "gen-1"
    assert stamp() == "gen-2"


def test_paths_default_to_the_checkout_or_else_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "site" / "src" / "assistant" / "settings.py"
    module.parent.mkdir(parents=True)
    module.touch()
    monkeypatch.chdir(tmp_path)
    assert project_root(module) == tmp_path  # installed: no checkout around the package
    (tmp_path / "site" / "pyproject.toml").touch()
    assert project_root(module) == tmp_path / "site"  # a source checkout


def test_eval_reads_its_suites_from_the_settings_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.evaluation.run import default_suites

    (tmp_path / "sealed").mkdir()
    for name in ("b.yaml", "a.yaml", "sealed/c.yaml", "notes.txt"):
        (tmp_path / name).write_text("cases: []\n")
    monkeypatch.setenv("ASSISTANT_EVALS_DIR", str(tmp_path))
    found = default_suites(Settings())
    assert found == [tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "sealed" / "c.yaml"]


def test_an_empty_evals_folder_is_named_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from assistant.cli import main
    from tests.helpers import HashEmbeddings

    monkeypatch.setenv("ASSISTANT_EVALS_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["eval"], obj={"embeddings": HashEmbeddings()})
    assert result.exit_code == 2
    assert f"none found in {tmp_path}" in result.output


def test_the_training_folders_follow_the_training_setting(tmp_path: Path) -> None:
    settings = Settings(training_dir=tmp_path)
    assert (settings.answers_dir, settings.triage_dir) == (
        tmp_path / "answers",
        tmp_path / "triage",
    )
