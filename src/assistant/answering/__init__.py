"""Answering a question from the corpus: its labelled data, and (moving here) retrieval, scope,
ranking, composition and follow-ups."""
