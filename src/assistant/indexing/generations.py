"""The index folder as generations: every ingest that changes anything builds a complete Chroma
folder beside the one in use, then switches to it by atomically replacing a small pointer file.

So a reader never sees a half-built or mixed index: a killed ingest leaves the previous
generation answering (the next ingest discards the unfinished one and reuses its vectors), an
interrupted first build is finished by the next start, and a running app sees the switch at its
next question (`stamp`). Only one ingest runs at a time (a lock file); the previous generation
is kept until the next switch, so an app still reading it is not cut off mid-answer.

With a Chroma server the generations and the pointer live on the server (`Registry`), and the
folder keeps, per generation, what this machine derived from it; the lock guards this machine
only (README, "More than one machine").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from assistant.errors import IngestBusyError

POINTER = "CURRENT"
LOCK = "ingest.lock"
GENERATION = re.compile(r"^gen-\d+-\d+$")
LEGACY = "chroma.sqlite3"  # an index built before generations: Chroma's files in the folder itself


class Registry(Protocol):
    """Where a Chroma server keeps the generations and the pointer (`registry.ServerRegistry`)."""

    def pointer(self) -> str: ...
    def point(self, generation: str) -> None: ...
    def generations(self) -> list[str]: ...
    def drop(self, generation: str) -> None: ...


class IndexHome:
    """The folder that holds the index generations, the pointer to the current one and the
    ingest lock (with a server `registry`: the generations and pointer are the server's)."""

    def __init__(self, root: Path, registry: Registry | None = None) -> None:
        self.root = root
        self.registry = registry

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

    @contextlib.contextmanager
    def lock(self, *, wait: bool) -> Iterator[None]:
        """Hold the ingest lock; without `wait`, refuse at once when another ingest holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as exc:
                raise IngestBusyError(
                    f"another ingest is running on {self.root}; wait for it to finish and try again"
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


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
