"""The measuring commands of the `assistant` CLI: scope (train, check), triage (check, train,
compare) and eval.

They share the CLI's settings loading and error messages (imported when a command runs, as
`assistant.cli` registers these commands on its group).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import click

from assistant.indexing.embeddings import Embed
from assistant.settings import GeneratorName, Settings


def measuring_commands() -> list[click.Command]:
    """The commands to add to the `assistant` group."""
    from assistant.commands.answering import answering, followups, kinds, ranker, scope

    return [answering, followups, kinds, scope, ranker, triage, evaluate]


@click.group()
def triage() -> None:
    """Red-flag triage: measure it, retrain it, compare candidate models."""


@triage.command("check")
@click.argument("suites", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def check_triage(ctx: click.Context, suites: tuple[Path, ...]) -> None:
    """Per-rule recall, missed and false referrals of the packaged detector on labelled SUITES
    (default: evals/triage-validation.yaml and every sealed triage set), without retrieval."""
    from assistant.commands.shared import user_errors

    with user_errors(ctx.obj["debug"]):
        from assistant.commands.shared import load_settings
        from assistant.evaluation.cases import load_suite
        from assistant.evaluation.run import default_suites
        from assistant.evaluation.triage_report import triage_report
        from assistant.safety.detector import Detector, packaged_kind
        from assistant.safety.rules import load_rules

        settings = load_settings()
        triage_suites = [p for p in default_suites(settings) if p.stem.startswith("triage")]
        paths = list(suites) or triage_suites
        # The sentence embeddings are loaded only for a model kind that reads them.
        vectorize = embedding_vectorizer(packaged_kind(), settings)
        detector = Detector.load(load_rules(), vectorize=vectorize)
        for path in paths:
            report = triage_report(detector, load_suite(path, settings.corpus_dir))
            click.echo("\n".join([f"\n{path}", *report.lines()]))


@triage.command("train")
@click.option("--kind", default=None, help="Model kind (default: the packaged model's kind).")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of labelled batches (default: training/triage).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the model (default: the packaged model folder).",
)
@click.pass_context
def train_triage(ctx: click.Context, kind: str | None, data: Path | None, out: Path | None) -> None:
    """Rebuild the detector from the labelled batches, with fixed seeds."""
    from assistant.commands.shared import user_errors

    with user_errors(ctx.obj["debug"]):
        from assistant.commands.shared import load_settings
        from assistant.safety.detector import model_folder, packaged_kind
        from assistant.safety.rules import load_rules
        from assistant.safety.training import train

        settings, kind = load_settings(), kind or packaged_kind()
        meta = train(
            data or settings.triage_dir,
            out or model_folder(),
            load_rules(),
            kind,
            vectorize=embedding_vectorizer(kind, settings),
            log=click.echo,
        )
        click.echo(
            f"trained {kind} on {meta['data']['train_rows']} rows "
            f"(data {meta['data']['fingerprint']}); validation:"
        )
        click.echo(json.dumps(meta["validation"], indent=2))


@triage.command("compare")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of labelled batches (default: training/triage).",
)
@click.pass_context
def compare_triage(ctx: click.Context, data: Path | None) -> None:
    """Train every candidate model, alone and with the number patterns, and print their
    validation numbers side by side (slow: it fine-tunes MiniLM several times)."""
    from assistant.commands.shared import user_errors

    with user_errors(ctx.obj["debug"]):
        from assistant.commands.shared import load_settings
        from assistant.safety.measuring import table
        from assistant.safety.rules import load_rules
        from assistant.safety.training import compare

        book, settings = load_rules(), load_settings()
        rows = compare(
            data or settings.triage_dir,
            book,
            embedding_vectorizer("embedding", settings),
            log=click.echo,
        )
        click.echo(table(rows, book))


def embedding_vectorizer(kind: str, settings: Settings) -> Embed | None:
    """The sentence embeddings, for model kinds that read them."""
    if "embedding" not in kind:
        return None
    from assistant.indexing.embeddings import load_embeddings
    from assistant.process import use_threads

    use_threads(settings.ingest_threads)  # bulk: every training message at once
    return load_embeddings().embed_documents


@click.command("eval")
@click.argument("suites", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--k",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Passages retrieved for the retrieval metrics.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An earlier report.json to compare with, case by case.",
)
@click.option(
    "--out",
    default=Path("eval-report"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.json and report.html.",
)
@click.option(
    "--fail-under",
    "overrides",
    multiple=True,
    metavar="METRIC=VALUE",
    help="Override a threshold, e.g. --fail-under retrieval.hit@3=0.95 (repeatable).",
)
@click.option(
    "--generator",
    "generators",
    multiple=True,
    type=click.Choice(get_args(GeneratorName)),
    help="Answer backend to evaluate (default: ASSISTANT_GENERATOR). Repeat it to compare "
    "backends in one table.",
)
@click.pass_context
def evaluate(
    ctx: click.Context,
    suites: tuple[Path, ...],
    k: int,
    baseline: Path | None,
    out: Path,
    overrides: tuple[str, ...],
    generators: tuple[str, ...],
) -> None:
    """Run the eval SUITES (default: every evals/*.yaml) and check their thresholds.

    Exit code 0 when every threshold holds, 1 when any falls short, 2 when the run is broken.
    """
    from assistant.commands.shared import given_embeddings, load_settings
    from assistant.evaluation.run import run_eval
    from assistant.process import use_threads

    bounds = parse_overrides(overrides)
    try:
        settings = load_settings()
        use_threads(settings.torch_threads)  # as when answering on the page
        passed = run_eval(
            settings,
            list(suites),
            k=k,
            baseline=baseline,
            out=out,
            overrides=bounds,
            generators=generators,
            embeddings=given_embeddings(ctx),
        )
    except Exception as exc:
        if ctx.obj["debug"]:
            raise
        click.echo(f"Error: the eval run is broken: {' '.join(str(exc).split())}", err=True)
        ctx.exit(2)
    ctx.exit(0 if passed else 1)


def parse_overrides(items: tuple[str, ...]) -> dict[str, float]:
    """METRIC=VALUE pairs from --fail-under."""
    bounds = {}
    for item in items:
        metric, _, value = item.partition("=")
        try:
            bounds[metric.strip()] = float(value)
        except ValueError as exc:
            raise click.BadParameter(
                f"{item!r} is not METRIC=NUMBER", param_hint="--fail-under"
            ) from exc
    return bounds
