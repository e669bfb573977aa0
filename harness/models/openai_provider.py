"""GPT, and any OpenAI-compatible server, through the official ``openai`` SDK.

Uses the Chat Completions API, which vLLM, Ollama, llama.cpp's server and most
gateways also speak. The registry imports this module only when an
``openai/...`` model is asked for, and the SDK itself (over half a second of
imports) only when the first call is made: a run whose answers are all on
disk already never loads it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from harness.errors import HarnessError, ModelCallError, RetryableModelError, redact
from harness.models.base import ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, Provider, TokenLogprob, Usage
from harness.models.http_errors import (
    count,
    status_error,
    translate_sdk_errors,
)

if TYPE_CHECKING:
    import openai

__all__ = ["DEFAULT_TIMEOUT_S", "PLACEHOLDER_KEY", "OpenAIProvider"]

#: Seconds to wait for a reply. The SDK default is ten minutes; a call that hangs
#: that long is better failed and retried once at ModelClient.
DEFAULT_TIMEOUT_S = 180.0
#: Sent as the key to a local server when ``OPENAI_API_KEY`` is unset; such
#: servers ignore it, but the SDK refuses to start without one.
PLACEHOLDER_KEY = "not-needed"
_CONNECT_TIMEOUT_S = 10.0
_DETAIL_CHARS = 200
# OpenAI reports an exhausted budget as a 429; retrying cannot help.
_QUOTA_CODES = frozenset({"insufficient_quota"})
# GPT and the o-series are one lineage for same-family judge warnings.
_GPT_MODEL = re.compile(r"^(gpt|chatgpt|o\d)", re.IGNORECASE)
_BATCH_ENDPOINT: Final = "/v1/chat/completions"
# Batch statuses before the batch is over (then: completed, failed, expired, cancelled).
_BATCH_RUNNING = frozenset({"validating", "in_progress", "finalizing", "cancelling"})


@cache
def _sdk() -> ModuleType:
    """The ``openai`` SDK, imported on first use."""
    import openai

    return openai


def _http_client(sdk: ModuleType) -> Any:
    """The SDK's aiohttp transport when aiohttp is installed, else None (the SDK's default, httpx).

    The SDK recommends aiohttp for concurrency: at 64 calls in flight, httpx's
    connection pool scans every connection on each request, and a call costs
    about twice the CPU.
    """
    try:
        import aiohttp  # noqa: F401  (only checks that the SDK's aiohttp transport can work)
    except ImportError:
        return None
    return sdk.DefaultAioHttpClient()


class OpenAIProvider(Provider):
    """Calls the Chat Completions API (``POST {base}/chat/completions``).

    Configuration comes from the SDK's own environment variables:
    ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``. Point ``OPENAI_BASE_URL`` at an
    OpenAI-compatible server (vLLM, Ollama, llama.cpp), e.g.
    ``http://localhost:11434/v1``, to evaluate a model served there.

    ``OPENAI_API_KEY`` is required, except when ``OPENAI_BASE_URL`` names a
    server other than ``api.openai.com``: local servers usually need no key, so
    the placeholder key :data:`PLACEHOLDER_KEY` is sent instead. A server that
    does want a key answers 401, which fails the call with a hint.

    The SDK never retries: retries happen once, at
    :class:`harness.models.client.ModelClient`.

    Args:
        model: the model id as the server knows it, e.g. ``gpt-4.1-mini`` or ``llama3.1:8b``.
        timeout: seconds to wait for one reply.

    Raises:
        HarnessError: ``OPENAI_API_KEY`` is not set and the base URL is OpenAI's.
    """

    provider = "openai"
    supports_batch = True
    embedding_model = "text-embedding-3-small"

    def __init__(self, model: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(model)
        api_key = os.environ.get("OPENAI_API_KEY", "")
        base_url = os.environ.get("OPENAI_BASE_URL", "")
        if not api_key and not _is_third_party(base_url):
            raise HarnessError(
                f"OPENAI_API_KEY is not set, so openai/{model} cannot be called",
                fix="export OPENAI_API_KEY=... (or set OPENAI_BASE_URL to a local OpenAI-compatible server, "
                "or --model local/gemma-3-270m to run offline)",
            )
        self._secret = api_key
        self._key_given = bool(api_key)
        self.timeout = timeout
        self._sdk_client: openai.AsyncOpenAI | None = None

    @property
    def _client(self) -> openai.AsyncOpenAI:
        """The SDK client, made (and the SDK imported) on first use."""
        if self._sdk_client is None:
            sdk = _sdk()
            # api_key=None: the SDK reads OPENAI_API_KEY itself; it always reads OPENAI_BASE_URL.
            self._sdk_client = sdk.AsyncOpenAI(
                api_key=None if self._key_given else PLACEHOLDER_KEY,
                max_retries=0,
                timeout=sdk.Timeout(self.timeout, connect=min(self.timeout, _CONNECT_TIMEOUT_S)),
                http_client=_http_client(sdk),
            )
        return self._sdk_client

    @property
    def family(self) -> str:
        """``openai/gpt`` for OpenAI's models, else the model name's first token (``openai/llama3.1``)."""
        if _GPT_MODEL.match(self.model):
            return "openai/gpt"
        first = re.split(r"[-_:/\s]", self.model, maxsplit=1)[0]
        return f"openai/{first.lower() or self.model}"

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Make one Chat Completions call.

        Raises:
            RetryableModelError: rate limit, 5xx, timeout, connection failure or
                a reply that cannot be parsed.
            ModelCallError: the request was refused for good (400, 401, 403, 404...).
        """
        with self._errors():
            # client.post, the SDK's documented way to send a body as is, rather
            # than chat.completions.create: create() first walks the arguments
            # against their type hints (about 1 ms of CPU a call, a third of
            # the client's whole per-call cost), which changes nothing in our
            # plain-JSON body. Status, timeout and error handling are the same.
            # The reply comes back as bytes and is read as plain JSON: the SDK's
            # typed object costs more to build than the few fields we read.
            # The body goes as bytes we encode: given a dict, the SDK deep-copies it
            # (system prompt and all) on every call before encoding it.
            reply = await self._client.post(
                "/chat/completions",
                content=json.dumps(_create_args(request, self.model), ensure_ascii=False).encode("utf-8"),
                options={"headers": {"Content-Type": "application/json"}},
                cast_to=bytes,
            )
            completion = json.loads(reply)
        return self._to_response(completion)

    async def embed(self, request: EmbedRequest) -> EmbedResponse:
        """One Embeddings call (``POST {base}/embeddings``) for all of ``request.inputs``.

        Raises:
            RetryableModelError: as :meth:`complete`, or a reply without one vector per input.
            ModelCallError: the request was refused for good.
        """
        from openai.types import CreateEmbeddingResponse

        # encoding_format "float": the SDK's create() would ask for base64 and
        # decode it; compatible servers (Ollama, llama.cpp, vLLM) all speak float.
        body = {"model": self.model, "input": list(request.inputs), "encoding_format": "float"}
        with self._errors():
            reply = await self._client.post("/embeddings", body=body, cast_to=CreateEmbeddingResponse)
        return _to_embeddings(reply, len(request.inputs), self.full_name)

    async def submit_batch(self, items: list[tuple[str, ChatRequest]]) -> str:
        """Upload the items as a JSONL file and start a Batch on it; returns the batch id."""
        lines = (
            json.dumps(
                {"custom_id": custom_id, "method": "POST", "url": _BATCH_ENDPOINT, "body": _create_args(r, self.model)},
                ensure_ascii=False,
            )
            for custom_id, r in items
        )
        payload = ("\n".join(lines) + "\n").encode("utf-8")
        with self._errors():
            upload = await self._client.files.create(file=("batch.jsonl", payload), purpose="batch")
            batch = await self._client.batches.create(
                input_file_id=upload.id, endpoint=_BATCH_ENDPOINT, completion_window="24h"
            )
        return str(batch.id)

    async def poll_batch(self, batch_id: str) -> dict[str, ChatResponse | ModelCallError] | None:
        """The batch's results by custom id once it is over (done, failed, expired), else None."""
        with self._errors():
            batch = await self._client.batches.retrieve(batch_id)
            if batch.status in _BATCH_RUNNING:
                return None
            results: dict[str, ChatResponse | ModelCallError] = {}
            # Replies are in the output file, failed requests in the error file.
            for file_id in (batch.output_file_id, batch.error_file_id):
                if file_id:
                    content = await self._client.files.content(file_id)
                    for line in content.text.splitlines():
                        if item := self._batch_line(line):
                            results[item[0]] = item[1]
        return results

    def _batch_line(self, line: str) -> tuple[str, ChatResponse | ModelCallError] | None:
        """One line of a batch output or error file: its custom id and outcome (None if unreadable)."""
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("custom_id"), str):
            return None
        raw = data.get("response")
        response: dict[str, Any] = raw if isinstance(raw, dict) else {}
        body, status = response.get("body"), response.get("status_code")
        if status == 200 and isinstance(body, dict):
            try:
                return data["custom_id"], self._to_response(body)
            except ModelCallError as exc:
                return data["custom_id"], exc
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        body_error = body.get("error") if isinstance(body, dict) else None
        detail = self._scrub(_error_message(error) or _error_message(body_error))[:_DETAIL_CHARS]
        where = f" (HTTP {status})" if status else ""
        return data["custom_id"], ModelCallError(f"batch request failed{where}: {detail or 'no detail'}")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn the SDK's exceptions into retryable or permanent model errors."""
        sdk = _sdk()
        host = self._client.base_url.host
        try:
            with translate_sdk_errors(
                sdk, sdk.OpenAIError, timeout=self.timeout, host=host,
                scrub=self._scrub, status_error=self._status_error, detail_chars=_DETAIL_CHARS,
            ):
                yield
        except RetryableModelError as exc:
            # The SDK's aiohttp transport reports a refused connection as a
            # connect timeout; say what happened.
            if _refused(exc.__context__):
                raise RetryableModelError(f"could not connect to {host}") from None
            raise

    async def aclose(self) -> None:
        """Close the SDK's HTTP connections (if it was ever used)."""
        if self._sdk_client is not None:
            await self._sdk_client.close()

    def _to_response(self, completion: object) -> ChatResponse:
        """A chat completion's JSON as a response, checking every field we use."""
        if not isinstance(completion, dict):
            raise RetryableModelError(
                f"malformed reply: expected a chat completion object, got {type(completion).__name__}"
            )
        choices = completion.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise RetryableModelError("malformed reply: no choices")
        message = choices[0].get("message")
        if not isinstance(message, dict):
            raise RetryableModelError("malformed reply: the first choice has no message")
        # content is null when the model refused (structured outputs) or was filtered.
        text = message.get("content") or message.get("refusal") or ""
        if not isinstance(text, str):
            raise RetryableModelError("malformed reply: message content is not text")
        # Many compatible servers omit usage; zero tokens is the honest reading.
        usage = completion.get("usage")
        usage = usage if isinstance(usage, dict) else {}
        finish_reason = choices[0].get("finish_reason")
        return ChatResponse(
            text=text,
            model=self.full_name,
            usage=Usage(
                input_tokens=count(usage.get("prompt_tokens")),
                output_tokens=count(usage.get("completion_tokens")),
            ),
            stop_reason=finish_reason if isinstance(finish_reason, str) else None,
            logprobs=_logprobs(choices[0].get("logprobs")),
        )

    def _status_error(self, exc: openai.APIStatusError) -> ModelCallError:
        """Map an HTTP error status to a retryable or a permanent error."""
        # Scrub before cutting, so a key cut in half cannot slip past the patterns.
        detail = self._scrub(_error_message(exc.body))[:_DETAIL_CHARS]
        return status_error(
            exc.status_code, exc.response.headers, detail,
            exhausted="quota exhausted" if exc.code in _QUOTA_CODES else None, permanent=self._permanent_label(exc.status_code),
        )

    def _permanent_label(self, status: int) -> str:
        if status == 401:
            return "authentication failed: check OPENAI_API_KEY (and OPENAI_BASE_URL, if set)"
        if status == 403:
            return f"permission denied: the key may not have access to {self.model}"
        if status == 404:
            return f"not found: check the model name {self.model!r} (and OPENAI_BASE_URL, if set)"
        return "request rejected"

    def _scrub(self, text: str) -> str:
        """Redact key-shaped strings, and our own key whatever its shape."""
        # Our own key first: a pattern might match only part of an unusual key.
        return redact(text.replace(self._secret, "[REDACTED]") if self._secret else text)


