"""The scale benchmark's corpus generator: seeded, sized, and made of the corpus's own
sentences (not word salad, which would flatter BM25 and the dense index)."""

from __future__ import annotations

from pathlib import Path

from assistant.evaluation.synthetic import generate_corpus, section_pool
from assistant.indexing.chunking import chunk_document
from assistant.indexing.corpus import load_corpus
from assistant.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "corpus"


def words(text: str) -> int:
    return len(text.split())


def test_the_same_seed_writes_the_same_corpus_of_the_asked_size(tmp_path: Path) -> None:
    first = generate_corpus(400, tmp_path / "a", SHIPPED, words, 150, seed=5)
    second = generate_corpus(400, tmp_path / "b", SHIPPED, words, 150, seed=5)
    generate_corpus(400, tmp_path / "c", SHIPPED, words, 150, seed=6)
    assert first == second >= 400
    chunks = sum(len(chunk_document(d, words, 150)) for d in load_corpus(tmp_path / "a"))
    assert chunks == first
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all(
        (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names
    )
    generated = "library-000001.md"
    assert (tmp_path / "a" / generated).read_text() != (tmp_path / "c" / generated).read_text()


def test_generated_articles_are_made_of_the_shipped_sentences(tmp_path: Path) -> None:
    generate_corpus(300, tmp_path, SHIPPED, words, 150, seed=1)
    pool = section_pool(SHIPPED, words, 150)
    shipped = " ".join(d.text for d in load_corpus(SHIPPED))
    sentences = sorted({s for _, group in pool for s in group}, key=len, reverse=True)
    headings = {heading for heading, _ in pool}
    assert all(s in shipped for s in sentences)
    documents = [d for d in load_corpus(tmp_path) if d.doc_id.startswith("library-")]
    assert len(documents) > 10
    for doc in documents:
        for line in doc.text[doc.body_start :].splitlines():
            if line.startswith("## "):
                assert line[3:] in headings
                continue
            rest = line
            while rest:  # each paragraph: shipped sentences, one after another
                first = next((s for s in sentences if rest.startswith(s)), None)
                assert first is not None, (doc.doc_id, rest[:80])
                rest = rest[len(first) :].removeprefix(" ")


def test_distinct_articles_repeat_no_sentence_and_open_each_shipped_one(tmp_path: Path) -> None:
    generate_corpus(300, tmp_path, SHIPPED, words, 150, seed=1, distinct=True)
    pool = section_pool(SHIPPED, words, 150)
    shipped = {s[1:] for _, group in pool for s in group}  # (the first letter may be lowered)
    documents = [d for d in load_corpus(tmp_path) if d.doc_id.startswith("library-")]
    assert len(documents) > 10
    seen: list[str] = []
    for doc in documents:
        number = int(doc.doc_id.removeprefix("library-"))
        for line in doc.text[doc.body_start :].splitlines():
            if line.startswith("## ") or not line:
                continue
            opened = line.split(f"In library note {number}.")[1:]
            assert opened, line[:80]
            for piece in opened:
                place, sentence = piece.strip().split(", ", 1)
                assert place.isdigit()
                assert sentence[1:] in shipped, sentence[:80]
                seen.append(f"{number}.{place} {sentence}")
    assert len(seen) == len(set(seen)) > 100
    places = [s.split(" ", 1)[0] for s in seen]
    assert len(places) == len(set(places))  # each sentence's opener is its own


def test_distinct_is_seeded_like_the_plain_corpus(tmp_path: Path) -> None:
    first = generate_corpus(200, tmp_path / "a", SHIPPED, words, 150, seed=2, distinct=True)
    second = generate_corpus(200, tmp_path / "b", SHIPPED, words, 150, seed=2, distinct=True)
    assert first == second >= 200
    name = "library-000001.md"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
