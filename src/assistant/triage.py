"""Red-flag triage: deterministic rules run on the user's own words before anything else.

Two layers find a rule: its lexicon (regular expressions over normalised text, misspellings
corrected, negated mentions such as "no numbness" ignored) and, for wording the lexicon does
not know, similarity to the rule's example phrasings above a calibrated threshold. No language
model takes part, and nothing the user types can switch a rule off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import AssistantError
from assistant.spelling import normalise

Vectorizer = Callable[[list[str]], list[list[float]]]

NEGATION = re.compile(
    r"\b(?:no|not|never|without|dont|doesnt|didnt|havent|hasnt|isnt|wasnt|arent|none|zero|"
    r"denies|deny|nor|neither|free of|absence of)\b"
    # "not sure if it's numbness" is doubt, not denial: doubt must still refer.
    r"(?!\s+(?:sure|certain|know|knowing|if|whether|think|believe|remember|only))"
)
CLAUSE_BREAK = re.compile(
    r"[.;!?\n]+|\b(?:but|however|although|though|except|yet)\b"
    r"|\band (?=(?:i|my|it|now|then|his|her|the|she|he|they|its)\b)"
)
NEGATION_WINDOW = 5  # words before a mention that a negation reaches
# A past episode the user says is over ("a temperature two months ago … fully better now").
PAST = re.compile(
    r"\b(?:ago|last (?:week|month|year|summer|winter)|years? back|as a (?:kid|child))\b"
)
RESOLVED = re.compile(
    r"\b(?:fully|completely|totally|all) (?:better|recovered|healed|fine)|\b(?:gone|went) "
    r"(?:away )?completely|\bcompletely gone\b|\bcleared up\b|\b(?:fine|better|recovered) now\b"
)


class Citation(BaseModel):
    """Where the corpus says it: a document and a verbatim quote."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    doc_id: str
    quote: str = Field(min_length=10)


