"""A Chroma server's generations of one index, the record naming the one in use, and the lease
that lets one machine at a time ingest into it."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from assistant.errors import AssistantError
from assistant.indexing.generations import GENERATION
from assistant.indexing.store import (
    POINTER,
    SENTENCES,
    chroma_failure,
    connect,
    not_found,
    server_failed,
)

LEASE = ".ingest-lease"  # suffix of the collection whose existence is the ingest lease
STALE_SECONDS = 120.0  # a lease not renewed for this long (its machine stopped) is taken over


class ServerRegistry:
    """A Chroma server's generations of one index: a collection each, and one record naming
    the one in use (replacing a collection's metadata is a single write on the server)."""

    def __init__(self, url: str, collection: str, *, stale: float = STALE_SECONDS) -> None:
        self.url, self.prefix = url, collection + "."
        self.lease, self.stale = collection + LEASE, stale
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
        # Exactly `<collection>.gen-…`: another index's name may start with this one's and a
        # dot (`shared.x`), and a switch drops every generation it lists but two.
        return sorted(
            n[len(self.prefix) :]
            for n in names
            if n.startswith(self.prefix) and GENERATION.match(n[len(self.prefix) :])
        )

    def drop(self, generation: str) -> None:
        """Delete a generation's collections from the server."""
        for name in (self.prefix + generation, self.prefix + generation + SENTENCES):
            try:
                self._guard(partial(self._client.delete_collection, name))
            except Exception as exc:
                if not not_found(exc):  # (already gone is fine)
                    raise

    def claim(self, owner: str) -> str:
        """Take the ingest lease for `owner`: "" when taken, else who holds it. Creating a
        collection is the server's one atomic test-and-set; a lease its holder has not renewed
        for `stale` seconds of the server's clock is retired first."""
        for _ in range(3):
            create = partial(
                self._client.create_collection,
                self.lease,
                metadata={"owner": owner, "beat": self._now()},
                embedding_function=None,
            )
            try:
                self._guard(create)
            except Exception as exc:
                if self._mine(owner) is not None:
                    return ""  # the server made it, and only its reply was lost
                if "already exists" not in str(exc.__cause__ or exc):
                    raise
            else:
                self._sweep()
                return ""
            held = self._held()
            if held is None:
                continue  # let go meanwhile
            meta = held.metadata or {}
            if self._now() - float(meta.get("beat", 0.0)) < self.stale:
                return str(meta.get("owner", "another machine"))
            with contextlib.suppress(AssistantError):  # another machine retired it first
                self._retire(held)
        return "another machine"  # (which took it over at the same moment)

    def renew(self, owner: str) -> bool:
        """Mark `owner`'s lease alive; False when it is no longer `owner`'s."""
        held = self._mine(owner)
        if held is None:
            return False
        self._guard(lambda: held.modify(metadata={"owner": owner, "beat": self._now()}))
        return True

    def release(self, owner: str) -> None:
        """Let go of `owner`'s lease (nothing when another holds it now)."""
        held = self._mine(owner)
        if held is not None:
            self._retire(held)

    def _mine(self, owner: str) -> Any | None:
        """The lease, when `owner` holds it."""
        held = self._held()
        return held if held is not None and (held.metadata or {}).get("owner") == owner else None

    def _held(self) -> Any | None:
        try:
            return self._guard(partial(self._client.get_collection, self.lease))
        except Exception as exc:
            if not_found(exc):
                return None
            raise

    def _retire(self, held: Any) -> None:
        """Delete a lease. Renamed first, by its id: another machine retiring the same stale
        lease must not delete, by name, the one just created in its place."""
        name = f"{self.lease}.retired-{uuid.uuid4().hex}"
        try:
            self._guard(lambda: held.modify(name=name))
            self._guard(partial(self._client.delete_collection, name))
        except Exception as exc:
            if not not_found(exc):  # (another machine retired it first)
                raise

    def _sweep(self) -> None:
        """Delete retired leases that a machine stopped between renaming and deleting."""
        retired = re.compile(re.escape(self.lease) + r"\.retired-[0-9a-f]{32}")
        # Best effort, whatever fails: they only take a name on the server, and the lease is
        # held already (an error here must not leave it held by a claim that failed).
        with contextlib.suppress(Exception):
            names = [c.name for c in self._guard(self._client.list_collections)]
            for name in filter(retired.fullmatch, names):
                with contextlib.suppress(Exception):  # (its retirer may delete it first)
                    self._guard(partial(self._client.delete_collection, name))

    def _now(self) -> float:
        """The server's clock, in seconds (machines' clocks may disagree)."""
        return int(self._guard(self._client.heartbeat)) / 1e9

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            if not chroma_failure(exc) or not_found(exc):
                raise
            raise server_failed(self.url, f"the Chroma server at {self.url} failed", exc) from exc
