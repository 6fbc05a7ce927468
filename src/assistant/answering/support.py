"""Whether one model-written sentence is backed by the passages it cites (used by `verify`).

The rules are lexical and strict on purpose, because similarity of meaning can't see a flipped
"not": every content word must come from the cited passages, every quantity (number with its
unit) must be one they state, the sentence must agree in negation with the source sentence it
rests on, and some words are never allowed at all (diagnoses of the reader, links, phone
numbers, markup, letters from other alphabets).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from assistant.indexing.chunking import Chunk
from assistant.indexing.embeddings import Embed
from assistant.lexicon import MEDICINE
from assistant.text.sentences import split_sentences
from assistant.text.terms import STOPWORDS, terms, words

SIMILARITY_MIN = 0.35  # cosine to the closest sentence of a cited passage
# Text that addresses whoever reads the prompt rather than a client: a passage with it is
# withheld from the model, and an answer citing it is rejected.
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,40}?\b(?:instructions|rules|prompt|guidance)\b"
    r"|\byou are now\b|\bsystem prompt\b|\b(?:new|updated) instructions\b"
    r"|\bas an? (?:ai|language model)\b|\b(?:note|message) (?:for|to) the (?:assistant|ai|model)"
    r"|\b(?:assistants?|ai|chatbots?|models?) (?:must|should) (?:always|never|say|answer|tell)"
    r"|\bmust always answer\b|\bwhatever the other (?:passages|sources) say",
    re.IGNORECASE | re.DOTALL,
)
NEGATION = frozenset(
    """not no never none nor without cannot cant dont doesnt didnt isnt arent wasnt werent wont
    shouldnt wouldnt couldnt mustnt neednt avoid""".split()  # noqa: SIM905
)
# Words that flip a claim but are stop words for search: they must come from the sources too.
POLARITY = frozenset("before after more less most least always only every all".split())  # noqa: SIM905
# Words a faithful paraphrase may add.
LINKING = frozenset(terms("also article articles source sources passage say says recommend"))
QUANTITY = re.compile(
    r"(\d+(?:\s*[-–]\s*\d+)?)\s*(%|percent|second|minute|hour|day|week|month|year|time"
    r"|repetition|rep|set|degree|breath|mg|g|ml)s?\b",
    re.IGNORECASE,
)
RISKY = re.compile(
    MEDICINE.pattern + r"|\b(?:tear|strain|sprain|bursitis|tend[io]nitis|hernia|fracture"
    r"|sciatica|arthritis|infection|appendicitis|cancer|tumou?r|herniated|impingement|labral"
    r"|syndrome)\b|\bdiagnos\w*",
    re.IGNORECASE,
)
# Telling the reader what they have is a diagnosis, whatever the sources say about conditions.
DIAGNOSIS = re.compile(
    r"\byou(?:'ve| have)? (?:probably |likely |may |might |could |must )?(?:have|got)\b"
    r"|\bmeans you\b|\byou(?:'re| are)? (?:suffering|suffer)\b|\byour (?:condition|diagnosis)\b",
    re.IGNORECASE,
)
CONDITIONAL = re.compile(r"\b(?:if|when|unless|whether|once)\b[^.,;]*$", re.IGNORECASE)
LINK = re.compile(
    r"https?:|\bwww\b|//|@|\bmailto\b|\bjavascript\b|[a-z]\.[a-z]{2,}\b|\bdot (?:com|org|net)\b",
    re.IGNORECASE,
)
PHONE = re.compile(r"\d(?:[\s().-]*\d){6,}")
MARKUP = re.compile(r"[\[\]<>`#|{}]")
FOREIGN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")  # a letter outside the Latin alphabet


def normalise(text: str) -> str:
    """NFKC (full-width digits, ligatures), no invisible characters, digits apart from letters."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.replace("’", "'").replace("ʼ", "'")
    return " ".join(re.sub(r"(?<=\d)(?=[^\W\d])|(?<=[^\W\d])(?=\d)", " ", text).split())


