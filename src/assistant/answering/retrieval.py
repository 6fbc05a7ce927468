"""Hybrid retrieval: BM25 over the chunks, Chroma's dense search and the chunks of the closest
single sentences, fused by reciprocal rank."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.indexing.chunking import Chunk
from assistant.indexing.lexical import LexicalIndex
from assistant.indexing.sentence_vectors import (
    SentenceRows,
    SentenceVectors,
    Spans,
    complete,
    headed_sentences,
    plain_sentences,
    sentence_spans,
)
from assistant.indexing.store import Store
from assistant.lexicon import load_lexicon
from assistant.text.normalise import normalise
from assistant.text.spelling import Speller
from assistant.text.terms import terms

# How much a question's share of unknown words lowers its closeness (chosen on evals/scope.yaml).
UNKNOWN_WORD_PENALTY = 0.3

# Everyday words for what the sources say in clinical terms (added to the word search only).
SYNONYMS = load_lexicon().synonyms


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with every score that put it there."""

    chunk: Chunk
    score: float
    dense: float | None = None
    lexical: float | None = None


@dataclass(frozen=True)
class Retrieval:
    """The passages for one query, its vector, and its best cosine similarity (for the gate)."""

    passages: list[Passage]
    vector: list[float]
    best_similarity: float
    coverage: float  # share of the content words that occur anywhere in the corpus (see below)
    # Cosine similarity of the closest single source sentence (read alone or under its heading)
    # to the question or to its best-matching clause; `coverage` is of that same text.
    best_sentence: float = 0.0


# Where a message splits into clauses: "skip the citations. how long do I hold a bridge?"
CLAUSE_END = re.compile(r"(?<=[.?!])\s+")


def clauses(question: str) -> list[str]:
    """The question's own sentences with at least two content words ([] for a single one)."""
    parts = [p for p in CLAUSE_END.split(question.strip()) if len(terms(p)) >= 2]
    return parts if len(parts) > 1 else []


