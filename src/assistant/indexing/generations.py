"""The index folder as generations: every ingest that changes anything builds a complete Chroma
folder beside the one in use, then switches to it by atomically replacing a small pointer file.

So a reader never sees a half-built or mixed index: a killed ingest leaves the previous
generation answering (the next ingest discards the unfinished one and reuses its vectors), an
interrupted first build is finished by the next start, and a running app sees the switch at its
next question (`stamp`). Only one ingest runs at a time (a lock file); the previous generation
is kept until the next switch, so an app still reading it is not cut off mid-answer.

With a Chroma server the generations and the pointer live on the server (`Registry`), and the
folder keeps, per generation, what this machine derived from it; beside this machine's lock an
ingest then holds the server's lease, so one machine at a time ingests into a shared index
(README, "More than one machine").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from assistant.errors import AssistantError, IngestBusyError

POINTER = "CURRENT"
LOCK = "ingest.lock"
GENERATION = re.compile(r"^gen-\d+-\d+$")
LEGACY = "chroma.sqlite3"  # an index built before generations: Chroma's files in the folder itself
RENEW_SECONDS = 15.0  # how often a held server lease is renewed (it goes stale after 120 s)
POLL_SECONDS = 2.0  # how often a waiting ingest asks for the server lease again


class Registry(Protocol):
    """Where a Chroma server keeps the generations and the pointer (`registry.ServerRegistry`)."""

    def pointer(self) -> str: ...
    def point(self, generation: str) -> None: ...
    def generations(self) -> list[str]: ...
    def drop(self, generation: str) -> None: ...
    def claim(self, owner: str) -> str: ...
    def renew(self, owner: str) -> bool: ...
    def release(self, owner: str) -> None: ...


class IndexHome:
    """The folder that holds the index generations, the pointer to the current one and the
    ingest lock (with a server `registry`: the generations and pointer are the server's)."""

    def __init__(
        self,
        root: Path,
        registry: Registry | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        renew_every: float = RENEW_SECONDS,
    ) -> None:
        self.root = root
        self.registry = registry
        self.sleep = sleep  # (between asks for the server lease)
        self.renew_every = renew_every
        self.owner = ""  # this ingest's name on the server lease, while it holds it
        self.lost = threading.Event()  # set when a renewal finds another holder

    def current(self) -> Path | None:
        """The generation in use: the one the pointer names, else a legacy index in the folder
        itself, else None (nothing finished yet). With a server, its folder here may not have
        been made yet."""
        name = self.stamp()
        if GENERATION.match(name) and (self.registry or (self.root / name).is_dir()):
            return self.root / name
        if self.registry is None and (self.root / LEGACY).is_file():
            return self.root
        return None

    def stamp(self) -> str:
        """What the pointer says ("" when there is none): it changes exactly when a new
        generation is switched to."""
        if self.registry is not None:
            return self.registry.pointer()
        try:
            return (self.root / POINTER).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return ""

    def unfinished(self) -> list[Path]:
        """Every generation but the current one: the one it replaced, and any a killed ingest
        left unfinished (their vectors are still good to reuse)."""
        current = self.current()
        if self.registry is not None:
            names = [n for n in self.registry.generations() if GENERATION.match(n)]
            return [self.root / n for n in names if self.root / n != current]
        return [
            path
            for path in sorted(self.root.glob("gen-*"))
            if path.is_dir() and GENERATION.match(path.name) and path != current
        ]

    def new_generation(self) -> Path:
        """A fresh, empty folder for the next generation."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"gen-{time.time_ns()}-{os.getpid()}"
        path.mkdir(mode=0o700)
        return path

    def switch(self, generation: Path) -> None:
        """Make `generation` current in one atomic step, then drop all but it and the one it
        replaces."""
        previous = self.current()
        if self.registry is not None:
            if self.owner and not self.registry.renew(self.owner):
                self.lost.set()
            self.check_lease()
            self.registry.point(generation.name)
            for name in self.registry.generations():
                if name not in {generation.name, previous and previous.name}:
                    self.registry.drop(name)
            self.prune({generation, previous})
            return
        temporary = self.root / f"{POINTER}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(generation.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / POINTER)
        sync_folder(self.root)
        for stray in self.root.glob(f"{POINTER}.*.tmp"):  # a pointer a killed switch never moved
            stray.unlink(missing_ok=True)
        self.prune({generation, previous})
        if previous != self.root:  # a legacy index's files, once a generation replaced it
            return
        for path in self.root.iterdir():
            if path.name == LEGACY or (path.is_dir() and is_chroma_segment(path.name)):
                remove(path)

    def prune(self, keep: set[Path | None]) -> None:
        """Delete every generation folder but those in `keep`."""
        for path in self.root.glob("gen-*"):
            if path not in keep and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    def tidy(self, keep: set[Path | None]) -> None:
        """`prune`, unless an ingest on this machine holds the lock: the folder it is filling
        is not yet on the server, so it looks like an old one; that ingest's switch prunes."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            try:
                self.prune(keep)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def lock(self, *, wait: bool) -> Iterator[None]:
        """Hold the ingest lock (and a server's lease); without `wait`, refuse at once when
        another ingest holds either."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as exc:
                raise IngestBusyError(
                    f"another ingest is running on {self.root}; wait for it to finish and try again"
                ) from exc
            try:
                with self.lease(wait=wait):
                    yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def check_lease(self) -> None:
        """Stop an ingest whose server lease another ingest took over (it went 2 minutes
        without renewing it): called before its switch, and at each step of its work, so that
        it does not embed on for nothing beside the one that took over."""
        if self.lost.is_set():
            raise IngestBusyError(
                "another ingest took over the Chroma server's lease while this one went "
                "2 minutes without renewing it; nothing was switched: run the ingest again"
            )

    @contextlib.contextmanager
    def lease(self, *, wait: bool) -> Iterator[None]:
        """With a server: hold its ingest lease, renewed while held, so that one machine at a
        time ingests into the shared index (nothing without one)."""
        if self.registry is None:
            yield
            return
        registry = self.registry
        owner = f"{socket.gethostname()} pid {os.getpid()} {uuid.uuid4().hex[:8]}"
        while holder := registry.claim(owner):
            if not wait:
                raise IngestBusyError(
                    f"another ingest is running on the index's Chroma server ({holder}); wait "
                    "for it to finish and try again (a machine that stopped mid-ingest lets go "
                    "after 2 minutes)"
                )
            self.sleep(POLL_SECONDS)
        # An Event of this lease's own: a renewal of an earlier lease that returns late must
        # not stop the next ingest.
        stop, self.lost = threading.Event(), threading.Event()
        renewing = threading.Thread(target=self._renew, args=(owner, stop, self.lost), daemon=True)
        self.owner = owner
        renewing.start()
        try:
            yield
        finally:
            stop.set()
            renewing.join(timeout=5.0)  # (a renewal stuck on the network must not hold this up)
            self.owner = ""
            # Best effort: a server that fails now must not turn a finished ingest (or its own
            # error) into this one; a lease left behind goes stale in 2 minutes.
            with contextlib.suppress(AssistantError):
                registry.release(owner)

    def _renew(self, owner: str, stop: threading.Event, lost: threading.Event) -> None:
        assert self.registry is not None
        while not stop.wait(self.renew_every):
            try:
                if not self.registry.renew(owner):
                    lost.set()
                    return
            except Exception:
                # A server hiccup (or a reply Chroma's client cannot read, which it raises as a
                # bare Exception): the next renewal may pass; a thread that died here would
                # let the lease go stale without this ingest ever learning it.
                continue


def is_chroma_segment(name: str) -> bool:
    """Chroma keeps each collection's vectors in a folder named by a UUID."""
    return bool(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", name))


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def sync_folder(path: Path) -> None:
    """Make a rename inside `path` durable (a power cut after it keeps it)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
