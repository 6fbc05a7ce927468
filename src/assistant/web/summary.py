"""The "summary for my therapist": what the client asked, the exercises discussed, warnings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from assistant.answer import Answer

EXERCISE = re.compile(
    r"stretch|exercise|pose|bridge|lunge|bird dog|cat-cow|leg lowering|rolfing|massage",
    re.IGNORECASE,
)


def therapist_summary(answers: Sequence[Answer], today: date | None = None) -> str:
    """Plain text for the client to bring to the appointment (made on this machine only)."""
    today = today or date.today()
    lines = [f"Summary for my therapist — {today.isoformat()}", ""]
    flags = {flag.id: flag.label for a in answers for flag in a.red_flags}
    if flags:
        lines.append("WARNING SIGNS RECOGNISED (the assistant advised seeing a doctor first):")
        lines += [f"- {label}" for label in flags.values()]
        lines.append("")
    lines.append("Questions I asked:")
    lines += [f"- {a.question}" for a in answers] or ["- (none)"]
    exercises: dict[str, str] = {}
    for answer in answers:
        if answer.referral:
            continue  # a referral discusses no exercise
        for c in answer.citations:
            if EXERCISE.search(c.section):
                exercises.setdefault(c.section, f"{c.title} ({c.doc_id})")
    lines += ["", "Exercises discussed (with their sources):"]
    lines += [f"- {section} — source: {source}" for section, source in exercises.items()]
    if not exercises:
        lines.append("- (none)")
    lines += ["", "From the clinic assistant; general information, not medical advice."]
    return "\n".join(lines)
