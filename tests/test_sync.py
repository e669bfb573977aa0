"""The sync edge returns the coroutine's result, in a script and inside a running loop, without formatting it."""

from __future__ import annotations

import asyncio

from harness._sync import run_sync


class _Costly:
    """A result whose repr counts how often it is taken (a run's outcome holds every scored answer)."""

    reprs = 0

    def __repr__(self) -> str:
        type(self).reprs += 1
        return "costly"


async def _make() -> _Costly:
    await asyncio.sleep(0)
    return _Costly()


def test_the_result_is_returned_and_never_formatted() -> None:
    _Costly.reprs = 0
    assert isinstance(run_sync(_make()), _Costly)
    # asyncio.run formats its task's repr, result included, when it restores the Ctrl-C handler.
    assert _Costly.reprs == 0


def test_inside_a_running_loop() -> None:
    async def notebook_cell() -> _Costly:
        return run_sync(_make())  # a sync call from code that runs in a loop, as in Jupyter

    assert isinstance(asyncio.run(notebook_cell()), _Costly)
