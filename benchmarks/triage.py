"""What red-flag triage adds per message (a benchmark, not a test).

Run: `python benchmarks/triage.py`. Loads the packaged detector the way the assistant does
(sharing the question encoder's lower layers) and times it on the validation messages, each
read fresh (caches emptied):
- alone: `assess` by itself;
- what it adds: `assess` and then the question's sentence vector, minus the sentence vector by
  itself (an answered question needs that vector anyway, and triage has run its lower layers);
- in a chat: the same with three earlier turns (remembered from when they were asked).
Prints p50/p95 in ms against the target.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from assistant.evaluation.cases import load_suite
from assistant.indexing.embeddings import load_embeddings
from assistant.process import prepare, use_threads
from assistant.safety.detector import Detector
from assistant.safety.rules import load_rules
from assistant.settings import PROJECT_ROOT
from assistant.text.normalise import normalise

TARGET_P50_MS = 15.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    prepare()
    started = time.perf_counter()
    use_threads(1)  # one thread, as when serving
    embeddings = load_embeddings()
    encoder = embeddings.encoder
    detector = Detector.load(load_rules(), encoder=encoder)
    detector.assess(["warm up"])
    print(f"load: {time.perf_counter() - started:.2f} s")
    cases = load_suite(PROJECT_ROOT / "evals" / "triage-validation.yaml")
    questions = [case.question for case in cases]

    def fresh(history: list[str]) -> None:
        detector.forget()
        encoder.remembered.clear()
        detector.assess(history)  # earlier turns were read when they were asked

    def vector(question: str) -> list[float]:
        return embeddings.embed_query(normalise(question))

    def added(question: str, history: list[str]) -> float:
        fresh(history)
        both = timed(lambda: (detector.assess([*history, question]), vector(question)))
        fresh(history)
        return both - timed(lambda: vector(question))

    alone, adds, in_chat = [], [], []
    for i, question in enumerate(questions):
        fresh([])
        alone.append(timed(lambda q=question: detector.assess([q])))
        adds.append(added(question, []))
        in_chat.append(added(question, questions[max(0, i - 3) : i]))
    for label, times in (
        ("alone, one message", alone),
        ("adds to an answered message", adds),
        ("adds to a turn of a chat", in_chat),
    ):
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
