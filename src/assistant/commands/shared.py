"""What every `assistant` command shares: settings read when it runs, failures as one line,
the assistant built with a progress bar. `cli.py`, `commands/answering.py` and
`commands/measuring.py` import it (none imports another's module: no circle)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from langchain_core.embeddings import Embeddings
from pydantic import ValidationError

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from rich.progress import Progress

    from assistant.assistant import Assistant
    from assistant.settings import Settings


RUNNING: list[Progress] = []  # progress bars still drawing (a failure ends them)


def progress_bar(total: int, unit: str = "chunk") -> Callable[[int], None]:
    """A progress bar on stderr for embedding `total` chunks (or sentences: `unit`), with their
    rate per second."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn(f"Embedding {unit}s"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task = bar.add_task("embed", total=total, rate="")
    bar.start()
    RUNNING.append(bar)

    began = time.monotonic()

    def advance(done: int) -> None:
        bar.advance(task, done)
        completed = bar.tasks[0].completed
        rate = completed / max(time.monotonic() - began, 1e-9)
        bar.update(task, rate=f"{rate:.1f} {unit}s/s")
        if completed >= total:
            stop(bar)

    return advance


@contextmanager
def user_errors(debug: bool) -> Iterator[None]:
    """Turn failures into a one-line message and exit code 1 (a traceback only with --debug);
    a progress bar the failure interrupted is ended first, so the message is not drawn over
    and the terminal's cursor comes back."""
    try:
        yield
    except BaseException as exc:
        for bar in list(RUNNING):
            stop(bar)
        shown_as_is = click.ClickException | click.exceptions.Exit | click.Abort
        if isinstance(exc, ValidationError) or (
            not debug and isinstance(exc, Exception) and not isinstance(exc, shown_as_is)
        ):
            raise one_line(exc) from exc
        raise


def one_line(exc: Exception) -> click.ClickException:
    """The error to show in place of `exc`: a user-facing one as it is, a bad setting named by
    its variable, anything else as a bug, by its type."""
    if isinstance(exc, AssistantError):
        return click.ClickException(str(exc))
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        if not error["loc"]:  # a rule across several settings names them in its message
            return click.ClickException(f"settings: {error['msg']}")
        name = "ASSISTANT_" + "_".join(str(p) for p in error["loc"]).upper()
        return click.ClickException(f"setting {name}: {error['msg']}")
    message = " ".join(str(exc).split()) or type(exc).__name__
    return click.ClickException(f"{type(exc).__name__}: {message} (rerun with --debug)")


def stop(bar: Progress) -> None:
    """End a progress bar's live display."""
    bar.stop()
    if bar in RUNNING:
        RUNNING.remove(bar)


def load_settings() -> Settings:
    """Settings from the environment (read here, when a command runs, never at import)."""
    from assistant.settings import Settings

    return Settings()


def given_embeddings(ctx: click.Context) -> Embeddings | None:
    """The embedding model handed to the command line in its context object, if any."""
    found = (ctx.find_root().obj or {}).get("embeddings")
    return found if isinstance(found, Embeddings) else None


def load_assistant(
    settings: Settings, learned: bool = True, *, embeddings: Embeddings | None = None
) -> Assistant:
    """The assistant, building the index first (with a progress bar) if there is none
    (`learned=False`: without the learned gate and ranker, to train them)."""
    from assistant.pipeline import build_assistant
    from assistant.process import use_threads

    use_threads(settings.torch_threads)
    return build_assistant(
        settings, embeddings=embeddings, progress=noisy_progress, learned=learned
    )


def training_assistant(ctx: click.Context, settings: Settings | None = None) -> Assistant:
    """The assistant a training command reads questions through: without the learned gate and
    ranker it retrains, with the model handed to the command line if there is one."""
    settings = settings or load_settings()
    return load_assistant(settings, learned=False, embeddings=given_embeddings(ctx))


def noisy_progress(total: int, unit: str = "chunk") -> Callable[[int], None]:
    """Say why embedding starts before a command's answer, then show progress."""
    if unit == "chunk":
        click.echo(f"No index yet: building it from the corpus ({total} chunks)…", err=True)
    else:
        click.echo(f"Bringing the index up to date: embedding {total} {unit}s once…", err=True)
    return progress_bar(total, unit)
