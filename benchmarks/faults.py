"""The ingest fault suite, full size: a real `assistant ingest` SIGKILLed at every named point of
its work and at moments spread over its writing, each followed by the checks the README's
"Reliability" table reports.

Run: `python benchmarks/faults.py [--moments 12]` (works on a private copy of the shipped corpus
in a temporary folder). After each kill: the index in use is the old one, answering a fixed
question set exactly as before, or the complete new one; never a mix. Then a normal ingest must
finish with every chunk once and no leftover generation. Prints one line per trial and a total
(kills, and children that finished before their point); exits 1 when any check failed.
`tests/integration/test_faults.py` runs the named points.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from assistant.commands.faults import POINTS, ingest_env, kill_after, kill_at
from assistant.indexing.embeddings import load_embeddings, load_token_counter
from assistant.indexing.generations import GENERATION, IndexHome
from assistant.indexing.ingest import build_chunks, build_index
from assistant.indexing.store import Store
from assistant.pipeline import build_assistant
from assistant.process import prepare, use_threads
from assistant.settings import PROJECT_ROOT, Settings

QUESTIONS = [
    "how long do I hold the half-kneeling stretch?",
    "where is the psoas?",
    "what causes iliopsoas pain?",
    "how do I do the bird dog?",
]
OLD, NEW = "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds"


def answers(settings: Settings, embeddings: object) -> list[str]:
    assistant = build_assistant(settings, embeddings=embeddings)  # type: ignore[arg-type]
    return [assistant.ask(q).text for q in QUESTIONS]


def stored_ids(settings: Settings, embeddings: object) -> list[str]:
    path = IndexHome(settings.index_dir).current()
    assert path is not None
    return sorted(Store(path, settings.collection, embeddings).manifest())  # type: ignore[arg-type]


def trial(kill: str, run: object, embeddings: object, rebuild: bool) -> tuple[str, list[str]]:
    """One kill on a fresh copy: (where the index was after it, the checks that failed)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(PROJECT_ROOT / "corpus", root / "corpus")
        settings = Settings(corpus_dir=root / "corpus", data_dir=root / "data")
        build_index(settings, embeddings)  # type: ignore[arg-type]
        before, old_ids = answers(settings, embeddings), stored_ids(settings, embeddings)
        article = settings.corpus_dir / "amazing-iliopsoas.md"
        article.write_text(article.read_text(encoding="utf-8").replace(OLD, NEW), "utf-8")
        new_ids = sorted(c.chunk_id for c in build_chunks(settings, load_token_counter()))
        env = ingest_env(settings.corpus_dir, settings.data_dir)
        status = run(env, ["--rebuild"] if rebuild else [])  # type: ignore[operator]
        failed = []
        now, after = stored_ids(settings, embeddings), answers(settings, embeddings)
        if now == old_ids and after == before:
            landed = "old index"
        elif now == new_ids and NEW.split()[-2] in after[0]:
            landed = "new index"
        else:
            landed = "MIX"
            failed.append("the index in use is neither the old one nor the new one")
        landed += " (finished first)" if status == 0 else ""
        build_index(settings, embeddings)  # type: ignore[arg-type]
        if stored_ids(settings, embeddings) != new_ids:
            failed.append("the next ingest left missing, extra or doubled chunks")
        gens = [p for p in settings.index_dir.iterdir() if GENERATION.match(p.name)]
        if len(gens) > 2 or list(settings.index_dir.glob("CURRENT.*")):
            failed.append("the next ingest left a stray generation or pointer")
        return landed, failed


def main() -> None:
    prepare()  # offline, no telemetry: before any library reads it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moments", type=int, default=12, help="timed kills over one ingest")
    args = parser.parse_args()
    use_threads(1)
    embeddings = load_embeddings()
    failures = trials = finished = 0

    def report(name: str, landed: str, failed: list[str]) -> None:
        nonlocal failures, trials, finished
        failures += bool(failed)
        trials += 1
        finished += landed.endswith("(finished first)")
        print(f"{name:<34} {landed:<28} {'; '.join(failed) or 'ok'}", flush=True)

    for point in POINTS:
        for rebuild in (False, True):
            landed, failed = trial(
                point, lambda env, opts, p=point: kill_at(p, env, opts), embeddings, rebuild
            )
            report(f"{point}{' --rebuild' if rebuild else ''}", landed, failed)
    lives: list[float] = []

    def timed(env: dict[str, str], opts: list[str], seconds: float = 600.0) -> int:
        index_dir = Path(env["ASSISTANT_DATA_DIR"]) / "index"
        status, ran = kill_after(seconds, env, opts, index_dir=index_dir)
        lives.append(ran)
        return status

    trial("none", timed, embeddings, True)
    writing = lives[0]  # an unkilled child's time from its first write to its exit
    print(f"an ingest --rebuild child writes for {writing:.1f} s; kills spread over it:")
    for n in range(args.moments):
        seconds = writing * (n + 0.5) / args.moments
        landed, failed = trial(
            "timed", lambda env, opts, s=seconds: timed(env, opts, s), embeddings, True
        )
        report(f"kill {seconds:.2f} s into writing --rebuild", landed, failed)
    # A child can finish before its point or moment: those trials are counted, not as kills.
    print(
        f"{trials} trials: {trials - finished} killed, {finished} finished first; "
        f"{failures} with a failed check"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