def fuse(rankings: Sequence[Sequence[str]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: each list adds 1 / (k + rank) to every id it ranks."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


class HybridRetriever:
    """Finds passages for a query by meaning (Chroma) and by words (BM25)."""

    def __init__(
        self,
        store: Store,
        embeddings: Embeddings,
        *,
        candidates: int,
        rrf_k: int,
        lexical: LexicalIndex | None = None,
        sentences: SentenceVectors | None = None,
        kept: tuple[list[Chunk], Spans] | None = None,
    ):
        """`lexical`, `sentences` and `kept` (the chunks with their sentence spans) are what
        ingest derived and kept with the generation (anything missing — an index built before
        they were kept — is read from the store or computed here)."""
        self.store = store
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        listed, spans = kept or (store.chunks(), None)
        chunks = {c.chunk_id: c for c in listed}
        if lexical is None or set(lexical.ids) != chunks.keys():
            lexical = LexicalIndex.build(list(chunks), [c.embed_text for c in chunks.values()])
        self.words = lexical
        self.ids = lexical.ids
        self.chunks = {i: chunks[i] for i in self.ids}
        self.vocabulary = lexical.vocabulary
        # Each indexed term's inverse document frequency: how much a word names a topic.
        self.idf: dict[str, float] = lexical.idf
        # Every source sentence embedded once: a specific question ("who is rolfing named
        # after?") is closer to one sentence than to a whole passage. And under its heading:
        # "Hold for 10-20 seconds" answers "bridge pose hold time" only when read as part of
        # "Glute Bridge".
        if spans is None or set(spans) != set(self.chunks):
            spans = sentence_spans(self.chunks.values())
        self.sentences = plain_sentences(self.chunks.values(), spans)
        headed = headed_sentences(self.chunks.values(), spans)
        held = complete(sentences, [*self.sentences, *headed], self.embeddings.embed_documents)
        self.sentence_vectors = held.rows(self.sentences)
        self.headed_vectors = held.rows(headed)
        # The plain sentences' vectors by text, for the composer (which embeds none again).
        self.known = SentenceRows(self.sentences, self.sentence_vectors)
        index = self.known.row
        self.chunk_sentences = {
            i: [index[self.chunks[i].text[a:b]] for a, b in spans[i]] for i in self.ids
        }
        # The same, flat, for one vectorised pass per question over every chunk's sentences.
        self.flat_sentences = np.array(
            [j for i in self.ids for j in self.chunk_sentences[i]], dtype=np.int64
        )
        counts = np.array([len(self.chunk_sentences[i]) for i in self.ids], dtype=np.int64)
        self.has_sentences = counts > 0
        # Where each chunk that has sentences starts in `flat_sentences` (increasing).
        self.sentence_starts = (np.cumsum(counts) - counts)[self.has_sentences]
        self.speller = Speller(self.vocabulary)
        self.sections: dict[tuple[str, str], list[Chunk]] = {}
        for chunk in sorted(self.chunks.values(), key=lambda c: c.start):
            self.sections.setdefault((chunk.doc_id, chunk.section), []).append(chunk)

    def retrieve(self, query: str, k: int, extra_terms: str = "") -> Retrieval:
        """The `k` best passages for `query`, best first; `extra_terms` widen the word search."""
        vector = self.vector(query)
        dense = self.store.search(vector, self.candidates)
        lexical = self.lexical(f"{query} {extra_terms}")
        rankings = [
            [c.chunk_id for c, _ in dense],
            [i for i, _ in lexical],
            # What the sources prescribe ("strengthen" for overstretched hamstrings) is sought
            # sentence by sentence too, or the sentences restating the problem win.
            self.by_sentence(self.vector(f"{query} {extra_terms}") if extra_terms else vector),
        ]
        fused = fuse(rankings, self.rrf_k)
        dense_scores = {c.chunk_id: s for c, s in dense}
        lexical_scores = dict(lexical)
        # Dense hits come straight from the index, so they are current even if it changed.
        found = {c.chunk_id: c for c, _ in dense}
        passages = [
            Passage(
                found.get(i) or self.chunks[i], score, dense_scores.get(i), lexical_scores.get(i)
            )
            for i, score in sorted(fused.items(), key=lambda item: -item[1])[:k]
        ]
        best = max((s for _, s in dense), default=0.0)
        # A message may wrap its question in other talk: its closest clause speaks for it.
        views = [(self.closest_sentence(vector), self.coverage(query))] + [
            (self.closest_sentence(self.vector(c)), self.coverage(c)) for c in clauses(query)
        ]
        sentence, coverage = max(views, key=lambda view: sentence_closeness(*view))
        return Retrieval(passages, vector, best, coverage, sentence)

    def vector(self, text: str) -> list[float]:
        """The sentence vector of a user's text, read in the normal form triage reads (so the
        encoder's lower layers run once for both)."""
        return self.embeddings.embed_query(normalise(text))

    def by_sentence(self, vector: list[float]) -> list[str]:
        """Chunk ids by their sentence closest to `vector` (the best `candidates` of them): a
        specific question ("whats fascia?") is answered by one sentence of a long passage."""
        if not len(self.sentences):
            return []
        similarity = self.sentence_vectors @ np.array(vector, dtype=np.float32)
        best = np.full(len(self.ids), -1.0)
        if len(self.flat_sentences):
            best[self.has_sentences] = np.maximum.reduceat(
                similarity[self.flat_sentences], self.sentence_starts
            )
        order = np.argsort(-best, kind="stable")[: self.candidates]
        return [self.ids[i] for i in order]

    def closest_sentence(self, vector: list[float]) -> float:
        """Cosine similarity of the source sentence closest to `vector`, alone or headed."""
        query = np.array(vector, dtype=np.float32)
        matrices = (self.sentence_vectors, self.headed_vectors)
        return max((float((m @ query).max()) for m in matrices if len(m)), default=0.0)

    def coverage(self, query: str) -> float:
        """Share of the query's content words (typos corrected) that the corpus uses at all."""
        query_terms = self.speller.correct(terms(query))
        known = self.speller.known
        found = [t in known or bool(known & set(self.synonyms(t))) for t in query_terms]
        return sum(found) / len(found) if found else 0.0

    @staticmethod
    def synonyms(term: str) -> list[str]:
        """Corpus wording for an everyday word ("doctor" → medical, healthcare, professional)."""
        return terms(" ".join(SYNONYMS.get(term, ())))

    def siblings(self, chunk: Chunk) -> list[Chunk]:
        """Every chunk under the same heading of the same document, in document order."""
        return list(self.sections.get((chunk.doc_id, chunk.section)) or [chunk])

    def lexical(self, query: str) -> list[tuple[str, float]]:
        """BM25 ranking of chunk ids with a positive score; misspelt words are corrected first."""
        query_terms = self.speller.correct(terms(query))
        query_terms += [s for t in query_terms for s in self.synonyms(t)]
        scores = self.words.scores(query_terms)
        best = np.argsort(-scores, kind="stable")[: self.candidates]  # ties: in index order
        return [(self.ids[i], float(scores[i])) for i in best if scores[i] > 0]


def sentence_closeness(best_sentence: float, coverage: float) -> float:
    """The closest sentence's similarity less the unknown-word penalty: which of a message's
    clauses speaks for it."""
    return best_sentence - UNKNOWN_WORD_PENALTY * (1.0 - coverage)
