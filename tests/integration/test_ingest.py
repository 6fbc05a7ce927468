"""Ingest against real Chroma and the real model: idempotent, incremental, safe on bad input."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from assistant.errors import CorpusError, IndexUnreadableError, IngestBusyError
from assistant.indexing.embeddings import load_token_counter, max_tokens
from assistant.indexing.generations import IndexHome
from assistant.indexing.ingest import build_chunks, build_index, ingest
from assistant.indexing.store import Store
from assistant.pipeline import build_assistant
from assistant.settings import Settings
from tests.helpers import CountingEmbeddings, current_store, kept_sentences, stored_ids

pytestmark = pytest.mark.integration


@pytest.mark.fake_model
def test_second_ingest_changes_nothing_and_embeds_nothing(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    first = build_index(settings, embeddings)
    assert first.added > 40
    assert (first.updated, first.removed, first.unchanged) == (0, 0, 0)
    embedded = embeddings.embedded
    second = build_index(settings, embeddings)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.added
    assert str(second).startswith(f"0 added, 0 updated, 0 removed, {first.added} unchanged")
    assert embeddings.embedded == embedded, "a second run must not embed anything"


def test_edit_reembeds_only_the_changed_chunk(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    before = stored_ids(settings, embeddings)
    path = settings.corpus_dir / "amazing-iliopsoas.md"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("Hold the stretch for 30 seconds", "Hold the stretch for 45 seconds")
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    embeddings.embedded = 0
    old_sentences = kept_sentences(settings)
    report = build_index(settings, embeddings)
    assert (report.added, report.removed) == (1, 1)
    # The changed chunk, and its changed sentence (alone, and under a heading if it has one):
    # nothing else.
    added = kept_sentences(settings) - old_sentences
    assert {t.split(": ", 1)[-1] for t in added} == {"Hold the stretch for 45 seconds, then relax."}
    assert embeddings.embedded == 1 + len(added)
    after = stored_ids(settings, embeddings)
    assert len(after - before) == 1
    assert len(before - after) == 1
    answer = build_assistant(settings, embeddings=embeddings).ask(
        "how long do I hold the half-kneeling stretch?"
    )
    assert "45 seconds" in answer.text


@pytest.mark.fake_model
def test_text_inserted_early_shifts_spans_without_reembedding(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    path = settings.corpus_dir / "psoas-and-back-pain.md"
    text = path.read_text(encoding="utf-8")
    marker = "## What is the Psoas Muscle"
    path.write_text(text.replace(marker, "A new opening paragraph.\n\n" + marker), encoding="utf-8")
    embeddings.embedded = 0
    old_sentences = kept_sentences(settings)
    report = build_index(settings, embeddings)
    assert report.updated > 0, "chunks after the insertion moved: their spans must be updated"
    # The new chunks, and only the sentences no generation held before.
    assert embeddings.embedded == report.added + len(kept_sentences(settings) - old_sentences)
    store = current_store(settings, embeddings)
    source = path.read_text(encoding="utf-8")
    for chunk in store.chunks():
        if chunk.doc_id == "psoas-and-back-pain":
            assert source[chunk.start : chunk.end] == chunk.text


@pytest.mark.fake_model
def test_deleted_document_disappears(settings: Settings, embeddings: CountingEmbeddings) -> None:
    build_index(settings, embeddings)
    (settings.corpus_dir / "ow-my-iliopsoas.md").unlink()
    report = build_index(settings, embeddings)
    assert report.removed > 0
    assert report.added == 0
    store = current_store(settings, embeddings)
    assert all(c.doc_id != "ow-my-iliopsoas" for c in store.chunks())


def test_new_txt_document_is_ingested_and_answerable(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    (settings.corpus_dir / "clinic-notes.txt").write_text(
        "Clinic notes\n\nOur therapists recommend the couch stretch for tight hip flexors "
        "after long drives.\n",
        encoding="utf-8",
    )
    report = build_index(settings, embeddings)
    assert report.added == 1
    assert report.documents == 6
    answer = build_assistant(settings, embeddings=embeddings).ask(
        # (Not another muscle: the learned gate refuses questions about the piriformis, whatever
        # the corpus holds; README, "Limits".)
        "what stretch do the therapists recommend after long drives for tight hip flexors?"
    )
    assert any(c.doc_id == "clinic-notes" for c in answer.citations)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        pytest.param("empty.md", b"", "no text", id="empty-file"),
        pytest.param(
            "broken.md",
            b"---\ntitle: [unclosed\n---\nText.\n",
            "front matter",
            id="broken-front-matter",
        ),
        pytest.param("latin1.md", "Caf\xe9 stretch.\n".encode("latin-1"), "UTF-8", id="non-utf8"),
        pytest.param("notes.pdf", b"%PDF-1.4", "unsupported", id="unsupported-extension"),
        pytest.param("scan.md", b"\x89PNG\r\n\x1a\n\x00\x00", "binary", id="binary"),
        pytest.param(
            "filler.md",
            b"# Filler\n\n" + b"psoas " * 200_000,
            "one word repeated",
            id="one-word-repeated",
        ),
    ],
)
def test_bad_file_stops_ingest_and_keeps_index(
    settings: Settings, embeddings: CountingEmbeddings, name: str, content: bytes, problem: str
) -> None:
    build_index(settings, embeddings)
    before = stored_ids(settings, embeddings)
    (settings.corpus_dir / name).write_bytes(content)
    (settings.corpus_dir / "amazing-iliopsoas.md").unlink()  # a change that must NOT be applied
    with pytest.raises(CorpusError) as caught:
        build_index(settings, embeddings)
    assert name in str(caught.value)
    assert problem in str(caught.value)
    assert stored_ids(settings, embeddings) == before
    answer = build_assistant(settings, embeddings=embeddings).ask("how long do I hold the stretch?")
    assert answer.in_scope
    assert answer.citations


@pytest.mark.parametrize("kind", ["loop", "dangling"])
@pytest.mark.fake_model
def test_a_broken_symlink_is_named_and_the_index_kept(
    settings: Settings, embeddings: CountingEmbeddings, kind: str
) -> None:
    build_index(settings, embeddings)
    before = stored_ids(settings, embeddings)
    link = settings.corpus_dir / "linked.md"
    link.symlink_to(link if kind == "loop" else settings.corpus_dir / "missing.md")
    with pytest.raises(CorpusError, match=r"linked\.md: cannot be read"):
        build_index(settings, embeddings)
    assert stored_ids(settings, embeddings) == before


@pytest.mark.fake_model
def test_a_50_mb_markdown_file_is_refused_by_size_and_the_index_kept(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    before = stored_ids(settings, embeddings)
    paragraph = (
        b"A long clinic export. The kneeling hip flexor stretch is held for thirty seconds. "
    )
    with (settings.corpus_dir / "export.md").open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(paragraph) + 1):
            handle.write(paragraph)
    with pytest.raises(CorpusError, match=r"export\.md: 52\.4 MB is over the 2 MB limit"):
        build_index(settings, embeddings)
    assert stored_ids(settings, embeddings) == before


@pytest.mark.fake_model
def test_an_unreadable_file_is_named_and_the_index_kept(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    before = stored_ids(settings, embeddings)
    secret = settings.corpus_dir / "private.md"
    secret.write_text("# Private\n\nNot for the index.\n", encoding="utf-8")
    secret.chmod(0)
    if os.geteuid() == 0:
        # Root reads any file: read the corpus as an unprivileged user (its effective id, for
        # the length of the call).
        settings.corpus_dir.chmod(0o755)
        for parent in settings.corpus_dir.parents:
            if Path(tempfile.gettempdir()) in parent.parents:  # pytest's private folders
                parent.chmod(parent.stat().st_mode | 0o001)  # traversable, not listable
        count_tokens, groups = load_token_counter(), os.getgroups()
        os.setgroups([])  # else root's group bits, not the others', would apply
        os.setegid(65534)
        os.seteuid(65534)
        try:
            with pytest.raises(CorpusError) as caught:
                build_chunks(settings, count_tokens)
        finally:
            os.seteuid(0)
            os.setegid(0)
            os.setgroups(groups)
    else:
        with pytest.raises(CorpusError) as caught:
            build_index(settings, embeddings)
    message = str(caught.value)
    assert re.search(r"private\.md: cannot be read \(Permission denied\)", message), message
    assert stored_ids(settings, embeddings) == before


@pytest.mark.fake_model
def test_rebuild_with_bad_corpus_keeps_index(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    before = stored_ids(settings, embeddings)
    (settings.corpus_dir / "empty.md").write_text("   \n", encoding="utf-8")
    with pytest.raises(CorpusError):
        build_index(settings, embeddings, rebuild=True)
    assert stored_ids(settings, embeddings) == before


def test_corrupt_index_names_rebuild_and_rebuild_fixes_it(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    from chromadb.api.client import SharedSystemClient  # type: ignore[attr-defined]

    SharedSystemClient.clear_system_cache()
    current = IndexHome(settings.index_dir).current()
    assert current is not None
    (current / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexUnreadableError, match=r"assistant ingest --rebuild"):
        build_assistant(settings, embeddings=embeddings)
    report = build_index(settings, embeddings, rebuild=True)
    assert report.added > 40
    assert build_assistant(settings, embeddings=embeddings).ask("where is the psoas?").citations


def test_no_chunk_is_truncated_by_the_model(settings: Settings) -> None:
    count = load_token_counter()
    chunks = build_chunks(settings, count)
    assert max(count(c.embed_text) for c in chunks) <= max_tokens()
    for chunk in chunks:
        source = Path(settings.corpus_dir / f"{chunk.doc_id}.md").read_text(encoding="utf-8")
        assert source[chunk.start : chunk.end] == chunk.text


def test_exercise_steps_travel_with_their_heading(settings: Settings) -> None:
    chunks = build_chunks(settings, load_token_counter())
    bird_dog = [c for c in chunks if c.section.startswith("Bird Dog Exercise:")]
    steps = "\n".join(c.text for c in bird_dog)
    for step in (
        "Starting Position",
        "Extend Arm and Leg",
        "Return to Starting Position",
        "Sets and Repetitions",
    ):
        assert step in steps
    assert all("Bird Dog" in c.embed_text for c in bird_dog)


@pytest.mark.fake_model
def test_exercises_are_derived_at_ingest_and_kept_with_the_index(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    stored = current_store(settings, embeddings).chunks()
    names = {c.exercise for c in stored if c.doc_id == "psoas-and-back-pain"}
    assert {"Bridge Pose", "Leg Lowering (for Core Strength)"} <= names


HIP_CARE = """---
title: Hip Care at Home
---
# Hip Care at Home

