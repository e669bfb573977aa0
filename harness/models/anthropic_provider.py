"""Claude through the official ``anthropic`` SDK (Messages API).

The registry imports this module only when an ``anthropic/...`` model is asked
for, so the SDK is imported here at the top and never by :mod:`harness`.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import anthropic

from harness.errors import HarnessError, ModelCallError, RetryableModelError, redact
from harness.models.base import ChatRequest, ChatResponse, Provider, Usage
from harness.models.http_errors import (
    count,
    status_error,
    translate_sdk_errors,
)

__all__ = ["DEFAULT_TIMEOUT_S", "AnthropicProvider"]

#: Seconds to wait for a reply. The SDK default is ten minutes; a call that hangs
#: that long is better failed and retried once at ModelClient.
DEFAULT_TIMEOUT_S = 180.0
_CONNECT_TIMEOUT_S = 10.0
_DETAIL_CHARS = 200
# A 429 with one of these codes is an exhausted budget, not a busy server:
# retrying cannot help.
_SPEND_LIMIT_CODES = frozenset({"contract_spend_limit_reached", "enforced_spend_limit_reached"})



@cache
def _sdk() -> ModuleType:
    """The ``anthropic`` SDK, imported on first use (it takes about half a second)."""
    import anthropic
    import anthropic.types

    return anthropic

class AnthropicProvider(Provider):
    """Calls the Anthropic Messages API (``POST /v1/messages``).

    Configuration comes from the SDK's own environment variables:
    ``ANTHROPIC_API_KEY`` (required) and ``ANTHROPIC_BASE_URL`` (optional, e.g.
    a gateway). The SDK never retries: retries happen once, at
    :class:`harness.models.client.ModelClient`.

    ``request.temperature`` and ``request.seed`` are not sent: the SDK (2.x)
    has neither parameter, and the API version it speaks rejects sampling
    parameters with a 400. They still distinguish cache entries.

    Args:
        model: the Claude model id, e.g. ``claude-sonnet-4-5``.
        timeout: seconds to wait for one reply.

    Raises:
        HarnessError: ``ANTHROPIC_API_KEY`` is not set.
    """

    provider = "anthropic"
    supports_batch = True

    def __init__(self, model: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(model)
        api_key = os.environ.get("ANTHROPIC_API_KEY", "")
        if not api_key:
            raise HarnessError(
                f"ANTHROPIC_API_KEY is not set, so anthropic/{model} cannot be called",
                fix="export ANTHROPIC_API_KEY=... (or set --model local/gemma-3-270m to run offline)",
            )
        self._secret = api_key
        self.timeout = timeout
        self._sdk_client: anthropic.AsyncAnthropic | None = None

    @property
    def _client(self) -> anthropic.AsyncAnthropic:
        """The SDK client, made (and the SDK imported) on the first call: a run with nothing to send never loads it."""
        if self._sdk_client is None:
            sdk = _sdk()
            # The SDK reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL itself.
            self._sdk_client = sdk.AsyncAnthropic(
                max_retries=0,
                timeout=sdk.Timeout(self.timeout, connect=min(self.timeout, _CONNECT_TIMEOUT_S)),
            )
        return self._sdk_client

    @property
    def family(self) -> str:
        """All Claude models are one family for same-family judge warnings."""
        return "anthropic/claude"

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Make one Messages API call.

        Raises:
            RetryableModelError: rate limit, overload, 5xx, timeout, connection
                failure or a reply that cannot be parsed.
            ModelCallError: the request was refused for good (400, 401, 403, 404...).
        """
        with self._errors():
            message = await self._client.messages.create(**_create_args(request, self.model))
        return self._to_response(message)

    async def submit_batch(self, items: list[tuple[str, ChatRequest]]) -> str:
        """Send the items as one Message Batch (``POST /v1/messages/batches``); returns its id."""
        requests = [{"custom_id": custom_id, "params": _create_args(r, self.model)} for custom_id, r in items]
        with self._errors():
            # The SDK types requests as TypedDicts; these plain dicts have the same keys.
            batch = await self._client.messages.batches.create(requests=requests)  # type: ignore[arg-type]  # same keys
        return str(batch.id)

    async def poll_batch(self, batch_id: str) -> dict[str, ChatResponse | ModelCallError] | None:
        """The batch's results by custom id once its processing has ended, else None."""
        with self._errors():
            batch = await self._client.messages.batches.retrieve(batch_id)
            if batch.processing_status != "ended":
                return None
            results: dict[str, ChatResponse | ModelCallError] = {}
            async for item in await self._client.messages.batches.results(batch_id):
                results[item.custom_id] = self._batch_result(item.result)
        return results

    def _batch_result(self, result: object) -> ChatResponse | ModelCallError:
        """One request's outcome in a batch: its reply, or why there is none."""
        kind = getattr(result, "type", None)
        if kind == "succeeded":
            try:
                return self._to_response(getattr(result, "message", None))
            except ModelCallError as exc:
                return exc
        if kind == "errored":
            error = getattr(getattr(result, "error", None), "error", None)
            detail = self._scrub(str(getattr(error, "message", "") or ""))[:_DETAIL_CHARS]
            return ModelCallError(f"batch request errored ({getattr(error, 'type', 'error')}): {detail}")
        return ModelCallError(f"batch request {kind or 'failed'}")  # expired or canceled

    def _errors(self) -> AbstractContextManager[None]:
        """Turn the SDK's exceptions into retryable or permanent model errors."""
        return translate_sdk_errors(
            _sdk(), _sdk().AnthropicError, timeout=self.timeout, host=self._client.base_url.host,
            scrub=self._scrub, status_error=self._status_error, detail_chars=_DETAIL_CHARS,
        )

    async def aclose(self) -> None:
        """Close the SDK's HTTP connections (if it was ever used)."""
        if self._sdk_client is not None:
            await self._sdk_client.close()

    def _to_response(self, message: object) -> ChatResponse:
        """Check the fields we use; the SDK builds models from any JSON without validating."""
        if not isinstance(message, _sdk().types.Message):
            raise RetryableModelError(f"malformed reply: expected a message object, got {type(message).__name__}")
        content = message.content
        if not isinstance(content, list):
            raise RetryableModelError("malformed reply: no content list")
        texts = [getattr(block, "text", None) for block in content if getattr(block, "type", None) == "text"]
        if not all(isinstance(text, str) for text in texts):
            raise RetryableModelError("malformed reply: a text block has no text")
        return ChatResponse(
            text="".join(t for t in texts if t is not None),  # every block was checked to have text above
            model=self.full_name,
            usage=Usage(
                input_tokens=count(getattr(message.usage, "input_tokens", None)),
                output_tokens=count(getattr(message.usage, "output_tokens", None)),
                cache_read_tokens=count(getattr(message.usage, "cache_read_input_tokens", None)),
                cache_write_tokens=count(getattr(message.usage, "cache_creation_input_tokens", None)),
            ),
            stop_reason=message.stop_reason if isinstance(message.stop_reason, str) else None,
        )

    def _status_error(self, exc: anthropic.APIStatusError) -> ModelCallError:
        """Map an HTTP error status to a retryable or a permanent error."""
        # Scrub before cutting, so a key cut in half cannot slip past the patterns.
        detail = self._scrub(str(exc.api_message or ""))[:_DETAIL_CHARS]
        return status_error(
            exc.status_code, exc.response.headers, detail,
            exhausted="spend limit reached" if exc.error_code in _SPEND_LIMIT_CODES else None,
            permanent=self._permanent_label(exc.status_code),
        )

    def _permanent_label(self, status: int) -> str:
        if status == 401:
            return "authentication failed: check that ANTHROPIC_API_KEY holds a valid key"
        if status == 403:
            return f"permission denied: the key may not have access to {self.model}"
        if status == 404:
            return f"not found: check the model name {self.model!r} (and ANTHROPIC_BASE_URL, if set)"
        return "request rejected"

    def _scrub(self, text: str) -> str:
        """Redact key-shaped strings, and our own key whatever its shape."""
        # Our own key first: a pattern might match only part of an unusual key.
        return redact(text.replace(self._secret, "[REDACTED]"))


def _create_args(request: ChatRequest, model: str) -> dict[str, Any]:
    """Keyword arguments for ``messages.create``."""
    args: dict[str, Any] = {
        "model": model,
        "max_tokens": request.max_tokens,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
    }
    # The API rejects an empty system prompt; absent and empty mean the same here.
    if request.system:
        # A run sends one system prompt with every query and sample: marked
        # cacheable, it is billed in full once and at a tenth of the input price
        # on each reuse within the cache's lifetime. Prompts shorter than the
        # model's minimum cacheable length are simply not cached.
        args["system"] = [{"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}]
    if request.stop:
        args["stop_sequences"] = list(request.stop)
    return args







