"""The eval run on the terminal: a table per suite, failing cases, changes from the baseline."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from assistant.evaluation.report import fmt

SHOWN_FAILURES = 12


def show(report: dict[str, Any], console: Console) -> None:
    """Print every suite's thresholds and its failing cases."""
    for suite in report["suites"]:
        table = Table(title=f"{suite['name']} — {len(suite['cases'])} cases", title_justify="left")
        for column in ("metric", "value", "threshold", ""):
            table.add_column(column)
        for check in suite["checks"]:
            verdict = "[green]pass[/]" if check["ok"] else "[bold red]FAIL[/]"
            table.add_row(
                check["metric"], fmt(check["value"]),
                f"{check['bound']} {fmt(check['threshold'])}", verdict,
            )  # fmt: skip
        for target in suite.get("targets", []):
            verdict = "[green]target met[/]" if target["ok"] else "[yellow]short of target[/]"
            table.add_row(
                target["metric"], fmt(target["value"]),
                f"target {target['bound']} {fmt(target['threshold'])}", verdict,
            )  # fmt: skip
        shown = {c["metric"] for c in suite["checks"]} | {
            t["metric"] for t in suite.get("targets", [])
        }
        for metric, value in suite["metrics"].items():
            if metric not in shown:
                table.add_row(metric, fmt(value), "", "")
        console.print(table)
        failing = [c for c in suite["cases"] if not c["passed"]]
        for case in failing[:SHOWN_FAILURES]:
            console.print(f"  [red]✗[/] {case['id']}: {'; '.join(case['reasons'])}", markup=True)
        if len(failing) > SHOWN_FAILURES:
            console.print(f"  … and {len(failing) - SHOWN_FAILURES} more (see the HTML report)")
        change = report.get("baseline", {}).get(suite["name"])
        if change and not change.get("new_suite"):
            for metric, delta in change["metrics"].items():
                console.print(f"  Δ {metric}: {fmt(delta['before'])} → {fmt(delta['after'])}")
            if change["worse"]:
                console.print(f"  [red]worse than baseline:[/] {', '.join(change['worse'])}")
            if change["better"]:
                console.print(f"  [green]better than baseline:[/] {', '.join(change['better'])}")
        console.print()
    verdict = "[bold green]all thresholds hold[/]" if report["passed"] else "[bold red]FAILED[/]"
    console.print(f"Result: {verdict}")


COMPARED = {
    "answers.facts": "facts found",
    "citations.valid": "citations valid",
    "answers.uncited": "uncited answers",
    "answers.fallback_rate": "fallback rate",
    "scope.false_refusal_rate": "false refusals",
    "latency.p50_ms": "p50 ms",
    "latency.p95_ms": "p95 ms",
}


def show_comparison(reports: dict[str, dict[str, Any]], console: Console) -> None:
    """Per suite, one table: the answer metrics of every generator side by side."""
    names = [suite["name"] for suite in next(iter(reports.values()))["suites"]]
    for suite_name in names:
        suites = {
            generator: next(s for s in report["suites"] if s["name"] == suite_name)
            for generator, report in reports.items()
        }
        if not any("answers.facts" in s["metrics"] for s in suites.values()):
            continue  # triage-only and scope-only suites never reach a generator
        table = Table(title=f"{suite_name}: generators compared", title_justify="left")
        table.add_column("metric", no_wrap=True)
        for generator in suites:
            table.add_column(generator, overflow="fold")
        for metric, label in COMPARED.items():
            table.add_row(label, *(fmt(s["metrics"].get(metric)) for s in suites.values()))
        table.add_row(
            "thresholds",
            *("[green]pass[/]" if s["passed"] else "[bold red]FAIL[/]" for s in suites.values()),
        )
        console.print(table)
