"""A client's own message is shown as text: no HTML, no Markdown, nothing fetched."""

from __future__ import annotations

import html

import pytest

from assistant.errors import AssistantError
from assistant.web.page import as_text, parse_history


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("![x](https://evil.example/pixel.png)", id="markdown-image"),
        pytest.param("[click](javascript:alert(1))", id="markdown-link"),
        pytest.param("<img src=x onerror=alert(1)>", id="html-image"),
        pytest.param("<script>alert(1)</script>", id="script"),
        pytest.param("**bold** _it_ `code` # heading", id="emphasis-code-heading"),
    ],
)
def test_a_message_holds_no_markup_that_could_act(message: str) -> None:
    shown = as_text(message)
    for active in ("<", ">", "![", "](", "**", "`", "#"):
        assert active not in shown.replace("&#", ""), active
    assert "evil.example" in shown or "alert" in shown or "bold" in shown  # the text stays


def test_line_breaks_are_kept() -> None:
    assert as_text("one\ntwo") == "one<br>two"


@pytest.mark.parametrize(
    ("text", "history"),
    [
        pytest.param("", [], id="empty"),
        pytest.param("null", [], id="null"),
        pytest.param('["a", "b"]', ["a", "b"], id="list"),
    ],
)
def test_the_api_history_is_a_json_list_of_texts(text: str, history: list[str]) -> None:
    assert parse_history(text) == history


@pytest.mark.parametrize("text", ["[", '"a"', "[1]", '{"a": "b"}', "[null]"])
def test_a_broken_api_history_is_a_clear_error(text: str) -> None:
    with pytest.raises(AssistantError, match="JSON list"):
        parse_history(text)


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        pytest.param("it's", "it&#39;s", id="apostrophe"),
        pytest.param('a "quoted" word', "a &#34;quoted&#34; word", id="quotes"),
        pytest.param("tom & jerry", "tom &#38; jerry", id="ampersand"),
        pytest.param("#1 <b>", "&#35;1 &#60;b&#62;", id="hash-and-tag"),
    ],
)
def test_a_message_reads_back_exactly_as_typed(message: str, shown: str) -> None:
    # Escaping first and then writing "#" as an entity broke every entity it made: "it's" was
    # shown as "it&#x27;s".
    assert as_text(message) == shown
    assert html.unescape(as_text(message)) == message
