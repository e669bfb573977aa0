"""An on-disk, content-addressed cache of model replies.

SQLite because it is in the standard library, survives restarts, and commits
atomically: a run killed mid-write leaves the previous state, never a torn
entry. Keys are :meth:`ChatRequest.cache_key` hashes; values are the reply.
Requests are stored for inspection but never credentials: API keys live in
the provider clients, not in requests.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.models.base import ACCOUNTING_FIELDS, ChatRequest, ChatResponse, EmbedRequest, EmbedResponse

__all__ = ["ResponseCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL
)
"""
# Requests sent in a provider batch that has not been collected yet. A later
# process finds its requests here and collects the batch by id instead of
# sending them again.
_PENDING_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_batches (
    key TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL
)
"""


class ResponseCache:
    """Maps a request hash to the reply it got."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection used from the event loop thread only; WAL keeps
        # readers (a second harness process) from blocking on a writer.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Other processes (Ray workers, a second run) may write too: wait for them rather than fail.
        self._db.execute("PRAGMA busy_timeout=60000")
        self._db.execute(_SCHEMA)
        self._db.execute(_PENDING_SCHEMA)
        # Replies stored during the current turn of the event loop, committed together at its end.
        self._unwritten: dict[str, tuple[str, str, str, str]] = {}
        self._flush_loop: asyncio.AbstractEventLoop | None = None  # the loop a flush is scheduled on

    def get(self, request: ChatRequest, key: str | None = None) -> ChatResponse | None:
        """The stored reply for ``request``, or None.

        ``key`` is ``request.cache_key()`` when the caller already has it
        (hashing a request costs more than the lookup).
        """
        key = key or request.cache_key()
        unwritten = self._unwritten.get(key)
        row = (unwritten[3],) if unwritten else self._db.execute(
            "SELECT response FROM responses WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        response = ChatResponse.model_validate_json(row[0])
        return response.model_copy(update={"cached": True})

    def put(self, request: ChatRequest, response: ChatResponse, key: str | None = None) -> None:
        """Store a reply; a later identical request will not be sent.

        Called outside an event loop, the put is its own transaction. Inside
        one, the replies that arrive in the same turn of the loop are committed
        together in one transaction as soon as that turn ends (one commit
        blocks the loop for about 0.3 ms, so a commit per reply slows a busy
        run): a run killed by ``kill -9`` loses at most the replies of that
        last turn, which it then pays for once more, like calls in flight.
        """
        key = key or request.cache_key()
        row = (
            key,
            request.model,
            request.model_dump_json(exclude=set(ACCOUNTING_FIELDS)),
            response.model_dump_json(exclude={"cached"}),  # stored replies load as cached=False
        )
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._unwritten[key] = row
        if loop is None:
            self.flush()
        elif self._flush_loop is not loop:
            self._flush_loop = loop
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Commit the replies not yet written, in one transaction."""
        self._flush_loop = None
        if not self._unwritten:
            return
        rows = list(self._unwritten.values())
        self._unwritten.clear()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO responses (key, model, request, response) VALUES (?, ?, ?, ?)", rows
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get_embedding(self, key: str) -> EmbedResponse | None:
        """The stored vectors for an :meth:`EmbedRequest.cache_key`, or None.

        Embeddings share the replies table: their keys hash a different payload,
        so they never collide with a chat request's.
        """
        row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return EmbedResponse.model_validate_json(row[0]).model_copy(update={"cached": True})

    def put_embedding(self, request: EmbedRequest, response: EmbedResponse, key: str) -> None:
        """Store an embeddings reply under its request's key."""
        self._db.execute(
            "INSERT OR REPLACE INTO responses (key, model, request, response) VALUES (?, ?, ?, ?)",
            (key, request.model, request.model_dump_json(exclude=set(ACCOUNTING_FIELDS)), response.model_dump_json(exclude={"cached"})),
        )

    def add_pending(self, batch_id: str, items: list[tuple[str, ChatRequest]]) -> None:
        """Record ``(key, request)`` items as sent in batch ``batch_id`` (one transaction)."""
        rows = [(key, batch_id, r.model, r.model_dump_json(exclude=set(ACCOUNTING_FIELDS))) for key, r in items]
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO pending_batches (key, batch_id, model, request) VALUES (?, ?, ?, ?)", rows
            )

    def pending_batch(self, key: str) -> str | None:
        """The id of the uncollected batch that holds request ``key``, if any."""
        row = self._db.execute("SELECT batch_id FROM pending_batches WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def settle_batch(self, batch_id: str, replies: dict[str, ChatResponse]) -> None:
        """Store a finished batch's replies and forget the batch, in one transaction.

        Requests of the batch with no reply (failed, expired) are forgotten too,
        so a later run sends them again.
        """
        with self._transaction():
            for key, response in replies.items():
                self._db.execute(
                    "INSERT OR REPLACE INTO responses (key, model, request, response) "
                    "SELECT key, model, request, ? FROM pending_batches WHERE key = ? AND batch_id = ?",
                    (response.model_dump_json(exclude={"cached"}), key, batch_id),
                )
            self._db.execute("DELETE FROM pending_batches WHERE batch_id = ?", (batch_id,))

    def pending_batches(self) -> dict[str, int]:
        """Uncollected batch ids and how many requests each holds."""
        rows = self._db.execute("SELECT batch_id, COUNT(*) FROM pending_batches GROUP BY batch_id ORDER BY batch_id")
        return {str(batch_id): int(n) for batch_id, n in rows}

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.flush()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def __len__(self) -> int:
        self.flush()
        return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Write what is pending and close the database."""
        self.flush()
        self._db.close()
