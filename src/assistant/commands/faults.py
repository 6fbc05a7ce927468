"""A fault suite for ingest: a real `assistant ingest` process killed with SIGKILL at a chosen
point, or after a chosen delay. Used by `tests/integration/test_faults.py` (named points) and
`benchmarks/faults.py` (every point, plus kills at spread-out moments).

The named points are reached by running the ingest command in a child process that first wraps
one function of the ingest path so that it kills its own process there (`python -m
assistant.commands.faults [--embeddings MODULE:FACTORY] POINT [ingest options]`): the kill is
the kernel's, so nothing is flushed, closed or cleaned up, exactly as when the power goes.
`--embeddings` hands the ingest a model made by that factory (the tests' deterministic fake)
instead of loading the real one; POINT `none` kills nowhere.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import Any


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def before(owner: Any, name: str) -> None:
    """Kill the process when `owner.name` is called, before it runs."""
    original = getattr(owner, name)

    @wraps(original)
    def killed(*args: Any, **kwargs: Any) -> Any:
        die()
        return original(*args, **kwargs)

    setattr(owner, name, killed)


def after(owner: Any, name: str) -> None:
    """Kill the process as soon as `owner.name` returns."""
    original = getattr(owner, name)

    @wraps(original)
    def killed(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        die()

    setattr(owner, name, killed)


def halfway_through_copy() -> None:
    """Kill once half of the copied (already embedded) chunks are written to the new index."""
    from assistant.indexing.store import Store

    original = Store.put

    def put(self: Store, chunks: Sequence[Any], vectors: Sequence[Sequence[float]]) -> None:
        half = len(chunks) // 2
        original(self, chunks[:half], vectors[:half])
        die()

    Store.put = put  # type: ignore[method-assign]


def after_two_batches() -> None:
    """Kill once two batches of freshly embedded chunks are written (batches of 8 here, so that
    the shipped corpus makes several)."""
    from assistant.indexing import store
    from assistant.indexing.store import Store

    store.BATCH = 8

    original = Store.add

    def add(self: Store, chunks: Sequence[Any], progress: Callable[[int], None]) -> None:
        done = [0]

        def counting(n: int) -> None:
            progress(n)
            done[0] += 1
            if done[0] == 2:
                die()

        original(self, chunks, counting)

    Store.add = add  # type: ignore[method-assign]


def after_two_sentence_batches() -> None:
    """Kill once two batches of freshly embedded sentence vectors are journaled (batches of 64
    here, so that the shipped corpus makes several)."""
    from assistant.indexing import sentence_vectors
    from assistant.indexing.sentence_journal import SentenceJournal

    sentence_vectors.BATCH = 64
    original = SentenceJournal.add
    done = [0]

    def add(self: SentenceJournal, texts: Sequence[str], matrix: Any) -> None:
        original(self, texts, matrix)
        done[0] += 1
        if done[0] == 2:
            die()

    SentenceJournal.add = add  # type: ignore[method-assign]


def install(point: str) -> None:
    """Arrange for this process to be killed at `point` (one of POINTS)."""
    from assistant.indexing import generations
    from assistant.indexing import ingest as indexing
    from assistant.indexing.generations import IndexHome

    installers: dict[str, Callable[[], None]] = {
        "before-first-write": lambda: before(IndexHome, "new_generation"),
        "mid-copy": halfway_through_copy,
        "mid-embedding": after_two_batches,
        "mid-sentences": after_two_sentence_batches,
        "before-switch": lambda: before(IndexHome, "switch"),
        "mid-switch": lambda: before(generations, "sync_folder"),
        "after-switch": lambda: after(indexing, "build_index"),
    }
    installers[point]()


# Where each named point sits in an ingest, in order; and whether the new index is in use then.
POINTS: dict[str, bool] = {
    "before-first-write": False,  # corpus read and chunked, lock held, nothing written
    "mid-copy": False,  # half the reused vectors written into the new generation
    "mid-embedding": False,  # two batches of new chunks embedded and written
    "mid-sentences": False,  # every chunk written, two batches of sentence vectors journaled
    "before-switch": False,  # the new generation complete, the pointer not yet moved
    "mid-switch": True,  # the pointer replaced, the folder not yet synced, old ones not removed
    "after-switch": True,  # ingest done, before the command printed its report
}


def ingest_command(
    point: str | None, options: Sequence[str], embeddings: str | None = None
) -> list[str]:
    """The command line of an ingest child, killed at `point` (None: not at a named point),
    embedding with the model `embeddings` (MODULE:FACTORY) makes, else the real one."""
    if point is None and embeddings is None:
        return [sys.executable, "-m", "assistant", "ingest", *options]
    given = ["--embeddings", embeddings] if embeddings else []
    return [sys.executable, "-m", "assistant.commands.faults", *given, point or "none", *options]


def kill_at(
    point: str, env: Mapping[str, str], options: Sequence[str] = (), embeddings: str | None = None
) -> int:
    """Run an ingest child that kills itself at `point`; its exit status (-9 when killed)."""
    done = subprocess.run(
        ingest_command(point, options, embeddings),
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )
    return done.returncode


def kill_after(
    seconds: float,
    env: Mapping[str, str],
    options: Sequence[str] = (),
    *,
    index_dir: Path | None = None,
) -> tuple[int, float]:
    """Run an ingest child and SIGKILL it `seconds` after it started — or, given `index_dir`,
    after its new generation folder appeared there (its first write) — unless it finished
    first. Its exit status, and how long it ran from that start."""
    before = set(index_dir.glob("gen-*")) if index_dir else set()
    child = subprocess.Popen(
        ingest_command(None, options),
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    began = time.perf_counter()
    while index_dir and child.poll() is None:
        if set(index_dir.glob("gen-*")) - before:
            began = time.perf_counter()
            break
        time.sleep(0.005)
    while child.poll() is None and time.perf_counter() - began < seconds:
        time.sleep(0.005)
    if child.poll() is None:
        child.kill()
    status = child.wait(timeout=600)
    return status, time.perf_counter() - began


def ingest_env(corpus_dir: Path, data_dir: Path) -> dict[str, str]:
    """The environment of an ingest child on that corpus and data folder."""
    return {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(corpus_dir),
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_INGEST_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }


def main(argv: Sequence[str]) -> None:
    """Child entry: install the kill point, then run `assistant ingest` with the options (and
    the model `--embeddings MODULE:FACTORY` makes, if given)."""
    import importlib

    from assistant.cli import main as command

    obj: dict[str, Any] = {}
    if argv[0] == "--embeddings":
        module, _, factory = argv[1].partition(":") if len(argv) > 1 else ("", "", "")
        if not (module and factory):
            raise SystemExit("--embeddings wants MODULE:FACTORY")
        obj["embeddings"] = getattr(importlib.import_module(module), factory)()
        argv = argv[2:]
    if argv[0] != "none":
        install(argv[0])
    command(args=["ingest", *argv[1:]], prog_name="assistant", obj=obj)


if __name__ == "__main__":
    main(sys.argv[1:])
