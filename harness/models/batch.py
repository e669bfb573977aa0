"""Batch mode: a client's calls go out as provider batches, at half the price.

Anthropic's Message Batches API and OpenAI's Batch API take many requests at
once and answer within hours instead of seconds. :class:`Batcher` sits inside
:class:`harness.models.client.ModelClient`: callers still ``await`` one reply
per request, while the batcher gathers the requests that arrive together into
one batch, records the batch id in the on-disk cache, polls it, and hands out
the replies when it ends. A process that stops before then (killed, or out of
patience) loses nothing: the next one finds the requests' batch id in the
cache and collects that batch instead of sending the requests again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError, ModelCallError, RetryableModelError, redact
from harness.models.base import ChatRequest, ChatResponse, Provider
from harness.models.cache import ResponseCache

__all__ = ["BatchNotFinished", "BatchSettings", "Batcher"]


@dataclass(frozen=True)
class BatchSettings:
    """How batches are formed and waited for.

    Args:
        max_size: most requests in one batch.
        window: seconds with no new request after which the requests gathered
            so far are sent as a batch.
        poll_interval: seconds between asking whether a batch has ended.
        max_wait: seconds to wait for a batch before stopping (it keeps running
            at the provider; the next run collects it).
    """

    max_size: int = 5000
    window: float = 1.0
    poll_interval: float = 30.0
    max_wait: float = 3600.0


class BatchNotFinished(HarnessError):
    """A batch was still running when the wait ran out; a later run collects it."""


class Batcher:
    """Gathers requests into provider batches and hands each caller its reply.

    Args:
        provider: a provider with a batch API.
        cache: where replies, and the ids of batches not yet collected, are kept.
        settings: batch size, gathering window, polling.
        on_submit: called with the requests of each batch sent (for accounting).
    """

    def __init__(
        self,
        provider: Provider,
        cache: ResponseCache,
        settings: BatchSettings,
        on_submit: Callable[[list[ChatRequest]], None] | None = None,
    ) -> None:
        self.provider = provider
        self.cache = cache
        self.settings = settings
        self._on_submit = on_submit
        self._queue: dict[str, tuple[ChatRequest, asyncio.Future[ChatResponse]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._waiters: dict[str, dict[str, asyncio.Future[ChatResponse]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def call(self, key: str, request: ChatRequest) -> ChatResponse:
        """The reply to ``request`` (cache key ``key``), through a batch.

        Raises:
            ModelCallError: the batch, or this request in it, failed.
            BatchNotFinished: the batch did not end within ``max_wait``.
        """
        future: asyncio.Future[ChatResponse] = asyncio.get_running_loop().create_future()
        batch_id = self.cache.pending_batch(key)
        if batch_id is not None:
            self._wait_for(batch_id)[key] = future  # sent by an earlier process: collect it
        else:
            self._queue[key] = (request, future)
            self._schedule()
        return await future

    def _schedule(self) -> None:
        """Send when the batch is full, or once requests stop arriving for ``window`` seconds."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if len(self._queue) >= self.settings.max_size:
            self._flush()
        else:
            self._timer = asyncio.get_running_loop().call_later(self.settings.window, self._flush)

    def _flush(self) -> None:
        self._timer = None
        items, self._queue = self._queue, {}
        if items:
            self._spawn(self._send(items))

    def _spawn(self, job: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, items: dict[str, tuple[ChatRequest, asyncio.Future[ChatResponse]]]) -> None:
        requests = [(key, request) for key, (request, _) in items.items()]
        try:
            batch_id = await self.provider.submit_batch(requests)
        except Exception as exc:  # every caller must hear back, whatever went wrong
            for _, future in items.values():
                _fail(future, _as_model_error(exc))
            return
        # Recorded before anything else can go wrong: from here on the batch is
        # paid for, and a later process must collect it rather than send it again.
        self.cache.add_pending(batch_id, requests)
        if self._on_submit is not None:
            self._on_submit([request for request, _ in items.values()])
        self._wait_for(batch_id).update({key: future for key, (_, future) in items.items()})

    def _wait_for(self, batch_id: str) -> dict[str, asyncio.Future[ChatResponse]]:
        """The callers waiting on ``batch_id``; the first one starts polling it."""
        if batch_id not in self._waiters:
            self._waiters[batch_id] = {}
            self._spawn(self._collect(batch_id))
        return self._waiters[batch_id]

    async def _collect(self, batch_id: str) -> None:
        """Poll ``batch_id`` until it ends, then store its replies and wake its callers."""
        try:
            await self._poll_until_ended(batch_id)
        except Exception as exc:  # a bug or a cache error must not leave callers waiting for ever
            for future in self._waiters.pop(batch_id, {}).values():
                _fail(future, _as_model_error(exc))

    async def _poll_until_ended(self, batch_id: str) -> None:
        deadline = time.monotonic() + self.settings.max_wait
        while True:
            try:
                results = await self.provider.poll_batch(batch_id)
            except RetryableModelError:
                results = None  # the provider is busy or unreachable: ask again later
            except ModelCallError as exc:
                # Unreadable for good (e.g. expired and deleted): forget it, so the next run sends its requests anew.
                self.cache.settle_batch(batch_id, {})
                lost = ModelCallError(f"batch {batch_id} could not be read: {exc.message}", fix=exc.fix)
                for future in self._waiters.pop(batch_id).values():
                    _fail(future, lost)
                return
            if results is not None:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                stop = BatchNotFinished(
                    f"batch {batch_id} at {self.provider.full_name} has not ended after "
                    f"{self.settings.max_wait:g}s",
                    fix="run the same command again later: it collects the batch by id, without resending it",
                )
                for future in self._waiters.pop(batch_id).values():
                    _fail(future, stop)
                return
            await asyncio.sleep(min(self.settings.poll_interval, left))
        self.cache.settle_batch(batch_id, {k: r for k, r in results.items() if isinstance(r, ChatResponse)})
        for key, future in self._waiters.pop(batch_id).items():
            result = results.get(key) or ModelCallError(f"batch {batch_id} ended with no result for this request")
            if isinstance(result, ChatResponse):
                if not future.done():
                    future.set_result(result)
            else:
                _fail(future, result)

    async def aclose(self) -> None:
        """Stop gathering and polling (batches keep running at the provider)."""
        if self._timer is not None:
            self._timer.cancel()
        for task in list(self._tasks):
            task.cancel()


def _fail(future: asyncio.Future[ChatResponse], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


def _as_model_error(exc: Exception) -> HarnessError:
    if isinstance(exc, HarnessError):
        return exc
    return ModelCallError(f"unexpected error in a batch: {redact(repr(exc))}")
