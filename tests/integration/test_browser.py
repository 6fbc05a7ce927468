"""The chat page in a real browser (Playwright driving Debian's Chromium), as a client uses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.assistant import Assistant
from assistant.settings import PROJECT_ROOT, Settings
from assistant.web.feedback import FeedbackStore
from assistant.web.page import build_page, serve
from tests.helpers import BOT, answering_with, ask_in_browser, free_port

pytestmark = pytest.mark.integration
OUTPUT = PROJECT_ROOT / "test-output" / "browser"


@pytest.fixture(scope="module")
def feedback(tmp_path_factory: pytest.TempPathFactory) -> FeedbackStore:
    return FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3")


@pytest.fixture(scope="module")
def url(assistant: Assistant, feedback: FeedbackStore) -> Iterator[str]:
    """The real chat page, started by the test on a free local port."""
    settings = Settings(port=free_port())
    page = build_page(assistant, feedback)
    serve(page, settings, block=False)
    yield f"http://127.0.0.1:{settings.port}/"
    page.close()


@pytest.fixture
def requests() -> list[str]:
    """Every URL the page asks for during a test."""
    return []


@pytest.fixture
def page(browser: Any, url: str, requests: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(url)
    tab.wait_for_selector("#question textarea")
    yield tab
    context.close()


def test_answer_streams_in_with_clickable_sources(page: Any, requests: list[str]) -> None:
    page.evaluate(
        """() => { window.lengths = []; new MutationObserver(() => {
            const bots = document.querySelectorAll('#chat [data-testid=bot]');
            const last = bots[bots.length - 1];
            if (last) window.lengths.push(last.innerText.length);
        }).observe(document.querySelector('#chat'),
                   {subtree: true, childList: true, characterData: true}); }"""
    )
    answer = ask_in_browser(page, "how do I do the bird dog exercise?")
    lengths = [n for n in page.evaluate("window.lengths") if n > 0]
    assert len(set(lengths)) >= 3, "the answer should appear in several steps"
    assert answer.query_selector("a.cite") is not None
    marker = answer.query_selector("a.cite")
    assert "Bird Dog" in (marker.get_attribute("title") or "")
    details = answer.query_selector("details.sources")
    assert details.get_attribute("open") is None
    details.query_selector("summary").click()
    assert details.get_attribute("open") is not None
    quote = details.query_selector("blockquote").inner_text()
    corpus = (PROJECT_ROOT / "corpus" / "iliopsoas-pain-exercises.md").read_text(encoding="utf-8")
    assert " ".join(quote.split())[:60] in " ".join(corpus.split())
    marker.click()
    assert page.evaluate("location.hash").startswith("#src-")
    assert all(r.startswith(("http://127.0.0.1", "data:", "blob:")) for r in requests), [
        r for r in requests if not r.startswith(("http://127.0.0.1", "data:", "blob:"))
    ]


def test_referral_is_a_warning_block_without_exercises(page: Any) -> None:
    answer = ask_in_browser(page, "my left leg has gone numb, which stretch should I do?")
    warning = answer.query_selector(".referral")
    assert warning is not None
    assert warning.get_attribute("role") == "alert"
    text = warning.inner_text()
    assert text.startswith("⚠️ Please see a doctor")
    assert "Numbness or tingling" in text
    assert "Starting Position" not in answer.inner_text()
    colour = page.evaluate("e => getComputedStyle(e).borderTopColor", warning)
    assert colour == "rgb(185, 28, 28)"


def test_out_of_scope_gets_suggestions(page: Any) -> None:
    answer = ask_in_browser(page, "what is the capital of France?")
    assert "outside what my sources cover" in answer.inner_text()
    assert len(answer.query_selector_all(".out-of-scope li")) >= 3


def test_follow_up_is_about_the_earlier_stretch(page: Any) -> None:
    ask_in_browser(page, "how do I do the kneeling hip flexor stretch?")
    answer = ask_in_browser(page, "how long do I hold it?")
    assert "seconds" in answer.inner_text()


def test_feedback_is_stored_locally_question_only_with_consent(
    page: Any, feedback: FeedbackStore
) -> None:
    before = len(feedback.rows())
    ask_in_browser(page, "where is the psoas located?")
    page.query_selector_all(f"{BOT} ~ * button[aria-label=Like], #chat button[aria-label=Like]")[
        -1
    ].click()
    page.wait_for_function("document.querySelector('#status').innerText.includes('Thank you')")
    page.check("#keep-question input")
    ask_in_browser(page, "what causes tight hip flexors?")
    page.query_selector_all("#chat button[aria-label=Dislike]")[-1].click()
    page.wait_for_function(
        "document.querySelector('#status').innerText.includes('with your question')"
    )
    rows = feedback.rows()[before:]
    assert [r["rating"] for r in rows] == [1, -1]
    assert rows[0]["question"] is None
    assert rows[1]["question"] == "what causes tight hip flexors?"
    assert "psoas" in str(rows[0]["citations"])


def test_summary_for_the_therapist(page: Any) -> None:
    ask_in_browser(page, "how do I do the glute bridge?")
    ask_in_browser(page, "I also have a fever and my hip hurts")
    page.click("#summary-button")
    page.wait_for_function("document.querySelector('#summary textarea').value.length > 0")
    summary = page.eval_on_selector("#summary textarea", "e => e.value")
    assert "Questions I asked:" in summary
    assert "how do I do the glute bridge?" in summary
    assert "Glute Bridge" in summary
    assert "Pain with fever, chills or unexplained weight loss" in summary
    link = page.wait_for_selector("#summary-download a[download]")
    assert link.get_attribute("download") == "summary-for-my-therapist.txt"
    # The file is made in the browser from the link itself: nothing on the server to fetch.
    href = link.get_attribute("href") or ""
    assert href.startswith("data:text/plain")
    assert "glute%20bridge" in href
    with page.expect_download() as download:
        link.click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert saved == summary


def test_two_people_chatting_at_once_stay_separate(browser: Any, url: str) -> None:
    first, second = browser.new_context(), browser.new_context()
    try:
        one, two = first.new_page(), second.new_page()
        for tab in (one, two):
            tab.goto(url)
            tab.wait_for_selector("#question textarea")
        ask_in_browser(one, "where is the psoas located?")
        ask_in_browser(two, "how do I do the bird dog exercise?")
        assert "psoas located" in one.inner_text("#chat")
        assert "bird dog" not in one.inner_text("#chat").lower().split("?")[0]
        assert "psoas located" not in two.inner_text("#chat")
        answer = ask_in_browser(two, "how long do I hold it?")  # follows two's own conversation
        assert "repetitions" in answer.inner_text() or "seconds" in answer.inner_text()
    finally:
        first.close()
        second.close()


def test_html_in_a_question_is_shown_as_text(page: Any) -> None:
    question = "<script>window.pwned = 1</script><img src=x onerror='window.pwned=2'> hip?"
    ask_in_browser(page, question)
    assert page.evaluate("window.pwned === undefined")
    assert "<script>window.pwned = 1</script>" in page.inner_text("#chat")


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 900), ("phone", 360, 740)])
def test_screenshots_and_no_horizontal_scroll(
    browser: Any, url: str, name: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        tab = context.new_page()
        tab.goto(url)
        tab.wait_for_selector("#question textarea")
        ask_in_browser(tab, "how long should I hold the kneeling hip flexor stretch?")
        OUTPUT.mkdir(parents=True, exist_ok=True)
        shot = OUTPUT / f"{name}.png"
        tab.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= width
    finally:
        context.close()


def test_keyboard_only(page: Any) -> None:
    """Focus starts in the question box; Enter asks; Tab reaches the summary button."""
    assert page.evaluate("document.activeElement.closest('#question') !== null")
    page.keyboard.type("where is the psoas located?")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{BOT} details.sources", timeout=30000)
    for _ in range(80):
        if page.evaluate("document.activeElement.id") == "summary-button":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "summary-button"
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#summary textarea').value.includes('psoas')")


@pytest.mark.parametrize(
    ("script", "shown", "drafts_on"),
    [
        pytest.param("good", "", True, id="verified-draft-becomes-the-answer"),
        pytest.param("miscited", "could not be verified", True, id="unverified-draft-is-replaced"),
        pytest.param("good", "", False, id="drafts-turned-off-show-only-the-checked-answer"),
    ],
)
def test_a_model_draft_streams_then_the_checked_answer_replaces_it(
    browser: Any, feedback: FeedbackStore, assistant: Assistant, openai_server: Any,
    script: str, shown: str, drafts_on: bool,
) -> None:  # fmt: skip
    base_url, _ = openai_server
    backed = answering_with(
        assistant,
        Settings(
            generator="openai", openai_base_url=base_url, openai_model=script,
            show_drafts=drafts_on,
        ),
    )  # fmt: skip
    settings = Settings(port=free_port())
    served = build_page(backed, feedback)
    serve(served, settings, block=False)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(f"http://127.0.0.1:{settings.port}/")
        tab.wait_for_selector("#question textarea")
        tab.evaluate(
            """() => { window.drafts = []; new MutationObserver(() => {
                const bots = document.querySelectorAll('#chat [data-testid=bot]');
                const last = bots[bots.length - 1];
                if (last) window.drafts.push(last.innerText);
            }).observe(document.querySelector('#chat'),
                       {subtree: true, childList: true, characterData: true}); }"""
        )
        answer = ask_in_browser(tab, "How long should I hold the kneeling hip flexor stretch?")
        drafts = tab.evaluate("window.drafts")
        drafted = any("Draft, not yet checked against the sources" in d for d in drafts)
        assert drafted == drafts_on
        final = answer.inner_text()
        assert "not yet checked" not in final
        assert answer.query_selector("details.sources") is not None
        assert answer.query_selector("a.cite") is not None
        if shown:
            assert shown in final
        else:
            assert "could not be verified" not in final
    finally:
        context.close()
        served.close()
