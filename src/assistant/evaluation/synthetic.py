"""A seeded generator of large corpora for the scale benchmark (`benchmarks/scale.py`).

It writes the shipped articles plus generated ones until the corpus chunks into about the
asked-for number of chunks. A generated article recombines the shipped corpus's own sentences:
each section takes a heading from the corpus and fills two paragraphs mostly from the sentences
under that heading, in a new order, with a few from elsewhere. So every sentence is real clinic
prose — the vocabulary, lengths and closeness of topics that BM25 and the dense index meet in
practice — not random word salad, which would flatter both. What it cannot imitate: a real
library of 10,000 articles says more different things, so its set of distinct sentences is far
larger than the generated one's, and the assistant keeps a vector per distinct sentence.

`distinct=True` measures that cost: each generated sentence is opened with a phrase naming its
article and place ("In library note 12.3, the psoas …"), so no sentence repeats — as in a real
library, where the five shipped articles have 8.7 distinct sentence texts (plain and headed) per
chunk against 0.8 in a recombined corpus of 10,000 chunks. That prose is stilted and its
openers are shared words, so read only costs from it (ingest, memory, start, latency), not
ranking or recall. (About 4% of the split sentences hold two openers, where a shipped sentence
ends without a full stop, and a capitalised name opening a sentence is lowered: "forward Lunge".)
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

from assistant.indexing.chunking import chunk_document
from assistant.indexing.corpus import load_corpus, load_document
from assistant.text.sentences import split_sentences

Counter = Callable[[str], int]


def section_pool(
    corpus_dir: Path, count_tokens: Counter, chunk_tokens: int
) -> list[tuple[str, list[str]]]:
    """Each section heading of the corpus with the sentences under it."""
    pool: dict[str, list[str]] = {}
    for doc in load_corpus(corpus_dir):
        for chunk in chunk_document(doc, count_tokens, chunk_tokens):
            sentences = [chunk.text[a:b] for a, b in split_sentences(chunk.text)]
            pool.setdefault(chunk.section or doc.title, []).extend(
                s.strip('"“”') for s in sentences if len(s.split()) >= 4
            )
    return [(heading, sentences) for heading, sentences in pool.items() if len(sentences) >= 3]


def article(
    number: int, pool: list[tuple[str, list[str]]], rng: random.Random, distinct: bool = False
) -> str:
    """One generated article in Markdown, with front matter (`distinct`: every sentence opened
    with a phrase naming its article and place, so none repeats)."""
    everything = [s for _, sentences in pool for s in sentences]
    place = 0
    lead = rng.choice(pool)[0]
    lines = ["---", f'title: "Clinic library {number}: {lead}"', "---", ""]
    for heading, sentences in rng.sample(pool, k=min(len(pool), rng.randint(3, 6))):
        lines += [f"## {heading}", ""]
        for _ in range(2):
            own = rng.sample(sentences, k=min(len(sentences), rng.randint(2, 5)))
            other = rng.sample(everything, k=rng.randint(0, 2))
            paragraph = own + other
            rng.shuffle(paragraph)
            if distinct:
                paragraph = [opened(s, number, place + i) for i, s in enumerate(paragraph)]
                place += len(paragraph)
            lines += [" ".join(paragraph), ""]
    return "\n".join(lines)


def generate_corpus(
    target_chunks: int,
    folder: Path,
    shipped: Path,
    count_tokens: Counter,
    chunk_tokens: int,
    seed: int = 0,
    distinct: bool = False,
) -> int:
    """Fill the empty `folder` with the `shipped` articles and generated ones until it chunks
    into at least `target_chunks`; how many chunks it holds (`distinct`: see above)."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(shipped.iterdir()):
        if path.suffix in (".md", ".txt"):
            shutil.copy(path, folder / path.name)
            total += len(chunk_document(load_document(path), count_tokens, chunk_tokens))
    rng = random.Random(seed)
    pool = section_pool(shipped, count_tokens, chunk_tokens)
    number = 0
    while total < target_chunks:
        number += 1
        path = folder / f"library-{number:06d}.md"
        path.write_text(article(number, pool, rng, distinct), encoding="utf-8")
        total += len(chunk_document(load_document(path), count_tokens, chunk_tokens))
    return total


def opened(sentence: str, number: int, place: int) -> str:
    """`sentence` opened with a phrase naming its article and place in it."""
    start = sentence[:1].lower() if sentence[1:2].islower() else sentence[:1]  # keep "I", "NSAIDs"
    return f"In library note {number}.{place + 1}, {start}{sentence[1:]}"
