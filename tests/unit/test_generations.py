"""The index folder's generations: an atomic switch, what is kept, the ingest lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.errors import IndexUnreadableError, IngestBusyError
from assistant.indexing.generations import LEGACY, POINTER, IndexHome
from assistant.indexing.ingest import checked


def filled(home: IndexHome) -> Path:
    path = home.new_generation()
    (path / "data").write_text("vectors", encoding="utf-8")
    return path


def test_nothing_is_current_until_a_generation_is_switched_to(tmp_path: Path) -> None:
    home = IndexHome(tmp_path / "index")
    assert home.current() is None
    assert home.stamp() == ""
    built = filled(home)
    assert home.current() is None  # an unfinished build is never read
    home.switch(built)
    assert home.current() == built
    assert home.stamp() == built.name


def test_a_switch_keeps_the_previous_generation_and_drops_older_and_unfinished_ones(
    tmp_path: Path,
) -> None:
    home = IndexHome(tmp_path)
    first = filled(home)
    home.switch(first)
    unfinished = filled(home)  # what a killed ingest leaves
    second = filled(home)
    home.switch(second)
    assert {p.name for p in tmp_path.glob("gen-*")} == {first.name, second.name}
    assert not unfinished.exists()
    assert home.unfinished() == [first]
    third = filled(home)
    home.switch(third)
    assert {p.name for p in tmp_path.glob("gen-*")} == {second.name, third.name}


def test_the_stamp_changes_exactly_when_the_generation_does(tmp_path: Path) -> None:
    home = IndexHome(tmp_path)
    home.switch(filled(home))
    before = home.stamp()
    filled(home)
    assert home.stamp() == before
    home.switch(filled(home))
    assert home.stamp() != before


def test_the_pointer_is_replaced_whole_never_written_in_place(tmp_path: Path) -> None:
    home = IndexHome(tmp_path)
    home.switch(filled(home))
    pointer = tmp_path / POINTER
    inode = pointer.stat().st_ino
    home.switch(filled(home))
    assert pointer.stat().st_ino != inode  # a rename: a reader sees the old name or the new
    assert not list(tmp_path.glob(f"{POINTER}.*"))


def test_a_pointer_to_a_missing_or_odd_folder_counts_as_none(tmp_path: Path) -> None:
    home = IndexHome(tmp_path)
    (tmp_path / POINTER).write_text("gen-1-1\n", encoding="ascii")
    assert home.current() is None
    (tmp_path / POINTER).write_text("../elsewhere\n", encoding="ascii")
    (tmp_path.parent / "elsewhere").mkdir(exist_ok=True)
    assert home.current() is None


def test_a_legacy_index_is_read_until_a_generation_replaces_it(tmp_path: Path) -> None:
    (tmp_path / LEGACY).write_bytes(b"sqlite")
    segment = tmp_path / "0b4e2a9c-1f2d-4c3b-9a8e-7d6c5b4a3f2e"
    segment.mkdir()
    (tmp_path / "feedback-notes.txt").write_text("not Chroma's", encoding="utf-8")
    home = IndexHome(tmp_path)
    assert home.current() == tmp_path
    home.switch(filled(home))
    assert not (tmp_path / LEGACY).exists()
    assert not segment.exists()
    assert (tmp_path / "feedback-notes.txt").exists()


def test_a_second_ingest_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    home = IndexHome(tmp_path)
    busy = pytest.raises(IngestBusyError, match="another ingest is running")
    with home.lock(wait=False), busy, IndexHome(tmp_path).lock(wait=False):
        pass
    with home.lock(wait=False):  # released: the next one runs
        pass


def test_tidying_spares_the_folder_of_an_ingest_running_here(tmp_path: Path) -> None:
    home = IndexHome(tmp_path)
    old, current = filled(home), filled(home)
    with home.lock(wait=False):
        being_built = filled(home)
        IndexHome(tmp_path).tidy({current})  # a start, while this ingest fills its folder
        assert being_built.exists()
        assert old.exists()
    IndexHome(tmp_path).tidy({current})  # no ingest now: every other folder goes
    assert [p.name for p in tmp_path.glob("gen-*")] == [current.name]


class FakeRegistry:
    """A Chroma server's generations and pointer, in memory."""

    def __init__(self, *names: str) -> None:
        self.names = list(names)
        self.current = ""

    def pointer(self) -> str:
        return self.current

    def point(self, generation: str) -> None:
        self.current = generation

    def generations(self) -> list[str]:
        return sorted(self.names)

    def drop(self, generation: str) -> None:
        self.names.remove(generation)

    # The ingest lease: its holder ("" when free), the holders it was claimed by, in order.
    holder = ""
    claims: list[str]

    def claim(self, owner: str) -> str:
        self.claims = [*getattr(self, "claims", []), owner]
        if self.holder:
            return self.holder
        self.holder = owner
        return ""

    def renew(self, owner: str) -> bool:
        return self.holder == owner

    def release(self, owner: str) -> None:
        if self.holder == owner:
            self.holder = ""


