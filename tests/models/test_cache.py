"""The response cache commits the replies of one event-loop turn together, and loses none of them."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from harness.models.base import ChatRequest, ChatResponse, Message
from harness.models.cache import ResponseCache


def _request(i: int) -> ChatRequest:
    return ChatRequest(model="fake/m", messages=(Message(role="user", content=f"q{i}"),))


def _on_disk(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:  # another connection: sees committed rows only
        return int(db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])


def test_replies_of_one_turn_are_committed_together_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    cache = ResponseCache(path)

    async def go() -> tuple[int, int, bool]:
        for i in range(5):
            cache.put(_request(i), ChatResponse(text=f"a{i}", model="fake/m"))
        pending = _on_disk(path)
        visible = all(cache.get(_request(i)) is not None for i in range(5))  # readable before the commit
        await asyncio.sleep(0)  # the turn ends: one transaction
        return pending, _on_disk(path), visible

    pending, committed, visible = asyncio.run(go())
    assert (pending, committed, visible) == (0, 5, True)
    cache.close()


def test_outside_a_loop_each_put_is_on_disk_at_once_and_close_flushes(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    cache = ResponseCache(path)
    cache.put(_request(1), ChatResponse(text="a", model="fake/m"))
    assert _on_disk(path) == 1

    async def put_then_stop() -> None:
        cache.put(_request(2), ChatResponse(text="b", model="fake/m"))

    asyncio.run(put_then_stop())  # the loop may end before its turn is over
    cache.close()
    assert _on_disk(path) == 2
