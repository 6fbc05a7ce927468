"""The `assistant` command line: ingest, ask, serve and chroma here; the training and
measuring commands in `commands/`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from assistant.commands.measuring import measuring_commands
from assistant.commands.shared import (
    given_embeddings,
    load_assistant,
    load_settings,
    progress_bar,
    user_errors,
)
from assistant.errors import AssistantError
from assistant.process import prepare, use_threads

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.assistant import Assistant


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Cited answers about the iliopsoas (hip flexor) muscle from the clinic's sources."""
    prepare()
    # `obj` may arrive with an "embeddings" model already (tests hand a loaded or fake one in:
    # `CliRunner().invoke(main, args, obj={"embeddings": model})`).
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
@click.option("--rebuild", is_flag=True, help="Delete the index and embed everything again.")
@click.pass_context
def ingest(ctx: click.Context, rebuild: bool) -> None:
    """Index the corpus: embed new or changed passages, drop vanished ones."""
    with user_errors(ctx.obj["debug"]):
        from assistant.indexing.embeddings import load_embeddings
        from assistant.indexing.ingest import build_index

        settings = load_settings()
        use_threads(settings.ingest_threads)
        embeddings = given_embeddings(ctx) or load_embeddings()
        report = build_index(settings, embeddings, rebuild=rebuild, progress=progress_bar)
        where = settings.chroma_url or settings.index_dir
        click.echo(f"{report} → {where}")


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@click.option(
    "--jsonl",
    type=click.File("rb"),
    help="Answer one question per line of FILE ('-' for stdin), one JSON object per line out.",
)
@click.pass_context
def ask(ctx: click.Context, question: str | None, as_json: bool, jsonl: IO[bytes] | None) -> None:
    """Answer QUESTION with numbered sources."""
    if (question is None) == (jsonl is None):
        raise click.UsageError("give either a QUESTION or --jsonl FILE")
    if question is not None and not question.strip():
        raise click.UsageError("the question is empty")
    with user_errors(ctx.obj["debug"]):
        assistant = load_assistant(load_settings(), embeddings=given_embeddings(ctx))
        if jsonl is not None:
            if not answer_lines(assistant, jsonl, debug=ctx.obj["debug"]):
                ctx.exit(1)
            return
        assert question is not None
        answer = assistant.ask(question)
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else render(answer))


def answer_lines(assistant: Assistant, lines: IO[bytes], *, debug: bool = False) -> bool:
    """Answer each line (a question, or JSON with question and history); False if any failed.
    A line that cannot be answered (not UTF-8, broken JSON, a bad field, a bug) gets an error
    record of its own, and the other lines are still answered."""
    ok = True
    for number, raw in enumerate(lines, 1):
        text = raw.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        try:
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                raise AssistantError(f"line {number} is not valid UTF-8") from exc
            question, history = parse_line(line)
            record: dict[str, Any] = assistant.ask(question, history).to_dict()
        except AssistantError as exc:
            ok = False
            record = {"line": number, "question": text, "error": str(exc)}
        except Exception as exc:
            if debug:
                raise
            ok = False
            error = f"internal error ({type(exc).__name__}); rerun with --debug"
            record = {"line": number, "question": text, "error": error}
        click.echo(json.dumps(record, ensure_ascii=False))
    return ok


def parse_line(line: str) -> tuple[str, list[str]]:
    """A plain question, or {"question": ..., "history": [...]} for a follow-up."""
    if not line.startswith("{"):
        return line, []
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AssistantError(f"line is not valid JSON: {exc.msg}") from exc
    if not isinstance(record, dict):
        raise AssistantError('a JSON line must be an object with "question" and "history"')
    question, history = record.get("question"), record.get("history", [])
    if (
        not isinstance(question, str)
        or not isinstance(history, list)
        or not all(isinstance(turn, str) for turn in history)
    ):
        raise AssistantError(
            'a JSON line needs "question" (text) and optional "history" (a list of texts)'
        )
    return question, history


def render(answer: Answer) -> str:
    """The answer and its sources as readable text."""
    lines = [f"Note: {answer.note}", ""] if answer.note else []
    lines.append(answer.text)
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.place} ({c.doc_id})")
            lines.append(f"    “{' '.join(c.quote.split())}”")
    return "\n".join(lines)


@main.group()
def feedback() -> None:
    """The ratings clients left on the chat page (data/feedback.sqlite3)."""


@feedback.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    help="Delete only ratings older than this many days (default: all of them).",
)
@click.pass_context
def purge_feedback(ctx: click.Context, days: float | None) -> None:
    """Delete stored ratings (and any questions kept with them) for good."""
    with user_errors(ctx.obj["debug"]):
        from assistant.web.feedback import FeedbackStore

        settings = load_settings()
        deleted = FeedbackStore(settings.data_dir / "feedback.sqlite3").purge(days)
        click.echo(f"{deleted} rating(s) deleted from {settings.data_dir / 'feedback.sqlite3'}")


@main.command()
@click.option("--host", help="Address to listen on (default: ASSISTANT_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: ASSISTANT_PORT or 7860).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Start the chat page (the same as `python app.py`)."""
    with user_errors(ctx.obj["debug"]):
        from assistant.web.page import launch

        settings = load_settings()
        overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        settings = settings.model_copy(update=overrides)
        launch(settings, load_assistant(settings, embeddings=given_embeddings(ctx)))


@main.command()
@click.option(
    "--path",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the server keeps its data in (default: DATA_DIR/chroma).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.pass_context
def chroma(ctx: click.Context, path: Path | None, host: str, port: int) -> None:
    """Run a Chroma server for several app processes or machines to share (`chroma run`);
    point them at it with ASSISTANT_CHROMA_URL=http://HOST:PORT."""
    with user_errors(ctx.obj["debug"]):
        folder = path or load_settings().data_dir / "chroma"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        program = Path(sys.executable).with_name("chroma")
        if not program.is_file():
            raise click.ClickException(f"no `chroma` program beside {sys.executable}")
        os.environ["ANONYMIZED_TELEMETRY"] = "False"  # forced: the server reads only this
        command = [str(program), "run", "--path", str(folder), "--host", host]
        os.execv(program, [*command, "--port", str(port)])


# The training and measuring commands (scope, ranker, triage, eval …) live in commands/.
for command in measuring_commands():
    main.add_command(command)
