"""The chat page (Gradio); it imports only the core and shows the same `Answer` as the CLI."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.answer import Answer
from assistant.errors import AssistantError

if TYPE_CHECKING:
    import gradio as gr

    from assistant.assistant import Assistant
    from assistant.settings import Settings

WELCOME = (
    "Ask about the iliopsoas (hip flexor) muscle: stretches, strengthening, causes of pain or "
    "tightness, and when to see a doctor. Every answer quotes the clinic's source articles, "
    "numbered [1], [2], … This is general information, not medical advice."
)
EXAMPLES = [
    "How do I do the kneeling hip flexor stretch?",
    "How long should I hold a hip flexor stretch?",
    "Why does sitting all day make my hip flexors tight?",
    "Which stretch for hamstring overstretching?",
    "Where is the psoas muscle?",
]


def to_markdown(answer: Answer) -> str:
    """The answer followed by its numbered sources with their verbatim quotes."""
    if not answer.citations:
        return answer.text
    sources = []
    for c in answer.citations:
        where = f"{c.title} — {c.section}" if c.section and c.section != c.title else c.title
        quote = html.escape(" ".join(c.quote.split()))
        sources.append(f"**[{c.n}]** {html.escape(where)}  \n> {quote}")
    return answer.text + "\n\n**Sources**\n\n" + "\n\n".join(sources)


def user_turns(history: Sequence[Any]) -> list[str]:
    """The user's earlier messages from Gradio's chat history."""
    turns = []
    for message in history:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            turns.append(content if isinstance(content, str) else str(content))
    return turns


def build_page(assistant: Assistant) -> gr.ChatInterface:
    """The chat page; each browser session keeps its own history (Gradio's per-session state)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def respond(message: str, history: list[Any]) -> str:
        try:
            return to_markdown(assistant.ask(message, user_turns(history)))
        except AssistantError as exc:
            return f"Sorry: {exc}."

    return gr.ChatInterface(
        respond,
        title="Hip flexor questions",
        description=WELCOME,
        examples=EXAMPLES,
        cache_examples=False,
        analytics_enabled=False,
        api_name="chat",
    )


def launch(settings: Settings, assistant: Assistant) -> None:
    """Serve the chat page on the configured address (127.0.0.1 unless told otherwise)."""
    page = build_page(assistant)
    page.queue(default_concurrency_limit=4).launch(
        server_name=settings.host, server_port=settings.port, share=False
    )
