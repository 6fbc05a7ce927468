"""The safety layer's fixed answers: the referral, the answer to a question about warning signs,
and the safety notice (numbered after an answer's own citations)."""

from __future__ import annotations

import re

from assistant.answer import Answer, Citation
from assistant.indexing.chunking import Chunk
from assistant.safety.detector import Finding
from assistant.safety.referral import (
    add_safety_notice,
    locate,
    referral_answer,
    sources_for,
    warning_signs_answer,
)
from assistant.safety.rules import Quote, load_rules
from assistant.settings import PROJECT_ROOT

BOOK = load_rules()
DOC = "iliopsoas-pain-exercises"
TEXT = (PROJECT_ROOT / "corpus" / f"{DOC}.md").read_text(encoding="utf-8")
# The whole document as one chunk: every quote of the rules file is in it.
CHUNK = Chunk(
    chunk_id=f"{DOC}-0", doc_id=DOC, title="Pain", section="When to Seek Medical Attention",
    text=TEXT, start=0, end=len(TEXT),
)  # fmt: skip
SOURCES = sources_for(BOOK, [CHUNK])


def test_every_quote_of_the_rules_file_is_verbatim_in_the_corpus() -> None:
    assert all(source is not None for source in SOURCES.values())
    assert set(SOURCES) >= {"warning_signs", "notice:0", "notice:1", "severe_pain"}
    for source in SOURCES.values():
        assert source is not None
        assert TEXT[source.start : source.end] == source.quote


def test_a_quote_missing_from_the_index_is_none() -> None:
    assert locate(Quote(doc_id=DOC, quote="words that are not in the article"), [CHUNK]) is None
    assert locate(None, [CHUNK]) is None


def test_referral_leads_with_urgency_and_cites_only_corpus_rules() -> None:
    findings = [
        Finding(BOOK.rule("calf_dvt"), "hot calf", "model"),
        Finding(BOOK.rule("numbness_tingling"), "numb leg", "model"),
    ]
    answer = referral_answer("q", findings, SOURCES)
    assert answer.text.startswith("⚠️ Please seek urgent medical care now.")
    assert answer.referral
    assert [f.id for f in answer.red_flags] == ["calf_dvt", "numbness_tingling"]
    assert [c.n for c in answer.citations] == [1]
    assert "general safety rule" in answer.text


def test_warning_signs_answer_lists_the_closest_sign_first() -> None:
    answer = warning_signs_answer("q", BOOK, SOURCES, {"sudden_injury": 0.4, "severe_pain": 0.1})
    lines = answer.text.splitlines()
    assert lines[0] == "The clinic's articles say:"
    assert lines[1].endswith("[1]")  # the list's own opening line
    assert "Sudden onset" in lines[2]
    assert [c.n for c in answer.citations] == list(range(1, 7))
    assert not answer.referral
    assert answer.in_scope
    assert lines[-1] == BOOK.general_warning


def test_the_notice_is_numbered_after_the_answers_citations() -> None:
    own = Citation(1, "doc", "T", "S", "doc-1", "Lie on your back.", 0, 17)
    answer = Answer("q", "Lie on your back. [1]", [own])
    add_safety_notice(answer, BOOK, SOURCES)
    assert answer.safety_notice
    assert [c.n for c in answer.citations] == [1, 2, 3]
    notice = answer.text.split("\n\n")[1]
    assert re.findall(r"\[(\d)\]", notice) == ["2", "3"]
    assert "see a doctor" in notice


def test_the_notice_on_a_refusal_keeps_the_refusal_first() -> None:
    answer = Answer("q", "That is outside what my sources cover.", in_scope=False)
    add_safety_notice(answer, BOOK, SOURCES)
    assert answer.text.startswith("That is outside")
    assert [c.n for c in answer.citations] == [1, 2]