Two exercises our therapists give clients to strengthen the hips between sessions.

## Clamshell

The clamshell strengthens the muscles on the side of the hip that steady the pelvis.

- Lie on your side with your knees bent and your feet together.
- Lift your top knee as far as you can while keeping your feet touching.
- Lower it slowly. Repeat 15 times on each side.

## Side-Lying Leg Raise

The side-lying leg raise strengthens the outer hip and helps balance the hip flexors.

- Lie on your side with both legs straight.
- Raise your top leg about a foot, then lower it slowly.
- Repeat 12 times on each side.
"""


def test_a_new_articles_exercises_are_listed_with_no_code_change(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    (settings.corpus_dir / "hip-care.md").write_text(HIP_CARE, encoding="utf-8")
    build_index(settings, embeddings)
    answer = build_assistant(settings, embeddings=embeddings).ask(
        "Which exercises strengthen the side of the hip between sessions?"
    )
    lines = answer.text.splitlines()
    assert any(line.startswith("- Clamshell: ") for line in lines), answer.text
    assert any(line.startswith("- Side-Lying Leg Raise: ") for line in lines), answer.text


@pytest.mark.parametrize(
    "missing",
    [
        pytest.param(("exercise", "holds", "repetitions"), id="before-exercises"),
        pytest.param(("holds", "repetitions"), id="before-doses"),
    ],
)
def test_an_index_built_before_exercises_were_derived_is_brought_up_to_date(
    settings: Settings, embeddings: CountingEmbeddings, missing: tuple[str, ...]
) -> None:
    build_index(settings, embeddings)
    store = current_store(settings, embeddings)
    manifest = store.manifest()
    # What an index built by an earlier release holds: not these keys at all.
    store._collection.update(
        ids=list(manifest), metadatas=[dict.fromkeys(missing) for _ in manifest]
    )
    assert all(key not in m for m in store.manifest().values() for key in missing)
    before = embeddings.embedded
    assistant = build_assistant(settings, embeddings=embeddings)
    upgrading = embeddings.embedded - before
    chunks = assistant.retriever.chunks.values()
    assert "Bridge Pose" in {c.exercise for c in chunks}
    assert ("10-20 seconds",) in {c.holds for c in chunks}
    upgraded = current_store(settings, embeddings)
    assert upgraded.path != store.path  # a new generation, its vectors copied
    assert all(key in m for m in upgraded.manifest().values() for key in missing)
    before = embeddings.embedded
    build_assistant(settings, embeddings=embeddings)
    # The start that brought it up to date embedded no more than any later start: no chunk
    # was embedded again, only its metadata written.
    assert upgrading == embeddings.embedded - before


@pytest.mark.fake_model
def test_a_bug_is_not_reported_as_a_damaged_index(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    build_index(settings, embeddings)
    current = IndexHome(settings.index_dir).current()
    assert current is not None
    store = Store(current, settings.collection, embeddings)
    # A caller's mistake (text where a vector belongs): Chroma's ValueError shows as it is,
    # not as "run `assistant ingest --rebuild`".
    with pytest.raises(ValueError, match="Expected embeddings") as raised:
        store.search(["psoas"] * 384, 3)  # type: ignore[list-item]
    assert not isinstance(raised.value, IndexUnreadableError)
    # A vector of the wrong size is Chroma's own complaint about the index: rebuild it.
    with pytest.raises(IndexUnreadableError, match="rebuild"):
        store.search([0.1] * 10, 3)


@pytest.mark.fake_model
def test_an_ingest_whose_check_fails_stops_before_writing(
    settings: Settings, embeddings: CountingEmbeddings
) -> None:
    chunks = build_chunks(settings, load_token_counter())
    target = Store(IndexHome(settings.index_dir).new_generation(), settings.collection, embeddings)

    def taken_over() -> None:
        raise IngestBusyError("another ingest took over the Chroma server's lease")

    with pytest.raises(IngestBusyError, match="took over"):
        ingest(chunks, target, current={}, embed=embeddings.embed_documents, check=taken_over)
    assert target.count() == 0
    assert embeddings.embedded == 0
