"""`assistant eval`: load suites, run them through the assistant, report, compare, decide."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import ValidationError
from rich.console import Console

from assistant.answering.generation import load_generator
from assistant.errors import AssistantError
from assistant.evaluation.cases import read_suite
from assistant.evaluation.console import show, show_comparison
from assistant.evaluation.report import build_report, compare, run_metadata, write_reports
from assistant.evaluation.runner import run_suite
from assistant.pipeline import build_assistant
from assistant.settings import Settings


def default_suites(settings: Settings) -> list[Path]:
    """Every suite in the settings' evals folder and its sealed/ folder."""
    folder = settings.evals_dir
    return sorted(folder.glob("*.yaml")) + sorted((folder / "sealed").glob("*.yaml"))


def run_eval(
    settings: Settings,
    paths: list[Path],
    *,
    k: int,
    baseline: Path | None,
    out: Path,
    overrides: dict[str, float],
    generators: Sequence[str] = (),
    embeddings: Embeddings | None = None,
) -> bool:
    """Run, print and write the reports; True when every threshold holds.

    With several `generators` the suites run once per backend (reports in OUT/<backend>/)
    and a table compares them.
    """
    paths = paths or default_suites(settings)
    if not paths:
        raise AssistantError(f"no suite files given and none found in {settings.evals_dir}")
    # Every file is checked before anything runs.
    suites = [(path, read_suite(path, settings.corpus_dir)) for path in paths]
    runs = [with_generator(settings, name) for name in dict.fromkeys(generators)] or [settings]
    earlier = read_baseline(baseline) if baseline else None
    assistant = build_assistant(runs[0], embeddings=embeddings)

    @cache
    def source(doc_id: str) -> str | None:
        for suffix in (".md", ".txt"):
            path = settings.corpus_dir / f"{doc_id}{suffix}"
            if path.exists():
                return path.read_text(encoding="utf-8").replace("\r\n", "\n")
        return None

    console = Console(highlight=False)
    reports: dict[str, dict[str, Any]] = {}
    for current in runs:
        if current is not assistant.settings:  # build_assistant loaded the first one already
            assistant.settings = current
            assistant.generator = load_generator(current, assistant.composer.vectors)
        name = assistant.generator.name if assistant.generator else "extractive"
        if len(runs) > 1:
            console.rule(f"generator: {name}")
        results = []
        for path, suite in suites:
            console.print(f"Running {path} ({len(suite.cases)} cases)…")
            results.append(
                run_suite(assistant, suite, path, k=k, source=source, overrides=overrides)
            )
        report = build_report(run_metadata(current, assistant, k) | {"generator": name}, results)
        if earlier is not None:
            report["baseline"] = compare(report, earlier)
            report["metadata"]["baseline"] = str(baseline)
        show(report, console)
        json_path, html_path = write_reports(
            report, out / current.generator if len(runs) > 1 else out
        )
        console.print(f"Reports: {json_path}  {html_path}")
        reports[name] = report
    if len(reports) > 1:
        show_comparison(reports, console)
    return all(bool(report["passed"]) for report in reports.values())


def with_generator(settings: Settings, name: str) -> Settings:
    """The settings with another answer backend (checked like the environment would be)."""
    try:
        return Settings.model_validate(settings.model_dump() | {"generator": name})
    except ValidationError as exc:
        raise AssistantError(f"--generator {name}: {exc.errors()[0]['msg']}") from exc


def read_baseline(path: Path) -> dict[str, object]:
    """An earlier report.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AssistantError(f"{path}: not a readable report.json ({exc})") from exc
    if not isinstance(data, dict) or "suites" not in data:
        raise AssistantError(f"{path}: not an eval report (no 'suites')")
    return data
