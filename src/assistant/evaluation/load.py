"""A load suite for the chat page: many sessions at once over HTTP (`gradio_client`, the
`/chat` endpoint), each asking its own mix of questions — answerable, follow-ups on its own
earlier question, referrals and out-of-scope — checked against the answers the same questions
get one at a time. Used by `benchmarks/load.py` (full size) and a test (small)."""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (earlier questions, question, what the answer's HTML must hold). Each follow-up names its
# exercise only in its history: an answer about another session's exercise is cross-talk.
SCENARIOS: list[tuple[list[str], str, str]] = [
    ([], "how do I do the bird dog exercise?", "Bird Dog"),
    ([], "where is the psoas located?", 'class="cite"'),
    ([], "what causes tight hip flexors?", 'class="cite"'),
    (
        ["how do I do the bridge pose from the back pain article?"],
        "how long do I hold it?",
        "10-20 seconds",
    ),
    (["how do I do the bird dog?"], "how many reps and sets?", "10-15 repetitions"),
    (["how do I do the kneeling hip flexor stretch?"], "how long on each leg?", "30 seconds"),
    (["what is the cat-cow stretch?"], "how long do I keep going?", "30 seconds to a minute"),
    ([], "my leg has gone numb, which stretch?", 'class="referral"'),
    ([], "I can't control my bladder since my hip started hurting", 'class="referral"'),
    ([], "what is the capital of France?", "outside what my sources cover"),
    ([], "how much ibuprofen can I take?", "outside what my sources cover"),
    ([], "write me a poem about the sea", "outside what my sources cover"),
]


@dataclass
class LoadReport:
    """What a run measured."""

    sessions: int
    questions: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)  # an answer unlike the serial one

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def lines(self) -> list[str]:
        return [
            f"{self.sessions} sessions x {self.questions} questions: "
            f"{len(self.latencies_ms)} answered in {self.seconds:.1f} s "
            f"({self.throughput:.1f} answers/s)",
            f"latency p50 {statistics.median(self.latencies_ms or [0]):.0f} ms, "
            f"p95 {self.percentile(0.95):.0f} ms, max {max(self.latencies_ms or [0]):.0f} ms",
            f"errors {len(self.errors)}, answers unlike the serial run {len(self.mismatches)}",
        ]


def scenario(session: int, turn: int) -> tuple[list[str], str, str]:
    """The turn-th question of a session: sessions start at different places in the mix."""
    return SCENARIOS[(session * 5 + turn) % len(SCENARIOS)]


def run_load(
    client: Callable[[], Any], sessions: int, questions: int, reference: dict[str, str]
) -> LoadReport:
    """`sessions` threads, each with its own client, ask `questions` questions each at once;
    every answer is checked against `reference` (question and history → the serial answer)."""
    report = LoadReport(sessions, questions, 0.0)
    lock = threading.Lock()
    start = threading.Barrier(sessions)

    def session(n: int) -> None:
        chat = client()
        start.wait()
        for turn in range(questions):
            history, question, mark = scenario(n, turn)
            key = json.dumps([history, question])
            began = time.perf_counter()
            try:
                reply = chat.predict(question, json.dumps(history), api_name="/chat")
            except Exception as exc:
                with lock:
                    report.errors.append(f"session {n}: {type(exc).__name__}: {exc}")
                continue
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                report.latencies_ms.append(elapsed)
                if mark not in reply:
                    report.errors.append(f"session {n}: {question!r} lacks {mark!r}")
                if reply != reference[key]:
                    report.mismatches.append(f"session {n}: {question!r}")

    threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.perf_counter() - began
    return report


def serial_answers(client: Any) -> dict[str, str]:
    """Every scenario asked once, one at a time: the answers a loaded page must repeat."""
    return {
        json.dumps([history, question]): client.predict(
            question, json.dumps(history), api_name="/chat"
        )
        for history, question, _ in SCENARIOS
    }
