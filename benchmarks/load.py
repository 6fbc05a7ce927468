"""Load on the chat page: sessions at once over HTTP (`gradio_client`, loopback only).

Run: `python benchmarks/load.py [--sessions 20] [--questions 50] [--sweep]` (uses ASSISTANT_*
settings; builds the index if missing). It starts the page on a free local port, asks every
scenario once to get the reference answers, then lets the sessions loose and prints latency,
throughput, errors and answers unlike the serial ones. `--sweep` first measures a shorter run
at several concurrency limits (how ASSISTANT_CONCURRENCY was chosen). A number to watch, not a
test; `tests/integration/test_load.py` runs a small version.
"""

from __future__ import annotations

import argparse
import socket

from assistant.evaluation.load import run_load, serial_answers
from assistant.feedback import FeedbackStore
from assistant.pipeline import build_assistant
from assistant.settings import Settings
from assistant.ui import build_page, serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(settings: Settings, sessions: int, questions: int, assistant: object) -> list[str]:
    from gradio_client import Client

    page = build_page(assistant, FeedbackStore(settings.data_dir / "feedback.sqlite3"))  # type: ignore[arg-type]
    serve(page, settings, block=False)
    url = f"http://127.0.0.1:{settings.port}/"
    try:
        reference = serial_answers(Client(url, verbose=False))
        report = run_load(lambda: Client(url, verbose=False), sessions, questions, reference)
    finally:
        page.close()
    header = f"concurrency {settings.concurrency}, queue size {settings.queue_size}:"
    return [header, *(f"  {line}" for line in report.lines()), *report.errors[:5]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    base = Settings()
    assistant = build_assistant(base)
    if args.sweep:
        for limit in (1, 2, 4, 8):
            settings = base.model_copy(update={"port": free_port(), "concurrency": limit})
            print("\n".join(measure(settings, args.sessions, 10, assistant)), flush=True)
    settings = base.model_copy(update={"port": free_port()})
    print("\n".join(measure(settings, args.sessions, args.questions, assistant)), flush=True)


if __name__ == "__main__":
    main()
