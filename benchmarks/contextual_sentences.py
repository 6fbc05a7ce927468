"""What the sentence vectors would cost, and change, if ingest pooled them from the chunk pass.

Run: `python benchmarks/contextual_sentences.py [--size N] [--eval]`. An experiment for the
owner's decision on issue 13's "ingest ≥ 90% of the raw encoder", not a feature: the app does
not use it.

Today every source sentence is embedded on its own, and again under its heading (README, "Speed
at scale"), which is what keeps ingest below the raw encoder. The alternative measured here
("late chunking"): run each chunk through the model once, as ingest already does for the chunk's
own vector, keep its token states, and take a sentence's vector as the unit-length mean of its
own tokens' states — read in the context of its chunk and heading, so one vector serves the
sentence alone and headed. The chunk's vector (the mean of all its tokens) is the same as today.

Prints, on a generated corpus of about `--size` chunks (seeded, `evaluation/synthetic.py`):
chunks/s of the raw encoder, of the chunk pass that also keeps token states, and of today's
sentence embedding; and how close the pooled vectors are to today's. With `--eval`, it ingests
the five articles, runs `assistant eval` on today's index and on the same index with the pooled
sentence vectors swapped in (no model retrained), and prints every metric that moved.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.synthetic import generate_corpus
from assistant.indexing.chunking import Chunk, heading_prefix
from assistant.indexing.embeddings import MiniLM, load_embeddings, load_token_counter
from assistant.indexing.generations import IndexHome
from assistant.indexing.ingest import build_chunks, build_index
from assistant.indexing.kept_chunks import load_chunks
from assistant.indexing.sentence_vectors import (
    BATCH as SENTENCE_BATCH,
)
from assistant.indexing.sentence_vectors import (
    SentenceVectors,
    headed_sentences,
    plain_sentences,
    sentence_spans,
)
from assistant.process import prepare, use_threads
from assistant.settings import PROJECT_ROOT, Settings

THREADS, BATCH = 2, 32  # as ingest embeds


def pooled_vectors(
    model: MiniLM, chunks: Sequence[Chunk], spans: dict[str, list[tuple[int, int]]]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each chunk's vector, and each sentence's pooled from the same pass: plain and headed
    texts map to the vector of their first occurrence."""
    import torch

    tokenizer, bert = model.encoder.tokenizer, model.encoder.model
    texts = [c.embed_text for c in chunks]
    order = np.argsort([-len(t) for t in texts], kind="stable")
    chunk_vectors = np.zeros((len(chunks), 384), dtype=np.float32)
    sentences: dict[str, np.ndarray] = {}
    for first in range(0, len(texts), BATCH):
        rows = order[first : first + BATCH]
        batch = tokenizer(
            [texts[i] for i in rows],
            padding=True,
            truncation=True,
            max_length=model.encoder.max_tokens,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = batch.pop("offset_mapping").numpy()
        with torch.inference_mode():
            hidden = bert(**batch).last_hidden_state.numpy()
        mask = batch["attention_mask"].numpy().astype(bool)
        for row, index in enumerate(rows):
            states = hidden[row][mask[row]]
            mean = states.mean(0)
            chunk_vectors[index] = mean / np.linalg.norm(mean)
            chunk = chunks[index]
            shift = len(heading_prefix(chunk.title, chunk.section))
            starts, ends = offsets[row][mask[row]].T
            real = ends > starts  # [CLS] and [SEP] have empty offsets
            for a, b in spans[chunk.chunk_id]:
                inside = real & (starts >= a + shift) & (ends <= b + shift)
                if not inside.any():
                    continue  # truncated away: left for the sentence pass below
                pooled = states[inside].mean(0)
                vector = pooled / np.linalg.norm(pooled)
                plain = chunk.text[a:b]
                sentences.setdefault(plain, vector)
                if chunk.section:
                    sentences.setdefault(f"{chunk.section}: {plain}", vector)
    return chunk_vectors, sentences


def timed(action: Any) -> tuple[Any, float]:
    began = time.perf_counter()
    result = action()
    return result, time.perf_counter() - began


def measure_speed(model: MiniLM, size: int, folder: Path) -> None:
    """Raw encoder, pooled chunk pass and today's sentence embedding on one generated corpus."""
    corpus = folder / "corpus"
    settings = Settings(corpus_dir=corpus, data_dir=folder / "data")
    generate_corpus(
        size, corpus, PROJECT_ROOT / "corpus", load_token_counter(), settings.chunk_tokens
    )
    chunks = build_chunks(settings, load_token_counter())
    spans = sentence_spans(chunks)
    texts = [c.embed_text for c in chunks]
    wanted = sorted(set(plain_sentences(chunks, spans)) | set(headed_sentences(chunks, spans)))
    model.embed_documents(texts[:64])  # warm up
    raw, raw_s = timed(lambda: np.array(model.embed_documents(texts), dtype=np.float32))
    (pooled_chunks, pooled), pooled_s = timed(lambda: pooled_vectors(model, chunks, spans))

    def today() -> np.ndarray:
        parts = [
            model.embed_documents(wanted[i : i + SENTENCE_BATCH])
            for i in range(0, len(wanted), SENTENCE_BATCH)
        ]
        return np.array([v for part in parts for v in part], dtype=np.float32)

    standalone, today_s = timed(today)
    n = len(chunks)
    print(f"{n} chunks, {len(wanted)} sentence texts (plain and headed)")
    print(f"  raw encoder                 {n / raw_s:7.1f} chunks/s")
    print(
        f"  chunk pass keeping tokens   {n / pooled_s:7.1f} chunks/s "
        f"(×{raw_s / pooled_s:.2f} of the raw encoder)"
    )
    print(
        f"  raw + today's sentences     {n / (raw_s + today_s):7.1f} chunks/s "
        f"(×{raw_s / (raw_s + today_s):.2f}; sentences {today_s:.0f} s)"
    )
    drift = float(np.abs(pooled_chunks - raw).max())
    print(f"  chunk vectors from the pooled pass differ from the raw encoder's by ≤ {drift:.1e}")
    covered = [t for t in wanted if t in pooled]
    cosines = (
        np.einsum(
            "ij,ij->i",
            standalone[[wanted.index(t) for t in covered]],
            np.array([pooled[t] for t in covered]),
        )
        if covered
        else np.zeros(0)
    )
    print(
        f"  pooled sentence vectors: {len(covered)} of {len(wanted)} texts; cosine to today's "
        f"median {np.median(cosines):.3f}, 5th percentile {np.percentile(cosines, 5):.3f}"
    )


def swap_sentences(model: MiniLM, data_dir: Path) -> int:
    """Replace the current generation's sentence vectors with pooled ones (each text the
    pooled pass misses keeps today's vector); how many were replaced."""
    folder = IndexHome(data_dir / "index").current()
    assert folder is not None
    kept, held = load_chunks(folder), SentenceVectors.load(folder)
    assert kept is not None
    assert held is not None
    chunks, spans = kept
    _, pooled = pooled_vectors(model, chunks, spans)
    matrix = held.matrix.copy()
    replaced = 0
    for i, text in enumerate(held.texts):
        if text in pooled:
            matrix[i], replaced = pooled[text], replaced + 1
    SentenceVectors(held.texts, matrix).save(folder)
    return replaced


def run_eval(data_dir: Path, out: Path) -> dict[str, Any]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    command = [str(Path(sys.executable).parent / "assistant"), "eval", "--out", str(out)]
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
    return json.loads((out / "report.json").read_text())


def metrics(report: dict[str, Any]) -> dict[tuple[str, str], float]:
    found = {}
    for suite in report["suites"]:
        for name, value in suite["metrics"].items():
            if isinstance(value, int | float) and not name.startswith("latency"):
                found[(suite["name"], name)] = float(value)
    return found


def compare_answers(model: MiniLM, folder: Path) -> None:
    """`assistant eval` on today's index of the five articles and with pooled sentences."""
    today, pooled = folder / "today", folder / "pooled"
    build_index(Settings(data_dir=today), model)
    shutil.copytree(today, pooled)
    print(f"pooled vectors replace {swap_sentences(model, pooled)} sentence texts")
    before = metrics(run_eval(today, folder / "eval-today"))
    after = metrics(run_eval(pooled, folder / "eval-pooled"))
    moved = [(k, before[k], after.get(k)) for k in sorted(before) if after.get(k) != before[k]]
    print(f"{len(before) - len(moved)} of {len(before)} metrics unchanged; moved:")
    for (suite, name), was, now in moved:
        print(f"  {suite:32} {name:34} {was:8.4f} → {now if now is None else round(now, 4)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="chunks of the generated corpus")
    parser.add_argument("--eval", action="store_true", help="also compare every eval metric")
    args = parser.parse_args()
    prepare()
    use_threads(THREADS)
    model = load_embeddings()
    with tempfile.TemporaryDirectory() as scratch:
        measure_speed(model, args.size, Path(scratch))
        if args.eval:
            compare_answers(model, Path(scratch))


if __name__ == "__main__":
    main()
