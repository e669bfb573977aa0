"""An on-disk, content-addressed cache of model replies.

SQLite because it is in the standard library, survives restarts, and commits
atomically: a run killed mid-write leaves the previous state, never a torn
entry. Keys are :meth:`ChatRequest.cache_key` hashes; values are the reply.
Requests are stored for inspection but never credentials: API keys live in
the provider clients, not in requests.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from harness.models.base import ACCOUNTING_FIELDS, ChatRequest, ChatResponse

__all__ = ["ResponseCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL
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
        self._db.execute(_SCHEMA)

    def get(self, request: ChatRequest, key: str | None = None) -> ChatResponse | None:
        """The stored reply for ``request``, or None.

        ``key`` is ``request.cache_key()`` when the caller already has it
        (hashing a request costs more than the lookup).
        """
        row = self._db.execute(
            "SELECT response FROM responses WHERE key = ?", (key or request.cache_key(),)
        ).fetchone()
        if row is None:
            return None
        response = ChatResponse.model_validate_json(row[0])
        return response.model_copy(update={"cached": True})

    def put(self, request: ChatRequest, response: ChatResponse, key: str | None = None) -> None:
        """Store a reply; a later identical request will not be sent.

        Each put is its own transaction: a reply paid for is on disk before the
        caller sees it, so a run killed a moment later never pays for it again.
        """
        self._db.execute(
            "INSERT OR REPLACE INTO responses (key, model, request, response) VALUES (?, ?, ?, ?)",
            (
                key or request.cache_key(),
                request.model,
                request.model_dump_json(exclude=ACCOUNTING_FIELDS),
                response.model_dump_json(exclude={"cached"}),  # stored replies load as cached=False
            ),
        )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()
