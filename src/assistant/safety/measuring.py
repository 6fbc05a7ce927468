"""Measuring a detector on labelled rows: its decisions as the product makes them, the numbers
recorded with a model, the time per message, and the comparison table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

from assistant.safety.data import Example
from assistant.safety.detector import Detector
from assistant.safety.rules import RuleBook
from assistant.safety.thresholds import Measure, measure


def evaluate(detector: Detector, examples: Sequence[Example], patterns: bool = True) -> Measure:
    """The detector's decisions on labelled rows, exactly as the product makes them (with or
    without the number patterns)."""
    decisions = []
    for example in examples:
        findings = detector.assess(example.turns).findings
        decisions.append({f.rule.id for f in findings if patterns or f.layer == "model"})
    return measure(decisions, examples)


def summary(result: Measure, book: RuleBook) -> dict[str, Any]:
    """The numbers recorded with a model and printed in the comparison."""
    return {
        "referral_recall": round(result.referral_recall, 4),
        "urgent_recall": round(result.urgent_recall(book.urgent), 4),
        "recall_min": round(min(result.recall(r) for r in book.ids), 4),
        "false_referral_rate": round(result.false_referral_rate, 4),
        "refer_rows": result.refer_rows,
        "benign_rows": result.benign_rows,
        "recall": {rule: round(result.recall(rule), 4) for rule in book.ids},
    }


def latency_ms(detector: Detector, examples: Sequence[Example]) -> float:
    """Median time to assess one message that was never seen before (cache emptied)."""
    times = []
    for example in examples[:200]:
        detector.forget()
        started = time.perf_counter()
        detector.assess(example.turns[-1:])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times) if times else 0.0


def table(rows: Sequence[dict[str, Any]], book: RuleBook) -> str:
    """The comparison as a Markdown table."""
    short = {rule: rule.replace("_", " ") for rule in book.ids}
    head = [
        "model",
        "referral recall",
        "false referrals",
        "urgent recall",
        *short.values(),
        "ms/message",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [
            row["model"],
            pct(row["referral_recall"]),
            pct(row["false_referral_rate"]),
            pct(row["urgent_recall"]),
            *(pct(row["recall"][r]) for r in book.ids),
            f"{row['latency_ms']:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"
