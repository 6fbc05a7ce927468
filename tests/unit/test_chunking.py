"""Structure-aware chunking, with a fake token counter (words + 2 for the special tokens)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from assistant.indexing.chunking import Chunk, chunk_document, heading_prefix, iter_blocks
from assistant.indexing.corpus import Document, load_document

TITLE = "Hip Guide"


def count_tokens(text: str) -> int:
    """A stand-in for the model's tokenizer: one token a word, plus [CLS] and [SEP]."""
    return len(text.split()) + 2


def make_doc(body: str, *, doc_id: str = "guide", front: str = "") -> Document:
    """A document whose prose starts after an optional front-matter block."""
    return Document(doc_id, Path(f"{doc_id}.md"), TITLE, front + body, len(front), {})


def words_of(chunks: list[Chunk]) -> list[str]:
    return [word for chunk in chunks for word in chunk.text.split()]


BRIDGE_STEPS = "\n".join(
    f"{n}. Step {n} of the bridge: press through your heels and lift your hips slowly."
    for n in range(1, 9)
)

MIXED = f"""# Hip Guide

Intro paragraph before any section heading. It has two sentences.

## Kneeling Hip Flexor Stretch

Kneel on one knee with the other foot flat in front of you.
Keep your chest upright and your back straight.

Shift your weight forward until you feel the stretch in the front of the hip.

- Hold for 30 seconds.
- Switch sides.
  - Nested: keep breathing slowly.

## Glute Bridge

{BRIDGE_STEPS}

## Notes ##

A single sentence that rambles on and on about the psoas muscle and the iliacus muscle and the
femur and the lumbar spine and the pelvis without ever stopping for breath at all today.
"""

FRONT = '---\ntitle: "Hip Guide"\nsource: test\n---\n'

DOCS = [
    pytest.param(make_doc(MIXED), id="mixed-markdown"),
    pytest.param(make_doc(MIXED, front=FRONT), id="with-front-matter"),
    pytest.param(make_doc("Plain text, no headings.\n\nSecond paragraph here.\n"), id="plain"),
    pytest.param(make_doc("## Bridge\n\n" + BRIDGE_STEPS), id="list-without-final-newline"),
]
BUDGETS = [
    pytest.param(16, id="tight-budget"),
    pytest.param(40, id="medium-budget"),
    pytest.param(512, id="roomy-budget"),
]


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("budget", BUDGETS)
def test_chunk_text_is_a_verbatim_slice_of_the_document(doc: Document, budget: int) -> None:
    chunks = chunk_document(doc, count_tokens, budget)
    assert chunks
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip()
        assert chunk.start >= doc.body_start
        assert (chunk.doc_id, chunk.title) == (doc.doc_id, doc.title)


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("budget", BUDGETS)
def test_no_embed_text_exceeds_the_token_budget(doc: Document, budget: int) -> None:
    chunks = chunk_document(doc, count_tokens, budget)
    over = [(c.embed_text, count_tokens(c.embed_text)) for c in chunks]
    assert all(tokens <= budget for _, tokens in over), over


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("budget", BUDGETS)
def test_chunks_cover_every_word_of_the_body_once_in_order(doc: Document, budget: int) -> None:
    chunks = chunk_document(doc, count_tokens, budget)
    body_lines = doc.text[doc.body_start :].splitlines()
    prose = [line for line in body_lines if not re.match(r"#{1,6}\s", line)]
    assert words_of(chunks) == " ".join(prose).split()
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


def test_front_matter_never_reaches_a_chunk() -> None:
    doc = make_doc(MIXED, front=FRONT)
    chunks = chunk_document(doc, count_tokens, 40)
    assert not any("source: test" in c.text or "---" in c.text for c in chunks)


def test_every_chunk_of_a_long_section_carries_its_heading() -> None:
    paragraphs = "\n\n".join(
        f"Paragraph {n} explains how the iliacus and psoas work together." for n in range(6)
    )
    doc = make_doc(f"# {TITLE}\n\n## Anatomy of the Iliopsoas\n\n{paragraphs}\n")
    chunks = chunk_document(doc, count_tokens, 20)
    assert len(chunks) > 1
    assert {c.section for c in chunks} == {"Anatomy of the Iliopsoas"}
    assert all(c.embed_text.startswith(f"{TITLE} — Anatomy of the Iliopsoas\n") for c in chunks)


def test_numbered_exercise_split_across_chunks_keeps_the_heading_in_every_piece() -> None:
    doc = make_doc(f"## Other\n\nSomething else.\n\n## Glute Bridge\n\n{BRIDGE_STEPS}\n")
    chunks = [c for c in chunk_document(doc, count_tokens, 40) if "Step" in c.text]
    assert len(chunks) > 1
    assert {c.section for c in chunks} == {"Glute Bridge"}
    assert all("Glute Bridge" in c.embed_text for c in chunks)
    step_numbers = [int(n) for c in chunks for n in re.findall(r"^(\d+)\.", c.text, re.M)]
    assert step_numbers == list(range(1, 9))


def test_list_items_are_never_cut_mid_item_when_each_fits() -> None:
    doc = make_doc(f"## Glute Bridge\n\n{BRIDGE_STEPS}\n")
    for chunk in chunk_document(doc, count_tokens, 40):
        assert re.match(r"\d+\. Step", chunk.text)
        assert chunk.text.endswith("slowly.")