def quantities(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs: "20 - 30 seconds" → ("20-30", "second")."""
    return {
        (re.sub(r"\s*[-–]\s*", "-", n), unit.lower().removesuffix("s").replace("percent", "%"))
        for n, unit in QUANTITY.findall(text)
    }


def check_claim(text: str, cited: Sequence[Chunk], vectors: Embed | None) -> str | None:
    """Why the sentence `text` is not backed by the `cited` passages (None when it is)."""
    sources = [normalise(chunk.text) for chunk in cited]
    if any(INJECTION.search(source) for source in sources):
        return "it cites a passage that contains instructions, not information"
    text = normalise(text)
    if FOREIGN.search(text):
        return "it has letters outside the Latin alphabet"
    if MARKUP.search(text):
        return "it contains markup or brackets"
    if LINK.search(text) or PHONE.search(text):
        return "it contains a link, address or phone number (answers never send people elsewhere)"
    for match in DIAGNOSIS.finditer(text):
        if not CONDITIONAL.search(text[: match.start()]):
            return "it tells the reader what condition they have"
    said = set(terms(text))
    if not said:
        return "it has no words to check against its sources"
    headings = " ".join(f"{chunk.title} {chunk.section}" for chunk in cited)
    # Verbatim source sentences: the composer has embedded these already (a cache hit).
    sentences = [chunk.text[s:e] for chunk in cited for s, e in split_sentences(chunk.text)]
    return (
        check_words(text, said, sources, headings)
        or check_sentence(text, said, [normalise(s) for s in sentences])
        or check_meaning(text, sentences, vectors)
    )


def check_words(text: str, said: set[str], sources: list[str], headings: str) -> str | None:
    """Every content word, quantity and risky term of the claim must be in its sources."""
    for source in sources:
        # The same bar as the eval's citation check: half the sentence's key words.
        if len(said & set(terms(source))) < max(1, len(said) // 2):
            return "a cited passage shares too few of its key words"
    known = {t for source in sources for t in terms(source)} | set(terms(headings)) | LINKING
    novel = {t for t in said - known if t not in STOPWORDS}  # "makes" is as empty as "make"
    if novel:
        word = next(w for w in words(text) if terms(w) and terms(w)[0] in novel)
        return f"'{word}' is not in its cited passages"
    source_words = {w for source in sources for w in words(source)}
    extra = sorted((POLARITY & set(words(text))) - source_words)
    if extra:
        return f"'{extra[0]}' is not in its cited passages"
    stated = set().union(*(quantities(source) for source in sources))
    for number, unit in sorted(quantities(text) - stated):
        return f"'{number} {unit}' is not a quantity its cited passages state"
    flat = " ".join(sources).lower()
    for match in RISKY.finditer(text):
        if not re.search(rf"\b{re.escape(match.group(0).lower())}\b", flat):
            return f"'{match.group(0)}' (a medicine, dose or diagnosis) is not in its sources"
    return None


def check_sentence(text: str, said: set[str], sentences: list[str]) -> str | None:
    """The claim agrees in negation and numbers with the source sentence it rests on."""
    best = max(sentences, key=lambda s: len(said & set(terms(s))), default="")
    negated, source_negated = NEGATION & set(words(text)), NEGATION & set(words(best))
    if bool(negated) != bool(source_negated):
        return "it negates what its source sentence says" if negated else (
            "it drops the negation of its source sentence"
        )  # fmt: skip
    near = [s for s in sentences if len(said & set(terms(s))) >= max(1, len(said) // 3)]
    known = {w for s in near for w in words(s)}
    numbers = [w for w in words(text) if w.isdigit() and w not in known]
    if numbers:
        return f"the number {numbers[0]} is not in the source sentences it rests on"
    return None


def check_meaning(text: str, sentences: list[str], vectors: Embed | None) -> str | None:
    """Some sentence of the cited passages is close in meaning to the claim."""
    if vectors is None:
        return None
    if not sentences:
        return "its cited passages have no sentences"
    first, *rest = vectors([text, *sentences])
    best = max(sum(a * b for a, b in zip(first, v, strict=True)) for v in rest)
    return None if best >= SIMILARITY_MIN else "it does not mean what its cited passages say"
