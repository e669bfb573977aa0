"""Sync edges over the async core, that also work inside a running event loop.

Scripts have no running loop: :func:`run_sync` uses :func:`asyncio.run`.
A notebook (Jupyter, IPython) already runs one, where ``asyncio.run`` raises;
there the coroutine runs to completion on a worker thread with its own loop,
and the caller blocks until it is done, as a sync call should.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")


class _Boxed:
    """A result with a constant repr.

    ``asyncio.run`` formats the repr of its task, result included, when it puts
    back the Ctrl-C handler (a lookup that fails builds its error message from
    it): the full repr of a run's outcome, every scored answer in it, took
    longer than the run's whole wind-down.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<result>"


async def _boxed(coro: Coroutine[Any, Any, T]) -> _Boxed:
    return _Boxed(await coro)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, whether or not a loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_boxed(coro)).value
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="harness-sync") as pool:
        return pool.submit(asyncio.run, _boxed(coro)).result().value
