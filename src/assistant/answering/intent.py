"""What a question asks for, and what kind of statement a source sentence makes.

Sentences are ranked by whether they answer the kind of question asked (a remedy, a duration,
a cause, a place, the steps), not by similarity alone: "which stretch for overstretched
hamstrings?" wants the remedy the sources give, not the sentence that restates the problem.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Intent(StrEnum):
    """Kinds of question; one question may have several."""

    DURATION = "duration"
    COUNT = "count"  # how many repetitions, sets or times
    CONTACT = "contact"  # how to book, a phone number, a website
    REMEDY = "remedy"
    CAUSE = "cause"
    LOCATION = "location"
    HOWTO = "howto"
    DEFINITION = "definition"


def pattern(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive alternation with word boundaries at both ends."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


QUESTION_CUES: dict[Intent, re.Pattern[str]] = {
    Intent.DURATION: pattern(
        r"how long",
        r"how many (?:seconds|minutes)",
        r"how much time",
        r"seconds?\b",
        r"minutes?\b",
        r"hold\b",
        r"holding",
        r"duration",
    ),
    Intent.COUNT: pattern(
        r"how many (?:times|reps|repetitions|sets|rounds|of (?:those|these|them|it)\b|should|do i)",
        r"how often|times a",
        r"reps?\b|repetitions?|sets?\b",
    ),
    Intent.CONTACT: pattern(
        r"book(?:ing)?\b|appointments?|web ?sites?|phone|contact|e-?mail|read more",
        r"call (?:them|you|her|him)|links?\b|linked|(?:a|the|their|her|phone) number\b",
    ),
    Intent.REMEDY: pattern(
        r"which",
        r"what (?:stretch|exercise|pose|can|should|helps?|works?|to do)",
        r"what (?:do|should|can) i do",
        r"stretch(?:es)? for",
        r"exercises? for",
        r"help",
        r"reliev",
        r"relief",
        r"fix",
        r"treat",
        r"remed",
        r"get rid",
        r"loosen",
        r"release",
        r"best",
        r"recommend",
        r"do about",
        r"ease",
        r"strengthen",
        r"prevent",
        r"cure",
        r"improve",
    ),
    Intent.CAUSE: pattern(
        r"why",
        r"caus",
        r"reason",
        r"what makes",
        r"trigger",
        r"lead to",
        r"result in",
        r"contribut",
        r"where does .* come from",
        r"what happens",  # a consequence is stated in the same words as a cause
    ),
    Intent.LOCATION: pattern(
        r"where",
        r"locat",
        r"find (?:it|my|the)",
        r"attach",
        r"connect",
        r"originat",
        r"insert",
        r"radiat",
        r"spread",
        r"feel (?:it|the stretch)",
    ),
    Intent.HOWTO: pattern(
        r"how (?:do|to|should|can|would) (?:i|you|we)?\s*(?:do|perform|stretch|strengthen)",
        r"how to",
        r"steps?\b",
        r"instructions?",
        r"perform",
        r"technique",
        r"proper form",
        r"how do i",
        r"how do you",
        r"walk me through",
        r"show me",
    ),
    Intent.DEFINITION: pattern(
        r"what is",
        r"what are",
        r"what's",
        r"whats",
        r"define",
        r"made (?:up )?of",
        r"part of",
        r"consists?",
        r"function",
        r"what does",
        r"role",
        r"purpose",
        r"mean",
    ),
}

SENTENCE_CUES: dict[Intent, re.Pattern[str]] = {
    Intent.DURATION: re.compile(
        r"\b\d+(?:\s*(?:-|–|to)\s*\d+)?\s*(?:seconds?|minutes?)\b"
        r"|\b(?:one|two|three|few) (?:minutes?|days|seconds)\b|\bfor \d+",
        re.IGNORECASE,
    ),
    Intent.COUNT: re.compile(
        r"\b\d+(?:\s*(?:-|–|to)\s*\d+)?\s*(?:repetitions|reps|sets|times)\b"
        r"|\b(?:one|two|three|four|five|ten|few|several) (?:times|sets|repetitions|reps)\b"
        r"|\b(?:once|twice) (?:a|per|each)\b",
        re.IGNORECASE,
    ),
    Intent.CONTACT: re.compile(
        r"https?://|\bwww\.|\b[a-z0-9-]+\.(?:com|org|net)\b|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b"
        r"|\bcall/text\b|^online:|\bbook (?:an? |your )?(?:appointment|session)|\bread more\b",
        re.IGNORECASE,
    ),
    Intent.REMEDY: pattern(
        r"strengthen",
        r"stretch",
        r"exercise",
        r"pose\b",
        r"bridge",
        r"lunge",
        r"bird dog",
        r"rest\b",
        r"ice\b",
        r"compression",
        r"massage",
        r"rolfing",
        r"balance",
        r"alleviat",
        r"reliev",
        r"relief",
        r"recommend",
        r"work for",
        r"help",
        r"release",
        r"cupping",
        r"bodywork",
        r"warm(?: |-)up",
        r"reduc",
    ),
    Intent.CAUSE: pattern(
        r"caus",
        r"result",
        r"lead(?:s|ing)? to",
        r"due to",
        r"because",
        r"overuse",
        r"imbalance",
        r"prolonged",
        r"sitting",
        r"trigger",
        r"contribut",
        r"strain",
        r"injur",
        r"weakness",
        r"tightness",
        r"arise",
    ),
    Intent.LOCATION: pattern(
        r"locat",
        r"lumbar",
        r"spine",
        r"pelvi",
        r"femur",
        r"thigh",
        r"groin",
        r"vertebra",
        r"trochanter",
        r"hip joint",
        r"lower back",
        r"hip bones",
        r"front of",
        r"attach",
        r"connect",
        r"originat",
        r"insert",
        r"deep",
        r"knees",
        r"buttocks",
        r"radiat",
    ),
    Intent.HOWTO: pattern(
        r"begin",
        r"start",
        r"step",
        r"lie",
        r"lying",
        r"hold",
        r"press",
        r"lift",
        r"slide",
        r"gently",
        r"slowly",
        r"keep",
        r"tilt",
        r"shift",
        r"get into",
        r"maintain",
        r"perform",
        r"inhale",
        r"exhale",
        r"continue",
        r"bring",
        r"extend",
        r"repeat",
        r"lower",
        r"squeez",
        r"kneel",
        r"push",
        r"switch",
        r"alternat",
        r"return",
    ),
    Intent.DEFINITION: pattern(
        r"is a\b",
        r"is an\b",
        r"is the\b",
        r"made up of",
        r"combination of",
        r"consist",
        r"composed",
        r"considered",
        r"responsible for",
        r"main action",
        r"part of",
    ),
}

# Sentences that only describe the problem; a remedy question should not get these first.
PROBLEM_ONLY = pattern(
    r"can cause",
    r"become",
    r"overstretched",
    r"tight",
    r"pain",
    r"discomfort",
    r"problem",
    r"chances are",
    r"do you do",
    r"on an average day",
)


def question_intents(question: str) -> set[Intent]:
    """Every intent whose cue appears in the question."""
    return {intent for intent, cue in QUESTION_CUES.items() if cue.search(question)}


def sentence_kinds(sentence: str) -> set[Intent]:
    """Every kind of statement the sentence makes."""
    return {intent for intent, cue in SENTENCE_CUES.items() if cue.search(sentence)}


def describes_problem(sentence: str) -> bool:
    """True when a sentence talks about the problem (tightness, pain, overstretching)."""
    return bool(PROBLEM_ONLY.search(sentence))


DURATION_VALUE = re.compile(
    r"(\d+(?:\s*(?:-|–|to)\s*(?:\d+|one))?\s*(?:seconds?|minutes?|minute)"
    r"(?:\s+to\s+(?:one|\d+)\s+minutes?)?)",
    re.IGNORECASE,
)


def durations(sentence: str) -> list[str]:
    """Time spans a sentence gives, normalised for comparison ("20-30 seconds")."""
    return [" ".join(m.lower().replace("–", "-").split()) for m in DURATION_VALUE.findall(sentence)]
