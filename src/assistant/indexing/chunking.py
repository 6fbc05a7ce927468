"""Structure-aware chunking: sections from headings, blocks from paragraphs and list items.

A chunk is a verbatim slice `document.text[start:end]` of consecutive blocks under one heading;
it carries that heading, so an exercise's steps always travel with the exercise's name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.indexing.corpus import Document
from assistant.indexing.structure import dose, exercise_name
from assistant.text.sentences import indent, split_sentences

TokenCounter = Callable[[str], int]

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# White space the tokenizer splits words at. Not all of Python's: it deletes \v, \f and \x1c-\x1f
# as control characters, which joins the words on either side.
SPACE = re.compile(r"[ \t\n\r]+")


@dataclass(frozen=True)
class Chunk:
    """A passage of one document, with where it sits and what it is under."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    start: int
    end: int
    exercise: str = ""  # the exercise its section teaches (indexing/structure.py), if any
    holds: tuple[str, ...] = ()  # the holds its section prescribes, verbatim
    repetitions: tuple[str, ...] = ()  # and the repetitions

    @property
    def embed_text(self) -> str:
        """What the embedding model sees: the passage with its document and section names."""
        return heading_prefix(self.title, self.section) + self.text


@dataclass(frozen=True)
class Block:
    """A paragraph or list item: `section` is the nearest heading above it."""

    section: str
    start: int
    end: int


def heading_prefix(title: str, section: str) -> str:
    """The context line prepended to a chunk for embedding."""
    return f"{title} — {section}\n" if section and section != title else f"{title}\n"


def chunk_document(doc: Document, count_tokens: TokenCounter, max_tokens: int) -> list[Chunk]:
    """Split a document into chunks of at most `max_tokens` word pieces, context included."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section, spans in group_sections(iter_blocks(doc)):
        items = [doc.text[a:b] for a, b in spans if LIST_ITEM.match(doc.text[a:b])]
        exercise = exercise_name(section, items)
        prescribed = dose("\n".join(doc.text[a:b] for a, b in spans))
        budget = max_tokens - count_tokens(heading_prefix(doc.title, section))
        for start, end, _ in pack(doc.text, spans, count_tokens, budget):
            text = doc.text[start:end]
            digest = content_hash(doc.doc_id, doc.title, section, text)
            seen[digest] = seen.get(digest, 0) + 1
            suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
            chunk_id = f"{doc.doc_id}-{digest}{suffix}"
            chunks.append(
                Chunk(
                    chunk_id,
                    doc.doc_id,
                    doc.title,
                    section,
                    text,
                    start,
                    end,
                    exercise,
                    holds=prescribed.holds,
                    repetitions=prescribed.repetitions,
                )
            )
    return chunks


def content_hash(*parts: str) -> str:
    """A short stable hash of everything that shapes a chunk's embedding."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def iter_blocks(doc: Document) -> Iterator[Block]:
    """Yield paragraphs and list items with their spans and nearest heading."""
    section = ""
    block_start: int | None = None
    block_end = 0
    offset = doc.body_start
    for line in doc.text[doc.body_start :].splitlines(keepends=True):
        content = line.rstrip("\n")
        line_start, offset = offset, offset + len(line)
        stripped_end = line_start + len(content.rstrip())
        heading = HEADING.match(content)
        if not content.strip() or heading or LIST_ITEM.match(content):
            if block_start is not None:
                yield Block(section, block_start, block_end)
                block_start = None
            if heading:
                section = heading.group(2)
            elif content.strip():
                block_start, block_end = line_start + indent(content), stripped_end
                # A list item is a block of its own: close it at once.
                yield Block(section, block_start, block_end)
                block_start = None
            continue
        if block_start is None:
            block_start = line_start + indent(content)
        block_end = stripped_end
    if block_start is not None:
        yield Block(section, block_start, block_end)


def group_sections(blocks: Iterator[Block]) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """Group consecutive blocks that share a heading."""
    current: str | None = None
    spans: list[tuple[int, int]] = []
    for block in blocks:
        if block.section != current and spans:
            yield current or "", spans
            spans = []
        current = block.section
        spans.append((block.start, block.end))
    if spans:
        yield current or "", spans


def pack(
    text: str, spans: list[tuple[int, int]], count_tokens: TokenCounter, budget: int
) -> Iterator[tuple[int, int, int]]:
    """Greedily join consecutive spans while the joined slice fits the budget; each joined
    span comes with its word-piece count."""
    pieces = [piece for span in spans for piece in fit(text, span, count_tokens, budget)]
    return join(text, pieces, count_tokens, budget)


def fit(
    text: str, span: tuple[int, int], count_tokens: TokenCounter, budget: int
) -> list[tuple[int, int, int]]:
    """Split one over-long block at sentence, then word, boundaries so each piece fits; each
    piece with its word-piece count."""
    tokens = count_tokens(text[span[0] : span[1]])
    if tokens <= budget:
        return [(*span, tokens)]
    sentences = split_sentences(text, span[0], span[1])
    if len(sentences) > 1:
        return list(pack(text, sentences, count_tokens, budget))
    # Last resort for a sentence longer than the budget: cut between words.
    words = re.finditer(r"\S+", text[span[0] : span[1]])
    bounds = [(span[0] + m.start(), span[0] + m.end()) for m in words]
    counted = [(a, b, count_tokens(text[a:b])) for a, b in bounds]
    return list(join(text, counted, count_tokens, budget))


def join(
    text: str, pieces: list[tuple[int, int, int]], count_tokens: TokenCounter, budget: int
) -> Iterator[tuple[int, int, int]]:
    """Greedily join consecutive counted pieces while the joined slice fits the budget.

    The model's tokenizer splits words at white space before cutting each into word pieces,
    so across white space two counts add up (the special tokens, `bare`, counted once): a
    growing chunk is not counted again at each piece (tests/integration/test_chunk_counts.py
    checks every sum against the tokenizer). Across anything else it is counted whole.
    """
    bare = count_tokens("")
    start, end, tokens = pieces[0]
    for piece_start, piece_end, piece_tokens in pieces[1:]:
        if SPACE.fullmatch(text, end, piece_start):
            joined = tokens + piece_tokens - bare
        else:
            joined = count_tokens(text[start:piece_end])
        if joined <= budget:
            end, tokens = piece_end, joined
            continue
        yield start, end, tokens
        start, end, tokens = piece_start, piece_end, piece_tokens
    yield start, end, tokens
