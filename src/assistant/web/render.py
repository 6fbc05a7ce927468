"""Answers as HTML for the chat page: clickable [n] markers, a collapsible Sources block, and a
warning block for referrals. Built from MarkupSafe templates, which escape every piece of text
put into them: nothing a user or a document contains is ever interpreted as markup."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

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


def with_markers(text: str, turn: int, citations: dict[int, Citation]) -> Markup:
    """Escaped text in which each [n] links to its source and shows the quote on hover."""

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        citation = citations.get(n)
        if citation is None:
            return match.group(0)
        # One line: the page's Markdown renderer would read line breaks in it as list syntax.
        quote = " ".join(citation.quote.split())
        quote = quote if len(quote) <= 280 else quote[:277] + "…"
        return Markup('<a class="cite" href="#{}" title="{}">[{}]</a>').format(
            anchor(turn, n), f"{citation.place}: {quote}", n
        )

    # Escaping leaves "[n]" as it is, so the markers are found in the escaped text.
    return Markup(MARKER.sub(link, escape(text)))


def body(text: str, turn: int, citations: dict[int, Citation]) -> Markup:
    """Paragraphs and list items of an answer as HTML (numbered steps stay numbered)."""
    parts: list[Markup] = []
    items: list[Markup] = []
    numbered = False

    def close() -> None:
        if items:
            tag = Markup("<ol>{}</ol>") if numbered else Markup("<ul>{}</ul>")
            parts.append(tag.format(Markup("").join(items)))
            items.clear()

    for line in text.splitlines():
        stripped = line.strip()
        item = re.match(r"^(-|\d+\.)\s+(.*)$", stripped)
        if item:
            if not items:
                numbered = item.group(1) != "-"
            items.append(Markup("<li>{}</li>").format(with_markers(item.group(2), turn, citations)))
            continue
        close()
        if stripped:
            parts.append(Markup("<p>{}</p>").format(with_markers(stripped, turn, citations)))
    close()
    return Markup("").join(parts)


def sources(answer: Answer, turn: int) -> Markup:
    """The collapsible list of numbered sources with their verbatim quotes."""
    if not answer.citations:
        return Markup("")
    row = Markup('<li id="{}" value="{}"><strong>{}</strong><blockquote>{}</blockquote></li>')
    rows = Markup("").join(
        row.format(anchor(turn, c.n), c.n, c.place, " ".join(c.quote.split()))
        for c in answer.citations
    )
    return Markup(
        '<details class="sources"><summary>Sources ({})</summary><ol>{}</ol></details>'
    ).format(len(answer.citations), rows)


def to_html(answer: Answer, turn: int) -> str:
    """The whole assistant message for answer number `turn` of a conversation."""
    citations = {c.n: c for c in answer.citations}
    if answer.referral:
        lead, _, rest = answer.text.partition("\n")
        warning = Markup(
            '<div class="referral" role="alert"><p class="referral-lead">{}</p>{}</div>'
        ).format(lead, body(rest, turn, citations))
        return str(warning + sources(answer, turn))
    if not answer.in_scope:
        tips = Markup("").join(Markup("<li>{}</li>").format(s) for s in SUGGESTIONS)
        reply, _, notice = answer.text.partition("\n\n")
        refusal = Markup(
            '<div class="out-of-scope"><p>{}</p><p>You could ask, for example:</p><ul>{}</ul></div>'
        ).format(reply, tips)
        if not notice:
            return str(refusal)
        return str(refusal + body(notice, turn, citations) + sources(answer, turn))
    note = Markup('<p class="note"><em>{}</em></p>').format(answer.note) if answer.note else ""
    return str(note + body(answer.text, turn, citations) + sources(answer, turn))
