"""Load on the chat page: sessions at once over HTTP (`gradio_client`, loopback only).

Run: `python benchmarks/load.py [--sessions 20] [--questions 50] [--sweep] [--during-ingest]`
(uses ASSISTANT_* settings; builds the index if missing). It starts the page on a free local
port, asks every scenario once to get the reference answers, then lets the sessions loose and
prints latency, throughput, errors and answers unlike the serial ones. `--sweep` first measures
a shorter run at several concurrency limits (how ASSISTANT_CONCURRENCY was chosen).
`--during-ingest` works on a copy of the corpus in a temporary folder and, all through the run,
has separate `assistant ingest --rebuild` processes build and switch to new index generations
one after another (same corpus, so every answer must stay the serial one). A number to watch,
not a test; `tests/integration/test_load.py` runs a small version.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from assistant.commands.faults import ingest_command, ingest_env
from assistant.evaluation.load import run_load, serial_answers
from assistant.indexing.generations import IndexHome
from assistant.pipeline import build_assistant
from assistant.process import prepare, use_threads
from assistant.settings import PROJECT_ROOT, Settings
from assistant.web.feedback import FeedbackStore
from assistant.web.page import build_page, serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(
    settings: Settings,
    sessions: int,
    questions: int,
    assistant: object,
    meanwhile: Callable[[threading.Event], list[str]] | None = None,
) -> list[str]:
    """One load run; `meanwhile` runs beside it until the run ends and adds its own lines."""
    from gradio_client import Client

    page = build_page(assistant, FeedbackStore(settings.data_dir / "feedback.sqlite3"))  # type: ignore[arg-type]
    serve(page, settings, block=False)
    url = f"http://127.0.0.1:{settings.port}/"
    extra: list[str] = []
    done = threading.Event()
    beside = threading.Thread(target=lambda: extra.extend(meanwhile(done) if meanwhile else []))
    try:
        reference = serial_answers(Client(url, verbose=False))
        beside.start()
        report = run_load(lambda: Client(url, verbose=False), sessions, questions, reference)
    finally:
        done.set()
        if beside.is_alive():
            beside.join()
        page.close()
    header = f"concurrency {settings.concurrency}, queue size {settings.queue_size}:"
    lines = [*report.lines(), *extra]
    return [header, *(f"  {line}" for line in lines), *report.errors[:5]]


def ingesting(settings: Settings) -> Callable[[threading.Event], list[str]]:
    """Ingest processes, one after another until told to stop; counts the switches."""

    def run(stop: threading.Event) -> list[str]:
        home, env = (
            IndexHome(settings.index_dir),
            ingest_env(settings.corpus_dir, settings.data_dir),
        )
        stamps, failed = {home.stamp()}, 0
        while not stop.is_set():
            done = subprocess.run(
                ingest_command(None, ["--rebuild"]), env=env, capture_output=True, check=False
            )
            failed += done.returncode != 0
            stamps.add(home.stamp())
        return [
            f"{len(stamps) - 1} index switches by ingest processes during the run, {failed} failed"
        ]

    return run


def main() -> None:
    prepare()  # offline, no telemetry: before any library reads it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--during-ingest", action="store_true")
    args = parser.parse_args()
    base = Settings()
    use_threads(base.torch_threads)  # as `assistant serve` does
    if args.during_ingest:
        folder = Path(tempfile.mkdtemp())
        shutil.copytree(PROJECT_ROOT / "corpus", folder / "corpus")
        base = base.model_copy(
            update={
                "corpus_dir": folder / "corpus",
                "data_dir": folder / "data",
                "port": free_port(),
            }
        )
        assistant = build_assistant(base)
        print("\n".join(measure(base, args.sessions, args.questions, assistant, ingesting(base))))
        shutil.rmtree(folder, ignore_errors=True)
        return
    assistant = build_assistant(base)
    if args.sweep:
        for limit in (1, 2, 4, 8):
            settings = base.model_copy(update={"port": free_port(), "concurrency": limit})
            print("\n".join(measure(settings, args.sessions, 10, assistant)), flush=True)
    settings = base.model_copy(update={"port": free_port()})
    print("\n".join(measure(settings, args.sessions, args.questions, assistant)), flush=True)


if __name__ == "__main__":
    main()
