"""What a user's message may hold before anything reads it: text, not control characters,
within a length limit, with a bounded history. One check for the page, the API and the CLI."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.errors import AssistantError
from assistant.text.normalise import INVISIBLE

MAX_QUESTION_CHARS = 4000
# Earlier turns read with a question (follow-ups, triage). The page triaged each of them when it
# was asked; a longer history adds work, not safety.
MAX_HISTORY_TURNS = 20
# Control characters (newline and tab kept) and the invisible ones normalisation already drops
# (zero-width, bidirectional overrides, byte-order marks): they can make a message read
# differently from how it shows.
UNSEEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|" + INVISIBLE.pattern)


def clean(text: str, what: str = "the question") -> str:
    """`text` without unseen characters and trimmed; an AssistantError when it is not valid
    text (a lone surrogate, from broken input) or is too long."""
    if not isinstance(text, str):
        raise AssistantError(f"{what} must be text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AssistantError(f"{what} contains characters that are not valid text") from exc
    text = UNSEEN.sub("", text).strip()
    if len(text) > MAX_QUESTION_CHARS:
        raise AssistantError(f"{what} is too long (over {MAX_QUESTION_CHARS} characters)")
    return text


def clean_history(history: Sequence[str]) -> list[str]:
    """The last MAX_HISTORY_TURNS earlier questions, each cleaned, empty ones dropped."""
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise AssistantError("the history must be a list of earlier questions")
    recent = list(history)[-MAX_HISTORY_TURNS:]
    cleaned = (clean(turn, "an earlier question") for turn in recent)
    return [turn for turn in cleaned if turn]
