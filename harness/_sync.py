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


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, whether or not a loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="harness-sync") as pool:
        return pool.submit(asyncio.run, coro).result()
