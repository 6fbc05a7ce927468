"""Labelled question suites: YAML files in `evals/`, validated with clear messages."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import AssistantError

Category = Literal["answer", "refer", "no-refer", "out-of-scope", "follow-up", "adversarial"]


class Case(BaseModel):
    """One labelled question; which fields matter depends on the suite."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Unique name of the case.")
    question: str = Field(min_length=1, description="What the user types.")
    history: list[str] = Field(default_factory=list, description="Earlier user questions.")
    expect_docs: list[str] = Field(default_factory=list, description="Documents that answer it.")
    expect_section: str | None = Field(default=None, description="Heading of the answer.")
    in_scope: bool | None = Field(default=None, description="Whether the corpus answers it.")
    expect_flags: list[str] | None = Field(
        default=None, description="Red-flag rules that must fire ([] = none may fire)."
    )
    category: Category | None = Field(default=None, description="Kind of case.")
    any_of: list[str] = Field(
        default_factory=list, description="At least one must be in the answer."
    )
    all_of: list[str] = Field(default_factory=list, description="All must be in the answer.")


class Thresholds(BaseModel):
    """What the product must achieve on a suite: metric name → bound."""

    model_config = ConfigDict(extra="forbid")

    min: dict[str, float] = Field(default_factory=dict, description="Metric must be at least.")
    max: dict[str, float] = Field(default_factory=dict, description="Metric must be at most.")


class Suite(BaseModel):
    """A named list of cases with the thresholds they must meet."""

    model_config = ConfigDict(extra="forbid")

    suite: str | None = Field(default=None, description="Name (default: the file's stem).")
    description: str = ""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    targets: Thresholds = Field(
        default_factory=Thresholds,
        description="What the product aims for, reported beside the gating thresholds.",
    )
    batches: list[str] = Field(
        default_factory=list,
        description="Labelled triage batch files (JSONL, relative to the suite) whose rows "
        "become cases too.",
    )
    questions: list[str] = Field(
        default_factory=list,
        description="Labelled client-question batch files (JSONL, relative to the suite) whose "
        "rows become cases too.",
    )
    cases: list[Case] = Field(default_factory=list)


def load_suite(path: Path, corpus_dir: Path | None = None) -> list[Case]:
    """The cases of a suite file (see `read_suite`)."""
    return read_suite(path, corpus_dir).cases


def read_suite(path: Path, corpus_dir: Path | None = None) -> Suite:
    """Read a suite file; raise AssistantError naming the file, case and field at fault.
    `corpus_dir` (default: the settings' one) checks the quotes of its question batches."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise AssistantError(f"{path}: cannot read suite: {' '.join(str(exc).split())}") from exc
    if not isinstance(raw, dict) or not (
        any(isinstance(raw.get(key), list) for key in ("cases", "batches", "questions"))
    ):
        raise AssistantError(
            f"{path}: a suite needs a top-level 'cases:', 'batches:' or 'questions:' list"
        )
    try:
        suite = Suite.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = list(error["loc"])
        if len(where) >= 2 and where[0] == "cases" and isinstance(where[1], int):
            case = raw["cases"][where[1]]
            name = case.get("id", f"#{where[1] + 1}") if isinstance(case, dict) else where[1] + 1
            field = ".".join(str(part) for part in where[2:]) or "(case)"
            raise AssistantError(f"{path}: case {name}: field {field}: {error['msg']}") from exc
        raise AssistantError(f"{path}: {'.'.join(map(str, where))}: {error['msg']}") from exc
    if superseded(path):
        # Reported only: a newer sealed set judges the answerer, and this file stays as sealed.
        suite.targets = Thresholds(
            min={**suite.thresholds.min, **suite.targets.min},
            max={**suite.thresholds.max, **suite.targets.max},
        )
        suite.thresholds = Thresholds()
    suite.cases += batch_cases(path, suite.batches)
    suite.cases += question_cases(path, suite.questions, corpus_dir)
    if not suite.cases:
        raise AssistantError(f"{path}: the suite has no cases")
    seen: set[str] = set()
    for case in suite.cases:
        if case.id in seen:
            raise AssistantError(f"{path}: case {case.id}: field id: used twice")
        seen.add(case.id)
    suite.suite = suite.suite or path.stem
    return suite


SUPERSEDED = "superseded.txt"


def superseded(path: Path) -> bool:
    """Whether `superseded.txt` in the suite's folder or the one above lists the suite."""
    target = path.resolve()
    for folder in (path.parent, path.parent.parent):
        listing = folder / SUPERSEDED
        if not listing.is_file():
            continue
        for line in listing.read_text(encoding="utf-8").splitlines():
            name = line.split("#", 1)[0].split()
            if name and (folder / name[0]).resolve() == target:
                return True
    return False


def batch_cases(path: Path, batches: list[str]) -> list[Case]:
    """The rows of labelled triage batches as cases (id `batch:line`)."""
    from assistant.safety.data import read_batch
    from assistant.safety.rules import load_rules

    cases = []
    for name in batches:
        batch = (path.parent / name).resolve()
        if not batch.is_file():
            raise AssistantError(f"{path}: batches: no file {name}")
        for row in read_batch(batch, load_rules().ids):
            cases.append(
                Case(
                    id=row.key,
                    question=row.turns[-1],
                    history=list(row.turns[:-1]),
                    expect_flags=sorted(row.labels),
                    category="refer" if row.refer else "no-refer",
                )
            )
    return cases


def question_cases(path: Path, batches: list[str], corpus_dir: Path | None) -> list[Case]:
    """The rows of labelled client-question batches as cases (id `batch:line`)."""
    from assistant.answering.data import read_batch
    from assistant.indexing.corpus import load_corpus
    from assistant.settings import Settings

    if not batches:
        return []
    corpus_dir = corpus_dir or Settings().corpus_dir
    corpus = {d.doc_id: d.text for d in load_corpus(corpus_dir)}
    cases = []
    for name in batches:
        batch = (path.parent / name).resolve()
        if not batch.is_file():
            raise AssistantError(f"{path}: questions: no file {name}")
        for row in read_batch(batch, corpus):
            category: Category = "answer"
            if not row.in_scope:
                category = "out-of-scope"
            elif row.history:
                category = "follow-up"
            cases.append(
                Case(
                    id=row.key,
                    question=row.question,
                    history=list(row.history),
                    expect_docs=list(row.docs),
                    in_scope=row.in_scope,
                    category=category,
                    any_of=list(row.facts),
                )
            )
    return cases
