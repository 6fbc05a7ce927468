"""The answering stage's training commands of the `assistant` CLI: scope and ranker (train,
check). Registered by `assistant.evaluation.commands.measuring_commands`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


@click.group()
def scope() -> None:
    """The learned scope gate: retrain it, or print its numbers."""


@scope.command("train")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the model to (default: the packaged one).",
)
@click.pass_context
def train_scope(ctx: click.Context, out: Path | None) -> None:
    """Refit the gate on training/answers and the dev suites (fixed seed; about 2 minutes)."""
    from assistant.cli import load_assistant, load_settings, user_errors

    with user_errors(ctx.obj["debug"]):
        from assistant.answering.scope import model_folder
        from assistant.answering.scope_training import train

        assistant = load_assistant(load_settings(), learned=False)
        model = train(assistant, out or model_folder(), log=click.echo)
        show_scope(model.threshold, model.meta)


@scope.command("check")
def check_scope() -> None:
    """Print the packaged gate's threshold, data and validation numbers."""
    from assistant.answering.scope import ScopeModel

    model = ScopeModel.load()
    show_scope(model.threshold, model.meta)


def show_scope(threshold: float, meta: dict[str, Any]) -> None:
    data, validation = meta.get("data", {}), meta.get("validation", {})
    click.echo(f"threshold: {threshold} (data {data.get('fingerprint')}, "
               f"{data.get('train_rows')} training questions)")  # fmt: skip
    click.echo(
        f"validation: {validation.get('false_refusal_rate', 0):.1%} of "
        f"{validation.get('in_scope_rows')} answerable questions refused, "
        f"{validation.get('out_of_scope_refused', 0):.1%} of "
        f"{validation.get('out_of_scope_rows')} out-of-scope questions refused"
    )


@click.group()
def ranker() -> None:
    """The learned sentence ranker: retrain it, or print its numbers."""


@ranker.command("train")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the model to (default: the packaged one).",
)
@click.pass_context
def train_ranker(ctx: click.Context, out: Path | None) -> None:
    """Refit the ranker on training/answers (fixed seed; about 2 minutes)."""
    from assistant.cli import load_assistant, load_settings, user_errors

    with user_errors(ctx.obj["debug"]):
        from assistant.answering.ranking import model_folder
        from assistant.answering.ranking_training import train

        train(load_assistant(load_settings(), learned=False), out or model_folder(), click.echo)


@ranker.command("check")
def check_ranker() -> None:
    """Print the packaged ranker's data and validation numbers."""
    from assistant.answering.ranking import Ranker

    meta = Ranker.load().meta
    numbers, data = meta.get("validation", {}), meta.get("data", {})
    click.echo(
        f"data {data.get('fingerprint')}: {data.get('train_questions')} questions remembered"
    )
    click.echo(
        f"validation ({numbers.get('questions')} questions): the first sentence answers "
        f"{numbers.get('learned_top1', 0):.1%} (hand-set score: {numbers.get('hand_top1', 0):.1%})"
    )