def _refused(exc: BaseException | None) -> bool:
    """Whether an exception chain holds a failed connection (refused, reset), not a timeout.

    aiohttp's connection errors are matched by class name, so that this module
    imports aiohttp only when the SDK does.
    """
    seen = 0
    while exc is not None and seen < 10:
        names = {cls.__name__ for cls in type(exc).__mro__}
        if "TimeoutError" in names or "ServerTimeoutError" in names:
            return False
        if isinstance(exc, ConnectionError) or "ClientConnectionError" in names:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _is_third_party(base_url: str) -> bool:
    """Whether ``base_url`` names a server other than OpenAI's own."""
    if not base_url:
        return False
    host = (urlsplit(base_url).hostname or "").lower()
    return bool(host) and host != "openai.com" and not host.endswith(".openai.com")


def _create_args(request: ChatRequest, model: str) -> dict[str, Any]:
    """The Chat Completions request body (the arguments of ``chat.completions.create``)."""
    messages: list[dict[str, str]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    messages.extend({"role": m.role, "content": m.content} for m in request.messages)
    args: dict[str, Any] = {
        "model": model,
        "messages": messages,
        # max_tokens rather than max_completion_tokens: compatible servers know it.
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    if request.seed is not None:
        args["seed"] = request.seed
    if request.stop:
        args["stop"] = list(request.stop)
    if request.top_logprobs:
        args["logprobs"] = True
        args["top_logprobs"] = request.top_logprobs
    return args


def _to_embeddings(reply: object, expected: int, model: str) -> EmbedResponse:
    """Check an embeddings reply: one finite vector per input, of one length, put in input order."""
    data = getattr(reply, "data", None)
    if not isinstance(data, list) or len(data) != expected:
        raise RetryableModelError(f"malformed embeddings reply: expected {expected} vectors")
    vectors: list[list[float] | None] = [None] * expected
    for position, item in enumerate(data):
        index = getattr(item, "index", position)
        vector = getattr(item, "embedding", None)
        if not isinstance(index, int) or not 0 <= index < expected or not isinstance(vector, list) or not vector:
            raise RetryableModelError("malformed embeddings reply: bad index or vector")
        if not all(isinstance(x, (int, float)) and math.isfinite(x) for x in vector):
            raise RetryableModelError("malformed embeddings reply: a vector holds a non-number")
        vectors[index] = [float(x) for x in vector]
    filled = [v for v in vectors if v is not None]
    if len(filled) != expected or len({len(v) for v in filled}) != 1:
        raise RetryableModelError("malformed embeddings reply: missing vectors or mixed lengths")
    usage = getattr(reply, "usage", None)
    return EmbedResponse(
        vectors=filled,
        model=model,
        usage=Usage(input_tokens=count(getattr(usage, "prompt_tokens", None))),
    )


def _logprobs(choice_logprobs: object) -> list[TokenLogprob] | None:
    """``choices[0].logprobs.content`` as :class:`TokenLogprob` records; None when absent or malformed.

    Log-probabilities refine a judge's score; a server that sends none, or
    sends them in a shape we do not know, leaves the reply usable without them.
    """
    content = choice_logprobs.get("content") if isinstance(choice_logprobs, dict) else None
    if not isinstance(content, list) or not content:
        return None
    tokens: list[TokenLogprob] = []
    for item in content:
        if not isinstance(item, dict):
            return None
        token, logprob = item.get("token"), item.get("logprob")
        if not isinstance(token, str) or not _is_logprob(logprob):
            return None
        alternatives = item.get("top_logprobs")
        top = [
            (alt["token"], float(alt["logprob"]))
            for alt in (alternatives if isinstance(alternatives, list) else [])
            if isinstance(alt, dict) and isinstance(alt.get("token"), str) and _is_logprob(alt.get("logprob"))
        ]
        tokens.append(TokenLogprob(token=token, logprob=float(logprob), top=top))  # type: ignore[arg-type]  # _is_logprob checked it
    return tokens


def _is_logprob(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value <= 0


def _error_message(body: object) -> str:
    """The ``message`` of an error body (the SDK has already unwrapped ``error``)."""
    if isinstance(body, Mapping):
        message = body.get("message")
        return str(message) if message else ""
    # Servers that are only roughly compatible send {"error": "text"} or plain text.
    return body if isinstance(body, str) else ""







