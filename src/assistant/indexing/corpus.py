"""Loading the source documents: Markdown or plain text, with optional YAML front matter."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import CorpusError

SUPPORTED_SUFFIXES = (".md", ".txt")
# One article is tens of kilobytes; a file far larger is an export or a mistake, and would take
# minutes to embed (a 20 MB file: about 28,000 chunks, 18 minutes here).
MAX_FILE_BYTES = 2_000_000
# Real prose never gives one word this share of its words ("the" is about 6%); a file that does
# is filler that would swamp search for the whole corpus.
MAX_WORD_SHARE = 0.3
MIN_WORDS_FOR_SHARE = 100
# Files a clinic may leave in the folder that are not documents (a README for editors, say).
IGNORED_NAMES = frozenset({"README.md", "readme.md"})


@dataclass(frozen=True)
class Document:
    """One source document; `text` is the whole file and `body_start` where the prose begins."""

    doc_id: str
    path: Path
    title: str
    text: str
    body_start: int
    meta: dict[str, str] = field(default_factory=dict)


def load_corpus(folder: Path) -> list[Document]:
    """Read and validate every document in `folder`; raise CorpusError naming the first bad file."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    documents = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.is_dir() or path.name in IGNORED_NAMES:
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise CorpusError(
                f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
                f"use {' or '.join(SUPPORTED_SUFFIXES)}"
            )
        documents.append(load_document(path))
    if not documents:
        raise CorpusError(f"{folder}: no .md or .txt documents to ingest")
    return documents


def load_document(path: Path) -> Document:
    """Read one file, parse its front matter and check it has text that reads like text."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(
                f"{path}: {size / 1e6:.1f} MB is over the {MAX_FILE_BYTES / 1e6:.0f} MB limit "
                "for one document; split it into articles"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if b"\x00" in data:
        raise CorpusError(f"{path}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    meta, body_start = parse_front_matter(text, path)
    if not text[body_start:].strip():
        raise CorpusError(f"{path}: the document has no text")
    check_prose(text[body_start:], path)
    title = meta.get("title") or first_line(text[body_start:]) or path.stem
    return Document(path.stem, path, title, text, body_start, meta)


def check_prose(body: str, path: Path) -> None:
    """Refuse a body that is mostly one word repeated."""
    words = re.findall(r"\w+", body.lower())
    if len(words) < MIN_WORDS_FOR_SHARE:
        return
    word, count = Counter(words).most_common(1)[0]
    if count > MAX_WORD_SHARE * len(words):
        raise CorpusError(
            f"{path}: {word!r} is {count} of its {len(words)} words; a document that is mostly "
            "one word repeated would swamp search for every other document"
        )


def parse_front_matter(text: str, path: Path) -> tuple[dict[str, str], int]:
    """Return the front-matter fields and the offset where the body begins."""
    if not text.startswith("---\n"):
        return {}, 0
    end = text.find("\n---", 3)
    if end == -1 or text[end + 4 : end + 5] not in ("\n", ""):
        raise CorpusError(f"{path}: front matter opened with '---' is never closed")
    try:
        meta = yaml.safe_load(text[4:end]) if end > 3 else {}
        meta = meta or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: broken front matter: {one_line(str(exc))}") from exc
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: front matter must be 'key: value' lines")
    bad = [key for key, value in meta.items() if isinstance(value, dict | list)]
    if bad:
        raise CorpusError(f"{path}: front matter field {bad[0]!r} must be a single value")
    return {str(k): str(v) for k, v in meta.items() if v is not None}, min(end + 5, len(text))


def first_line(body: str) -> str:
    """The first non-empty line without Markdown heading marks: a title for files without one."""
    for line in body.splitlines():
        if line.strip():
            return line.strip().strip("#").strip()
    return ""


def one_line(message: str) -> str:
    """Collapse a multi-line parser message into one line."""
    return " ".join(message.split())
