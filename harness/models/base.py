"""Typed requests and responses, and the provider interface."""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import ModelCallError

__all__ = ["ACCOUNTING_FIELDS", "ChatRequest", "ChatResponse", "Message", "Provider", "TokenLogprob", "Usage"]
__all__ += ["EmbedRequest", "EmbedResponse"]

#: Request fields that only label a call for accounting: never part of its identity.
ACCOUNTING_FIELDS = frozenset({"purpose", "group"})


class Message(BaseModel):
    """One conversation turn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    """Everything that determines a model's reply; its hash is the cache key.

    ``sample`` distinguishes the K independent samples of the same prompt: two
    samples must not share a cache entry, or K samples would be one sample K
    times.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(description="Full model string, e.g. 'anthropic/claude-sonnet-4-5'.")
    system: str | None = None
    messages: tuple[Message, ...]
    max_tokens: int = 512
    temperature: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    sample: int = 0
    grammar: str | None = Field(
        default=None,
        description="A GBNF grammar the reply must match. Only providers with constrained decoding "
        "(the local llama.cpp provider) apply it; API models get the format from the prompt alone.",
    )
    top_logprobs: int = Field(
        default=0,
        ge=0,
        le=20,
        description="Ask for the log-probabilities of this many most likely tokens at each position of the "
        "reply (0 = none). Providers that cannot return them ignore it; the reply's logprobs is then None.",
    )
    choices: tuple[str, ...] = Field(
        default=(),
        description="Score instead of generating: the single user message is a prompt to continue verbatim, and "
        "the reply is the likeliest of these continuations, with the log-probability of each one's first token "
        "in ``logprobs[0].top``, from one evaluation of the prompt. Only providers with "
        "``next_token_scoring`` accept it.",
    )
    purpose: str = Field(default="", description="Free label for accounting, e.g. 'answer' or 'judge'.")
    group: str | None = Field(
        default=None, description="Accounting group whose tokens and cost this call counts toward, e.g. the arm."
    )

    def cache_key(self) -> str:
        """A content hash of every field that can change the reply.

        ``purpose`` and ``group`` are excluded: the same request made for two
        reasons is the same request, and must be paid for once.
        """
        payload = self.model_dump(mode="json", exclude=set(ACCOUNTING_FIELDS))
        if not self.top_logprobs:
            del payload["top_logprobs"]  # requests without log-probabilities keep the keys they always had
        if not self.choices:
            del payload["choices"]  # likewise for requests that generate
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Usage(BaseModel):
    """Token counts as the provider reported them.

    ``input_tokens`` excludes prompt-cache reads and writes, which providers
    bill at their own rates (Anthropic: reads at a tenth of the input price,
    writes at 1.25 times it).
    """

    model_config = ConfigDict(extra="forbid")

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


class TokenLogprob(BaseModel):
    """One token of a reply, its log-probability, and the most likely tokens at its position."""

    model_config = ConfigDict(extra="forbid")

    token: str
    logprob: float
    top: list[tuple[str, float]] = Field(
        default_factory=list, description="(token, log-probability) of the likeliest tokens here, most likely first."
    )


class ChatResponse(BaseModel):
    """A model's reply to one :class:`ChatRequest`."""

    model_config = ConfigDict(extra="forbid")

    text: str
    model: str
    usage: Usage = Field(default_factory=Usage)
    stop_reason: str | None = None
    cached: bool = False
    logprobs: list[TokenLogprob] | None = Field(
        default=None, description="Per-token log-probabilities, when requested and the provider returns them."
    )


class EmbedRequest(BaseModel):
    """Texts to embed with one embedding model; its hash is the cache key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(description="Full embedding model string, e.g. 'openai/text-embedding-3-small'.")
    inputs: tuple[str, ...]
    purpose: str = Field(default="embed", description="Free label for accounting.")
    group: str | None = None

    def cache_key(self) -> str:
        """A content hash of the model and texts (accounting labels excluded)."""
        payload = {"kind": "embed", **self.model_dump(mode="json", exclude=set(ACCOUNTING_FIELDS))}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class EmbedResponse(BaseModel):
    """One vector per input of an :class:`EmbedRequest`, in input order."""

    model_config = ConfigDict(extra="forbid")

    vectors: list[list[float]]
    model: str
    usage: Usage = Field(default_factory=Usage)
    cached: bool = False


class Provider(ABC):
    """A model backend. Implementations translate a :class:`ChatRequest` to one API call.

    Providers raise :class:`harness.errors.RetryableModelError` for transient
    failures (rate limits, 5xx, timeouts, malformed replies) and
    :class:`harness.errors.ModelCallError` for permanent ones; they never retry
    themselves: retries happen once, at :class:`harness.models.client.ModelClient`.
    """

    #: Provider prefix in model strings, e.g. ``"anthropic"``.
    provider: str = ""
    #: True for models too small to say anything about character (the bundled one).
    smoke_test_only: bool = False
    #: True when the provider can score :attr:`ChatRequest.choices` from its next-token distribution.
    next_token_scoring: bool = False
    #: True when the provider has a batch API (:meth:`submit_batch`, :meth:`poll_batch`).
    supports_batch: bool = False
    #: The provider's default embedding model (for :meth:`embed`); None = no embedding API.
    embedding_model: str | None = None
    #: Calls the provider should have in flight to work well, whatever the configured concurrency
    #: (the local engine decodes that many in one batch; an API is limited by its rate limits instead).
    min_concurrency: int = 1

    def __init__(self, model: str) -> None:
        self.model = model

    @property
    def full_name(self) -> str:
        """The model string, ``provider/model``."""
        return f"{self.provider}/{self.model}"

    @property
    def family(self) -> str:
        """A coarse model family, used to warn when judge and candidate share one."""
        return self.provider

    @abstractmethod
    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Make one call and return the reply."""

    async def submit_batch(self, items: list[tuple[str, ChatRequest]]) -> str:
        """Send ``(custom_id, request)`` items as one batch to the provider's batch API.

        Returns:
            The batch id, to poll now or from a later process.

        Raises:
            ModelCallError: the batch was not accepted.
        """
        raise ModelCallError(f"{self.full_name} has no batch API", fix="run without --batch")

    async def poll_batch(self, batch_id: str) -> dict[str, ChatResponse | ModelCallError] | None:
        """A batch's results by custom id once it has ended; None while it is still running.

        Raises:
            RetryableModelError: the provider could not be asked right now (poll again).
            ModelCallError: the batch cannot be read (e.g. unknown id).
        """
        raise ModelCallError(f"{self.full_name} has no batch API", fix="run without --batch")

    async def embed(self, request: EmbedRequest) -> EmbedResponse:
        """Embed ``request.inputs`` (providers with :attr:`embedding_model` only).

        Raises:
            RetryableModelError / ModelCallError: as :meth:`complete`.
        """
        raise ModelCallError(f"{self.full_name} has no embedding API", fix="use the local TF-IDF embedding")

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default has none."""
