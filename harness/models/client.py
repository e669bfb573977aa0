"""The one place where model calls are cached, retried, limited and counted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from harness.errors import HarnessError, ModelCallError, RetryableModelError, redact
from harness.models.base import ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, Provider, Usage
from harness.models.batch import Batcher, BatchSettings
from harness.models.cache import ResponseCache
from harness.models.pricing import estimate_cost

__all__ = ["Budget", "BudgetExhausted", "CallStats", "ModelClient", "Tally"]

T = TypeVar("T")

# Workers per unit of concurrency: cache hits and backoff waits hold no call
# slot, so a few spare workers keep every slot busy.
_WORKERS_PER_SLOT = 4


class BudgetExhausted(ModelCallError):
    """A call was not sent because the run's cost budget is spent."""


@dataclass
class Budget:
    """A spending limit in USD, shared by every client of one run (``--max-cost``).

    Before each call, room is reserved for what it will probably cost: the
    average cost of the calls paid so far, or, before the first has finished,
    an upper estimate from the request's length and ``max_tokens``. A call is
    sent only if the spend plus every reservation leaves room for it; otherwise
    it waits for calls in flight to settle, and once the spend reaches the
    limit it is refused. So concurrent calls cannot overshoot the limit
    together: the spend passes it by about one call at most.
    """

    limit_usd: float
    spent_usd: float = 0.0
    paid_calls: int = 0
    refused: int = 0
    _reserved: float = field(default=0.0, repr=False)
    _in_flight: int = field(default=0, repr=False)
    _settled: asyncio.Condition | None = field(default=None, repr=False)

    @property
    def exhausted(self) -> bool:
        """Whether the spend has reached the limit."""
        return self.spent_usd >= self.limit_usd

    async def admit(self, estimate: float) -> float:
        """Wait for room for one call and reserve it; returns the reservation.

        Args:
            estimate: what the call may cost, used until a call has been paid for.

        Raises:
            BudgetExhausted: the spend has reached the limit.
        """
        settled = self._condition()
        async with settled:
            while True:
                if self.exhausted:
                    self.refused += 1
                    raise BudgetExhausted(
                        f"not attempted: the cost budget of ${self.limit_usd:g} is spent "
                        f"(${self.spent_usd:.4f} so far)",
                        fix="run the same command with a higher --max-cost to resume",
                    )
                hold = self.spent_usd / self.paid_calls if self.paid_calls else estimate
                if self._in_flight == 0 or self.spent_usd + self._reserved + hold <= self.limit_usd:
                    self._reserved += hold
                    self._in_flight += 1
                    return hold
                await settled.wait()

    async def settle(self, hold: float, cost: float | None) -> None:
        """Release a call's reservation and count what it cost (None: it failed, or no price)."""
        settled = self._condition()
        async with settled:
            self._reserved = max(0.0, self._reserved - hold)
            self._in_flight -= 1
            if cost is not None:
                self.spent_usd += cost
                self.paid_calls += 1
            settled.notify_all()

    def _condition(self) -> asyncio.Condition:
        # Made on first use, inside the event loop that uses it.
        if self._settled is None:
            self._settled = asyncio.Condition()
        return self._settled


@dataclass
class Tally:
    """Calls, tokens and estimated cost of one accounting group (e.g. one arm)."""

    api_calls: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    cost_unknown_calls: int = 0

    def add(self, other: Tally) -> None:
        """Add ``other``'s counts to this tally."""
        self.api_calls += other.api_calls
        self.cache_hits += other.cache_hits
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cost_usd += other.cost_usd
        self.cost_unknown_calls += other.cost_unknown_calls

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        return {
            "api_calls": self.api_calls,
            "cache_hits": self.cache_hits,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "cost_unknown_calls": self.cost_unknown_calls,
        }


