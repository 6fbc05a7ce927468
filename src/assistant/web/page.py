"""The chat page (Gradio). It imports only the core and shows the same `Answer` as the CLI.

Each browser session keeps its own conversation in `gr.State`; nothing is shared between
sessions except the read-only assistant and the feedback file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup, escape

from assistant.answer import Answer
from assistant.errors import AssistantError
from assistant.web.access import Login, SecurityHeaders
from assistant.web.feedback import FeedbackStore
from assistant.web.render import to_html
from assistant.web.summary import therapist_summary

if TYPE_CHECKING:
    import gradio as gr

    from assistant.assistant import Assistant
    from assistant.settings import Settings

WELCOME = (
    "Ask about the iliopsoas (hip flexor) muscle: stretches, strengthening, causes of pain or "
    "tightness, and when to see a doctor. Answers come only from the clinic's source articles, "
    "and every sentence is numbered so you can check it against its source. I can't answer "
    "questions the articles don't cover, and I'll tell you to see a doctor if you describe a "
    "warning sign."
)
NOTICE = "General information, not medical advice. If you are unwell or unsure, see a doctor."
EXAMPLES = [
    "How do I do the kneeling hip flexor stretch?",
    "How long should I hold a hip flexor stretch?",
    "Why does sitting all day make my hip flexors tight?",
    "Which stretch for hamstring overstretching?",
    "My leg has gone numb, which stretch should I do?",
]
CSS = """
.referral { border: 3px solid #b91c1c; background: #fef2f2; color: #450a0a;
  border-radius: 10px; padding: 0.6rem 0.9rem; margin-bottom: 0.5rem; }
