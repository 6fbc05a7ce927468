"""Answers as HTML for the chat page: escaping, [n] links, sources, referral and scope blocks."""

from __future__ import annotations

import pytest

from assistant.answer import Answer, Citation, RedFlag
from assistant.web.render import to_html

CITE = Citation(1, "doc", "A Title", "Bird Dog", "doc-1", "Hold it.\n2. Then <b>rest</b>.", 0, 9)


def answer(text: str, **fields: object) -> Answer:
    return Answer("q", text, **fields)  # type: ignore[arg-type]


def test_markers_link_to_their_source_with_the_quote_on_hover() -> None:
    page = to_html(answer("Hold it. [1]", citations=[CITE]), 3)
    assert '<a class="cite" href="#src-3-1"' in page
    assert 'id="src-3-1"' in page
    assert 'title="A Title — Bird Dog: Hold it. 2. Then &lt;b&gt;rest&lt;/b&gt;."' in page


def test_unknown_marker_is_left_as_text() -> None:
    assert "[7]" in to_html(answer("Claim. [7]", citations=[CITE]), 1)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<script>alert(1)</script> [1]", id="script"),
        pytest.param('<img src=x onerror="alert(1)"> [1]', id="img-onerror"),
    ],
)
def test_markup_in_text_is_escaped(text: str) -> None:
    page = to_html(answer(text, citations=[CITE]), 1)
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;" in page


def test_sources_are_collapsible_and_quoted_on_one_line() -> None:
    page = to_html(answer("Hold it. [1]", citations=[CITE]), 1)
    assert '<details class="sources"><summary>Sources (1)</summary>' in page
    assert "<blockquote>Hold it. 2. Then &lt;b&gt;rest&lt;/b&gt;.</blockquote>" in page


def test_numbered_steps_become_an_ordered_list() -> None:
    page = to_html(answer("Intro. [1]\n1. One. [1]\n2. Two. [1]", citations=[CITE]), 1)
    assert page.count("<li>") == 2
    assert "<ol>" in page


def test_referral_is_a_warning_block_first() -> None:
    text = "⚠️ Please see a doctor before doing any stretches or exercises.\n\nWhat you describe…"
    page = to_html(
        answer(text, referral=True, red_flags=[RedFlag("numbness_tingling", "Numbness")]), 1
    )
    assert page.startswith('<div class="referral" role="alert"><p class="referral-lead">⚠️')


def test_out_of_scope_offers_suggestions() -> None:
    page = to_html(answer("That is outside what my sources cover.", in_scope=False), 1)
    assert 'class="out-of-scope"' in page
    assert page.count("<li>") >= 3
    assert "Sources" not in page


HOSTILE = "<script>alert(1)</script>\"'&"


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({}, id="answer"),
        pytest.param({"referral": True}, id="referral"),
        pytest.param({"in_scope": False}, id="out-of-scope"),
    ],
)
def test_markup_in_every_field_is_shown_as_text(shape: dict[str, object]) -> None:
    cite = Citation(1, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, 0, 9)
    text = f"{HOSTILE} lead\n- {HOSTILE} [1]\n\n{HOSTILE} notice [1]"
    page = to_html(answer(text, citations=[cite], note=HOSTILE, **shape), 1)
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    # Quotes are escaped too, so no text can close an attribute the markup opened.
    assert page.count('"') == page.count('="') * 2
