"""What red-flag triage adds per message (a benchmark, not a test).

Run: `python benchmarks/triage.py`. Loads the packaged detector and times `assess` on the
validation messages, each scored fresh (cache emptied), alone and with three earlier turns as
the chat page sends them (earlier turns are remembered, so only the new one is scored).
Prints p50/p95 in ms and the share of a whole answer's time.
"""

from __future__ import annotations

import statistics
import time

from assistant.embeddings import go_offline, set_threads
from assistant.evaluation.cases import load_suite
from assistant.safety.detector import Detector
from assistant.safety.rules import load_rules
from assistant.settings import PROJECT_ROOT

TARGET_P50_MS = 15.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    go_offline()
    set_threads(1)  # as when serving
    started = time.perf_counter()
    detector = Detector.load(load_rules())
    detector.assess(["warm up"])
    print(f"load: {time.perf_counter() - started:.2f} s")
    cases = load_suite(PROJECT_ROOT / "evals" / "triage-validation.yaml")
    questions = [case.question for case in cases]
    alone, in_chat = [], []
    for i, question in enumerate(questions):
        detector.forget()
        t0 = time.perf_counter()
        detector.assess([question])
        alone.append((time.perf_counter() - t0) * 1000)
        history = questions[max(0, i - 3) : i]
        detector.forget()
        detector.assess(history)  # the earlier turns were scored when they were asked
        t0 = time.perf_counter()
        detector.assess([*history, question])
        in_chat.append((time.perf_counter() - t0) * 1000)
    for label, times in (("one message", alone), ("turn of a chat", in_chat)):
        p50 = statistics.median(times)
        print(
            f"{label}: {len(times)} messages, p50 {p50:.1f} ms, p95 "
            f"{percentile(times, 0.95):.1f} ms (target p50 ≤ {TARGET_P50_MS:.0f} ms: "
            f"{p50 / TARGET_P50_MS:.2f}× of it)"
        )
    words = statistics.median(len(q.split()) for q in questions)
    print(f"median message length: {words:.0f} words")


if __name__ == "__main__":
    main()
