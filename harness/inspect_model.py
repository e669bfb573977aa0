"""An inspect-ai model API backed by the harness model seam.

``--model harness/<provider>/<model>`` (e.g. ``harness/local/gemma-3-270m`` or
``harness/anthropic/claude-sonnet-4-5``) sends inspect's generate calls
through :class:`harness.models.client.ModelClient`: the same providers, the
same on-disk cache, retries and accounting as ``harness run``. Requests are
built exactly as ``harness run`` builds them, so answers already paid for by
``harness run`` are cache hits here, and the reverse.

Importing this module imports inspect-ai; :mod:`harness` itself never does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from harness.config import Project, find_project
from harness.errors import HarnessError
from harness.models.base import ChatRequest, Message
from harness.models.cache import ResponseCache
from harness.models.client import ModelClient
from harness.runs import make_client

__all__ = ["API_NAME", "SAMPLE_KEY", "HarnessModelAPI"]

#: The inspect model API name: ``--model harness/<our model string>``.
API_NAME = "harness"
#: ``extra_body`` key carrying the sample index (inspect's epoch - 1). It is
#: part of our cache key, so K samples of one query stay K distinct answers.
SAMPLE_KEY = "harness_sample"


@dataclass
class _Session:
    """What one event loop uses: inspect runs each ``eval()`` in a fresh loop."""

    loop: asyncio.AbstractEventLoop
    project: Project
    client: ModelClient


@modelapi(name=API_NAME)
class HarnessModelAPI(ModelAPI):
    """Inspect model API for ``harness/<provider>/<model>`` strings.

    Args:
        model_name: our model string, e.g. ``local/gemma-3-270m``.
        project: project directory whose cache and ``[run]`` settings to use
            (``-M project=DIR``; default: the nearest ``harness.toml``).
    """

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 - inspect's own signature
        project: str | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        if model_args:
            raise HarnessError(
                f"unknown model argument(s) for {API_NAME}/{model_name}: {', '.join(sorted(model_args))}",
                fix="the only model argument is -M project=DIR",
            )
        self._project_dir = project
        self._session: _Session | None = None

    def _current(self) -> _Session:
        # The provider and client are built per event loop, not in __init__:
        # inspect memoizes model instances across eval() calls, and an asyncio
        # semaphore or in-flight future must not outlive its loop.
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.loop is not loop:
            project = find_project(self._project_dir)
            client = make_client(project, self.model_name, ResponseCache(project.cache_path))
            self._session = _Session(loop=loop, project=project, client=client)
        return self._session

    def max_connections(self) -> int:
        """Our client limits concurrency itself; let inspect send that many at once."""
        return find_project(self._project_dir).config.run.concurrency

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """Answer ``input`` through the harness seam (cache first)."""
        if tools:
            raise HarnessError(f"{API_NAME}/{self.model_name} does not support tool calls")
        session = self._current()
        response = await session.client.complete(to_chat_request(session, input, config))
        truncated = response.stop_reason in ("max_tokens", "length")
        output = ModelOutput.from_content(
            model=self.model_name, content=response.text, stop_reason="max_tokens" if truncated else "stop"
        )
        usage = response.usage
        output.usage = ModelUsage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            total_tokens=usage.input_tokens + usage.output_tokens,
        )
        return output


def to_chat_request(session: _Session, messages: list[ChatMessage], config: GenerateConfig) -> ChatRequest:
    """Our request for inspect's messages and config; unset values come from ``[run]``."""
    run = session.project.config.run
    system = [m.text for m in messages if m.role == "system"]
    turns: list[Message] = []
    for m in messages:
        if m.role in ("user", "assistant"):
            turns.append(Message(role=m.role, content=m.text))
        elif m.role != "system":
            raise HarnessError(f"{API_NAME}/ models take system, user and assistant messages, not {m.role!r}")
    return ChatRequest(
        model=session.client.model,
        system="\n\n".join(system) if system else None,
        messages=tuple(turns),
        max_tokens=config.max_tokens or run.max_tokens,
        temperature=config.temperature if config.temperature is not None else run.temperature,
        seed=config.seed,
        sample=int((config.extra_body or {}).get(SAMPLE_KEY, 0)),
        purpose="answer",
    )
