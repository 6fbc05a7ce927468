"""The corpus-specific words the assistant knows (`lexicon.yaml`), validated on load."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator


class Remedy(BaseModel):
    """What the articles prescribe (`remedy` words) for a problem (`problem` fragments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    problem: tuple[str, ...] = Field(min_length=1)
    remedy: str = Field(min_length=1)

    @field_validator("problem")
    @classmethod
    def compiles(cls, entries: tuple[str, ...]) -> tuple[str, ...]:
        return compiled(entries)


class Lexicon(BaseModel):
    """Every list, each entry a word or regular-expression fragment (see lexicon.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    body_ours: tuple[str, ...] = Field(min_length=1)
    body_elsewhere: tuple[str, ...] = Field(min_length=1)
    medicine: tuple[str, ...] = Field(min_length=1)
    diagnostics: tuple[str, ...] = Field(min_length=1)
    synonyms: dict[str, tuple[str, ...]]
    remedies: tuple[Remedy, ...]
    boilerplate: tuple[str, ...] = Field(min_length=1)
    exercise_starts: frozenset[str] = Field(min_length=1)

    @field_validator("body_ours", "body_elsewhere", "medicine", "diagnostics", "boilerplate")
    @classmethod
    def compiles(cls, entries: tuple[str, ...]) -> tuple[str, ...]:
        return compiled(entries)

    @field_validator("exercise_starts")
    @classmethod
    def lower_words(cls, words: frozenset[str]) -> frozenset[str]:
        odd = sorted(w for w in words if not re.fullmatch(r"[a-z]+", w))
        if odd:
            raise ValueError(f"exercise_starts takes lower-case words only: {odd}")
        return words


def compiled(entries: tuple[str, ...]) -> tuple[str, ...]:
    """`entries`, each checked to be a valid regular expression (the error names it)."""
    for entry in entries:
        try:
            re.compile(entry)
        except re.error as error:
            raise ValueError(f"{entry!r} is not a valid pattern: {error}") from error
    return entries


def words_pattern(entries: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive alternation of `entries`, each starting at a word boundary."""
    return re.compile(r"\b(?:" + "|".join(f"(?:{e})" for e in entries) + ")", re.IGNORECASE)


def any_pattern(entries: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive alternation of `entries`, anchored as each entry says."""
    return re.compile("|".join(f"(?:{e})" for e in entries), re.IGNORECASE)


@cache
def load_lexicon() -> Lexicon:
    """The packaged lexicon (read and validated once per process)."""
    text = (resources.files("assistant") / "lexicon.yaml").read_text(encoding="utf-8")
    return Lexicon.model_validate(yaml.safe_load(text))


# The lexicon's lists as patterns: our parts of the body, the others, medicines and doses (out
# of scope whatever the body part) and imaging and diagnostic tests.
OUR_PARTS = words_pattern(load_lexicon().body_ours)
ELSEWHERE = words_pattern(load_lexicon().body_elsewhere)
MEDICINE = words_pattern(load_lexicon().medicine)
DIAGNOSTICS = words_pattern(load_lexicon().diagnostics)
