"""User-facing errors: the CLI and the chat page turn these into one-line messages."""


class AssistantError(Exception):
    """Base class for errors whose message is meant for the user."""


class CorpusError(AssistantError):
    """A corpus file cannot be ingested; the message names the file and the problem."""


class IndexUnreadableError(AssistantError):
    """The search index is unreadable; the message says how to rebuild it."""


class IngestBusyError(AssistantError):
    """Another ingest holds the index's lock."""


class FeedbackError(AssistantError):
    """The feedback store cannot be written (corrupt, locked, unwritable)."""
