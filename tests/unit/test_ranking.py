"""The learned sentence ranker's memory and scoring, with hand-set weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.data import plain
from assistant.answering.ranking import FEATURES, Memory, Ranker, marked
from assistant.settings import PROJECT_ROOT
from assistant.text.sentences import split_sentences

MEMORY = Memory(
    np.array([[1.0, 0.0], [0.75, 0.5], [0.0, 1.0]]),  # float32-exact, as stored
    (
        ("Hold the stretch for **30 seconds**.",),
        ("Hold the stretch for 30 seconds.", "Repeat two to three times."),
        ("Call/text: 720-620-8018",),
    ),
)


@pytest.mark.parametrize(
    ("candidate", "sentences", "expected"),
    [
        ("Hold the stretch for 30 seconds.", ["Hold the stretch for **30 seconds**."], True),
        (
            "- Hold the stretch for 30 seconds, then relax.",
            ["Hold the stretch for 30 seconds"],
            True,
        ),
        ("Relax.", ["Relax and breathe deeply."], False),  # a part under four words
        ("Repeat on the other side.", ["Hold the stretch for 30 seconds."], False),
    ],
    ids=["markdown-dropped", "clause-of-it", "too-short-a-part", "other-sentence"],
)
def test_a_candidate_is_marked_when_it_is_the_quoted_sentence(
    candidate: str, sentences: list[str], expected: bool
) -> None:
    assert marked(candidate, sentences) is expected


def test_support_is_the_similarity_of_the_nearest_questions_that_marked_it() -> None:
    found = MEMORY.support([1.0, 0.0], ["Hold the stretch for 30 seconds.", "Nothing here at all."])
    nearest, three, any_ = found[0]
    assert nearest == pytest.approx(1.0)
    assert three == pytest.approx((1.0 + 0.75) / 2)  # two questions marked it
    assert any_ == 1.0
    assert found[1] == (0.0, 0.0, 0.0)


def test_support_can_be_limited_to_some_questions() -> None:
    among = np.array([False, True, True])  # e.g. other folds only
    ((nearest, _, _),) = MEMORY.support([1.0, 0.0], ["Hold the stretch for 30 seconds."], among)
    assert nearest == pytest.approx(0.75)


def candidates(memory: Memory) -> list[str]:
    """Every corpus sentence, and each marked sentence with its first and last four words and
    its first three: texts that quote a mark, are quoted by one, equal one, or too short."""
    texts = []
    for path in sorted((PROJECT_ROOT / "corpus").glob("*.md")):
        body = path.read_text(encoding="utf-8")
        texts += [body[start:end] for start, end in split_sentences(body)]
    for mark in dict.fromkeys(sentence for group in memory.sentences for sentence in group):
        words = mark.split()
        texts += [mark, " ".join(words[:4]), " ".join(words[-4:]), " ".join(words[:3])]
    return texts


def quoted(text: str, marks: list[str]) -> bool:
    """The rule as first written, one mark at a time: the oracle the memory is checked with."""
    for mark in marks:
        shorter = min(text, mark, key=len)
        if text == mark or (len(shorter.split()) >= 4 and (mark in text or text in mark)):
            return True
    return False


def test_marks_are_the_questions_whose_sentences_match_one_by_one() -> None:
    memory = Ranker.load().memory  # the packaged memory: questions share marked sentences
    texts = candidates(memory)
    assert len(texts) > 1000
    groups = [[plain(s).lower() for s in group] for group in memory.sentences]
    hits = 0
    for text in texts:
        one_by_one = [quoted(plain(text).lower(), group) for group in groups]
        assert memory.marks(text).tolist() == one_by_one, text
        hits += any(one_by_one)
    assert 0 < hits < len(texts)


def ranker() -> Ranker:
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("support_nearest")] = 10.0
    return Ranker(tuple(weights), -5.0, MEMORY, {"note": "hand-set"})


def test_rank_prefers_the_supported_sentence() -> None:
    features = [tuple([0.0] * (len(FEATURES) - 3))] * 2
    texts = ["Nothing here at all.", "Hold the stretch for 30 seconds."]
    low, high = ranker().rank(features, [1.0, 0.0], texts)
    assert high > 0.5 > low


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    ranker().save(tmp_path / "r")
    loaded = Ranker.load(tmp_path / "r")
    assert loaded.weights == ranker().weights
    assert loaded.meta == {"note": "hand-set"}
    assert np.array_equal(loaded.memory.vectors, MEMORY.vectors)
    features = [tuple([0.0] * (len(FEATURES) - 3))]
    texts = ["Hold the stretch for 30 seconds."]
    assert loaded.rank(features, [0.75, 0.5], texts) == ranker().rank(features, [0.75, 0.5], texts)


def test_a_model_trained_on_other_features_is_refused(tmp_path: Path) -> None:
    ranker().save(tmp_path / "r")
    data = json.loads((tmp_path / "r" / "model.json").read_text())
    data["features"] = data["features"][:-1]
    (tmp_path / "r" / "model.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="other features"):
        Ranker.load(tmp_path / "r")
