"""How the assistant scales with the corpus, beside a vanilla LangChain RAG on the same text.

Run: `python benchmarks/scale.py [--sizes 50 5000] [--questions 60]` (sizes in chunks; 50000
and 100000 work too but take hours here: ingest runs at the encoder's speed, ~20 chunks/s on 2
cores). For each size a seeded generator (`assistant/evaluation/synthetic.py`) writes the
shipped articles plus articles recombined from their sentences into a temporary folder; then:

- ingest: chunks/s of `assistant ingest` (the real model, 2 threads), and its ratio to the raw
  encoder embedding a seeded sample of 1,000 of the same chunks' texts in the same run; then
  where the ingest's time went (chunks embedded and written, sentences embedded, the rest);
- cold start: a fresh process from `python` to its first answer (imports, model, index);
- p50 / p95 `ask` latency over the retrieval suite's questions, in that process (warm);
- dense recall@10: Chroma's HNSW top 10 against exact search over every stored vector, for the
  questions of the retrieval and answer validation suites;
- peak memory of that process (its own high-water resident size, VmHWM).

The vanilla RAG is built the way LangChain documents it — RecursiveCharacterTextSplitter
(1000/200), Chroma with the same embedding model, `similarity_search` top 4 — on the same
files, measured the same way; ratios are ours / vanilla. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.cases import load_suite
from assistant.evaluation.synthetic import generate_corpus
from assistant.indexing.embeddings import load_embeddings, load_token_counter
from assistant.indexing.ingest import build_chunks, build_index, open_home, open_store
from assistant.indexing.store import Store
from assistant.process import prepare, use_threads
from assistant.settings import PROJECT_ROOT, Settings

# A child's own peak memory. Not `ru_maxrss`: Linux carries it over from the parent at fork and
# exec, so a child of this process (holding a whole ingest's memory) reported the parent's peak
# (before 2026-12-04: the peak-memory column and its ratios were max(parent, child)). VmHWM is
# the child's own address space's high-water mark.
PEAK = """
def own_peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

OURS_CHILD = (
    PEAK
    + """
import json, statistics, sys, time
began = time.perf_counter()
from assistant.pipeline import build_assistant
from assistant.process import use_threads
from assistant.settings import Settings
settings = Settings()
use_threads(settings.torch_threads)  # as `assistant serve` does
assistant = build_assistant(settings)
assistant.ask("where is the psoas?")
cold = time.perf_counter() - began
questions = json.loads(sys.argv[1])
times = []
for question in questions:
    t = time.perf_counter()
    assistant.ask(question)
    times.append((time.perf_counter() - t) * 1000)
peak = own_peak_mb()
print(json.dumps({"cold": cold, "times": times, "peak_mb": peak}))
"""
)

VANILLA_CHILD = (
    PEAK
    + """
import json, os, sys, time
began = time.perf_counter()
import chromadb
from langchain_chroma import Chroma
from langchain_huggingface import HuggingFaceEmbeddings
embeddings = HuggingFaceEmbeddings(model_name=sys.argv[3], model_kwargs={"device": "cpu"})
db = Chroma(
    collection_name="vanilla",
    embedding_function=embeddings,
    client=chromadb.PersistentClient(path=sys.argv[2]),
)
db.similarity_search("where is the psoas?", k=4)
cold = time.perf_counter() - began
times = []
for question in json.loads(sys.argv[1]):
    t = time.perf_counter()
    db.similarity_search(question, k=4)
    times.append((time.perf_counter() - t) * 1000)
peak = own_peak_mb()
print(json.dumps({"cold": cold, "times": times, "peak_mb": peak}))
"""
)


