"""A scripted fake model, for tests only.

It records every request it receives and replays queued replies (or computes
them with a responder function), like simonw/llm's ``MockModel.enqueue``.
It is never chosen by ``auto`` and has no model string unless a test
registers one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from harness.errors import ModelCallError, RetryableModelError
from harness.models.base import ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, Provider, Usage

__all__ = ["ScriptedFakeModel"]

Reply = str | Exception


class ScriptedFakeModel(Provider):
    """Replays queued replies; records the requests it got.

    Args:
        model: the name after ``fake/``.
        replies: replies to give in order; an Exception in the queue is raised.
        responder: computes a reply from a request when the queue is empty.
        family: model family to report (to test same-family warnings).
        embedder: computes a text's vector; given, the fake has an embedding API.
    """

    provider = "fake"

    def __init__(
        self,
        model: str = "scripted",
        replies: Iterable[Reply] = (),
        responder: Callable[[ChatRequest], Reply] | None = None,
        family: str | None = None,
        embedder: Callable[[str], list[float]] | None = None,
    ) -> None:
        super().__init__(model)
        self.queue: deque[Reply] = deque(replies)
        self.responder = responder
        self.requests: list[ChatRequest] = []
        self._family = family
        self.embedder = embedder
        self.embed_requests: list[EmbedRequest] = []
        if embedder is not None:
            self.embedding_model = model

    @property
    def family(self) -> str:
        return self._family or f"fake/{self.model}"

    def enqueue(self, *replies: Reply) -> None:
        """Add replies to the end of the queue."""
        self.queue.extend(replies)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        if self.queue:
            reply = self.queue.popleft()
        elif self.responder is not None:
            reply = self.responder(request)
        else:
            raise ModelCallError("ScriptedFakeModel has no queued reply left")
        if isinstance(reply, Exception):
            raise reply
        words = sum(len(m.content.split()) for m in request.messages)
        return ChatResponse(
            text=reply,
            model=self.full_name,
            usage=Usage(input_tokens=words, output_tokens=len(reply.split())),
            stop_reason="end_turn",
        )

    async def embed(self, request: EmbedRequest) -> EmbedResponse:
        if self.embedder is None:
            return await super().embed(request)
        self.embed_requests.append(request)
        vectors = [self.embedder(text) for text in request.inputs]
        return EmbedResponse(vectors=vectors, model=self.full_name, usage=Usage(input_tokens=len(request.inputs)))


# Re-exported for tests that script transient failures.
__all__ += ["RetryableModelError"]