.referral-lead { font-weight: 700; font-size: 1.1em; margin: 0 0 0.4rem 0; }
.sources summary { cursor: pointer; font-weight: 600; }
.sources blockquote { margin: 0.2rem 0 0.6rem 0; font-style: italic; }
a.cite { font-weight: 600; text-decoration: none; }
.out-of-scope ul { margin-top: 0.2rem; }
.draft { color: #6b7280; }
"""
CHECKING = "Draft, not yet checked against the sources…"
MARKDOWN = frozenset("[]()!*_`#~|\\<>")  # characters Markdown (or its HTML) acts on
ACTIVE = MARKDOWN | frozenset("&\"'")  # and the rest of what HTML reads as markup
SUMMARY_FILE = "summary-for-my-therapist.txt"
STREAM_STEPS = 12  # an extractive answer is ready at once; it is revealed in steps


def build_page(assistant: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    """The chat page: conversation, feedback, and the summary for the therapist."""
    import gradio as gr

    def respond(
        message: str, chat: list[dict[str, Any]], turns: list[Answer | None]
    ) -> Iterator[tuple[list[dict[str, Any]], list[Answer | None], str]]:
        # User text is shown as text, never read as HTML or Markdown (an image link in a
        # message would otherwise make the browser fetch it).
        chat = [*chat, {"role": "user", "content": str(as_text(message))}]
        history = [a.question for a in turns if a is not None]
        answer: Answer | None = None
        draft = ""
        try:
            for event in assistant.stream(message, history):
                if isinstance(event, Answer):
                    answer = event
                else:  # a language model's words as they arrive, shown until verified
                    draft += event
                    if not assistant.settings.show_drafts:
                        continue
                    shown = str(
                        Markup("<p class='checking'><em>{}</em></p>{}").format(
                            CHECKING, inert(draft)
                        )
                    )
                    yield [*chat, {"role": "assistant", "content": shown}], turns, ""
        except AssistantError as exc:
            reply = str(Markup("Sorry: {}.").format(exc))
        turns = [*turns, answer]
        if answer is not None:
            reply = to_html(answer, len(turns))
            # A warning is shown whole, at once; a model's verified answer has streamed already.
            if answer.in_scope and not answer.referral and not draft:
                for partial in reveal(answer.text):
                    yield [*chat, {"role": "assistant", "content": str(escape(partial))}], turns, ""
        yield [*chat, {"role": "assistant", "content": reply}], turns, ""

    def on_like(data: gr.LikeData, turns: list[Answer | None], keep_question: bool) -> str:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        answer = turns[int(index) // 2] if 0 <= int(index) // 2 < len(turns) else None
        if answer is None:
            return "Nothing to rate there."
        try:
            feedback.record(answer, liked=bool(data.liked), keep_question=bool(keep_question))
        except AssistantError as exc:  # the chat goes on without the rating
            return f"Sorry, your feedback was not saved: {exc}."
        stored = "with your question" if keep_question else "without your question"
        return f"Thank you, your feedback was saved on this computer ({stored})."

    def api_chat(question: str, history: str = "[]") -> str:
        try:
            return to_html(assistant.ask(question, parse_history(history)), 1)
        except AssistantError as exc:
            return str(Markup("Sorry: {}.").format(exc))

    # Gradio finds the LikeData parameter by its annotation, which must be the class itself.
    on_like.__annotations__["data"] = gr.LikeData

    def summarise(turns: list[Answer | None]) -> tuple[str, str]:
        text = therapist_summary([a for a in turns if a is not None])
        return text, download_link(text)

    with gr.Blocks(title="Hip flexor questions", analytics_enabled=False) as page:
        gr.Markdown(f"## Hip flexor questions\n{WELCOME}\n\n*{NOTICE}*")
        turns = gr.State([])
        chatbot = gr.Chatbot(
            label="Conversation",
            elem_id="chat",
            height=460,
            sanitize_html=True,
            placeholder="Ask a question below, or pick an example.",
        )
        with gr.Row(equal_height=True):
            box = gr.Textbox(
                label="Your question",
                placeholder="e.g. How long should I hold the stretch?",
                elem_id="question",
                scale=5,
                max_lines=6,
                autofocus=True,
            )
            ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
        gr.Examples(EXAMPLES, inputs=box, label="Examples")
        keep_question = gr.Checkbox(
            label="When I rate an answer, also store my question (otherwise only the answer "
            "is stored). Everything stays on this computer.",
            value=False,
            elem_id="keep-question",
        )
        status = gr.Markdown(elem_id="status")
        summary_button = gr.Button("Summary for my therapist", elem_id="summary-button")
        summary_text = gr.Textbox(
            label="Summary for my therapist", lines=8, interactive=False, elem_id="summary"
        )
        # The download is made in the browser from the text itself: no file is written on the
        # server, so none can outlive the session or be fetched by anyone else.
        summary_file = gr.HTML(elem_id="summary-download")

        for trigger in (box.submit, ask.click):
            trigger(respond, [box, chatbot, turns], [chatbot, turns, box], api_visibility="private")
        chatbot.like(on_like, [turns, keep_question], status)
        summary_button.click(
            summarise, turns, [summary_text, summary_file], api_visibility="private"
        )
        # A plain endpoint for programs (gradio_client): a question and, for a follow-up, the
        # earlier questions as a JSON list (oldest first) in; the answer's HTML out.
        api_in, api_out = gr.Textbox(visible=False), gr.Textbox(visible=False)
        api_history = gr.Textbox(visible=False, value="[]")
        api_in.submit(api_chat, [api_in, api_history], api_out, api_name="chat")
    return page  # type: ignore[no-any-return]


def download_link(text: str) -> str:
    """A link that saves `text` as a file, its content carried in the link itself."""
    href = "data:text/plain;charset=utf-8," + quote(text)
    return Markup('<a download="{}" href="{}">Download the summary</a>').format(SUMMARY_FILE, href)


def parse_history(text: str | None) -> list[str]:
    """The `/chat` endpoint's history: a JSON list of the earlier questions ("" or null: none)."""
    if not text or not text.strip():
        return []
    try:
        history = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssistantError("the history must be a JSON list of earlier questions") from exc
    if history is None:
        return []
    if not isinstance(history, list) or not all(isinstance(t, str) for t in history):
        raise AssistantError("the history must be a JSON list of earlier questions")
    return history


def as_text(message: str) -> Markup:
    """A user's message as inert HTML: every character HTML or Markdown acts on written as an
    entity (in one pass: escaping first and then entity-writing `#` broke the entities), line
    breaks kept."""
    written = "".join(f"&#{ord(c)};" if c in ACTIVE else c for c in message)
    return Markup(written.replace("\n", "<br>"))


def inert(text: str) -> Markup:
    """Unchecked model text as plain, greyed paragraphs: escaped, and with every character
    Markdown acts on written as an entity, so no link, image or emphasis can form."""
    return Markup("<p class='draft'>{}</p>").format(as_text(text))


def reveal(text: str) -> Iterator[str]:
    """Growing prefixes of the answer, ending at word boundaries."""
    words = text.split(" ")
    step = max(1, len(words) // STREAM_STEPS)
    for end in range(step, len(words), step):
        yield " ".join(words[:end])
        time.sleep(0.02)


def theme() -> Any:
    """Gradio's default look with system fonts: the page loads nothing from the internet."""
    import gradio as gr

    return gr.themes.Default(
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )


def serve(
    page: gr.Blocks,
    settings: Settings,
    *,
    block: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Start the page on the configured address; several clients are served at once. Every
    response carries the security headers; a login, when configured, is throttled (each
    throttled try waits through `sleep`)."""
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware

    credentials = settings.credentials()
    queue = page.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    queue.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=Login(*credentials, sleep=sleep) if credentials else None,
        # Gradio would keep every call's inputs (a client's questions) in the browser's storage
        # for a "run history" page: on a shared tablet the next client could read them.
        run_history=False,
        # No API schema or docs pages: they would describe the API to anyone, logged in or not.
        app_kwargs={
            # Starlette's CORS with no origin allowed replaces Gradio's, which lets any localhost
            # origin (and, on a network address, any origin) call the page with credentials.
            "middleware": [
                Middleware(CORSMiddleware, allow_origins=[], allow_credentials=False),
                Middleware(SecurityHeaders),
            ],
            "openapi_url": None,
            "docs_url": None,
            "redoc_url": None,
        },
        share=False,
        theme=theme(),
        css=CSS,
        prevent_thread_lock=True,
        quiet=not block,
    )
    # Gradio adds its own CORS layer, which lets any localhost origin (and, on a network address,
    # any origin) call the page with credentials; only the CORS layer above (no other origin)
    # stays. The app's middleware is rebuilt at its next request.
    page.app.user_middleware = [
        m
        for m in page.app.user_middleware
        if getattr(m.cls, "__name__", "") != "CustomCORSMiddleware"
    ]
    page.app.middleware_stack = None
    if block:
        page.block_thread()


def launch(settings: Settings, assistant: Assistant) -> None:
    """Serve the chat page until interrupted."""
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    serve(build_page(assistant, feedback), settings)