def test_with_a_server_the_pointer_and_generations_are_the_servers(tmp_path: Path) -> None:
    registry = FakeRegistry("gen-1-1", "gen-2-1", "gen-3-1")
    home = IndexHome(tmp_path, registry)
    assert home.current() is None
    registry.current = "gen-2-1"
    # A generation another machine built: current before this machine holds a folder for it.
    assert home.current() == tmp_path / "gen-2-1"
    assert home.stamp() == "gen-2-1"
    assert home.unfinished() == [tmp_path / "gen-1-1", tmp_path / "gen-3-1"]


def test_with_a_server_a_switch_keeps_only_the_new_and_the_replaced_generation(
    tmp_path: Path,
) -> None:
    registry = FakeRegistry("gen-1-1", "gen-2-1", "gen-3-1")
    registry.current = "gen-2-1"
    for name in ("gen-1-1", "gen-2-1", "gen-3-1"):
        (tmp_path / name).mkdir()
    home = IndexHome(tmp_path, registry)
    home.switch(tmp_path / "gen-3-1")
    assert registry.pointer() == "gen-3-1"
    assert registry.generations() == ["gen-2-1", "gen-3-1"]
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-2-1", "gen-3-1"]
    assert not (tmp_path / POINTER).exists()  # the pointer is the server's alone


def test_with_a_server_an_ingest_holds_its_lease_and_lets_go(tmp_path: Path) -> None:
    registry = FakeRegistry()
    home = IndexHome(tmp_path, registry)
    with home.lock(wait=False):
        assert registry.holder == home.owner != ""
        (tmp_path / "gen-1-1").mkdir()
        home.switch(tmp_path / "gen-1-1")  # still its own: the switch goes ahead
    assert registry.holder == ""
    assert registry.pointer() == "gen-1-1"


def test_with_a_server_another_machines_ingest_is_refused_by_name(tmp_path: Path) -> None:
    registry = FakeRegistry()
    registry.holder = "clinic-b pid 7 0a1b2c3d"
    busy = pytest.raises(IngestBusyError, match=r"another ingest is running .*\(clinic-b pid 7")
    with busy, IndexHome(tmp_path, registry).lock(wait=False):
        pass
    assert registry.holder == "clinic-b pid 7 0a1b2c3d"  # not taken, not released
    with IndexHome(tmp_path).lock(wait=False):  # this machine's lock was let go too
        pass


def test_with_a_server_a_waiting_ingest_asks_again_until_the_lease_is_free(
    tmp_path: Path,
) -> None:
    registry = FakeRegistry()
    registry.holder = "clinic-b pid 7 0a1b2c3d"
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            registry.release("clinic-b pid 7 0a1b2c3d")  # the other machine finishes

    home = IndexHome(tmp_path, registry, sleep=sleep)
    with home.lock(wait=True):
        assert registry.holder == home.owner
    assert waits == [2.0, 2.0, 2.0]
    assert len(registry.claims) == 4


def test_with_a_server_a_lease_taken_over_meanwhile_stops_the_switch(tmp_path: Path) -> None:
    registry = FakeRegistry("gen-1-1")
    registry.current = "gen-1-1"
    (tmp_path / "gen-1-1").mkdir()
    (tmp_path / "gen-2-1").mkdir()
    home = IndexHome(tmp_path, registry)
    with home.lock(wait=False):
        registry.holder = "clinic-b pid 7 0a1b2c3d"  # this one was thought stopped
        with pytest.raises(IngestBusyError, match="took over"):
            home.switch(tmp_path / "gen-2-1")
    assert registry.pointer() == "gen-1-1"
    assert registry.holder == "clinic-b pid 7 0a1b2c3d"  # not released by the loser


