"""Sentence spans in source text, so every quote shown to a user is a verbatim slice."""

from __future__ import annotations

import re

# A sentence ends at . ! ? or … (maybe followed by a closing quote or bracket) before a space.
BOUNDARY = re.compile(r"(?<=[.!?…])[\"”’')\]]*(\s+)(?=[\"“‘(\[]?[A-Z0-9])")
MARKER = re.compile(r"^(?:#{1,6}\s+|\s*(?:[-*•]|\d+[.)])\s+)")
# Abbreviations that end with a period but not a sentence.
ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "Dr.", "Mr.", "Mrs.", "Ms.", "St.", "approx.")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences in `text[start:end]`, each line handled on its own.

    List markers and heading marks are left out of the spans; a span never crosses a line.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    offset = start
    for line in text[start:end].split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        marker = MARKER.match(line)
        cursor = line_start + (marker.end() if marker else 0)
        line_end = line_start + len(line.rstrip())
        for match in BOUNDARY.finditer(text, cursor, line_end):
            if text[cursor : match.start()].endswith(ABBREVIATIONS):
                continue
            spans.append((cursor, match.start(1)))
            cursor = match.end()
        if text[cursor:line_end].strip():
            spans.append((cursor + indent(text[cursor:line_end]), line_end))
    trimmed = [balance_quotes(text, s, e) for s, e in spans]
    return [(s, e) for s, e in trimmed if text[s:e].strip()]


def balance_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace, and a quotation mark that opens or closes outside the sentence."""
    while start < end and text[start].isspace():
        start += 1
    sentence = text[start:end]
    straight_unpaired = sentence.count('"') % 2 == 1
    if (sentence[:1] == "“" and "”" not in sentence) or (sentence[:1] == '"' and straight_unpaired):
        start += 1
    elif (sentence[-1:] == "”" and "“" not in sentence) or (
        sentence[-1:] == '"' and straight_unpaired
    ):
        end -= 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def indent(text: str) -> int:
    """Width of leading whitespace."""
    return len(text) - len(text.lstrip())
