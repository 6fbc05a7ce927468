"""The ingest fault suite, small: a real `assistant ingest` process SIGKILLed at named points of
its work, then the index checked (the old one retrieving exactly as before, or the complete new
one, never a mix) and a following ingest checked for correct counts. `benchmarks/faults.py`
runs every point, with the real model, and kills at spread-out moments too."""

from __future__ import annotations

import os
import signal
import subprocess

import numpy as np
import pytest

from assistant.commands.faults import POINTS, ingest_command, ingest_env, kill_at
from assistant.indexing.embeddings import load_token_counter
from assistant.indexing.generations import GENERATION
from assistant.indexing.ingest import build_chunks, build_index
from assistant.indexing.sentence_journal import JOURNAL, SentenceJournal
from assistant.indexing.sentence_vectors import SentenceVectors
from assistant.settings import PROJECT_ROOT, Settings
from tests.helpers import (
    CountingEmbeddings,
    HashEmbeddings,
    current_store,
    edit,
    index_passages,
    kept_sentences,
)

pytestmark = [pytest.mark.integration, pytest.mark.fake_model]
# Each ingest child embeds with the same deterministic fake as the test (its vectors match the
# test's; no model to load): what is under test is what survives a kill, not answer quality.
FAKE = "tests.helpers:HashEmbeddings"


def child_env(settings: Settings) -> dict[str, str]:
    """An ingest child's environment, able to import FAKE wherever the tests run from."""
    env = ingest_env(settings.corpus_dir, settings.data_dir)
    return env | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    }


def generations_on_disk(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.index_dir.iterdir() if GENERATION.match(p.name))


@pytest.mark.parametrize("point", list(POINTS))
def test_an_ingest_killed_at_a_point_leaves_the_old_index_or_the_new_never_a_mix(
    settings: Settings, embeddings: CountingEmbeddings, point: str
) -> None:
    build_index(settings, embeddings)
    before = index_passages(settings, embeddings)
    old_ids = sorted(current_store(settings, embeddings).manifest())
    old_sentences = kept_sentences(settings)
    edit(settings, "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    new_ids = sorted(c.chunk_id for c in build_chunks(settings, load_token_counter()))
    # Everything embedded again when killed mid-embedding (the edit alone is one chunk, and
    # its sentences too few for two batches).
    options = ["--rebuild"] if point in ("mid-embedding", "mid-sentences") else []

    status = kill_at(point, child_env(settings), options, FAKE)

    assert status == -signal.SIGKILL
    stored = sorted(current_store(settings, embeddings).manifest())
    after = index_passages(settings, embeddings)
    if POINTS[point]:  # killed once the new index was in use: it is read, complete
        assert stored == new_ids
        assert "45 seconds" in after[0]
    else:  # killed before: the old index, retrieving exactly as before
        assert stored == old_ids
        assert after == before
    embeddings.embedded = 0
    build_index(settings, embeddings)  # the next ingest: correct counts, nothing embedded twice
    store = current_store(settings, embeddings)
    assert sorted(store.manifest()) == new_ids
    assert store.count() == len(new_ids)
    # At most the one changed chunk and its changed sentence (alone and under its heading).
    assert embeddings.embedded <= 1 + len(kept_sentences(settings) - old_sentences) <= 3
    assert len(generations_on_disk(settings)) <= 2  # the current one and the one it replaced
    assert not list(settings.index_dir.glob("CURRENT.*"))
    assert any("45 seconds" in c.text for c in store.chunks())


def test_sentence_vectors_embedded_before_a_kill_are_not_embedded_again(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    status = kill_at("mid-sentences", child_env(settings), [], FAKE)  # a first build

    assert status == -signal.SIGKILL
    [unfinished] = generations_on_disk(settings)
    journaled = SentenceJournal(settings.index_dir / unfinished).load()
    assert journaled is not None
    assert len(journaled.texts) == 2 * 64  # two batches of 64 (see the kill point)
    build_index(settings, embeddings)
    # No chunk (Chroma stored them all) and none of the journaled sentences embedded again.
    assert embeddings.embedded == len(kept_sentences(settings)) - len(journaled.texts)
    held = SentenceVectors.load(current_store(settings, embeddings).path)
    assert held is not None
    # The copied vectors are those sentences' own: what the model gives for them now.
    fresh = np.array(HashEmbeddings().embed_documents(journaled.texts), dtype=np.float32)
    assert np.allclose(held.rows(journaled.texts), fresh)
    assert not list(settings.index_dir.glob(f"gen-*/{JOURNAL}"))  # replaced by the whole set


def test_two_ingest_processes_started_at_once_never_corrupt_the_index(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    edit(settings, "Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    env = child_env(settings)
    children = [
        subprocess.Popen(
            ingest_command(None, ["--rebuild"], FAKE),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(child.wait(timeout=600), child.stderr.read()) for child in children]  # type: ignore[union-attr]
    # Each either did the work or refused, saying why; at least one did it.
    assert all(code == 0 or "another ingest is running" in err for code, err in results)
    assert any(code == 0 for code, _ in results)
    new_ids = sorted(c.chunk_id for c in build_chunks(settings, load_token_counter()))
    store = current_store(settings, embeddings)
    assert sorted(store.manifest()) == new_ids
    assert store.count() == len(new_ids)
    assert "45 seconds" in index_passages(settings, embeddings)[0]
