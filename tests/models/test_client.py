"""The model seam: cache, retries, concurrency, accounting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from harness.errors import ModelCallError, RetryableModelError
from harness.models.base import ChatRequest, Message
from harness.models.cache import ResponseCache
from harness.models.client import ModelClient
from harness.models.fake import ScriptedFakeModel


def req(text: str = "hi", sample: int = 0, purpose: str = "answer") -> ChatRequest:
    return ChatRequest(model="fake/scripted", messages=(Message(role="user", content=text),), sample=sample, purpose=purpose)


def test_cache_survives_a_restart(tmp_path: Path) -> None:
    fake = ScriptedFakeModel(replies=["first"])
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = ModelClient(fake, cache)
    assert asyncio.run(client.complete(req())).text == "first"
    cache.close()

    # A new process: new cache object on the same file, a fake with nothing queued.
    fresh = ScriptedFakeModel()
    client2 = ModelClient(fresh, ResponseCache(tmp_path / "c.sqlite"))
    again = asyncio.run(client2.complete(req()))
    assert again.text == "first" and again.cached
    assert fresh.requests == [] and client2.stats.api_calls == 0 and client2.stats.cache_hits == 1


def test_samples_and_content_are_distinct_cache_keys(tmp_path: Path) -> None:
    fake = ScriptedFakeModel(replies=["a", "b", "c"])
    client = ModelClient(fake, ResponseCache(tmp_path / "c.sqlite"))
    texts = [asyncio.run(client.complete(r)).text for r in (req(sample=0), req(sample=1), req("other"))]
    assert texts == ["a", "b", "c"]
    # purpose is accounting only: the same request for another reason is not paid twice
    assert asyncio.run(client.complete(req(sample=0, purpose="judge"))).text == "a"
    assert client.stats.api_calls == 3


def test_retries_transient_errors_then_succeeds() -> None:
    fake = ScriptedFakeModel(replies=[RetryableModelError("429", retry_after=0), RetryableModelError("500"), "ok"])
    client = ModelClient(fake, None, max_attempts=5, base_delay=0.001, max_delay=0.01)
    assert asyncio.run(client.complete(req())).text == "ok"
    assert client.stats.api_calls == 3 and client.stats.retries == 2 and client.stats.failures == 0


def test_gives_up_after_max_attempts_and_records_failure() -> None:
    fake = ScriptedFakeModel(replies=[RetryableModelError("500")] * 3)
    client = ModelClient(fake, None, max_attempts=3, base_delay=0.001, max_delay=0.01)
    with pytest.raises(ModelCallError, match="500"):
        asyncio.run(client.complete(req()))
    assert client.stats.api_calls == 3 and client.stats.failures == 1


def test_permanent_errors_are_not_retried() -> None:
    fake = ScriptedFakeModel(replies=[ModelCallError("400 bad request"), "never"])
    client = ModelClient(fake, None, max_attempts=5, base_delay=0.001)
    with pytest.raises(ModelCallError):
        asyncio.run(client.complete(req()))
    assert client.stats.api_calls == 1


def test_failures_are_returned_not_raised_by_complete_all() -> None:
    fake = ScriptedFakeModel(responder=lambda r: ModelCallError("nope") if "bad" in r.messages[0].content else "fine")
    client = ModelClient(fake, None, max_attempts=1)
    results = asyncio.run(client.complete_all([req("good"), req("bad"), req("good2")]))
    assert [type(r).__name__ for r in results] == ["ChatResponse", "ModelCallError", "ChatResponse"]


def test_concurrency_limit_is_respected() -> None:
    in_flight = 0
    peak = 0

    class Slow(ScriptedFakeModel):
        async def complete(self, request):  # type: ignore[no-untyped-def]
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return await super().complete(request)

    client = ModelClient(Slow(responder=lambda r: "x"), None, concurrency=3)
    asyncio.run(client.complete_all([req(str(i)) for i in range(12)]))
    assert peak == 3


def test_identical_requests_in_flight_share_one_call() -> None:
    class Slow(ScriptedFakeModel):
        async def complete(self, request):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.01)  # still in flight when the duplicates arrive
            return await super().complete(request)

    fake = Slow(responder=lambda r: "same")
    client = ModelClient(fake, None)
    results = asyncio.run(client.complete_all([req("dup")] * 5))
    assert {r.text for r in results} == {"same"} and len(fake.requests) == 1


def test_tokens_and_cost_are_accounted() -> None:
    class Priced(ScriptedFakeModel):
        provider = "openai"

    client = ModelClient(Priced(model="gpt-4.1-mini", replies=["one two three"]), None)
    asyncio.run(client.complete(req("a b c d")))
    assert client.stats.input_tokens == 4 and client.stats.output_tokens == 3
    assert client.stats.cost_usd == pytest.approx((4 * 0.4 + 3 * 1.6) / 1e6)


def test_a_provider_that_batches_gets_its_calls_in_flight_whatever_the_configured_concurrency() -> None:
    import asyncio as _asyncio

    from harness.models.base import ChatRequest, ChatResponse, Message, Provider
    from harness.models.client import ModelClient as _Client

    class Batching(Provider):
        provider = "batching"
        min_concurrency = 6

        def __init__(self) -> None:
            super().__init__("m")
            self.now = self.most = 0

        async def complete(self, request: ChatRequest) -> ChatResponse:
            self.now += 1
            self.most = max(self.most, self.now)
            await _asyncio.sleep(0.01)
            self.now -= 1
            return ChatResponse(text="ok", model=self.full_name)

    provider = Batching()
    client = _Client(provider, None, concurrency=2)
    requests = [ChatRequest(model="batching/m", messages=(Message(role="user", content=f"q{i}"),)) for i in range(12)]
    _asyncio.run(client.complete_all(requests))
    assert provider.most == 6  # not the 2 [run] concurrency allows an API
