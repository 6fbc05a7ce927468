"""A Chroma server's generations of one index, and the record naming the one in use."""

from __future__ import annotations

import contextlib

from assistant.errors import IndexUnreadableError
from assistant.indexing.store import POINTER, SENTENCES, connect


class ServerRegistry:
    """A Chroma server's generations of one index: a collection each, and one record naming
    the one in use (replacing a collection's metadata is a single write on the server)."""

    def __init__(self, url: str, collection: str) -> None:
        self.url, self.prefix = url, collection + "."
        try:
            self._client = connect(None, url)
            self._pointer = self._client.get_or_create_collection(
                collection + POINTER, embedding_function=None
            )
        except Exception as exc:
            raise IndexUnreadableError(
                f"the Chroma server at {url} cannot be reached ({exc}); check that it runs "
                "(`assistant chroma`)"
            ) from exc

    def pointer(self) -> str:
        """The name of the generation in use ("" when none is)."""
        try:
            self._pointer = self._client.get_collection(self._pointer.name)
        except Exception as exc:
            raise IndexUnreadableError(f"the Chroma server at {self.url} failed ({exc})") from exc
        return str((self._pointer.metadata or {}).get("generation", ""))

    def point(self, generation: str) -> None:
        """Name `generation` as the one in use."""
        self._pointer.modify(metadata={"generation": generation})

    def generations(self) -> list[str]:
        """The names of every generation the server holds."""
        names = [c.name for c in self._client.list_collections()]
        return sorted(
            n[len(self.prefix) :]
            for n in names
            if n.startswith(self.prefix) and not n.endswith((SENTENCES, POINTER))
        )

    def drop(self, generation: str) -> None:
        """Delete a generation's collections from the server."""
        for name in (self.prefix + generation, self.prefix + generation + SENTENCES):
            with contextlib.suppress(Exception):  # already gone
                self._client.delete_collection(name)
