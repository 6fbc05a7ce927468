"""Text handling shared by the stages: normalisation of a user's text, cleaning, anaphora,
sentence spans and the terms lexical matching compares (with their stemmer)."""
