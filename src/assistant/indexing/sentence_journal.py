"""The sentence vectors an unfinished ingest has embedded so far, kept batch by batch in its
generation's folder: an ingest that is killed, or stopped by a lost lease, while it embeds
sentences leaves them there, and the next ingest copies them instead of embedding them again
(as it does the chunk vectors Chroma already stored). The finished generation's
`sentences.npy`/`.json` replace the journal.

Each batch is one `.npz` file (its texts and their vectors) written beside its final name and
renamed into place, so a kill leaves whole batches only; a file that cannot be read (a power
cut before the data reached the disk) is skipped, its sentences embedded again.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.indexing.sentence_vectors import SentenceVectors

JOURNAL = "sentences.partial"


class SentenceJournal:
    """The journal of one generation's folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / JOURNAL

    def add(self, texts: Sequence[str], matrix: np.ndarray) -> None:
        """Keep one embedded batch."""
        self.path.mkdir(exist_ok=True)
        number = sum(1 for _ in self.path.glob("*.npz"))
        final = self.path / f"{number:06d}.npz"
        partial = final.with_suffix(".tmp")
        with open(partial, "wb") as handle:
            # The texts as UTF-8 JSON bytes: a fixed-width string array pads every text to
            # the longest, four bytes a character.
            names = np.frombuffer(json.dumps(list(texts)).encode("utf-8"), dtype=np.uint8)
            np.savez(handle, texts=names, vectors=matrix)
        os.replace(partial, final)

    def load(self) -> SentenceVectors | None:
        """Every whole batch kept, as one set of vectors; None when there is none."""
        texts: list[str] = []
        rows: list[np.ndarray] = []
        for path in sorted(self.path.glob("*.npz")):
            try:
                with np.load(path, allow_pickle=False) as batch:
                    names = json.loads(batch["texts"].tobytes().decode("utf-8"))
                    vectors = batch["vectors"]
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
                continue
            if vectors.ndim != 2 or len(vectors) != len(names):
                continue
            if rows and vectors.shape[1] != rows[0].shape[1]:
                continue
            texts.extend(names)
            rows.append(vectors.astype(np.float32))
        return SentenceVectors(texts, np.vstack(rows)) if rows else None

    def remove(self) -> None:
        """Delete the journal (the generation's whole sentence vectors are written)."""
        shutil.rmtree(self.path, ignore_errors=True)