@dataclass
class CallStats:
    """What a client did: requests seen, calls paid for, tokens, cost.

    Tokens and cost count calls sent (paid for) only; a cache hit is free.
    ``by_group`` splits them by :attr:`ChatRequest.group` (the arm, in a run).
    """

    requests: int = 0
    cache_hits: int = 0
    api_calls: int = 0
    retries: int = 0
    failures: int = 0
    not_attempted: int = 0
    batches: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    cost_unknown_calls: int = 0
    by_purpose: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, Tally] = field(default_factory=dict)

    def group(self, name: str | None) -> Tally | None:
        """The tally of group ``name`` (created on first use); None for no group."""
        if name is None:
            return None
        return self.by_group.setdefault(name, Tally())

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        return {
            "requests": self.requests,
            "cache_hits": self.cache_hits,
            "api_calls": self.api_calls,
            "retries": self.retries,
            "failures": self.failures,
            "not_attempted": self.not_attempted,
            "batches": self.batches,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "cost_unknown_calls": self.cost_unknown_calls,
            "by_group": {name: tally.as_dict() for name, tally in sorted(self.by_group.items())},
        }


def _wait_for(base_delay: float, max_delay: float) -> Callable[..., float]:
    """Honour a server's retry-after; otherwise back off exponentially with jitter."""
    backoff = wait_exponential_jitter(multiplier=base_delay, max=max_delay, jitter=base_delay)

    def wait(retry_state) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RetryableModelError) and exc.retry_after is not None:
            return min(float(exc.retry_after), max_delay)
        return float(backoff(retry_state))

    return wait


