"""Process-wide state that entry points and the start set: collection paused while a start
builds, and resumed exactly as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from assistant.process import collecting_later


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()


@pytest.mark.usefixtures("collector")
def test_collection_pauses_inside_and_resumes_after() -> None:
    gc.enable()
    with collecting_later():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector")
def test_collection_resumes_after_a_failure_too() -> None:
    gc.enable()
    with pytest.raises(ValueError, match="broken"), collecting_later():
        raise ValueError("broken")
    assert gc.isenabled()


@pytest.mark.usefixtures("collector")
def test_a_collector_already_paused_by_the_caller_stays_paused() -> None:
    gc.disable()

    @collecting_later()
    def build() -> bool:
        return gc.isenabled()

    assert build() is False
    assert not gc.isenabled()
