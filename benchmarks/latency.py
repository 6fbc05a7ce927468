"""Answer latency over the retrieval suite, through the same code path as the chat.

Run: `python benchmarks/latency.py` (uses ASSISTANT_* settings; builds the index if missing).
Prints cold-start time and p50/p95/max per question; a number to watch, not a test.
"""

from __future__ import annotations

import statistics
import time

from assistant.evaluation.cases import load_suite
from assistant.pipeline import build_assistant
from assistant.process import prepare, use_threads
from assistant.settings import PROJECT_ROOT, Settings


def main() -> None:
    prepare()  # offline, no telemetry: before any library reads it
    settings = Settings()
    use_threads(settings.torch_threads)  # as `assistant serve` does
    started = time.perf_counter()
    assistant = build_assistant(settings)
    print(f"cold start (model + index + BM25): {time.perf_counter() - started:.2f} s")
    cases = load_suite(PROJECT_ROOT / "evals" / "retrieval.yaml")
    for label in ("first pass (sentence vectors cold)", "second pass (warm)"):
        times = []
        for case in cases:
            t0 = time.perf_counter()
            assistant.ask(case.question, case.history)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"{label}: {len(times)} questions, p50 {statistics.median(times):.0f} ms, "
            f"p95 {p95:.0f} ms, max {times[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
