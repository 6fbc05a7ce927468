"""Text handling shared by the stages: normalisation of a user's text, cleaning, anaphora,
sentence spans, the terms lexical matching compares (with their stemmer) and the spelling
correction of those terms."""
