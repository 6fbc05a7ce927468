"""The extractive answerer: picks the source sentences that answer the question and cites each.

No language model: every sentence shown is a verbatim sentence of a retrieved passage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.answering.choosing import capped, conflicting, distinct, in_reading_order, unique
from assistant.answering.doses import Doses, dose_sentences
from assistant.answering.exercises import exercise_lines
from assistant.answering.followups import Turn
from assistant.answering.intent import (
    Intent,
    describes_problem,
    question_intents,
    sentence_kinds,
)
from assistant.answering.kinds import Kind, Kinds
from assistant.answering.layout import Candidate, Composition, write
from assistant.answering.neighbours import (
    Siblings,
    coherent,
    introduced_lists,
    merged,
    sentences_of,
    smoothed,
    standalone,
    with_lists,
)
from assistant.answering.ranking import Ranker
from assistant.answering.remedies import problem_words, remedy_terms
from assistant.answering.retrieval import Passage
from assistant.indexing.embeddings import Embed
from assistant.lexicon import any_pattern, load_lexicon
from assistant.text.anaphora import leans_back
from assistant.text.terms import terms

LEXICAL_WEIGHT = 1.0  # question words found in the sentence (idf-weighted share)
RANK_WEIGHT = 0.3  # bonus for sentences of the best-ranked passages
KEEP_RATIO = 0.5  # sentences scoring at least this share of the best one may be used
INTENT_BONUS = {
    Intent.DURATION: 0.45,
    Intent.COUNT: 0.45,
    Intent.CONTACT: 0.5,
    Intent.HOWTO: 0.15,
    Intent.REMEDY: 0.25,
}
DEFAULT_BONUS = 0.2
# Sentences the learned ranker puts first (3 found more facts on validation but made the
# median answer five sentences long).
LEAD = 2
# Words a duration question shares with every exercise: they say nothing about which one.
DURATION_WORDS = frozenset(terms("how long hold second minute time many often rep set stretch"))
# The articles' page furniture (lexicon.yaml): quiz options, rhetorical questions, contact
# lines, links and remarks about the article itself.
NOISE = any_pattern(load_lexicon().boilerplate)
SENTENCE_END = re.compile(r"[.!?…:\"”’)]$")


@dataclass
class Reading:
    """The candidate sentences of a question's passages, scored."""

    candidates: list[Candidate]
    intents: set[Intent]
    scores: dict[Candidate, float]
    features: list[tuple[float, ...]]  # the ranker's, one row per candidate


