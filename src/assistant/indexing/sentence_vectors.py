"""Every source sentence's vector — alone, and read under its section heading — computed at
ingest and kept in the generation's folder, so a start (or the switch to a new generation)
reads them instead of embedding the whole corpus again. An ingest embeds only sentences no
earlier generation holds: a changed document costs its own new sentences.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.indexing.chunking import Chunk
from assistant.indexing.embeddings import Embed
from assistant.text.sentences import split_sentences

TEXTS, VECTORS = "sentences.json", "sentences.npy"
FILES = (TEXTS, VECTORS)
BATCH = 1024  # sentences embedded per call and progress step (sorted by length inside)


Spans = Mapping[str, Sequence[tuple[int, int]]]  # chunk id → its sentences' spans in its text


def sentence_spans(chunks: Iterable[Chunk]) -> dict[str, list[tuple[int, int]]]:
    """Each chunk's sentence spans (split once, for every view below)."""
    return {c.chunk_id: split_sentences(c.text) for c in chunks}


def plain_sentences(chunks: Collection[Chunk], spans: Spans | None = None) -> list[str]:
    """Each distinct sentence of the chunks, sorted."""
    spans = spans or sentence_spans(chunks)
    return sorted({c.text[a:b] for c in chunks for a, b in spans[c.chunk_id]})


def headed_sentences(chunks: Collection[Chunk], spans: Spans | None = None) -> list[str]:
    """Each distinct sentence read under its heading ("Glute Bridge: Hold for 10-20 seconds."),
    sorted: a dose answers "bridge pose hold time" only as part of its exercise."""
    spans = spans or sentence_spans(chunks)
    return sorted(
        {
            f"{c.section}: {c.text[a:b]}" if c.section else c.text[a:b]
            for c in chunks
            for a, b in spans[c.chunk_id]
        }
    )


class SentenceVectors:
    """Texts with their unit-length vectors (a float32 row each)."""

    def __init__(self, texts: Sequence[str], matrix: np.ndarray) -> None:
        self.texts = list(texts)
        self.matrix = matrix
        self.row = {text: i for i, text in enumerate(self.texts)}

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors held for those of `texts` this holds."""
        return {t: self.matrix[self.row[t]] for t in texts if t in self.row}

    def rows(self, texts: Sequence[str]) -> np.ndarray:
        """A matrix of `texts`' vectors, in order (each must be held)."""
        return self.matrix[[self.row[t] for t in texts]] if texts else self.matrix[:0]

    def save(self, folder: Path) -> None:
        """Write them into a generation's folder."""
        np.save(folder / VECTORS, self.matrix.astype(np.float32))
        (folder / TEXTS).write_text(json.dumps(self.texts), encoding="utf-8")

    @staticmethod
    def present(folder: Path) -> bool:
        """Whether a generation's folder holds sentence vectors (without reading them)."""
        return (folder / TEXTS).is_file() and (folder / VECTORS).is_file()

    @classmethod
    def load(cls, folder: Path) -> SentenceVectors | None:
        """Those a generation's folder holds; None when it holds none (built before they were
        kept) or they do not match."""
        try:
            texts = json.loads((folder / TEXTS).read_text(encoding="utf-8"))
            matrix = np.load(folder / VECTORS)
        except (OSError, ValueError):
            return None
        if matrix.ndim != 2 or len(matrix) != len(texts):
            return None
        return cls(texts, matrix)


class SentenceRows(Mapping[str, list[float]]):
    """Texts' vectors read as lists of floats, a row at a time when asked: a mapping over the
    matrix, where a dict of every row as Python floats would take ~8 times its memory (a real
    library of 100,000 chunks has about 400,000 plain sentences)."""

    def __init__(self, texts: Sequence[str], matrix: np.ndarray) -> None:
        if len(texts) != len(matrix):
            raise ValueError(f"{len(texts)} texts for {len(matrix)} vectors")
        self.matrix = matrix
        self.row = {text: i for i, text in enumerate(texts)}

    def __getitem__(self, text: str) -> list[float]:
        return self.matrix[self.row[text]].tolist()  # type: ignore[no-any-return]

    def __contains__(self, text: object) -> bool:
        return text in self.row

    def __iter__(self) -> Iterator[str]:
        return iter(self.row)

    def __len__(self) -> int:
        return len(self.row)


def derive_sentence_vectors(
    chunks: Sequence[Chunk],
    embed: Embed,
    donors: Sequence[SentenceVectors] = (),
    progress: Callable[[int], Callable[[int], None]] | None = None,
    spans: Spans | None = None,
    keep: Callable[[Sequence[str], np.ndarray], None] | None = None,
) -> SentenceVectors:
    """Vectors for every plain and headed sentence of `chunks` (`spans`: their sentences, if
    already split): those a donor holds copied, the rest embedded (`progress(how many)` gives
    the reporter of that; `keep` is handed each embedded batch, before it is reported)."""
    spans = spans or sentence_spans(chunks)
    texts = sorted(set(plain_sentences(chunks, spans)) | set(headed_sentences(chunks, spans)))
    found: dict[str, np.ndarray] = {}
    for donor in donors:
        found.update(donor.get([t for t in texts if t not in found]))
    missing = [t for t in texts if t not in found]
    advance = progress(len(missing)) if progress and missing else (lambda n: None)
    for first in range(0, len(missing), BATCH):
        batch = missing[first : first + BATCH]
        embedded = np.array(embed(batch), dtype=np.float32)
        found.update(zip(batch, embedded, strict=True))
        if keep:
            keep(batch, embedded)
        advance(len(batch))
    width = len(next(iter(found.values()))) if found else 0
    matrix = np.array([found[t] for t in texts], dtype=np.float32).reshape(len(texts), width)
    return SentenceVectors(texts, matrix)


def complete(
    held: SentenceVectors | None,
    texts: Sequence[str],
    embed: Embed,
) -> SentenceVectors:
    """`held` with every one of `texts` it lacks embedded now (all of them when None)."""
    held = held or SentenceVectors([], np.zeros((0, 0), dtype=np.float32))
    missing = sorted({t for t in texts if t not in held.row})
    if not missing:
        return held
    fresh = np.array(embed(missing), dtype=np.float32)
    matrix = np.vstack([held.matrix, fresh]) if len(held.texts) else fresh
    return SentenceVectors([*held.texts, *missing], matrix)
