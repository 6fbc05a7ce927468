"""A Chroma server's generations of one index, and the record naming the one in use."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from assistant.indexing.store import (
    POINTER,
    SENTENCES,
    chroma_failure,
    connect,
    not_found,
    server_failed,
)


class ServerRegistry:
    """A Chroma server's generations of one index: a collection each, and one record naming
    the one in use (replacing a collection's metadata is a single write on the server)."""

    def __init__(self, url: str, collection: str) -> None:
        self.url, self.prefix = url, collection + "."
        self._client = connect(None, url)  # names the server when it cannot reach it
        self._pointer = self._guard(
            lambda: self._client.get_or_create_collection(
                collection + POINTER, embedding_function=None
            )
        )

    def pointer(self) -> str:
        """The name of the generation in use ("" when none is)."""
        self._pointer = self._guard(lambda: self._client.get_collection(self._pointer.name))
        return str((self._pointer.metadata or {}).get("generation", ""))

    def point(self, generation: str) -> None:
        """Name `generation` as the one in use."""
        self._guard(lambda: self._pointer.modify(metadata={"generation": generation}))

    def generations(self) -> list[str]:
        """The names of every generation the server holds."""
        names = [c.name for c in self._guard(self._client.list_collections)]
        return sorted(
            n[len(self.prefix) :]
            for n in names
            if n.startswith(self.prefix) and not n.endswith((SENTENCES, POINTER))
        )

    def drop(self, generation: str) -> None:
        """Delete a generation's collections from the server."""
        for name in (self.prefix + generation, self.prefix + generation + SENTENCES):
            try:
                self._guard(partial(self._client.delete_collection, name))
            except Exception as exc:
                if not not_found(exc):  # (already gone is fine)
                    raise

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            if not chroma_failure(exc) or not_found(exc):
                raise
            raise server_failed(self.url, f"the Chroma server at {self.url} failed", exc) from exc
