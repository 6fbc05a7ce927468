"""The answering stage's training commands of the `assistant` CLI: scope and ranker (train,
check). Registered by `assistant.commands.measuring.measuring_commands`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.commands.shared import (
    given_embeddings,
    load_settings,
    training_assistant,
    user_errors,
)

# Every `train` command writes its model to the packaged folder unless told otherwise.
OUT = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the model to (default: the packaged one).",
)


@click.group()
def scope() -> None:
    """The learned scope gate: retrain it, or print its numbers."""


@scope.command("train")
@OUT
@click.pass_context
def train_scope(ctx: click.Context, out: Path | None) -> None:
    """Refit the gate on training/answers and the dev suites (fixed seed; about 2 minutes)."""
    with user_errors(ctx.obj["debug"]):
        from assistant.answering.scope import model_folder
        from assistant.training.scope import train

        assistant = training_assistant(ctx)
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
@OUT
@click.pass_context
def train_ranker(ctx: click.Context, out: Path | None) -> None:
    """Refit the ranker on training/answers (fixed seed; about 2 minutes)."""
    with user_errors(ctx.obj["debug"]):
        from assistant.answering.ranking import model_folder
        from assistant.training.ranking import train

        train(
            training_assistant(ctx),
            out or model_folder(),
            click.echo,
        )


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


@ranker.command("compare")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=1,
    help="Only every n-th question of each split (a quick trial).",
)
@click.pass_context
def compare_rankers(ctx: click.Context, every: int) -> None:
    """Train a cross-encoder, a bi-encoder and blends on training/answers, compare them with
    the learned ranker on validation (one thread, fixed seeds; ~40 minutes; saves nothing)."""
    with user_errors(ctx.obj["debug"]):
        from assistant.training.ranking_compare import compare

        compare(
            training_assistant(ctx),
            click.echo,
            every,
        )


@click.group()
def followups() -> None:
    """The learned follow-up model: retrain it, or print its numbers."""


@followups.command("train")
@OUT
@click.pass_context
def train_followups(ctx: click.Context, out: Path | None) -> None:
    """Refit the follow-up model on training/answers and the dev suite (fixed seed; seconds).
    Retrain the scope gate and the ranker after it: they read questions in context."""
    with user_errors(ctx.obj["debug"]):
        from assistant.answering.followups import model_folder
        from assistant.indexing.corpus import load_corpus
        from assistant.indexing.embeddings import load_embeddings
        from assistant.pipeline import build_retriever
        from assistant.process import use_threads
        from assistant.training.followups import train

        settings = load_settings()
        documents = {d.doc_id: d.text for d in load_corpus(settings.corpus_dir)}
        use_threads(settings.torch_threads)
        embeddings = given_embeddings(ctx) or load_embeddings()
        retriever = build_retriever(settings, embeddings)
        model = train(
            documents,
            retriever,
            out or model_folder(),
            log=click.echo,
            root=settings.answers_dir,
            evals=settings.evals_dir,
        )
        show_followups(model.threshold, model.meta)


@followups.command("check")
def check_followups() -> None:
    """Print the packaged follow-up model's threshold, data and validation numbers."""
    from assistant.answering.followups import FollowUps

    model = FollowUps.load()
    show_followups(model.threshold, model.meta)


def show_followups(threshold: float, meta: dict[str, Any]) -> None:
    data, numbers = meta.get("data", {}), meta.get("validation", {})
    click.echo(f"threshold: {threshold} (data {data.get('fingerprint')}, "
               f"{data.get('train_pairs')} training pairs)")  # fmt: skip
    click.echo(
        f"validation: {numbers.get('follow_ups_kept', 0):.1%} of {numbers.get('follow_ups')} "
        f"follow-ups read with their context, {numbers.get('stand_alone_given_context', 0):.1%} "
        f"of {numbers.get('stand_alone')} stand-alone questions given context"
    )


@click.group()
def kinds() -> None:
    """The learned question-kind model: retrain it, or print its numbers."""


@kinds.command("train")
@OUT
@click.pass_context
def train_kinds(ctx: click.Context, out: Path | None) -> None:
    """Refit the question-kind model on training/answers (fixed seed; seconds)."""
    with user_errors(ctx.obj["debug"]):
        from assistant.answering.kinds import model_folder
        from assistant.indexing.corpus import load_corpus
        from assistant.training.kinds import train

        settings = load_settings()
        documents = {d.doc_id: d.text for d in load_corpus(settings.corpus_dir)}
        assistant = training_assistant(ctx, settings)
        model = train(
            documents,
            assistant.conversation,
            out or model_folder(),
            click.echo,
            root=settings.answers_dir,
        )
        show_kinds(model.meta)


@kinds.command("check")
def check_kinds() -> None:
    """Print the packaged question-kind model's data and validation numbers."""
    from assistant.answering.kinds import Kinds

    show_kinds(Kinds.load().meta)


def show_kinds(meta: dict[str, Any]) -> None:
    data, numbers = meta.get("data", {}), meta.get("validation", {})
    click.echo(f"data {data.get('fingerprint')}: {data.get('train_questions')} questions")
    per_kind = ", ".join(f"{k} {v:.0%}" for k, v in numbers.get("per_kind", {}).items())
    click.echo(
        f"validation ({numbers.get('questions')} questions): {numbers.get('accuracy', 0):.1%} "
        f"right ({per_kind})"
    )


@click.group()
def answering() -> None:
    """Every learned part of the answerer at once: retrain them in order, or print them."""


@answering.command("train")
@click.pass_context
def train_answering(ctx: click.Context) -> None:
    """Rebuild the follow-up, question-kind, scope and ranker models, in that order (each
    later one reads questions through the earlier ones; fixed seeds; about 8 minutes)."""
    steps = {"follow-ups": train_followups, "kinds": train_kinds, "scope": train_scope,
             "ranker": train_ranker}  # fmt: skip
    for name, command in steps.items():
        click.echo(f"== {name}")
        ctx.invoke(command, out=None)


@answering.command("check")
@click.pass_context
def check_answering(ctx: click.Context) -> None:
    """Print every packaged answering model's data and validation numbers."""
    steps = {"follow-ups": check_followups, "kinds": check_kinds, "scope": check_scope,
             "ranker": check_ranker}  # fmt: skip
    for name, command in steps.items():
        click.echo(f"== {name}")
        ctx.invoke(command)
