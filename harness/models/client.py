"""The one place where model calls are cached, retried, limited and counted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from harness.errors import ModelCallError, RetryableModelError, redact
from harness.models.base import ChatRequest, ChatResponse, Provider
from harness.models.cache import ResponseCache
from harness.models.pricing import estimate_cost

__all__ = ["CallStats", "ModelClient"]


@dataclass
class CallStats:
    """What a client did: requests seen, calls paid for, tokens, cost."""

    requests: int = 0
    cache_hits: int = 0
    api_calls: int = 0
    retries: int = 0
    failures: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    cost_unknown_calls: int = 0
    by_purpose: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        return {
            "requests": self.requests,
            "cache_hits": self.cache_hits,
            "api_calls": self.api_calls,
            "retries": self.retries,
            "failures": self.failures,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "cost_unknown_calls": self.cost_unknown_calls,
        }


def _wait_for(base_delay: float, max_delay: float) -> Callable[..., float]:
    """Honour a server's retry-after; otherwise back off exponentially with jitter."""
    backoff = wait_exponential_jitter(multiplier=base_delay, max=max_delay, jitter=base_delay)

    def wait(retry_state) -> float:  # type: ignore[no-untyped-def]
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
    ) -> None:
        self.provider = provider
        self.cache = cache
        self.stats = CallStats()
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
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
        """
        self.stats.requests += 1
        if self.cache is not None and (hit := self.cache.get(request)) is not None:
            self.stats.cache_hits += 1
            return hit
        key = request.cache_key()
        if key in self._inflight:
            self.stats.cache_hits += 1
            return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[ChatResponse] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            response = await self._call_with_retries(request)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        else:
            future.set_result(response)
            return response
        finally:
            del self._inflight[key]

    async def _call_with_retries(self, request: ChatRequest) -> ChatResponse:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableModelError),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        self.stats.retries += 1
                    response = await self._call_once(request)
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
            self.cache.put(request, response)
        return response

    async def _call_once(self, request: ChatRequest) -> ChatResponse:
        async with self._semaphore:
            self.stats.api_calls += 1
            return await self.provider.complete(request)

    def _account(self, request: ChatRequest, response: ChatResponse) -> None:
        self.stats.input_tokens += response.usage.input_tokens
        self.stats.output_tokens += response.usage.output_tokens
        purpose = request.purpose or "other"
        self.stats.by_purpose[purpose] = self.stats.by_purpose.get(purpose, 0) + 1
        cost = estimate_cost(self.model, response.usage)
        if cost is None:
            self.stats.cost_unknown_calls += 1
        else:
            self.stats.cost_usd += cost

    async def complete_all(
        self,
        requests: Sequence[ChatRequest],
        on_done: Callable[[int, ChatResponse | ModelCallError], None] | None = None,
    ) -> list[ChatResponse | ModelCallError]:
        """Complete many requests concurrently; failures are returned, not raised.

        ``on_done(index, result)`` is called as each finishes, so callers can
        stream results to disk and drive a progress bar.
        """

        async def one(index: int, request: ChatRequest) -> ChatResponse | ModelCallError:
            try:
                result: ChatResponse | ModelCallError = await self.complete(request)
            except ModelCallError as exc:
                result = exc
            if on_done is not None:
                on_done(index, result)
            return result

        return list(await asyncio.gather(*(one(i, r) for i, r in enumerate(requests))))

    async def aclose(self) -> None:
        """Close the provider's connections."""
        await self.provider.aclose()