class LostAtTheEnd(FakeRegistry):
    """A server that stops answering as the ingest lets go of its lease."""

    def release(self, owner: str) -> None:
        raise IndexUnreadableError("the Chroma server at http://db:8000 cannot be reached")


def test_with_a_server_failing_at_the_end_a_finished_ingest_still_succeeds(
    tmp_path: Path,
) -> None:
    registry = LostAtTheEnd()
    home = IndexHome(tmp_path, registry)
    with home.lock(wait=False):
        pass  # the lease is left to go stale; the ingest's result stands
    assert home.owner == ""
    assert registry.holder != ""  # (left behind, as said)


class Flaky(FakeRegistry):
    """A server whose every other renewal fails with `error`."""

    renewals = 0

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__()
        self.error = error or IndexUnreadableError("the Chroma server at http://db:8000 failed")

    def renew(self, owner: str) -> bool:
        self.renewals += 1
        if self.renewals % 2:
            raise self.error
        return super().renew(owner)


def test_with_a_server_a_held_lease_is_renewed_through_failed_renewals(tmp_path: Path) -> None:
    registry = Flaky()
    home = IndexHome(tmp_path, registry, renew_every=0.01)
    with home.lock(wait=False):
        deadline = time.monotonic() + 5
        while registry.renewals < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert registry.holder == home.owner  # still held after the failed ones
    assert registry.renewals >= 4
    assert registry.holder == ""


def test_with_a_server_a_renewal_that_finds_another_holder_stops_the_ingest_at_once(
    tmp_path: Path,
) -> None:
    registry = FakeRegistry()
    home = IndexHome(tmp_path, registry, renew_every=0.01)
    with home.lock(wait=False):
        home.check_lease()  # held: the ingest goes on
        registry.holder = "clinic-b pid 7 0a1b2c3d"  # took it over
        assert home.lost.wait(5)
        with pytest.raises(IngestBusyError, match="took over"):
            home.check_lease()
    assert registry.holder == "clinic-b pid 7 0a1b2c3d"  # not released by the loser
    with pytest.raises(IngestBusyError, match="took over"):
        home.check_lease()  # nor forgotten before its switch


def test_progress_checked_runs_the_check_before_each_step() -> None:
    steps: list[int] = []
    calls = iter([None, None, IngestBusyError("took over")])

    def check() -> None:
        result = next(calls)
        if result is not None:
            raise result

    step = checked(lambda total, unit: steps.append, check)(3, "chunk")
    step(1)
    step(1)
    with pytest.raises(IngestBusyError):
        step(1)
    assert steps == [1, 1]


class Late(FakeRegistry):
    """A server whose renewals answer late while `slow` is set (a request stuck on the
    network outlives the lease it renews)."""

    def __init__(self) -> None:
        super().__init__()
        self.slow, self.answered = threading.Event(), threading.Event()

    def renew(self, owner: str) -> bool:
        if self.slow.is_set():
            time.sleep(6.0)  # past the 5 s a lease waits for its renewals to end
            self.answered.set()
        return self.holder == owner


def test_a_late_renewal_of_an_earlier_lease_does_not_stop_the_next_ingest(
    tmp_path: Path,
) -> None:
    registry = Late()
    home = IndexHome(tmp_path, registry, renew_every=0.05)
    with home.lock(wait=False):
        registry.slow.set()
        time.sleep(0.2)  # a renewal is in flight as the ingest ends
    registry.slow.clear()
    with home.lock(wait=False):  # the next ingest through the same home
        assert registry.answered.wait(10)  # the late one answered: "not yours any more"
        time.sleep(0.2)
        home.check_lease()  # still this ingest's lease


def test_a_renewal_that_fails_oddly_does_not_end_the_renewals(tmp_path: Path) -> None:
    # A reply Chroma's client raises as a bare Exception (a proxy's error page).
    registry = Flaky(Exception("<html>502 Bad Gateway</html>"))
    home = IndexHome(tmp_path, registry, renew_every=0.01)
    with home.lock(wait=False):
        deadline = time.monotonic() + 5
        while registry.renewals < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        registry.holder = "clinic-b pid 7 0a1b2c3d"  # then taken over
        assert home.lost.wait(5)
    assert registry.renewals >= 3
