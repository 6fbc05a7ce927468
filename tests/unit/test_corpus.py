"""Loading source documents, and the CorpusError messages for files that cannot be ingested."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import AssistantError, CorpusError
from assistant.indexing.corpus import load_corpus, load_document

GOOD = "---\ntitle: Psoas Basics\nyear: 2024\nauthor:\n---\n# Heading One\n\nBody text.\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_front_matter_gives_title_meta_and_body_start(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "psoas-basics.md", GOOD))
    assert doc.doc_id == "psoas-basics"
    assert doc.title == "Psoas Basics"
    assert doc.meta == {"title": "Psoas Basics", "year": "2024"}  # None values dropped
    assert doc.text == GOOD
    assert doc.text[doc.body_start :].startswith("# Heading One")


@pytest.mark.parametrize(
    ("content", "title"),
    [
        pytest.param("# The Psoas\n\nText.\n", "The Psoas", id="markdown-heading"),
        pytest.param(
            "\n\n  Plain first line  \nMore.\n", "Plain first line", id="plain-first-line"
        ),
        pytest.param(
            "---\nsource: x\n---\n## Sub Title\nText.\n", "Sub Title", id="meta-without-title"
        ),
    ],
)
def test_title_falls_back_to_the_first_line(tmp_path: Path, content: str, title: str) -> None:
    assert load_document(write(tmp_path, "doc.md", content)).title == title


def test_title_from_a_closed_heading_drops_the_closing_hashes(tmp_path: Path) -> None:
    assert load_document(write(tmp_path, "doc.md", "# The Psoas #\n\nText.\n")).title == "The Psoas"


def test_bom_and_crlf_are_normalised(tmp_path: Path) -> None:
    raw = "\ufeff---\r\ntitle: T\r\n---\r\nLine one.\r\nLine two.\r\n".encode()
    doc = load_document(write(tmp_path, "doc.txt", raw))
    assert doc.text == "---\ntitle: T\n---\nLine one.\nLine two.\n"
    assert doc.text[doc.body_start :] == "Line one.\nLine two.\n"
    assert doc.title == "T"


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        pytest.param("empty.md", b"", "the document has no text", id="empty-file"),
        pytest.param("blank.md", b"  \n\n\t\n", "the document has no text", id="whitespace-only"),
        pytest.param(
            "meta-only.md",
            b"---\ntitle: X\n---\n",
            "the document has no text",
            id="front-matter-only",
        ),
        pytest.param(
            "broken.md",
            b"---\ntitle: [unclosed\n---\nBody.\n",
            "broken front matter",
            id="broken-yaml",
        ),
        pytest.param(
            "unclosed.md",
            b"---\ntitle: X\nBody text.\n",
            "front matter opened with '---' is never closed",
            id="unclosed-front-matter",
        ),
        pytest.param(
            "dashes.md",
            b"---\ntitle: X\n---more\nBody.\n",
            "is never closed",
            id="closer-not-alone",
        ),
        pytest.param(
            "latin1.md",
            b"Caf\xe9 stretches.\n",
            "not UTF-8 text (byte 3)",
            id="non-utf8",
        ),
        pytest.param(
            "list.md",
            b"---\ntags: [a, b]\n---\nBody.\n",
            "front matter field 'tags' must be a single value",
            id="list-valued-field",
        ),
        pytest.param(
            "scalar.md",
            b"---\njust words\n---\nBody.\n",
            "front matter must be 'key: value' lines",
            id="front-matter-not-a-mapping",
        ),
    ],
)
def test_bad_file_gives_a_corpus_error_naming_file_and_problem(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(CorpusError) as direct:
        load_document(path)
    assert str(direct.value).startswith(f"{path}: ")
    assert problem in str(direct.value)
    with pytest.raises(CorpusError) as via_folder:
        load_corpus(tmp_path)
    assert str(via_folder.value) == str(direct.value)


def test_broken_yaml_message_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.md", b"---\ntitle: [unclosed\n---\nBody.\n")
    with pytest.raises(CorpusError, match="broken front matter") as caught:
        load_document(path)
    assert "\n" not in str(caught.value)


def test_empty_front_matter_is_accepted(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "doc.md", "---\n---\n# Title\n\nBody.\n"))
    assert (doc.meta, doc.title) == ({}, "Title")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        pytest.param("notes.pdf", "'.pdf'", id="pdf"),
        pytest.param("notes.docx", "'.docx'", id="docx"),
        pytest.param("NOTES", "'(none)'", id="no-extension"),
    ],
)
def test_unsupported_extension_is_named(tmp_path: Path, name: str, shown: str) -> None:
    write(tmp_path, "good.md", GOOD)
    path = write(tmp_path, name, b"some text")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: unsupported file type {shown}")
    assert ".md or .txt" in message


def test_corpus_error_is_an_assistant_error() -> None:
    assert issubclass(CorpusError, AssistantError)


def test_readme_hidden_files_and_folders_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "README.md", b"")  # would be an error if it were read
    write(tmp_path, ".DS_Store", b"\xff\xfe")
    (tmp_path / "drafts").mkdir()
    write(tmp_path / "drafts", "bad.pdf", b"x")
    write(tmp_path, "b.txt", "Second document.\n")
    write(tmp_path, "a.MD", "First document.\n")
    docs = load_corpus(tmp_path)
    assert [d.doc_id for d in docs] == ["a", "b"]
    assert [d.title for d in docs] == ["First document.", "Second document."]


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({}, id="empty-folder"),
        pytest.param({"README.md": "Editors: put articles here.\n"}, id="readme-only"),
    ],
)
def test_folder_without_documents_is_an_error(tmp_path: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        write(tmp_path, name, content)
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert str(caught.value) == f"{tmp_path}: no .md or .txt documents to ingest"


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(CorpusError, match="corpus folder not found") as caught:
        load_corpus(missing)
    assert str(missing) in str(caught.value)
