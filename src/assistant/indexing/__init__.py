"""Indexing: the corpus read and checked, chunked, embedded and stored as index generations,
with what answering needs derived once at ingest and kept beside the vectors."""
