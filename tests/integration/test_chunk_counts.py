"""Chunking adds word-piece counts across white space instead of counting each growing chunk
again; with the model's real tokenizer, every sum must equal the tokenizer's own count."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.indexing.chunking import group_sections, iter_blocks, pack
from assistant.indexing.corpus import Document, load_document
from assistant.indexing.embeddings import load_token_counter
from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

# What could make counts fail to add up: accents (stripped), characters the tokenizer isolates
# (CJK, punctuation, symbols), words longer than WordPiece reads (one [UNK]), control and
# zero-width characters, emoji, hyphens and dashes, and every kind of white space between.
LONG_WORD = "supercalifragilistic" * 6  # 120 letters
TRICKY = f"""# Stretches, revisited

Café naïve résumé: the psoas (iliopsoas) — 腰大肌 — hurts!!! Hold 30s… then “relax”.
{LONG_WORD} yes.\u200b
Tab\tseparated\u00a0words, a\u0301ccent combining, emoji 🧘\u200d♀️ and 💪🏽,
C++ & R&D, e.g. 2-3 sets.\x0bA vertical tab, a form\x0cfeed and a file\x1cseparator.

- One item\x07 with a bell.
- Two\u3000items, ideographic space.
"""


def documents(tmp_path: Path) -> list[Document]:
    tricky = tmp_path / "tricky.md"
    tricky.write_text(TRICKY)
    return [load_document(p) for p in sorted((PROJECT_ROOT / "corpus").glob("*.md"))] + [
        load_document(tricky)
    ]


@pytest.mark.parametrize("budget", [pytest.param(b, id=f"budget-{b}") for b in (6, 24, 64, 256)])
def test_packed_counts_equal_the_tokenizers_count(tmp_path: Path, budget: int) -> None:
    count = load_token_counter()
    packed = 0
    for doc in documents(tmp_path):
        for _, spans in group_sections(iter_blocks(doc)):
            for start, end, tokens in pack(doc.text, spans, count, budget):
                assert tokens == count(doc.text[start:end]), doc.text[start:end]
                packed += 1
    assert packed > 40  # (the loop ran: the five articles and the tricky one)