class Rule(BaseModel):
    """One red flag: how it is recognised, what it is called and what the user must do."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z_]+$")
    label: str = Field(min_length=5)
    urgency: Literal["urgent", "doctor"]
    source: Literal["corpus", "general"]
    advice: str = Field(min_length=10)
    citation: Citation | None = None
    patterns: tuple[str, ...] = Field(min_length=1)
    examples: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def corpus_rules_cite(self) -> Rule:
        if self.source == "corpus" and self.citation is None:
            raise ValueError("a corpus rule needs a citation (doc_id and verbatim quote)")
        return self


class RuleBook(BaseModel):
    """The whole rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    vocabulary: str = ""
    keep_words: str = ""
    trauma_words: str = ""
    fever_words: str = ""
    body_words: str = ""
    no_weight_words: str = ""
    pain_words: str
    rules: tuple[Rule, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Finding:
    """A rule recognised in the conversation, with the words that triggered it."""

    rule: Rule
    evidence: str
    layer: Literal["lexicon", "similarity"]


@cache
def load_rules(text: str | None = None) -> RuleBook:
    """Parse and validate the rules (the packaged `red_flags.yaml` unless `text` is given)."""
    if text is None:
        text = resources.files("assistant").joinpath("red_flags.yaml").read_text(encoding="utf-8")
    try:
        book = RuleBook.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise AssistantError(f"red-flag rules are invalid: {' '.join(str(exc).split())}") from exc
    ids = [rule.id for rule in book.rules]
    if len(ids) != len(set(ids)):
        raise AssistantError("red-flag rules are invalid: duplicate rule id")
    for rule in book.rules:
        for pattern in rule.patterns:
            try:
                re.compile(expand(pattern, book))
            except re.error as exc:
                raise AssistantError(f"red-flag rule {rule.id}: bad pattern: {exc}") from exc
    return book


def expand(pattern: str, book: RuleBook) -> str:
    """Fill a pattern's shorthands ({PAIN}, {TRAUMA}, …) from the rules file."""
    return (
        pattern.replace("{PAIN}", book.pain_words)
        .replace("{TRAUMA}", book.trauma_words)
        .replace("{NO_WEIGHT}", book.no_weight_words)
        .replace("{FEVER}", book.fever_words)
        .replace("{BODY}", book.body_words)
    )


class Triage:
    """Finds red flags in every user message of a conversation."""

    def __init__(
        self,
        book: RuleBook,
        *,
        vectorize: Vectorizer | None = None,
        threshold: float = 1.01,
        vocabulary: Iterable[str] = (),
    ) -> None:
        self.rules = book.rules
        self.lexicons = {
            rule.id: [re.compile(expand(p, book)) for p in rule.patterns] for rule in book.rules
        }
        # Every plain word the patterns use is a correction target, so a correctly spelt
        # trigger word is never "corrected" into a different one.
        pattern_words = {
            word
            for rule in book.rules
            for pattern in rule.patterns
            for word in re.findall(r"[a-z]{5,}", expand(pattern, book))
        }
        self.vocabulary = (
            frozenset(book.vocabulary.split()) | frozenset(pattern_words) | frozenset(vocabulary)
        )
        self.keep = frozenset(book.keep_words.split())
        self.vectorize = vectorize
        self.threshold = threshold
        self.examples: list[tuple[Rule, list[float]]] = []
        if vectorize is not None:
            texts = [(rule, example) for rule in book.rules for example in rule.examples]
            vectors = vectorize([example for _, example in texts])
            self.examples = [(rule, v) for (rule, _), v in zip(texts, vectors, strict=True)]

    def assess(self, messages: Sequence[str]) -> list[Finding]:
        """Every rule found in any message, urgent ones first, in rule order."""
        found: dict[str, Finding] = {}
        # One text for the whole conversation: "I fell off a ladder" … "I can't stand on it".
        text = self.normalise(". ".join(messages))
        # The similarity layer is a safety net for wording the lexicon does not know; once the
        # lexicon has found a warning sign, near-synonyms would only add wrong labels.
        for finding in self.lexicon(text) or self.similar(text):
            found.setdefault(finding.rule.id, finding)
        order = {rule.id: i for i, rule in enumerate(self.rules)}
        return sorted(found.values(), key=lambda f: (f.rule.urgency != "urgent", order[f.rule.id]))

    def normalise(self, text: str) -> str:
        """A message as the patterns expect it."""
        return normalise(text, self.vocabulary, self.keep)

    def lexicon(self, text: str) -> list[Finding]:
        """Rules whose patterns match a mention that is not negated (nor, for a non-urgent
        rule, a past episode the user says is over)."""
        findings = []
        over = bool(RESOLVED.search(text))
        for rule in self.rules:
            settled = over and rule.urgency != "urgent"
            for pattern in self.lexicons[rule.id]:
                match = first_affirmed(pattern, text, settled)
                if match:
                    findings.append(Finding(rule, match.group(0), "lexicon"))
                    break
        return findings

    def similar(self, text: str) -> list[Finding]:
        """Rules whose example phrasings are close to a clause that has no negation in it."""
        if self.vectorize is None or not self.examples:
            return []
        parts = [c for c in clauses(text) if similar_enough_to_check(c)]
        if not parts:
            return []
        findings: dict[str, Finding] = {}
        for clause, vector in zip(parts, self.vectorize(parts), strict=True):
            for rule, example in self.examples:
                if rule.id not in findings and dot(vector, example) >= self.threshold:
                    findings[rule.id] = Finding(rule, clause, "similarity")
        return list(findings.values())

    def best_similarity(self, text: str) -> dict[str, float]:
        """Per rule, the highest similarity of any un-negated clause (for calibration)."""
        if self.vectorize is None:
            return {}
        parts = [c for c in clauses(self.normalise(text)) if similar_enough_to_check(c)]
        best = {rule.id: 0.0 for rule in self.rules}
        if parts:
            for vector in self.vectorize(parts):
                for rule, example in self.examples:
                    best[rule.id] = max(best[rule.id], dot(vector, example))
        return best


def first_affirmed(
    pattern: re.Pattern[str], text: str, settled: bool = False
) -> re.Match[str] | None:
    """The first match that is not negated (nor in the past when the user says it is over).
    A skipped match must not hide a later one that overlaps it ("no fever last week. now i
    have a fever and my hip hurts")."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        if not negated(text, match.start()) and not (settled and in_past(text, match.start())):
            return match
        position = match.start() + 1
    return None


def in_past(text: str, start: int) -> bool:
    """True when the clause holding `start` talks about the past ("… two months ago")."""
    return bool(PAST.search(clause_at(text, start)))


def clause_at(text: str, position: int) -> str:
    """The clause of `text` that contains `position`."""
    begin = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, position)), default=0)
    end = next((m.start() for m in CLAUSE_BREAK.finditer(text, position)), len(text))
    return text[begin:end]


def similar_enough_to_check(clause: str) -> bool:
    """Clauses the similarity layer compares: long enough, with no negation and not about
    something that is over (the model cannot tell "numb" from "no longer numb")."""
    return len(clause.split()) >= 3 and not NEGATION.search(clause) and not RESOLVED.search(clause)


def negated(text: str, start: int) -> bool:
    """True when a negation stands shortly before `start` within the same clause."""
    clause_start = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    before = text[clause_start:start].split()[-NEGATION_WINDOW:]
    return bool(NEGATION.search(" ".join(before)))


def clauses(text: str) -> list[str]:
    """The clauses of a normalised message."""
    return [part.strip() for part in CLAUSE_BREAK.split(text) if part and part.strip()]


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of unit vectors."""
    return sum(x * y for x, y in zip(a, b, strict=True))