class Composer:
    """Ranks sentences by what the question asks for and writes a cited answer."""

    def __init__(
        self,
        vectorize: Embed,
        idf: Mapping[str, float],
        max_sentences: int,
        siblings: Siblings | None = None,
        ranker: Ranker | None = None,
        kinds: Kinds | None = None,
        known: Mapping[str, list[float]] | None = None,
    ):
        """`known`: sentence vectors computed already (they are not asked of `vectorize`)."""
        self.ranker = ranker
        self.kinds = kinds
        self.vectorize = vectorize
        self.siblings = siblings or (lambda chunk: [chunk])
        self.idf = idf
        self.max_sentences = max_sentences
        self.known: Mapping[str, list[float]] = known or {}
        self.cache: dict[str, list[float]] = {}  # those of other texts, computed here

    def compose(
        self, turn: Turn, passages: Sequence[Passage], query_vector: list[float]
    ) -> Composition:
        """Answer `turn` from `passages` (best first)."""
        read = self.read(turn, passages, query_vector)
        if not read.candidates:
            return Composition("", [])
        candidates, intents, scores = read.candidates, read.intents, read.scores
        scores = smoothed(candidates, scores, usable)
        # (The kind model is asked only when the wording is not already a how-to.)
        kinds = self.kinds if Intent.HOWTO not in intents else None
        if kinds is not None and kinds.kind(turn.intent_text) is Kind.LIST:
            # "Which exercises…": the ones the passages teach, each with its purpose.
            lines = exercise_lines(candidates, scores, self.siblings, usable)
            if lines:
                return write([c for c, _ in lines], conflict=False, labels=dict(lines))
        if Intent.HOWTO not in intents and self.asks_dose(turn, intents):
            # "How long do I hold it?": the doses ingest derived for the exercise asked about.
            doses = self.doses(read, query_vector)
            if doses is not None:
                return write([*doses.sentences, *doses.differing], conflict=bool(doses.differing))
        ranked = sorted(candidates, key=lambda c: -scores[c])
        chosen = self.select(turn, intents, ranked, scores)
        # The learned ranker picks the opening sentences: the ones that answer. Not for a how-to
        # (the exercise's steps open it) nor when the sources prescribe a remedy for the problem
        # asked about (that remedy opens it: the ranker would lead with the problem restated).
        learned_lead = not (Intent.HOWTO in intents or remedy_terms(turn.intent_text))
        if self.ranker is not None and learned_lead:
            texts = [c.text for c in candidates]
            learned = self.ranker.rank(read.features, query_vector, texts)
            order = sorted(
                (i for i, c in enumerate(candidates) if usable(c)), key=lambda i: -learned[i]
            )
            top = distinct([candidates[i] for i in order[:LEAD]])
            if top:
                chosen = capped([*top, *(c for c in chosen if c not in top)], self.max_sentences, 4)
        chosen = with_lists(chosen, introduced_lists(candidates, self.siblings))
        timing = Intent.DURATION in intents and Intent.COUNT not in intents
        differing = conflicting(chosen) if timing else []
        if differing:
            return write(differing, conflict=True)
        # Twins first, so that the coherence step sees what is shown.
        chosen, twins = merged(chosen)
        chosen = coherent(chosen, usable) or standalone(chosen)
        return write(chosen, conflict=False, twins=twins)

    def asks_dose(self, turn: Turn, intents: set[Intent]) -> bool:
        """Whether the question asks for a hold or a number of repetitions (in its wording, or
        by the learned kind model)."""
        if {Intent.DURATION, Intent.COUNT} & intents:
            return True
        return self.kinds is not None and self.kinds.kind(turn.intent_text) is Kind.NUMBERS

    def doses(self, read: Reading, query_vector: list[float]) -> Doses | None:
        """The dose sentences of the exercise the learned ranker's best sentences are about."""
        if self.ranker is None:
            return None
        candidates = read.candidates
        learned = self.ranker.rank(read.features, query_vector, [c.text for c in candidates])
        order = sorted(range(len(candidates)), key=lambda i: -learned[i])
        measures = {Intent.DURATION, Intent.COUNT} & read.intents
        holds_first = Intent.DURATION in measures if len(measures) == 1 else None
        ranked = [candidates[i] for i in order]
        return dose_sentences(
            ranked, self.siblings, usable, holds_first=holds_first, worded=bool(measures)
        )

    def read(self, turn: Turn, passages: Sequence[Passage], query_vector: list[float]) -> Reading:
        """Every sentence of the passages, with its hand-set score and the ranker's features."""
        candidates = [c for rank, p in enumerate(passages) for c in sentences_of(rank, p.chunk)]
        # A follow-up asks its own kind of question ("and how long do I hold it?"); it borrows
        # the earlier question's kind only when it has none of its own ("and the bridge?").
        intents = question_intents(turn.question) or question_intents(turn.intent_text)
        features: list[tuple[float, ...]] = []
        scores = self.score(turn, intents, candidates, query_vector, features)
        return Reading(candidates, intents, scores, features)

    def score(
        self,
        turn: Turn,
        intents: set[Intent],
        candidates: list[Candidate],
        query: list[float],
        features: list[tuple[float, ...]] | None = None,
    ) -> dict[Candidate, float]:
        """Relevance to the question, plus a bonus for answering the kind of question asked;
        each candidate's ranker features are appended to `features` if given."""
        asked = set(terms(turn.question))
        context = set(terms(turn.context)) - asked
        remedies = set(terms(remedy_terms(turn.intent_text))) - asked
        problems = set(terms(" ".join(problem_words(turn.intent_text)))) if remedies else set()
        weight = self.weigh(asked) + 0.5 * self.weigh(context)
        vectors = self.vectors([c.text for c in candidates])
        scores = {}
        for candidate, vector in zip(candidates, vectors, strict=True):
            text = candidate.text
            words = set(terms(text + " " + candidate.chunk.section))
            overlap = self.weigh(asked & words) + 0.5 * self.weigh(context & words)
            lexical = overlap / weight if weight else 0.0
            similarity = sum(a * b for a, b in zip(vector, query, strict=True))
            score = LEXICAL_WEIGHT * lexical + similarity + RANK_WEIGHT / (1 + candidate.rank)
            kinds = sentence_kinds(text)
            matches = intents & kinds
            score += sum(INTENT_BONUS.get(i, DEFAULT_BONUS) for i in matches)
            restates = problems & set(terms(text)) or (
                remedy_question(intents)
                and describes_problem(text)
                and (Intent.REMEDY not in kinds or Intent.CAUSE in kinds)
            )
            if restates:
                score -= 0.6  # restating the problem does not answer "what helps?"
            elif remedies & set(terms(text)):
                score += 0.5  # names what the sources prescribe for the problem asked about
            if Intent.CONTACT in intents & kinds:
                pass  # a contact line is just what a question about booking asks for
            elif not usable(candidate):
                score -= 1.0
            elif not (candidate.list_item or SENTENCE_END.search(text)):
                score -= 0.5  # a heading-like fragment, not a statement
            elif text.endswith(":") and Intent.HOWTO not in intents:
                score -= 0.5  # a lead-in to a list says little by itself
            scores[candidate] = score
            if features is not None:
                heading = set(terms(candidate.chunk.section))
                features.append(
                    (
                        score,
                        similarity,
                        lexical,
                        self.weigh(asked & heading) / weight if weight else 0.0,
                        1 / (1 + candidate.rank),
                        float(len(matches)),
                        float(candidate.list_item),
                        float(text.rstrip().endswith(":")),
                        float(leans_back(text)),
                        float(usable(candidate)),
                        float(candidate.start == 0),
                        math.log1p(len(text.split())),
                    )
                )
        return scores

    def weigh(self, words: set[str]) -> float:
        """Sum of inverse document frequencies: rare words count for more."""
        return sum(self.idf.get(t, 1.0) for t in words)

    def select(
        self,
        turn: Turn,
        intents: set[Intent],
        ranked: list[Candidate],
        scores: dict[Candidate, float],
    ) -> list[Candidate]:
        """The best sentences; for a how-to, the whole run of steps of the best exercise."""
        best = scores[ranked[0]]
        good = [c for c in ranked if scores[c] >= KEEP_RATIO * best]
        remedies = set(terms(remedy_terms(turn.intent_text)))
        prescribed = [c for c in good if remedies & set(terms(c.text))]
        # When the sources name a remedy for the problem asked about, answer with that alone.
        chosen = capped(distinct(prescribed if len(prescribed) >= 2 else good), self.max_sentences)
        if measures := {Intent.DURATION, Intent.COUNT} & intents:
            topic = (set(terms(turn.query)) - DURATION_WORDS) or set(terms(turn.query))
            on_topic = [c for c in ranked if topic & set(terms(c.chunk.embed_text))]
            timed = [
                c for c in on_topic if measures & sentence_kinds(c.text) and scores[c] >= 0.5 * best
            ]
            chosen = distinct(timed + chosen)[: self.max_sentences]
        if Intent.HOWTO in intents and (steps := self.steps(ranked[:3])):
            lead = [
                c
                for c in chosen[:2]
                if c.chunk.section == steps[0].chunk.section and not c.list_item
            ]
            return unique(lead[:1] + steps)  # the exercise's own order
        return in_reading_order(chosen, scores)

    def steps(self, best: list[Candidate]) -> list[Candidate]:
        """Every step, in order, of the exercise the best sentences belong to ([] if none)."""
        for candidate in best:
            section = self.siblings(candidate.chunk)
            steps = [s for chunk in section for s in sentences_of(candidate.rank, chunk)]
            steps = [s for s in steps if s.list_item]
            # Steps are instructions; a list of causes or of poses is not an exercise.
            instructions = [s for s in steps if Intent.HOWTO in sentence_kinds(s.text)]
            if len(steps) >= 2 and 2 * len(instructions) >= len(steps):
                return steps
        return []

    def vectors(self, texts: list[str]) -> list[list[float]]:
        """Sentence vectors, computed once per sentence for the life of the process."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache and t not in self.known]
        if missing:
            self.cache.update(zip(missing, self.vectorize(missing), strict=True))
        return [self.cache[t] if t in self.cache else self.known[t] for t in texts]


def usable(candidate: Candidate) -> bool:
    """Not noise (a quiz option, a contact line, a remark about the article) nor a fragment."""
    return not (NOISE.search(candidate.text) or len(candidate.text.split()) < 3)


def remedy_question(intents: set[Intent]) -> bool:
    """A question about what to do, not about why."""
    return Intent.REMEDY in intents and Intent.CAUSE not in intents
