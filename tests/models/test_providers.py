"""The Anthropic and OpenAI providers, against local servers speaking their wire formats.

Each provider runs its real SDK against :class:`tests.wire_servers.ScriptedServer`
on 127.0.0.1 (selected through ``ANTHROPIC_BASE_URL`` / ``OPENAI_BASE_URL``),
so status handling, headers and JSON parsing are the SDK's own. Behaviour both
providers share is tested once, parametrized over the two wire formats.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from harness.errors import HarnessError, ModelCallError, RetryableModelError
from harness.models.anthropic_provider import AnthropicProvider
from harness.models.base import ChatRequest, ChatResponse, Message, Provider
from harness.models.client import CallStats, ModelClient
from harness.models.openai_provider import OpenAIProvider
from harness.models.registry import get_provider
from tests.wire_servers import (  # noqa: F401 - wire_server is a fixture
    ScriptedResponse,
    ScriptedServer,
    anthropic_error,
    anthropic_message,
    openai_chat_completion,
    openai_error,
    wire_server,
)

# Both contain SECRET, which no error text may contain, whole or in part.
ANTHROPIC_KEY = "sk-ant-test-SECRET1234567890"
OPENAI_KEY = "sk-test-SECRET1234567890abcdef"


@dataclass(frozen=True)
class Wire:
    """How to point one provider at the scripted server, and what it speaks."""

    provider_cls: type[Provider]
    key_env: str
    base_env: str
    key: str
    base_path: str  # what the base URL ends with: the OpenAI SDK expects /v1
    endpoint: str
    model: str
    ok: Callable[[str], dict[str, Any]]
    error: Callable[[str], dict[str, Any]]

    def configure(self, monkeypatch: pytest.MonkeyPatch, server: ScriptedServer, *, key: bool = True) -> None:
        monkeypatch.setenv(self.base_env, server.url + self.base_path)
        if key:
            monkeypatch.setenv(self.key_env, self.key)

    def provider(self, **kwargs: Any) -> Provider:
        return self.provider_cls(self.model, **kwargs)


ANTHROPIC = Wire(
    provider_cls=AnthropicProvider,
    key_env="ANTHROPIC_API_KEY",
    base_env="ANTHROPIC_BASE_URL",
    key=ANTHROPIC_KEY,
    base_path="",
    endpoint="/v1/messages",
    model="claude-test-1",
    ok=lambda text: anthropic_message(text, input_tokens=11, output_tokens=7),
    error=lambda message: anthropic_error("api_error", message),
)
OPENAI = Wire(
    provider_cls=OpenAIProvider,
    key_env="OPENAI_API_KEY",
    base_env="OPENAI_BASE_URL",
    key=OPENAI_KEY,
    base_path="/v1",
    endpoint="/v1/chat/completions",
    model="gpt-test-1",
    ok=lambda text: openai_chat_completion(text, prompt_tokens=11, completion_tokens=7),
    error=lambda message: openai_error(message, "server_error"),
)


@pytest.fixture(params=[ANTHROPIC, OPENAI], ids=["anthropic", "openai"])
def wire(request: pytest.FixtureRequest) -> Wire:
    return request.param


def make_request(**overrides: Any) -> ChatRequest:
    fields: dict[str, Any] = {
        "model": "test/model",
        "system": "You are terse.",
        "messages": (Message(role="user", content="Hello?"),),
        "max_tokens": 64,
        "temperature": 0.0,
        **overrides,
    }
    return ChatRequest(**fields)


def call_once(provider: Provider, request: ChatRequest | None = None) -> ChatResponse:
    """One provider call, no retries; the provider is closed afterwards."""

    async def go() -> ChatResponse:
        try:
            return await provider.complete(request or make_request())
        finally:
            await provider.aclose()

    return asyncio.run(go())


def call_through_client(
    provider: Provider, request: ChatRequest | None = None
) -> tuple[ChatResponse | ModelCallError, CallStats]:
    """One call through a fast-retrying ModelClient: its result (or error) and stats."""

    async def go() -> tuple[ChatResponse | ModelCallError, CallStats]:
        client = ModelClient(provider, None, max_attempts=3, base_delay=0.01, max_delay=0.05)
        try:
            return await client.complete(request or make_request()), client.stats
        except ModelCallError as exc:
            return exc, client.stats
        finally:
            await client.aclose()

    return asyncio.run(go())


def failing_call(provider: Provider, request: ChatRequest | None = None) -> ModelCallError:
    """A direct call that must fail; returns its error."""
    with pytest.raises(ModelCallError) as info:
        call_once(provider, request)
    return info.value


def assert_secret_free(exc: BaseException) -> None:
    """No key, nor any piece of one, in the error or anything chained to it."""
    current: BaseException | None = exc
    while current is not None:
        for text in (str(current), repr(current), getattr(current, "fix", None) or ""):
            assert "SECRET" not in text, text
        current = current.__cause__


# --- Shared behaviour ----------------------------------------------------------


def test_success_maps_text_usage_and_stop_reason(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(200, wire.ok("Hi there.")))

    response = call_once(wire.provider())

    assert response.text == "Hi there."
    assert response.model == f"{wire.provider_cls.provider}/{wire.model}"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (11, 7)
    assert response.stop_reason in ("end_turn", "stop")
    [sent] = wire_server.requests
    assert (sent.method, sent.path) == ("POST", wire.endpoint)
    assert sent.json["model"] == wire.model
    assert sent.json["max_tokens"] == 64
    assert any(wire.key in value for value in sent.headers.values()), "the key was not sent"


def test_rate_limit_is_retried_through_the_client(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(
        ScriptedResponse(429, wire.error("slow down"), {"retry-after": "0"}),
        ScriptedResponse(200, wire.ok("Second time lucky.")),
    )

    result, stats = call_through_client(wire.provider())

    assert isinstance(result, ChatResponse)
    assert result.text == "Second time lucky."
    assert len(wire_server.requests) == 2
    assert (stats.retries, stats.api_calls, stats.failures) == (1, 2, 0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "1500"}, 1.5), ({}, None), ({"retry-after": "soon"}, None)],
)
def test_rate_limit_carries_the_servers_retry_after(
    wire: Wire,
    wire_server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    headers: dict[str, str],
    expected: float | None,
) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(429, wire.error("slow down"), headers))

    error = failing_call(wire.provider())

    assert isinstance(error, RetryableModelError)
    assert error.retry_after == expected
    assert "rate limited" in error.message


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_is_retried_through_the_client(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(
        ScriptedResponse(status, wire.error("internal trouble")),
        ScriptedResponse(200, wire.ok("Recovered.")),
    )

    result, stats = call_through_client(wire.provider())

    assert isinstance(result, ChatResponse)
    assert result.text == "Recovered."
    assert len(wire_server.requests) == 2
    assert stats.retries == 1


MALFORMED = [
    pytest.param(ScriptedResponse(200, b"{not json"), id="broken-json"),
    pytest.param(ScriptedResponse(200, b""), id="empty-body"),
    pytest.param(ScriptedResponse(200, b"<html>gateway</html>", {"content-type": "text/html"}), id="html"),
    pytest.param(ScriptedResponse(200, [1, 2, 3]), id="json-list"),
    pytest.param(ScriptedResponse(200, {"id": "reply-1"}), id="missing-fields"),
]


@pytest.mark.parametrize("malformed", MALFORMED)
def test_malformed_reply_is_retryable_and_retried(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, malformed: ScriptedResponse
) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(malformed)
    error = failing_call(wire.provider())
    assert isinstance(error, RetryableModelError)
    assert "malformed reply" in error.message

    wire_server.enqueue(malformed, ScriptedResponse(200, wire.ok("Fine now.")))
    result, stats = call_through_client(wire.provider())
    assert isinstance(result, ChatResponse)
    assert result.text == "Fine now."
    assert stats.retries == 1


def test_persistently_malformed_reply_fails_after_max_attempts(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(*[ScriptedResponse(200, b"{not json")] * 3)

    result, stats = call_through_client(wire.provider())

    assert isinstance(result, ModelCallError)
    assert not isinstance(result, RetryableModelError)
    assert "malformed reply" in result.message
    assert len(wire_server.requests) == 3
    assert wire_server.unscripted_calls == 0
    assert (stats.retries, stats.failures) == (2, 1)


def test_unauthorized_is_not_retried_and_never_shows_the_key(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire.configure(monkeypatch, wire_server)
    # A server that echoes the key back must not get it into our message.
    wire_server.enqueue(ScriptedResponse(401, wire.error(f"invalid api key: {wire.key}")))

    result, stats = call_through_client(wire.provider())

    assert isinstance(result, ModelCallError)
    assert not isinstance(result, RetryableModelError)
    assert len(wire_server.requests) == 1
    assert stats.retries == 0
    assert "HTTP 401" in result.message
    assert wire.key_env in result.message
    assert_secret_free(result)


def test_a_key_of_any_shape_is_scrubbed(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd_key = "plainSECRETvalue42"  # matches none of harness.errors.redact's patterns
    wire.configure(monkeypatch, wire_server)
    monkeypatch.setenv(wire.key_env, odd_key)
    wire_server.enqueue(ScriptedResponse(400, wire.error(f"request from {odd_key} is malformed")))

    error = failing_call(wire.provider())

    assert "[REDACTED]" in error.message
    assert_secret_free(error)


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_other_client_errors_are_permanent(
    wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(status, wire.error("that will not work")))

    result, _ = call_through_client(wire.provider())

    assert isinstance(result, ModelCallError)
    assert not isinstance(result, RetryableModelError)
    assert len(wire_server.requests) == 1
    assert f"HTTP {status}" in result.message
    assert "that will not work" in result.message
    assert_secret_free(result)


def test_server_can_forbid_a_retry(wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(503, wire.error("down for good"), {"x-should-retry": "false"}))

    error = failing_call(wire.provider())

    assert not isinstance(error, RetryableModelError)


def test_timeout_is_retryable(wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    wire.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(200, wire.ok("too late"), delay=1.0))

    error = failing_call(wire.provider(timeout=0.2))

    assert isinstance(error, RetryableModelError)
    assert "timed out" in error.message
    assert_secret_free(error)


def test_connection_refused_is_retryable(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, and now nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(wire.base_env, f"http://127.0.0.1:{port}{wire.base_path}")
    monkeypatch.setenv(wire.key_env, wire.key)

    error = failing_call(wire.provider())

    assert isinstance(error, RetryableModelError)
    assert "could not connect to 127.0.0.1" in error.message
    assert_secret_free(error)


def test_missing_key_is_a_friendly_error(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(HarnessError) as info:
        wire.provider()

    error = info.value
    assert f"{wire.key_env} is not set" in error.message
    assert wire.model in error.message
    assert error.fix is not None
    assert f"export {wire.key_env}=" in error.fix
    assert "local/gemma-3-270m" in error.fix


def test_registry_builds_the_provider(wire: Wire, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    wire.configure(monkeypatch, wire_server)
    prefix = wire.provider_cls.provider

    provider = get_provider(f"{prefix}/{wire.model}")

    assert isinstance(provider, wire.provider_cls)
    assert provider.full_name == f"{prefix}/{wire.model}"
    asyncio.run(provider.aclose())


# --- Anthropic specifics -------------------------------------------------------


def test_anthropic_request_body(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ANTHROPIC.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(200, anthropic_message("ok")))
    request = make_request(
        messages=(
            Message(role="user", content="Hi"),
            Message(role="assistant", content="Hello."),
            Message(role="user", content="Again?"),
        ),
        stop=("END",),
        seed=7,
        temperature=0.3,
    )

    call_once(ANTHROPIC.provider(), request)

    body = wire_server.requests[0].json
    # The system prompt goes as one block marked for prompt caching (see below).
    assert body["system"] == [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}]
    assert body["messages"] == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "Again?"},
    ]
    assert body["stop_sequences"] == ["END"]
    # The API version the SDK speaks rejects sampling parameters, and has no seed.
    assert not {"temperature", "top_p", "top_k", "seed"} & body.keys()


def test_anthropic_caches_the_long_repeated_system_prompt(
    wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run repeats one system prompt with every query: it is sent cacheable, and cache reads are priced as such."""
    ANTHROPIC.configure(monkeypatch, wire_server)
    system = "You are Sol. " + "Answer directly, without filler. " * 400  # well past the minimum cacheable length
    first = anthropic_message("one", input_tokens=20, output_tokens=5)
    first["usage"].update(cache_creation_input_tokens=2400, cache_read_input_tokens=0)
    second = anthropic_message("two", input_tokens=20, output_tokens=5)
    second["usage"].update(cache_creation_input_tokens=0, cache_read_input_tokens=2400)
    wire_server.enqueue(ScriptedResponse(200, first), ScriptedResponse(200, second))

    async def go() -> tuple[ChatResponse, ChatResponse, CallStats]:
        client = ModelClient(AnthropicProvider("claude-haiku-4-5"), None)
        try:
            a = await client.complete(make_request(system=system, messages=(Message(role="user", content="Q1"),)))
            b = await client.complete(make_request(system=system, messages=(Message(role="user", content="Q2"),)))
            return a, b, client.stats
        finally:
            await client.aclose()

    one, two, stats = asyncio.run(go())

    for sent in wire_server.requests:
        assert sent.json["system"] == [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
    assert (one.usage.cache_write_tokens, one.usage.cache_read_tokens) == (2400, 0)
    assert (two.usage.cache_write_tokens, two.usage.cache_read_tokens) == (0, 2400)
    assert (stats.cache_write_tokens, stats.cache_read_tokens) == (2400, 2400)
    # Haiku 4.5: $1/M input, cache writes at 1.25x, reads at 0.1x; $5/M output.
    expected = (2 * 20 * 1.0 + 2400 * 1.25 + 2400 * 0.1 + 2 * 5 * 5.0) / 1e6
    assert stats.cost_usd == pytest.approx(expected)


def test_anthropic_omits_empty_system_and_stop(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ANTHROPIC.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(200, anthropic_message("ok")))

    call_once(ANTHROPIC.provider(), make_request(system=None))

    assert not {"system", "stop_sequences"} & wire_server.requests[0].json.keys()


def test_anthropic_joins_text_blocks_and_skips_others(
    wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ANTHROPIC.configure(monkeypatch, wire_server)
    body = anthropic_message("", stop_reason="max_tokens")
    body["content"] = [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "text", "text": "Part one, "},
        {"type": "text", "text": "part two."},
    ]
    wire_server.enqueue(ScriptedResponse(200, body))

    response = call_once(ANTHROPIC.provider())

    assert response.text == "Part one, part two."
    assert response.stop_reason == "max_tokens"


def test_anthropic_overloaded_is_retryable(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ANTHROPIC.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(529, anthropic_error("overloaded_error", "Overloaded")))

    error = failing_call(ANTHROPIC.provider())

    assert isinstance(error, RetryableModelError)
    assert "overloaded (HTTP 529)" in error.message


def test_anthropic_spend_limit_is_not_retried(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ANTHROPIC.configure(monkeypatch, wire_server)
    body = anthropic_error("rate_limit_error", "limit reached")
    body["error"]["details"] = {"error_code": "enforced_spend_limit_reached"}
    wire_server.enqueue(ScriptedResponse(429, body))

    error = failing_call(ANTHROPIC.provider())

    assert not isinstance(error, RetryableModelError)
    assert "spend limit" in error.message


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "claude-haiku-4-5"])
def test_anthropic_family(model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    assert AnthropicProvider(model).family == "anthropic/claude"


# --- OpenAI specifics ----------------------------------------------------------


def test_openai_request_body(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    OPENAI.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(200, openai_chat_completion("ok")))
    request = make_request(
        messages=(Message(role="user", content="Hi"), Message(role="assistant", content="Hello.")),
        stop=("END", "STOP"),
        seed=7,
        temperature=0.3,
    )

    call_once(OPENAI.provider(), request)

    body = wire_server.requests[0].json
    assert body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
    ]
    assert (body["seed"], body["stop"], body["temperature"], body["max_tokens"]) == (7, ["END", "STOP"], 0.3, 64)


