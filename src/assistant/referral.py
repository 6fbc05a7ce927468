"""The referral answer: fixed text, never generated, that sends the user to a professional."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer import Answer, Citation, RedFlag
from assistant.chunking import Chunk
from assistant.triage import Finding, Rule

URGENT_LEAD = "⚠️ Please seek urgent medical care now."
DOCTOR_LEAD = "⚠️ Please see a doctor before doing any stretches or exercises."
CLOSING = (
    "I can't suggest exercises for this. A doctor or other healthcare professional should "
    "check it first; you can show them this message."
)
GENERAL_NOTE = "(general safety rule, not from the clinic's articles)"


def locate(rule: Rule, chunks: Sequence[Chunk]) -> Citation | None:
    """The rule's quote as a citation into the indexed corpus (None if the corpus lacks it)."""
    if rule.citation is None:
        return None
    for chunk in chunks:
        offset = chunk.text.find(rule.citation.quote)
        if chunk.doc_id == rule.citation.doc_id and offset >= 0:
            start = chunk.start + offset
            return Citation(
                n=0,
                doc_id=chunk.doc_id,
                title=chunk.title,
                section=chunk.section,
                chunk_id=chunk.chunk_id,
                quote=rule.citation.quote,
                start=start,
                end=start + len(rule.citation.quote),
            )
    return None


def referral_answer(
    question: str, findings: Sequence[Finding], sources: dict[str, Citation | None]
) -> Answer:
    """Lead with what to do, name every warning sign recognised, cite the corpus rules."""
    urgent = any(f.rule.urgency == "urgent" for f in findings)
    lines = [URGENT_LEAD if urgent else DOCTOR_LEAD, ""]
    labels = "; ".join(f.rule.label.replace(" (general safety rule)", "") for f in findings)
    lines.append(f"What you describe includes a warning sign: {labels}.")
    citations: list[Citation] = []
    quoted: list[str] = []
    for finding in findings:
        note = f" {GENERAL_NOTE}" if finding.rule.source == "general" else ""
        lines.append(f"- {finding.rule.advice}{note}")
        source = sources.get(finding.rule.id)
        if source is not None:
            n = len(citations) + 1
            citations.append(
                Citation(n, source.doc_id, source.title, source.section, source.chunk_id,
                         source.quote, source.start, source.end)
            )  # fmt: skip
            quoted.append(f"“{source.quote}” [{n}]")
    if quoted:
        # The articles' own words, verbatim, so every [n] backs exactly what it follows.
        lines += ["", "The clinic's articles say:", *quoted]
    lines += ["", CLOSING]
    return Answer(
        question=question,
        text="\n".join(lines),
        citations=citations,
        in_scope=True,
        referral=True,
        red_flags=[RedFlag(f.rule.id, f.rule.label) for f in findings],
    )
