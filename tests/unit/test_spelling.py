"""The speller: known and short words stay, a typo becomes its closest known word, a word with
nothing close stays as typed."""

from __future__ import annotations

import pytest

from assistant.text.spelling import Speller

SPELLER = Speller(["stretch", "stretching", "psoas", "iliopsoas", "hamstring", "kneeling"])


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        pytest.param("streching", "stretching", id="letter-missing"),
        pytest.param("iliopsaos", "iliopsoas", id="letters-swapped"),
        pytest.param("hamstrnig", "hamstring", id="letters-swapped-late"),
        pytest.param("kneeeling", "kneeling", id="letter-doubled"),
        pytest.param("stretch", "stretch", id="known"),
        pytest.param("psaos", "psoas", id="five-letters-corrected"),
        pytest.param("hips", "hips", id="short-words-stay"),
        pytest.param("quadriceps", "quadriceps", id="nothing-close"),
    ],
)
def test_a_word_is_corrected_only_to_a_close_known_word(typed: str, meant: str) -> None:
    assert SPELLER.correct([typed]) == [meant]


def test_a_correction_is_remembered_and_the_same_every_time() -> None:
    speller = Speller(["stretching", "strengthening"])
    first = speller.correct(["streching", "strenghtening"])
    assert first == ["stretching", "strengthening"]
    assert speller.corrected == {"streching": "stretching", "strenghtening": "strengthening"}
    assert speller.correct(["strenghtening", "streching"]) == first[::-1]