def test_openai_omits_unset_options(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    OPENAI.configure(monkeypatch, wire_server)
    wire_server.enqueue(ScriptedResponse(200, openai_chat_completion("ok")))

    call_once(OPENAI.provider(), make_request(system=None))

    body = wire_server.requests[0].json
    assert not {"seed", "stop"} & body.keys()
    assert [m["role"] for m in body["messages"]] == ["user"]


def test_openai_local_server_needs_no_key(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    OPENAI.configure(monkeypatch, wire_server, key=False)
    wire_server.enqueue(ScriptedResponse(200, openai_chat_completion("From a local model.")))

    response = call_once(OPENAI.provider())

    assert response.text == "From a local model."
    assert wire_server.requests[0].headers["authorization"] == "Bearer not-needed"


def test_openai_own_base_url_still_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")

    with pytest.raises(HarnessError, match="OPENAI_API_KEY is not set"):
        OpenAIProvider("gpt-4.1-mini")


def test_openai_reply_without_usage_counts_zero_tokens(
    wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    OPENAI.configure(monkeypatch, wire_server)
    body = openai_chat_completion("No usage here.", finish_reason="length")
    del body["usage"]  # several compatible servers leave it out
    wire_server.enqueue(ScriptedResponse(200, body))

    response = call_once(OPENAI.provider())

    assert response.text == "No usage here."
    assert (response.usage.input_tokens, response.usage.output_tokens) == (0, 0)
    assert response.stop_reason == "length"


def test_openai_empty_choices_is_malformed(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    OPENAI.configure(monkeypatch, wire_server)
    body = openai_chat_completion("x")
    body["choices"] = []
    wire_server.enqueue(ScriptedResponse(200, body))

    error = failing_call(OPENAI.provider())

    assert isinstance(error, RetryableModelError)
    assert "no choices" in error.message


def test_openai_quota_exhausted_is_not_retried(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    OPENAI.configure(monkeypatch, wire_server)
    wire_server.enqueue(
        ScriptedResponse(429, openai_error("You exceeded your current quota", "insufficient_quota", "insufficient_quota"))
    )

    error = failing_call(OPENAI.provider())

    assert not isinstance(error, RetryableModelError)
    assert "quota exhausted" in error.message


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("gpt-4.1-mini", "openai/gpt"),
        ("o3-mini", "openai/gpt"),
        ("llama3.1:8b", "openai/llama3.1"),
        ("Qwen2.5-7B-Instruct", "openai/qwen2.5"),
        ("gemma", "openai/gemma"),
    ],
)
def test_openai_family(model: str, family: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    assert OpenAIProvider(model).family == family
