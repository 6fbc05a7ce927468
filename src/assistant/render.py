"""Answers as HTML for the chat page: clickable [n] markers, a collapsible Sources block, and a
warning block for referrals. Every piece of text is escaped: nothing a user or a document
contains is ever interpreted as markup."""

from __future__ import annotations

import html
import re

from assistant.answer import Answer, Citation

MARKER = re.compile(r"\[(\d+)\]")
SUGGESTIONS = (
    "How do I do the kneeling hip flexor stretch?",
    "What causes tight hip flexors?",
    "Which exercises strengthen the muscles around the hip?",
    "When should I see a doctor about hip flexor pain?",
)


def anchor(turn: int, n: int) -> str:
    """The element id of source n of answer `turn` (unique within the page)."""
    return f"src-{turn}-{n}"


def with_markers(text: str, turn: int, citations: dict[int, Citation]) -> str:
    """Escaped text in which each [n] links to its source and shows the quote on hover."""

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        citation = citations.get(n)
        if citation is None:
            return match.group(0)
        # One line: the page's Markdown renderer would read line breaks in it as list syntax.
        quote = " ".join(citation.quote.split())
        quote = quote if len(quote) <= 280 else quote[:277] + "…"
        tip = html.escape(f"{citation.place}: {quote}", quote=True)
        return f'<a class="cite" href="#{anchor(turn, n)}" title="{tip}">[{n}]</a>'

    return MARKER.sub(link, html.escape(text, quote=False))


def body(text: str, turn: int, citations: dict[int, Citation]) -> str:
    """Paragraphs and list items of an answer as HTML (numbered steps stay numbered)."""
    parts: list[str] = []
    items: list[str] = []
    numbered = False

    def close() -> None:
        if items:
            tag = "ol" if numbered else "ul"
            parts.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
            items.clear()

    for line in text.splitlines():
        stripped = line.strip()
        item = re.match(r"^(-|\d+\.)\s+(.*)$", stripped)
        if item:
            if not items:
                numbered = item.group(1) != "-"
            items.append(f"<li>{with_markers(item.group(2), turn, citations)}</li>")
            continue
        close()
        if stripped:
            parts.append(f"<p>{with_markers(stripped, turn, citations)}</p>")
    close()
    return "".join(parts)


def sources(answer: Answer, turn: int) -> str:
    """The collapsible list of numbered sources with their verbatim quotes."""
    if not answer.citations:
        return ""
    rows = "".join(
        f'<li id="{anchor(turn, c.n)}" value="{c.n}"><strong>{html.escape(c.place)}</strong>'
        f"<blockquote>{html.escape(' '.join(c.quote.split()))}</blockquote></li>"
        for c in answer.citations
    )
    return (
        f'<details class="sources"><summary>Sources ({len(answer.citations)})</summary>'
        f"<ol>{rows}</ol></details>"
    )


def to_html(answer: Answer, turn: int) -> str:
    """The whole assistant message for answer number `turn` of a conversation."""
    citations = {c.n: c for c in answer.citations}
    if answer.referral:
        lead, _, rest = answer.text.partition("\n")
        warning = (
            f'<div class="referral" role="alert"><p class="referral-lead">{html.escape(lead)}</p>'
            f"{body(rest, turn, citations)}</div>"
        )
        return warning + sources(answer, turn)
    if not answer.in_scope:
        tips = "".join(f"<li>{html.escape(s)}</li>" for s in SUGGESTIONS)
        reply, _, notice = answer.text.partition("\n\n")
        refusal = (
            f'<div class="out-of-scope"><p>{html.escape(reply)}</p>'
            f"<p>You could ask, for example:</p><ul>{tips}</ul></div>"
        )
        if not notice:
            return refusal
        return refusal + body(notice, turn, citations) + sources(answer, turn)
    note = f'<p class="note"><em>{html.escape(answer.note)}</em></p>' if answer.note else ""
    return note + body(answer.text, turn, citations) + sources(answer, turn)