def test_sections_are_never_merged_into_one_chunk() -> None:
    doc = make_doc("## First\n\nAlpha text here.\n\n## Second\n\nBeta text here.\n")
    chunks = chunk_document(doc, count_tokens, 512)
    assert [(c.section, c.text) for c in chunks] == [
        ("First", "Alpha text here."),
        ("Second", "Beta text here."),
    ]


def test_small_blocks_under_one_heading_are_packed_together() -> None:
    doc = make_doc("## Rest\n\nRest the hip.\n\nIce it gently.\n\n- Avoid running.\n")
    [chunk] = chunk_document(doc, count_tokens, 512)
    assert chunk.text == "Rest the hip.\n\nIce it gently.\n\n- Avoid running."


def test_text_before_the_first_heading_has_no_section() -> None:
    doc = make_doc("Opening words.\n\n## Later\n\nMore words.\n")
    first, second = chunk_document(doc, count_tokens, 512)
    assert (first.section, second.section) == ("", "Later")
    assert first.embed_text == f"{TITLE}\nOpening words."


def test_closing_hashes_are_not_part_of_the_section_name() -> None:
    doc = make_doc("## Notes ##\n\nSome notes.\n")
    [chunk] = chunk_document(doc, count_tokens, 512)
    assert chunk.section == "Notes"


def test_an_over_long_sentence_is_split_between_words() -> None:
    sentence = " ".join(f"word{n}" for n in range(40)) + "."
    doc = make_doc(f"## Long\n\n{sentence}\n")
    chunks = chunk_document(doc, count_tokens, 14)
    assert len(chunks) > 1
    assert words_of(chunks) == sentence.split()
    for chunk in chunks:
        assert doc.text[chunk.start - 1].isspace()
        assert doc.text[chunk.end].isspace()
        assert count_tokens(chunk.embed_text) <= 14


def test_an_over_long_paragraph_is_split_at_sentences_before_words() -> None:
    sentences = [f"Sentence {n} is about the psoas." for n in range(5)]
    doc = make_doc("## Many\n\n" + " ".join(sentences) + "\n")
    # Prefix "Hip Guide — Many" is 4 words; each sentence is 6 words; budget fits one sentence.
    chunks = chunk_document(doc, count_tokens, 4 + 2 + 6 + 2 + 3)
    assert [c.text for c in chunks] == sentences


def test_ids_are_stable_across_runs() -> None:
    first = [c.chunk_id for c in chunk_document(make_doc(MIXED), count_tokens, 40)]
    second = [c.chunk_id for c in chunk_document(make_doc(MIXED), count_tokens, 40)]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(i.startswith("guide-") for i in first)


def test_an_id_changes_when_its_text_changes_and_only_that_id() -> None:
    before = chunk_document(
        make_doc("## A\n\nFirst text.\n\n## B\n\nSecond text.\n"), count_tokens, 512
    )
    after = chunk_document(
        make_doc("## A\n\nFirst text!\n\n## B\n\nSecond text.\n"), count_tokens, 512
    )
    assert before[0].chunk_id != after[0].chunk_id
    assert before[1].chunk_id == after[1].chunk_id


@pytest.mark.parametrize(
    ("change", "doc_id", "section"),
    [
        pytest.param("doc id", "other", "A", id="doc-id"),
        pytest.param("section", "guide", "Renamed", id="section"),
    ],
)
def test_an_id_changes_with_what_shapes_the_embedding(
    change: str, doc_id: str, section: str
) -> None:
    base = chunk_document(make_doc("## A\n\nSame text.\n"), count_tokens, 512)[0]
    other = chunk_document(
        make_doc(f"## {section}\n\nSame text.\n", doc_id=doc_id), count_tokens, 512
    )
    assert other[0].text == base.text
    assert other[0].chunk_id != base.chunk_id, change


def test_identical_paragraphs_under_one_heading_get_distinct_ids() -> None:
    paragraph = "Hold the stretch for thirty seconds and breathe slowly throughout."
    doc = make_doc(f"## Repeat\n\n{paragraph}\n\n{paragraph}\n")
    chunks = chunk_document(doc, count_tokens, 20)  # room for one paragraph, not two
    assert [c.text for c in chunks] == [paragraph, paragraph]
    assert chunks[0].chunk_id != chunks[1].chunk_id
    assert chunks[1].chunk_id == chunks[0].chunk_id + "-2"


@pytest.mark.parametrize(
    ("title", "section", "expected"),
    [
        pytest.param("Guide", "Bridge", "Guide — Bridge\n", id="title-and-section"),
        pytest.param("Guide", "", "Guide\n", id="no-section"),
        pytest.param("Guide", "Guide", "Guide\n", id="section-repeats-title"),
    ],
)
def test_heading_prefix(title: str, section: str, expected: str) -> None:
    assert heading_prefix(title, section) == expected


def test_blocks_are_paragraphs_and_single_list_items() -> None:
    text = "## S\n\nLine one\nline two.\n\n- item a\n- item b\n"
    doc = make_doc(text)
    spans = [doc.text[b.start : b.end] for b in iter_blocks(doc)]
    assert spans == ["Line one\nline two.", "- item a", "- item b"]


def test_chunking_a_loaded_file_matches_its_offsets(tmp_path: Path) -> None:
    path = tmp_path / "bridge.md"
    path.write_bytes(("\ufeff" + FRONT + MIXED).replace("\n", "\r\n").encode())
    doc = load_document(path)
    chunks = chunk_document(doc, count_tokens, 30)
    assert chunks
    assert all(c.text == doc.text[c.start : c.end] for c in chunks)
    assert all("\r" not in c.text for c in chunks)
