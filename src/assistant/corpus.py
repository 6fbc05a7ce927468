"""Loading the source documents: Markdown or plain text, with optional YAML front matter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import CorpusError

SUPPORTED_SUFFIXES = (".md", ".txt")
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
    """Read one file, parse its front matter and check it has text."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    meta, body_start = parse_front_matter(text, path)
    if not text[body_start:].strip():
        raise CorpusError(f"{path}: the document has no text")
    title = meta.get("title") or first_line(text[body_start:]) or path.stem
    return Document(path.stem, path, title, text, body_start, meta)


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