def child(code: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run a measuring child process (one torch thread, as when serving); its JSON line."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**env, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def recall_at_10(store: Store, embeddings: Any, questions: list[str]) -> float:
    """Share of the exact 10 nearest chunks that Chroma's HNSW search returns."""
    stored = store.vectors(list(store.manifest()))
    ids = np.array(list(stored))
    matrix = np.array(list(stored.values()), dtype=np.float32)
    found = []
    for question in questions:
        vector = np.array(embeddings.embed_query(question), dtype=np.float32)
        exact = set(ids[np.argsort(-(matrix @ vector))[:10]])
        approximate = {chunk.chunk_id for chunk, _ in store.search(vector.tolist(), 10)}
        found.append(len(exact & approximate) / 10)
    return statistics.mean(found)


def measure_ours(
    corpus: Path,
    data: Path,
    embeddings: Any,
    questions: list[str],
    probes: list[str],
    chroma_url: str | None = None,
) -> dict[str, Any]:
    settings = Settings(corpus_dir=corpus, data_dir=data, chroma_url=chroma_url)
    chunks = build_chunks(settings, load_token_counter())
    use_threads(settings.ingest_threads)  # as `assistant ingest` does
    phases = Phases()
    began = time.perf_counter()
    build_index(settings, embeddings, progress=phases.start)
    seconds = time.perf_counter() - began
    ingest = len(chunks) / seconds
    # A seeded sample from the whole corpus (the first chunks are the shipped articles').
    sample = [c.embed_text for c in random.Random(0).sample(chunks, min(1000, len(chunks)))]
    began = time.perf_counter()
    embeddings.embed_documents(sample)  # one call: the encoder sorts by length, batches of 32
    raw = len(sample) / (time.perf_counter() - began)
    use_threads(1)
    env = {"ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_DATA_DIR": str(data)}
    if chroma_url:  # the cold start of another machine: it copies the derived data first
        env = {"ASSISTANT_DATA_DIR": str(data.with_name("second"))}
        env["ASSISTANT_CHROMA_URL"] = chroma_url
    run = child(OURS_CHILD, {**base_env(), **env}, json.dumps(questions))
    path = open_home(settings).current()
    assert path is not None
    recall = recall_at_10(open_store(settings, path, embeddings), embeddings, probes)
    where = {"seconds": seconds, "phases": phases.seconds, "counts": phases.totals}
    return {"chunks": len(chunks), "ingest": ingest, "raw": raw, "recall": recall, **where, **run}


class Phases:
    """Ingest's progress, timed: from the start of each unit's work (chunks embedded and
    written, then sentences embedded) to its last step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.totals: dict[str, int] = {}

    def start(self, total: int, unit: str = "chunk") -> Callable[[int], None]:
        began = time.perf_counter()
        self.totals[unit] = self.totals.get(unit, 0) + total
        self.seconds.setdefault(unit, 0.0)
        last = began

        def step(done: int) -> None:
            nonlocal last
            now = time.perf_counter()
            self.seconds[unit] += now - last
            last = now

        return step


def measure_vanilla(
    corpus: Path, data: Path, embeddings: Any, questions: list[str], probes: list[str]
) -> dict[str, Any]:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.indexing.embeddings import model_path

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts = [
        piece
        for path in sorted(corpus.iterdir())
        for piece in splitter.split_text(path.read_text(encoding="utf-8"))
    ]
    use_threads(2)
    began = time.perf_counter()
    db = Chroma(
        collection_name="vanilla",
        embedding_function=embeddings.documents,
        client=chromadb.PersistentClient(path=str(data / "vanilla")),
    )
    for first in range(0, len(texts), 256):
        db.add_texts(texts[first : first + 256])
    ingest = len(texts) / (time.perf_counter() - began)
    use_threads(1)
    run = child(
        VANILLA_CHILD, base_env(), json.dumps(questions), str(data / "vanilla"), str(model_path())
    )
    return {"chunks": len(texts), "ingest": ingest, **run}


def base_env() -> dict[str, str]:
    import os

    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }


def main() -> None:
    prepare()  # offline, no telemetry: before any library reads it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 5000])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument(
        "--no-vanilla", action="store_true", help="measure this assistant alone (saves time)"
    )
    parser.add_argument(
        "--chroma-url",
        help="measure this assistant with its index on this Chroma server (`assistant chroma`); "
        "its cold start is then a second machine's, which copies the derived data first",
    )
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="open every generated sentence with a phrase naming its article and place, so no "
        "sentence repeats, as in a real library (stilted prose: read costs from it, not recall)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write each size's corpus and indexes to DIR/<size> and keep them (default: a "
        "temporary folder, deleted after)",
    )
    args = parser.parse_args()
    embeddings = load_embeddings()
    embeddings.embed_documents(["warm up"])  # (its batch model loads at the first batch)
    retrieval = [c.question for c in load_suite(PROJECT_ROOT / "evals" / "retrieval.yaml")]
    questions = retrieval[: args.questions]
    probes = retrieval + [
        c.question for c in load_suite(PROJECT_ROOT / "evals" / "answers-validation.yaml")
    ]
    print(f"{time.strftime('%Y-%m-%d')}: {len(probes)} recall probes, {len(questions)} timed")
    header = (
        "size | chunks | ingest/s (×raw) | cold start s | p50 ms | p95 ms | recall@10 | peak MB"
    )
    print(header)
    for size in args.sizes:
        with contextlib.ExitStack() as stack:
            if args.keep is None:
                root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            else:
                root = args.keep / str(size)
                if root.exists():
                    parser.error(f"{root} exists: --keep writes a new folder per size")
            settings = Settings()
            generate_corpus(
                size,
                root / "corpus",
                PROJECT_ROOT / "corpus",
                load_token_counter(),
                settings.chunk_tokens,
                distinct=args.distinct,
            )
            ours = measure_ours(
                root / "corpus", root / "data", embeddings, questions, probes, args.chroma_url
            )
            show(size, "ours", ours)  # at once: a long run stopped later keeps this row
            vanilla = (
                None
                if args.no_vanilla
                else measure_vanilla(root / "corpus", root / "data", embeddings, questions, probes)
            )
        if vanilla is None:
            continue
        show(size, "vanilla", vanilla)
        print(
            f"{size} ours/vanilla | | ×{ours['ingest'] / vanilla['ingest']:.2f} | "
            f"×{ours['cold'] / vanilla['cold']:.2f} | "
            f"×{statistics.median(ours['times']) / statistics.median(vanilla['times']):.1f} | | | "
            f"×{ours['peak_mb'] / vanilla['peak_mb']:.2f}",
            flush=True,
        )


def show(size: int, name: str, got: dict[str, Any]) -> None:
    """One row of the table."""
    raw = f" (×{got['ingest'] / got['raw']:.2f})" if "raw" in got else ""
    recall = f"{got['recall']:.3f}" if "recall" in got else "-"
    print(
        f"{size} {name} | {got['chunks']} | {got['ingest']:.1f}{raw} | {got['cold']:.1f} | "
        f"{statistics.median(got['times']):.1f} | {percentile(got['times'], 0.95):.1f} | "
        f"{recall} | {got['peak_mb']:.0f}",
        flush=True,
    )
    if "phases" in got:
        print(where_ingest_went(got), flush=True)


def where_ingest_went(got: dict[str, Any]) -> str:
    """Ingest's time split into embedding and writing the chunks (with its own ratio to the
    raw encoder), embedding the sentences, and the rest (chunking, the word index, files)."""
    chunks, sentences = got["phases"].get("chunk", 0.0), got["phases"].get("sentence", 0.0)
    rest = got["seconds"] - chunks - sentences
    embedded = got["counts"].get("chunk", 0)
    alone = f" ({embedded / chunks / got['raw']:.2f} × raw)" if chunks and embedded else ""
    return (
        f"  ingest {got['seconds']:.1f} s: {embedded} chunks embedded and written "
        f"{chunks:.1f} s{alone}; {got['counts'].get('sentence', 0)} sentences "
        f"{sentences:.1f} s; the rest {rest:.1f} s"
    )


if __name__ == "__main__":
    main()
