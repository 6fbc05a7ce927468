"""The few fixed patterns kept beside the learned detector: numbers it cannot read reliably."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.safety.rules import RuleBook

# A negation just before a mention ("no 38 degree fever", "not 9/10") cancels it.
NEGATION = re.compile(r"\b(?:no|not|never|without|isnt|wasnt|arent|nor)\b")
NEGATION_WORDS = 3


@dataclass(frozen=True)
class Hit:
    """A rule's pattern found in a text: the rule and the words that matched."""

    rule_id: str
    evidence: str


class Lexicon:
    """Every rule's patterns, compiled once."""

    def __init__(self, book: RuleBook) -> None:
        self.patterns = [
            (rule.id, re.compile(pattern)) for rule in book.rules for pattern in rule.patterns
        ]

    def find(self, texts: Iterable[str]) -> list[Hit]:
        """Each rule's first un-negated match in normalised texts."""
        hits: dict[str, Hit] = {}
        for text in texts:
            for rule_id, pattern in self.patterns:
                if rule_id in hits:
                    continue
                for match in pattern.finditer(text):
                    before = text[: match.start()].split()[-NEGATION_WORDS:]
                    if not NEGATION.search(" ".join(before)):
                        hits[rule_id] = Hit(rule_id, match.group(0))
                        break
        return list(hits.values())
