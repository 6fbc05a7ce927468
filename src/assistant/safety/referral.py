"""Fixed answers from the safety layer, never generated: the referral, the answer to a question
about warning signs, and the safety notice that ends an answer to someone describing symptoms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.answer import Answer, Citation, RedFlag
from assistant.indexing.chunking import Chunk
from assistant.safety.detector import Finding
from assistant.safety.rules import Quote, RuleBook

URGENT_LEAD = "⚠️ Please seek urgent medical care now."
DOCTOR_LEAD = "⚠️ Please see a doctor before doing any stretches or exercises."
CLOSING = (
    "I can't suggest exercises for this. A doctor or other healthcare professional should "
    "check it first; you can show them this message."
)
GENERAL_NOTE = "(general safety rule, not from the clinic's articles)"
Sources = Mapping[str, Citation | None]


def locate(quote: Quote | None, chunks: Sequence[Chunk]) -> Citation | None:
    """A quote as a citation into the indexed corpus (None if no indexed passage holds it)."""
    if quote is None:
        return None
    for chunk in chunks:
        offset = chunk.text.find(quote.quote)
        if chunk.doc_id == quote.doc_id and offset >= 0:
            start = chunk.start + offset
            return Citation(
                0,
                chunk.doc_id,
                chunk.title,
                chunk.section,
                chunk.chunk_id,
                quote.quote,
                start,
                start + len(quote.quote),
            )
    return None


def sources_for(book: RuleBook, chunks: Sequence[Chunk]) -> dict[str, Citation | None]:
    """Every quote the safety layer cites, found in the index once: by rule id (rules that cite
    the corpus), 'warning_signs' and 'notice:<i>'."""
    found = {rule.id: locate(rule.citation, chunks) for rule in book.rules if rule.citation}
    found["warning_signs"] = locate(book.warning_signs, chunks)
    for i, line in enumerate(book.safety_notice):
        found[f"notice:{i}"] = locate(line.citation, chunks)
    return found


class Citations:
    """Numbers citations in the order they are first used."""

    def __init__(self, start: int = 0) -> None:
        self.items: list[Citation] = []
        self.start = start

    def cite(self, source: Citation | None) -> str:
        """' [n]' for the source, or '' when the index lacks it."""
        if source is None:
            return ""
        n = self.start + len(self.items) + 1
        self.items.append(
            Citation(
                n,
                source.doc_id,
                source.title,
                source.section,
                source.chunk_id,
                source.quote,
                source.start,
                source.end,
            )
        )
        return f" [{n}]"


def referral_answer(question: str, findings: Sequence[Finding], sources: Sources) -> Answer:
    """Lead with what to do, name every warning sign recognised, cite the corpus rules."""
    urgent = any(f.rule.urgency == "urgent" for f in findings)
    lines = [URGENT_LEAD if urgent else DOCTOR_LEAD, ""]
    labels = "; ".join(f.rule.label.replace(" (general safety rule)", "") for f in findings)
    lines.append(f"What you describe includes a warning sign: {labels}.")
    citations = Citations()
    quoted: list[str] = []
    for finding in findings:
        note = f" {GENERAL_NOTE}" if finding.rule.source == "general" else ""
        lines.append(f"- {finding.rule.advice}{note}")
        source = sources.get(finding.rule.id)
        if source is not None:
            # The articles' own words, verbatim, so every [n] backs exactly what it follows.
            quoted.append(f"“{source.quote}”{citations.cite(source)}")
    if quoted:
        lines += ["", "The clinic's articles say:", *quoted]
    lines += ["", CLOSING]
    return Answer(
        question=question,
        text="\n".join(lines),
        citations=citations.items,
        in_scope=True,
        referral=True,
        red_flags=[RedFlag(f.rule.id, f.rule.label) for f in findings],
    )


def warning_signs_answer(
    question: str, book: RuleBook, sources: Sources, scores: Mapping[str, float]
) -> Answer:
    """A question about warning signs ("when should I see a doctor?"): the corpus's list, the
    sign the question is closest to first, then the general rules in one line."""
    citations = Citations()
    lines = ["The clinic's articles say:"]
    lead = sources.get("warning_signs")
    if lead is not None:
        lines.append(f"“{lead.quote}”{citations.cite(lead)}")
    corpus = [rule for rule in book.rules if rule.source == "corpus"]
    corpus.sort(key=lambda rule: -scores.get(rule.id, 0.0))
    for rule in corpus:
        source = sources.get(rule.id)
        if source is not None:
            lines.append(f"- “{source.quote}”{citations.cite(source)}")
    lines += ["", book.general_warning]
    return Answer(question, "\n".join(lines), citations.items)


def add_safety_notice(answer: Answer, book: RuleBook, sources: Sources) -> None:
    """End the answer with the safety notice, its citations numbered after the answer's own."""
    citations = Citations(start=max((c.n for c in answer.citations), default=0))
    lines = [
        f"{line.text}.{citations.cite(sources.get(f'notice:{i}'))}"
        for i, line in enumerate(book.safety_notice)
    ]
    answer.text = f"{answer.text}\n\n" + "\n".join(lines)
    answer.citations = [*answer.citations, *citations.items]
    answer.safety_notice = True
