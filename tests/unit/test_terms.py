"""Word handling shared by the lexical retriever and the composer."""

from __future__ import annotations

import pytest

from assistant.text.terms import STOPWORDS, stem, terms, undouble, words


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        pytest.param("stretches", "stretch", id="ches-plural"),
        pytest.param("stretching", "stretch", id="ing"),
        pytest.param("stretched", "stretch", id="ed"),
        pytest.param("stretch", "stretch", id="already-stem"),
        pytest.param("hips", "hip", id="s-plural"),
        pytest.param("sitting", "sit", id="ing-undoubled"),
        pytest.param("hopped", "hop", id="ed-undoubled"),
        pytest.param("falling", "fall", id="ll-kept"),
        pytest.param("stiffness", "stiff", id="ness"),
        pytest.param("tightness", "tight", id="ness-after-s"),
        pytest.param("bodies", "body", id="ies"),
        pytest.param("injuries", "injury", id="ies-long"),
        pytest.param("classes", "class", id="sses"),
        pytest.param("stress", "stress", id="ss-kept"),
        pytest.param("pelvis", "pelvis", id="is-kept"),
        pytest.param("flexes", "flex", id="xes"),
        pytest.param("lying", "lying", id="too-short-for-ing"),
        pytest.param("abs", "abs", id="three-letters-untouched"),
        pytest.param("2024", "2024", id="digits-untouched"),
        pytest.param("strengthening", "strengthen", id="strengthening"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    "family",
    [
        pytest.param(["stretch", "stretches", "stretching", "stretched"], id="stretch"),
        pytest.param(
            ["strengthen", "strengthens", "strengthening", "strengthened"], id="strengthen"
        ),
        pytest.param(["hold", "holds", "holding"], id="hold"),
        pytest.param(["flexor", "flexors"], id="flexor"),
    ],
)
def test_word_families_share_one_stem(family: list[str]) -> None:
    assert len({stem(w) for w in family}) == 1


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        pytest.param("sitt", "sit", id="double-t"),
        pytest.param("fall", "fall", id="double-l-kept"),
        pytest.param("pass", "pass", id="double-s-kept"),
        pytest.param("fizz", "fizz", id="double-z-kept"),
        pytest.param("ee", "ee", id="too-short"),
        pytest.param("a11", "a11", id="digits-kept"),
    ],
)
def test_undouble(word: str, expected: str) -> None:
    assert undouble(word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Don\u2019t over-stretch!", ["dont", "over", "stretch"], id="curly-apostrophe"
        ),
        pytest.param("It's 30s, OK?", ["its", "30s", "ok"], id="straight-apostrophe"),
        pytest.param("PSOAS/Iliacus", ["psoas", "iliacus"], id="slash-and-case"),
        pytest.param("— … !", [], id="no-words"),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "How do I stretch my tight hip flexors when sitting?",
            ["stretch", "tight", "hip", "flexor", "sit"],
            id="question",
        ),
        pytest.param("Please tell me what I should do", [], id="only-stopwords"),
        pytest.param("Hold it for 30 seconds", ["hold", "30", "second"], id="numbers-kept"),
    ],
)
def test_terms_drop_stopwords_and_stem(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_stopwords_are_lower_case_words() -> None:
    assert all(w == w.lower() and w.isalnum() for w in STOPWORDS)
    assert {"the", "how", "please", "dont"} <= STOPWORDS
    assert not {"stretch", "hip", "pain", "hold"} & STOPWORDS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("how do u say iliacus", ["say", "iliacus"], id="u"),
        pytest.param("lol where is the iliacus", ["iliacus"], id="lol"),
        pytest.param("im a runner btw", ["runner"], id="btw"),
        pytest.param("ur hip flexors r tight tho", ["hip", "flexor", "tight"], id="ur-r-tho"),
    ],
)
def test_chat_filler_is_not_a_content_word(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_terms_of_a_remembered_text_are_a_fresh_list_each_time() -> None:
    first = terms("Stretching the hips")
    first.append("changed")  # a caller's own list: the next caller must not see this
    assert terms("Stretching the hips") == ["stretch", "hip"]
    assert terms("Stretching the hips") is not terms("Stretching the hips")
