"""How a command's failure reaches the user: one line, the progress bar it interrupted ended."""

from __future__ import annotations

import click
import pytest

from assistant.commands import shared
from assistant.commands.shared import progress_bar, user_errors
from assistant.errors import CorpusError
from assistant.settings import Settings


def test_a_failure_mid_embedding_ends_the_bar_then_says_one_line() -> None:
    advance = progress_bar(100, "chunk")
    advance(10)
    bar = shared.RUNNING[-1]
    with pytest.raises(click.ClickException, match=r"^notes\.md: not UTF-8$"), user_errors(False):
        raise CorpusError("notes.md: not UTF-8")
    assert not bar.live.is_started
    assert shared.RUNNING == []


def test_a_finished_bar_is_no_longer_running() -> None:
    advance = progress_bar(3, "sentence")
    advance(3)
    assert shared.RUNNING == []


@pytest.mark.parametrize(
    ("error", "debug", "shown"),
    [
        pytest.param(
            ValueError("bad\n value"),
            False,
            "ValueError: bad value (rerun with --debug)",
            id="bug-as-one-line",
        ),
        pytest.param(CorpusError("a.md is empty"), False, "a.md is empty", id="user-error"),
    ],
)
def test_messages(error: Exception, debug: bool, shown: str) -> None:
    with pytest.raises(click.ClickException) as raised, user_errors(debug):
        raise error
    assert raised.value.message == shown


def test_with_debug_a_bug_keeps_its_traceback() -> None:
    with pytest.raises(ValueError, match="bad"), user_errors(True):
        raise ValueError("bad")


def test_a_bad_setting_is_named_by_its_variable_even_with_debug() -> None:
    with pytest.raises(click.ClickException, match="ASSISTANT_TOP_K"), user_errors(True):
        Settings(top_k=0)


def test_an_interrupt_is_not_turned_into_a_message() -> None:
    with pytest.raises(KeyboardInterrupt), user_errors(False):
        raise KeyboardInterrupt
