"""The embed capability at the model seam: OpenAI-compatible ``/v1/embeddings`` on a local server, through the client."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ModelCallError
from harness.models.base import EmbedRequest, EmbedResponse
from harness.models.cache import ResponseCache
from harness.models.client import ModelClient
from harness.models.fake import ScriptedFakeModel
from harness.models.openai_provider import OpenAIProvider
from tests.wire_servers import ScriptedResponse, ScriptedServer, openai_error, wire_server  # noqa: F401 - fixture

KEY = "sk-test-SECRET1234567890abcdef"


def embeddings_body(vectors: list[list[float]], *, order: list[int] | None = None, tokens: int = 9) -> dict[str, Any]:
    """An OpenAI embeddings reply; ``order`` lists the vectors' indices in the order the server sends them."""
    order = order if order is not None else list(range(len(vectors)))
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": vectors[i]} for i in order],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


@pytest.fixture
def provider(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIProvider:
    monkeypatch.setenv("OPENAI_BASE_URL", wire_server.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return OpenAIProvider("text-embedding-3-small")


def embed(client: ModelClient, *texts: str) -> EmbedResponse:
    async def go() -> EmbedResponse:
        try:
            return await client.embed(EmbedRequest(model=client.model, inputs=texts, purpose="insights_embed"))
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_request_body_and_vectors_in_input_order(provider: OpenAIProvider, wire_server: ScriptedServer) -> None:
    wire_server.enqueue(ScriptedResponse(200, embeddings_body([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], order=[2, 0, 1])))

    reply = embed(ModelClient(provider, None), "a", "b", "c")

    request = wire_server.requests[0]
    assert (request.method, request.path) == ("POST", "/v1/embeddings")
    assert request.json == {"model": "text-embedding-3-small", "input": ["a", "b", "c"], "encoding_format": "float"}
    assert reply.vectors == [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
    assert reply.usage.input_tokens == 9 and reply.model == "openai/text-embedding-3-small"


def test_cached_and_accounted(provider: OpenAIProvider, wire_server: ScriptedServer, tmp_path: Path) -> None:
    wire_server.enqueue(ScriptedResponse(200, embeddings_body([[0.1, 0.2]], tokens=1_000_000)))
    cache = ResponseCache(tmp_path / "cache.sqlite")

    first = ModelClient(provider, cache)
    reply = embed(first, "hello")
    second = ModelClient(OpenAIProvider("text-embedding-3-small"), cache)
    again = embed(second, "hello")
    cache.close()

    assert len(wire_server.requests) == 1
    assert again.vectors == reply.vectors and again.cached
    assert (first.stats.api_calls, first.stats.input_tokens, first.stats.by_purpose) == (1, 1_000_000, {"insights_embed": 1})
    assert first.stats.cost_usd == pytest.approx(0.02)  # $0.02 per million tokens
    assert (second.stats.api_calls, second.stats.cache_hits) == (0, 1)


def test_a_malformed_reply_is_retried(provider: OpenAIProvider, wire_server: ScriptedServer) -> None:
    wire_server.enqueue(
        ScriptedResponse(200, embeddings_body([[1.0]])),  # one vector for two inputs
        ScriptedResponse(200, embeddings_body([[1.0, 2.0], [3.0]])),  # mixed lengths
        ScriptedResponse(200, embeddings_body([[1.0, 2.0], [3.0, 4.0]])),
    )
    client = ModelClient(provider, None, max_attempts=3, base_delay=0.01, max_delay=0.02)

    reply = embed(client, "x", "y")

    assert reply.vectors == [[1.0, 2.0], [3.0, 4.0]]
    assert client.stats.retries == 2 and len(wire_server.requests) == 3


def test_unknown_model_is_permanent_and_secret_free(provider: OpenAIProvider, wire_server: ScriptedServer) -> None:
    wire_server.enqueue(ScriptedResponse(404, openai_error(f"model not found (key {KEY})")))
    client = ModelClient(provider, None, max_attempts=3, base_delay=0.01)

    with pytest.raises(ModelCallError) as info:
        embed(client, "x")

    assert "not found" in info.value.message and "SECRET" not in str(info.value)
    assert len(wire_server.requests) == 1 and client.stats.failures == 1


def test_a_provider_without_embeddings_says_so() -> None:
    client = ModelClient(ScriptedFakeModel(), None)

    with pytest.raises(ModelCallError, match="no embedding API"):
        embed(client, "x")
    assert ScriptedFakeModel().embedding_model is None
    assert OpenAIProvider.embedding_model == "text-embedding-3-small"