class ModelClient:
    """Wraps a :class:`Provider` with a cache, a concurrency limit, retries and accounting.

    Args:
        provider: the backend to call.
        cache: replies already paid for; None disables caching (tests only).
        concurrency: most calls in flight at once.
        max_attempts: tries per request, the first included.
        base_delay: first backoff wait in seconds (doubles each retry).
        max_delay: longest wait between tries.
        budget: a spending limit shared with the run's other clients; None = no limit.
        batch: send calls through the provider's batch API (half price, replies
            within hours) rather than one by one; needs a cache, where the ids of
            batches not yet collected are kept.
    """

    def __init__(
        self,
        provider: Provider,
        cache: ResponseCache | None = None,
        *,
        concurrency: int = 4,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        budget: Budget | None = None,
        batch: BatchSettings | None = None,
    ) -> None:
        self.provider = provider
        self.cache = cache
        self.budget = budget
        self.stats = CallStats()
        concurrency = max(concurrency, provider.min_concurrency)
        #: Most calls in flight at once (``[run] concurrency``, raised to what the provider needs).
        self.concurrency = max(1, concurrency)
        self._semaphore = asyncio.Semaphore(self.concurrency)
        self._workers = _WORKERS_PER_SLOT * max(1, concurrency)
        self._batcher: Batcher | None = None
        if batch is not None:
            if not provider.supports_batch:
                raise HarnessError(f"{provider.full_name} has no batch API", fix="run without --batch")
            if cache is None:
                raise ValueError("batch mode needs a cache: it keeps the ids of batches not yet collected")
            self._batcher = Batcher(provider, cache, batch, self._count_batch)
            # Enough workers to put a whole batch's requests in flight together.
            self._workers = batch.max_size
        self._max_attempts = max_attempts
        self._wait = _wait_for(base_delay, max_delay)
        # Identical requests in flight at once share one call.
        self._inflight: dict[str, asyncio.Future[ChatResponse]] = {}

    @property
    def model(self) -> str:
        """The provider's full model string."""
        return self.provider.full_name

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Return the reply to ``request``: from the cache, or from one (retried) call.

        Raises:
            ModelCallError: the call failed after all retries, or permanently.
            BudgetExhausted: the call was not sent: the budget is spent.
        """
        self.stats.requests += 1
        key = request.cache_key()  # once: hashing costs more than a cache lookup
        if self.cache is not None and (hit := self.cache.get(request, key)) is not None:
            self._count_hit(request)
            return hit
        if key in self._inflight:
            self._count_hit(request)
            return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[ChatResponse] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            if self._batcher is not None:
                response = await self._batched(request, key)
            else:
                response = await self._call_with_retries(request, key)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        else:
            future.set_result(response)
            return response
        finally:
            del self._inflight[key]

    async def _batched(self, request: ChatRequest, key: str) -> ChatResponse:
        assert self._batcher is not None
        try:
            response = await self._batcher.call(key, request)
        except ModelCallError as exc:
            self.stats.failures += 1
            raise ModelCallError(f"{self.model} (batch): {exc.message}", fix=exc.fix) from None
        self._account(request, response, batch=True)
        return response

    def _count_batch(self, requests: list[ChatRequest]) -> None:
        self.stats.batches += 1
        for request in requests:
            self._count_call(request)

    def _count_hit(self, request: ChatRequest) -> None:
        self.stats.cache_hits += 1
        if (tally := self.stats.group(request.group)) is not None:
            tally.cache_hits += 1

    async def _call_with_retries(self, request: ChatRequest, key: str) -> ChatResponse:
        try:
            try:
                response = await self._call_once(request)
            except RetryableModelError as first:
                response = await self._retry(request, first)
        except BudgetExhausted:
            self.stats.not_attempted += 1
            raise
        except ModelCallError as exc:
            self.stats.failures += 1
            raise ModelCallError(
                f"{self.model}: {exc.message} (after {self._max_attempts} attempt(s) at most)", fix=exc.fix
            ) from None
        except Exception as exc:  # a provider bug must not take the run down unrecorded
            self.stats.failures += 1
            raise ModelCallError(f"{self.model}: unexpected error: {redact(repr(exc))}") from None
        self._account(request, response)
        if self.cache is not None:
            self.cache.put(request, response, key)
        return response

    async def _retry(self, request: ChatRequest, first: RetryableModelError) -> ChatResponse:
        """Try again after a transient failure, backing off between tries.

        The first try is made outside tenacity (nearly every call succeeds at
        once, and setting tenacity up costs more than the rest of a call's
        harness overhead). Tenacity is handed that try's error as its own
        attempt 1, so the backoff and the attempt limit count it.
        """
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableModelError),
            reraise=True,
        )
        response: ChatResponse | None = None
        async for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number == 1:
                    raise first
                self.stats.retries += 1
                response = await self._call_once(request)
        assert response is not None  # reraise=True: tenacity returns only after a success
        return response

    async def _call_once(self, request: ChatRequest) -> ChatResponse:
        async with self._semaphore:
            if self.budget is None:
                self._count_call(request)
                return await self.provider.complete(request)
            # Admitted once a slot is free: the spend may have moved while we waited.
            hold = await self.budget.admit(self._upper_estimate(request))
            self._count_call(request)
            cost = None
            try:
                response = await self.provider.complete(request)
                cost = estimate_cost(self.model, response.usage)
                return response
            finally:
                await self.budget.settle(hold, cost)

    def _count_call(self, request: ChatRequest) -> None:
        self.stats.api_calls += 1
        if (tally := self.stats.group(request.group)) is not None:
            tally.api_calls += 1

    def _upper_estimate(self, request: ChatRequest) -> float:
        """What a call may cost at most, near enough: about 4 characters a token, and a full reply."""
        chars = len(request.system or "") + sum(len(m.content) for m in request.messages)
        usage = Usage(input_tokens=chars // 4 + 1, output_tokens=request.max_tokens)
        return estimate_cost(self.model, usage) or 0.0

    def _account(self, request: ChatRequest, response: ChatResponse, *, batch: bool = False) -> None:
        usage = response.usage
        stats = self.stats
        stats.input_tokens += usage.input_tokens
        stats.output_tokens += usage.output_tokens
        stats.cache_read_tokens += usage.cache_read_tokens
        stats.cache_write_tokens += usage.cache_write_tokens
        purpose = request.purpose or "other"
        stats.by_purpose[purpose] = stats.by_purpose.get(purpose, 0) + 1
        cost = estimate_cost(self.model, usage, batch=batch)
        if cost is None:
            stats.cost_unknown_calls += 1
        else:
            stats.cost_usd += cost
        if (tally := stats.group(request.group)) is not None:
            tally.input_tokens += usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens
            tally.output_tokens += usage.output_tokens
            if cost is None:
                tally.cost_unknown_calls += 1
            else:
                tally.cost_usd += cost

    async def embed(self, request: EmbedRequest) -> EmbedResponse:
        """Vectors for ``request.inputs``: from the cache, or from one (retried) call.

        Cached, retried, limited and counted like :meth:`complete` (tokens as
        input tokens, under ``request.purpose``). Not held to a :class:`Budget`:
        no command that embeds takes ``--max-cost``.

        Raises:
            ModelCallError: the call failed after all retries, or permanently.
        """
        self.stats.requests += 1
        key = request.cache_key()
        if self.cache is not None and (hit := self.cache.get_embedding(key)) is not None:
            self.stats.cache_hits += 1
            return hit
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableModelError),
            reraise=True,
        )
        response: EmbedResponse | None = None
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        self.stats.retries += 1
                    async with self._semaphore:
                        self.stats.api_calls += 1
                        response = await self.provider.embed(request)
        except ModelCallError as exc:
            self.stats.failures += 1
            raise ModelCallError(f"{self.model}: {exc.message}", fix=exc.fix) from None
        assert response is not None  # reraise=True: tenacity returns only after a success
        self.stats.input_tokens += response.usage.input_tokens
        purpose = request.purpose or "other"
        self.stats.by_purpose[purpose] = self.stats.by_purpose.get(purpose, 0) + 1
        cost = estimate_cost(self.model, response.usage)
        if cost is None:
            self.stats.cost_unknown_calls += 1
        else:
            self.stats.cost_usd += cost
        if self.cache is not None:
            self.cache.put_embedding(request, response, key)
        return response

    async def complete_all(
        self,
        requests: Sequence[ChatRequest],
        on_done: Callable[[int, ChatResponse | ModelCallError], None] | None = None,
    ) -> list[ChatResponse | ModelCallError]:
        """Complete many requests concurrently; failures are returned, not raised.

        ``on_done(index, result)`` is called as each finishes, so callers can
        stream results to disk and drive a progress bar.
        """
        results: list[ChatResponse | ModelCallError | None] = [None] * len(requests)

        def keep(index: int, result: ChatResponse | ModelCallError) -> None:
            results[index] = result
            if on_done is not None:
                on_done(index, result)

        await self.complete_each(enumerate(requests), keep)
        return results  # type: ignore[return-value]  # complete_each fills every slot

    async def complete_each(
        self,
        jobs: Iterable[tuple[T, ChatRequest]],
        on_done: Callable[[T, ChatResponse | ModelCallError], None],
    ) -> None:
        """Complete ``(tag, request)`` jobs concurrently, calling ``on_done(tag, result)`` as each finishes.

        A fixed pool of workers takes jobs from the iterable, in order, as they
        free up: memory stays flat however many jobs there are (a task per job
        would cost a few KB each), and nothing is kept once ``on_done`` has seen
        it. The tag is the caller's (an index, a record). Failures are passed
        on, not raised.
        """
        pending = iter(jobs)

        async def worker() -> None:
            # The workers share one iterator: each job is taken exactly once.
            for tag, request in pending:
                try:
                    result: ChatResponse | ModelCallError = await self.complete(request)
                except ModelCallError as exc:
                    result = exc
                on_done(tag, result)

        await asyncio.gather(*(worker() for _ in range(self._workers)))

    async def aclose(self) -> None:
        """Close the provider's connections (and commit the replies the cache has not written yet)."""
        if self.cache is not None:
            self.cache.flush()
        if self._batcher is not None:
            await self._batcher.aclose()
        await self.provider.aclose()
