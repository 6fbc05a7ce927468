"""The red-flag rules as validated data: ids, labels, urgency, advice, the corpus's own words,
and the few patterns kept where a learned model is the wrong tool (numbers on a pain scale,
a temperature in degrees)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import AssistantError


class Quote(BaseModel):
    """Where the corpus says it: a document and a verbatim quote."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    doc_id: str
    quote: str = Field(min_length=10)


class Rule(BaseModel):
    """One red flag: what it is called, how urgent it is and what the user must do."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z_]+$")
    label: str = Field(min_length=5)
    urgency: Literal["urgent", "doctor"]
    source: Literal["corpus", "general"]
    advice: str = Field(min_length=10)
    citation: Quote | None = None
    patterns: tuple[str, ...] = ()

    @model_validator(mode="after")
    def corpus_rules_cite(self) -> Rule:
        if self.source == "corpus" and self.citation is None:
            raise ValueError("a corpus rule needs a citation (doc_id and verbatim quote)")
        return self


class NoticeLine(BaseModel):
    """One sentence of the safety notice and the corpus passage that backs it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=10)
    citation: Quote


class RuleBook(BaseModel):
    """The whole rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rules: tuple[Rule, ...] = Field(min_length=1)
    warning_signs: Quote  # the opening line of the corpus's list of warning signs
    safety_notice: tuple[NoticeLine, ...] = Field(min_length=1)
    general_warning: str = Field(min_length=10)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)

    @property
    def urgent(self) -> frozenset[str]:
        return frozenset(rule.id for rule in self.rules if rule.urgency == "urgent")

    def rule(self, rule_id: str) -> Rule:
        return next(rule for rule in self.rules if rule.id == rule_id)


@cache
def load_rules(text: str | None = None) -> RuleBook:
    """Parse and validate the rules (the packaged `red_flags.yaml` unless `text` is given)."""
    if text is None:
        source = resources.files("assistant.safety").joinpath("red_flags.yaml")
        text = source.read_text(encoding="utf-8")
    try:
        book = RuleBook.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise AssistantError(f"red-flag rules are invalid: {' '.join(str(exc).split())}") from exc
    if len(book.ids) != len(set(book.ids)):
        raise AssistantError("red-flag rules are invalid: duplicate rule id")
    for rule in book.rules:
        for pattern in rule.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise AssistantError(f"red-flag rule {rule.id}: bad pattern: {exc}") from exc
    return book
