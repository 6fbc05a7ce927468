"""The measuring commands of the `assistant` CLI: calibrate, triage and eval.

They share the CLI's settings loading and error messages (imported when a command runs, as
`assistant.cli` registers these commands on its group).
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import click

from assistant.settings import GeneratorName


def measuring_commands() -> list[click.Command]:
    """The commands to add to the `assistant` group."""
    return [calibrate, triage, evaluate]


@click.command()
@click.argument(
    "suite",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("evals/scope.yaml"),
)
@click.pass_context
def calibrate(ctx: click.Context, suite: Path) -> None:
    """Choose the out-of-scope threshold on labelled questions and print its error rates."""
    from assistant.cli import load_assistant, load_settings, user_errors

    with user_errors(ctx.obj["debug"]):
        from assistant.evaluation.calibration import calibrate_gate

        settings = load_settings()
        result = calibrate_gate(load_assistant(settings), suite)
        click.echo(f"questions: {result.in_scope} in scope, {result.out_of_scope} out of scope")
        click.echo(f"chosen threshold: {result.threshold:.4f} (current: {settings.gate_threshold})")
        click.echo(f"false refusals (in-scope refused): {result.false_refusal_rate:.1%}")
        click.echo(f"false answers (out-of-scope answered): {result.false_answer_rate:.1%}")


@click.command()
@click.argument("suites", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def triage(ctx: click.Context, suites: tuple[Path, ...]) -> None:
    """Measure red-flag triage on labelled SUITES and calibrate its similarity threshold.

    The first suite (default evals/triage.yaml) sets the threshold; each suite is then
    reported at the configured threshold (ASSISTANT_TRIAGE_SIMILARITY).
    """
    from assistant.cli import load_settings, user_errors

    with user_errors(ctx.obj["debug"]):
        from assistant.embeddings import load_embeddings
        from assistant.evaluation.cases import load_suite
        from assistant.evaluation.triage_report import observe, report_at, similarity_threshold
        from assistant.triage import Triage, load_rules

        settings = load_settings()
        embeddings = load_embeddings(settings.torch_threads)
        checker = Triage(load_rules(), vectorize=embeddings.embed_documents)
        for i, path in enumerate(suites or (Path("evals/triage.yaml"),)):
            observed = observe(checker, load_suite(path))
            if i == 0:
                chosen = similarity_threshold(observed)
                click.echo(
                    f"similarity threshold chosen on {path}: {chosen:.4f} "
                    f"(configured: {settings.triage_similarity})"
                )
            report = report_at(observed, settings.triage_similarity)
            click.echo("\n".join([f"\n{path}", *report.lines()]))


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
    ctx: click.Context, suites: tuple[Path, ...], k: int, baseline: Path | None, out: Path,
    overrides: tuple[str, ...], generators: tuple[str, ...],
) -> None:  # fmt: skip
    """Run the eval SUITES (default: every evals/*.yaml) and check their thresholds.

    Exit code 0 when every threshold holds, 1 when any falls short, 2 when the run is broken.
    """
    from assistant.cli import load_settings
    from assistant.evaluation.run import run_eval

    bounds = parse_overrides(overrides)
    try:
        passed = run_eval(load_settings(), list(suites), k=k, baseline=baseline, out=out,
                          overrides=bounds, generators=generators)  # fmt: skip
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
