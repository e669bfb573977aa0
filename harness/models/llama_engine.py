"""A small llama.cpp decoding engine for the bundled model: continuous batching, prefix reuse, guidance.

llama-cpp-python's ``Llama.create_completion`` decodes one sequence at a
time, samples through Python callbacks, and cannot contrast two prompts. On
a small model most of each decoding step is the output layer (Gemma's
262k-token vocabulary): a step that reads the next-token distribution of one
sequence costs about as much as one that reads eight, since the weights are
read from memory once per step either way. So this engine runs every call
in flight together, in one llama.cpp context with a unified KV cache:

- **Continuous batching.** Calls are queued; a worker thread admits up to
  :data:`MAX_ACTIVE` at a time, and each step decodes one batch holding the
  next token of every generating call and chunks of the prompts of new ones.
  A call that finishes frees its place for the next at once.
- **Prefix reuse.** Every sequence remembers the tokens its cache cells
  hold. A new prompt starts from the sequence holding the longest part of
  it, copying that part from another sequence when needed (with a unified
  cache a copy only tags cells), so the few-shot demonstrations, a system
  prompt or a judge's rubric are evaluated once for all the calls sharing them.
- **Guidance.** A generating call may hold a second sequence with the same
  dialogue *without* the system prompt, for classifier-free guidance
  (Sanchez et al. 2023, "Stay on topic with Classifier-Free Guidance"): each
  next-token distribution is pushed away from what the model would say with
  no instructions, ``log p + γ (log p − log p_plain)``. A 270M base model
  barely notices a system prompt on its own; guidance makes simple
  instructions ("open with ...") change its output.
- **Scoring.** A call may instead ask for the log-probabilities of a few
  continuations after its prompt: one evaluation, no text.

Each call samples from its own seeded generator, so what a call writes does
not depend on which calls share its batches, up to floating-point rounding
in batched matrix products (which can, rarely, change a sampled token).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import io
import itertools
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["MAX_ACTIVE", "Completion", "LlamaEngine", "engine_count", "thread_count"]

# Tokens per decoding step (prompt chunks and generated tokens together).
_N_BATCH = 512
#: Calls decoded together. Steps cost little more for 8 sequences than for 1 (the output layer's
#: weights are read once per step); beyond that the gain flattens while memory and latency grow.
MAX_ACTIVE = max(1, int(os.environ["HARNESS_LOCAL_BATCH"])) if os.environ.get("HARNESS_LOCAL_BATCH", "").isdigit() else 8
# Sequences: two per active call (the prompt, and the plain one for guidance), and as many again
# holding recent prompts, whose prefixes later calls can reuse.
_SEQUENCES = 4 * MAX_ACTIVE
# KV cache cells shared by all sequences (about 18 KB each for Gemma 3 270M): a shared prefix
# takes its cells once; when full, idle sequences are dropped, then calls are put back in the queue.
_CELLS = 12288
_MIN_SHARED = 32
# llama.cpp's own sampling defaults (create_completion), so replies read as before.
_TOP_K = 40
_TOP_P = 0.95
_MIN_P = 0.05
_LN_MIN_P = float(np.log(_MIN_P))


def thread_count() -> int:
    """Cores the local model may use: every core, unless ``HARNESS_LOCAL_THREADS`` says otherwise.

    The bundled model's engines share them out (see :func:`engine_count`);
    grammar-constrained calls use this many llama.cpp threads.
    """
    raw = os.environ.get("HARNESS_LOCAL_THREADS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return max(1, os.cpu_count() or 1)


def engine_count() -> int:
    """Engines the bundled model runs: one per two cores, unless ``HARNESS_LOCAL_ENGINES`` says otherwise.

    The cores are shared out among them (``thread_count() // engines`` llama.cpp
    threads each). An engine evaluates each shared prefix (the demonstrations,
    a system prompt, a judge's rubric) once, and two threads read each step's
    weights once for both cores: on this 2-core machine the main job took
    156 s with one two-threaded engine against 180 s with two single-threaded
    ones (``tests/benchmarks/bench_main_job.py``). Single-threaded engines hold
    up better when other work takes a core, since llama.cpp's threads wait for
    each other after every operation (``HARNESS_LOCAL_ENGINES`` = the cores).
    """
    raw = os.environ.get("HARNESS_LOCAL_ENGINES", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return min(int(raw), thread_count())
    return max(1, thread_count() // 2)


@dataclass
class Completion:
    """A generated reply: text, token counts and why it stopped."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


class _Sequence:
    """What one llama.cpp sequence holds, so a new prompt re-evaluates only what differs."""

    def __init__(self, seq_id: int) -> None:
        self.id = seq_id
        self.tokens: list[int] = []  # what its cache cells hold, in position order
        self.pending: list[int] = []  # tokens to evaluate next, for the call that holds it
        self.used = 0
        self.busy = False

    def common(self, tokens: Sequence[int]) -> int:
        """How many leading tokens this sequence already holds."""
        return _common(self.tokens, tokens)


@dataclass
class _Call:
    """One queued or running call: a prompt to score, or to continue."""

    prompts: list[list[int]]  # the prompt, then (guided generation) the plain prompt
    future: Future[Any]
    firsts: list[int] | None = None  # scoring: the first token of each continuation
    guidance: float = 0.0
    guided_tokens: int | None = None
    budget: int = 0
    temperature: float = 0.0
    seed: int = 0
    end: Callable[[str], int | None] | None = None
    seqs: list[_Sequence] = field(default_factory=list)
    out: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # this step's logits rows, one per sequence
    rng: np.random.Generator | None = None
    started: bool = False  # its future is marked running (once: a call put back in the queue keeps it)

    @property
    def guided(self) -> bool:
        return len(self.seqs) > 1


class LlamaEngine:
    """One model, one batched context, one worker thread; see the module docstring.

    Args:
        llm: a loaded ``llama_cpp.Llama`` (its model weights and tokenizer are shared).
        n_ctx: most tokens one call may hold (prompt and reply).
        threads: llama.cpp threads. More threads per engine evaluate shared prefixes
            fewer times and read each step's weights once for several cores; but
            llama.cpp's threads wait for each other after every operation of a
            step, so a core taken by other work stalls the whole step
            (:func:`engine_count`; ``tests/benchmarks/bench_local_engine.py`` and
            ``bench_main_job.py`` compare the layouts).
    """

    def __init__(self, llm: Any, n_ctx: int, threads: int = 1) -> None:
        import llama_cpp
        from llama_cpp import _internals

        self._lib = llama_cpp
        self.llm = llm
        self.n_ctx = n_ctx
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = self._cells = max(_CELLS, 2 * n_ctx)
        params.n_batch = _N_BATCH
        params.n_ubatch = _N_BATCH  # one micro-batch per step: a step that does not fit fails whole
        params.n_seq_max = _SEQUENCES
        params.n_threads = params.n_threads_batch = threads
        # One cache for all sequences, so sharing a prefix is tagging its cells with another sequence;
        # flash attention skips the cells a sequence does not see, so sharing costs nothing per step.
        params.kv_unified = True
        # The full sliding-window cache keeps every position, so a shared prefix can be kept while
        # the rest is dropped (Gemma 3 uses sliding-window attention in most layers).
        params.swa_full = True
        params.no_perf = True
        with contextlib.redirect_stderr(io.StringIO()):
            self._ctx = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
            self._batch = _internals.LlamaBatch(n_tokens=_N_BATCH, embd=0, n_seq_max=1, verbose=False)
        self._memory = llama_cpp.llama_get_memory(self._ctx.ctx)
        self._seqs = tuple(_Sequence(i) for i in range(_SEQUENCES))
        self._clock = 0
        self._n_vocab = llm.n_vocab()
        self._eog = {llm.token_eos()}
        self._queue: collections.deque[_Call] = collections.deque()
        self._active: list[_Call] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        #: Work done so far, for benchmarks: tokens evaluated and output rows read, by kind of call
        #: ("scoring", "generation"), decoding steps, and seconds inside ``llama_decode``.
        self.counters: collections.defaultdict[str, float] = collections.defaultdict(float)
        self._planned: collections.Counter[str] = collections.Counter()

    # --- tokens ---------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        """Tokens of ``text``, beginning-of-sequence first."""
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=False))

    def _detokenize(self, tokens: Sequence[int]) -> str:
        return self.llm.detokenize(list(tokens)).decode("utf-8", errors="ignore")

    def _fit(self, prompt: str) -> list[int]:
        tokens = self.tokenize(prompt)
        if len(tokens) + 1 > self.n_ctx:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit the local model's {self.n_ctx}-token context")
        return tokens

    # --- public -------------------------------------------------------------------

    def submit_scoring(self, prompt: str, continuations: Sequence[str]) -> Future[tuple[list[float], int]]:
        """Queue a scoring call: the log-probability of each continuation's first token after ``prompt``.

        The future's result is the log-probabilities (over the whole vocabulary,
        not renormalised) and the prompt's length in tokens.

        Raises:
            ValueError: two continuations start with the same token, or the prompt does not fit.
        """
        tokens = self._fit(prompt)
        firsts = [self._first_token(tokens, prompt, c) for c in continuations]
        if len(set(firsts)) != len(firsts):
            raise ValueError(f"continuations {list(continuations)} do not start with distinct tokens")
        return self._submit(_Call(prompts=[tokens], future=Future(), firsts=firsts))

    def submit_generation(
        self,
        prompt: str,
        *,
        plain_prompt: str | None = None,
        guidance: float = 0.0,
        guided_tokens: int | None = None,
        max_tokens: int,
        temperature: float,
        seed: int,
        end: Callable[[str], int | None],
    ) -> Future[Completion]:
        """Queue a generating call: sample a continuation of ``prompt``, guided away from ``plain_prompt``.

        Stops at the end-of-sequence token, when ``end(text so far)`` gives
        where the reply ends (the rest is cut off), or after ``max_tokens``.
        Guidance applies to the first ``guided_tokens`` tokens (None: all); each
        guided token costs a second row in the step.

        Raises:
            ValueError: a prompt does not fit.
        """
        tokens = self._fit(prompt)
        prompts = [tokens]
        if guidance > 0 and plain_prompt is not None:
            prompts.append(self._fit(plain_prompt))
        call = _Call(
            prompts=prompts, future=Future(), guidance=guidance, guided_tokens=guided_tokens,
            budget=max(0, min(max_tokens, self.n_ctx - len(tokens))), temperature=temperature, seed=seed, end=end,
        )
        return self._submit(call)

    def next_token_logprobs(self, prompt: str, continuations: Sequence[str]) -> tuple[list[float], int]:
        """:meth:`submit_scoring`, waiting for the result."""
        return self.submit_scoring(prompt, continuations).result()

    def generate(self, prompt: str, **options: Any) -> Completion:
        """:meth:`submit_generation`, waiting for the result."""
        return self.submit_generation(prompt, **options).result()

    @property
    def load(self) -> int:
        """Calls queued or running."""
        return len(self._queue) + len(self._active)

    def held(self, tokens: Sequence[int]) -> int:
        """The longest prefix of ``tokens`` any sequence holds (to send calls where their prefix is)."""
        return max(s.common(tokens) for s in self._seqs)

    def close(self) -> None:
        """Stop the worker thread after its current step; calls not finished by then fail."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    # --- the worker ---------------------------------------------------------------

    def _first_token(self, prompt_tokens: list[int], prompt: str, continuation: str) -> int:
        whole = self.tokenize(prompt + continuation)
        if whole[: len(prompt_tokens)] != prompt_tokens or len(whole) == len(prompt_tokens):
            raise ValueError(f"continuation {continuation!r} does not extend the prompt's tokens")
        return whole[len(prompt_tokens)]

    def _submit(self, call: _Call) -> Future[Any]:
        with self._wake:
            if self._stopping:
                raise RuntimeError("the local model's engine is closed")
            self._queue.append(call)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="llama-engine", daemon=True)
                self._thread.start()
                # Stop between steps at exit, before the interpreter frees the model under a running step.
                atexit.register(self.close)
            self._wake.notify()
        return call.future

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._active and not self._stopping:
                    self._wake.wait()
                if self._stopping:  # at exit: no further step; whoever still waits is told why
                    for call in [*self._active, *self._queue]:
                        if not call.future.done():
                            call.future.set_exception(RuntimeError("the local model's engine was closed"))
                    self._active, self._queue = [], collections.deque()
                    return
                self._admit()
            if self._active:
                try:
                    self._step()
                except Exception as exc:  # a llama.cpp failure: fail the calls it hit, keep serving others
                    for call in self._active:
                        self._release(call)
                        call.future.set_exception(exc)
                    self._active = []

    def _admit(self) -> None:
        """Move queued calls into the batch while there is room (called holding ``_wake``)."""
        while self._queue and len(self._active) < MAX_ACTIVE:
            call = self._queue[0]
            if self._waits_for_shared_prefix(call):
                return  # its prefix is being evaluated by a call admitted earlier: reuse it next step
            self._queue.popleft()
            if not call.started:
                if not call.future.set_running_or_notify_cancel():
                    continue  # cancelled while queued
                call.started = True
            call.out, call.rows = [], []
            call.rng = np.random.default_rng(call.seed)
            call.seqs = [self._claim(prompt, exclude=call.seqs) for prompt in call.prompts]
            self._active.append(call)
            self._trim_idle()

    def _trim_idle(self) -> None:
        """Drop what the least recently used idle sequences hold while the cache is more than 7/8 full."""
        for seq in sorted((s for s in self._seqs if not s.busy and s.tokens), key=lambda s: s.used):
            if self._cells_held() <= 7 * self._cells // 8:
                return
            self._clear(seq)

    def _cells_held(self) -> int:
        """Cache cells the sequences hold or are about to fill, counting a shared prefix once.

        Prefixes of 32 tokens or more are shared by copying, so the count is
        the number of distinct prefixes of the sequences' token lists: over
        the lists in sorted order, their lengths less each one's common prefix
        with the next.
        """
        lists = sorted(s.tokens + s.pending for s in self._seqs if s.tokens or s.pending)
        return sum(map(len, lists)) - sum(_common(a, b) for a, b in itertools.pairwise(lists))

    def _waits_for_shared_prefix(self, call: _Call) -> bool:
        """Whether a running call is still evaluating a long prefix ``call`` could copy once it is done."""
        prompt = call.prompts[0]
        have = max(s.common(prompt) for s in self._seqs)
        for other in self._active:
            for seq, target in zip(other.seqs, other.prompts, strict=False):
                if seq.pending and _common(target, prompt) >= max(have, seq.common(prompt)) + _MIN_SHARED:
                    return True
        return False

    def _claim(self, tokens: list[int], exclude: list[_Sequence]) -> _Sequence:
        """An idle sequence made to hold as much of ``tokens`` as any sequence holds; the rest is pending."""
        idle = [s for s in self._seqs if not s.busy and s not in exclude]
        # The sequence to overwrite. Any sequence's prefix can be copied in for free, so the choice is
        # about what is lost: one holding only a prefix of this prompt (the longest such, or an empty
        # one) loses nothing; else the one unused longest. Taking the sequence that shares the most
        # instead would drop what it holds past the shared part, such as an answer a judge's next
        # question about it is about to reuse.
        seq = max(idle, key=lambda s: (lossless := len(s.tokens) == s.common(tokens), len(s.tokens) if lossless else 0, -s.used))
        keep = seq.common(tokens)
        source = max((s for s in self._seqs if s is not seq), key=lambda s: s.common(tokens))
        if _shared(source.common(tokens)) > keep:
            keep = source.common(tokens)
            self._clear(seq)
            self._lib.llama_memory_seq_cp(self._memory, source.id, seq.id, 0, keep)
            seq.tokens = list(tokens[:keep])
        keep = min(keep, len(tokens) - 1)  # the last token is always evaluated: its logits are needed
        if not self._lib.llama_memory_seq_rm(self._memory, seq.id, keep, -1):
            self._clear(seq)
            keep = 0
        del seq.tokens[keep:]
        seq.pending = list(tokens[keep:])
        seq.busy = True
        self._clock += 1
        seq.used = self._clock
        return seq

    def _clear(self, seq: _Sequence) -> None:
        self._lib.llama_memory_seq_rm(self._memory, seq.id, -1, -1)
        seq.tokens = []

    def _release(self, call: _Call) -> None:
        for seq in call.seqs:
            seq.busy = False
            seq.pending = []

    def _step(self) -> None:
        """One decoding step for every active call; then score, sample or finish each call that can."""
        items = self._plan()
        while True:
            started = time.perf_counter()
            status = self._decode(items)
            self.counters["decode seconds"] += time.perf_counter() - started
            if status == 0:
                for key, count in self._planned.items():
                    self.counters[key] += count
                self.counters["steps"] += 1
                break
            # No room in the KV cache: drop what idle sequences hold, then put calls back in the queue.
            if not self._evict(items):
                raise RuntimeError(f"the local model's batch does not fit its KV cache (llama_decode: {status})")
            items = self._plan()
        for call in [c for c in self._active if c.rows]:
            self._advance(call)

    def _plan(self) -> list[tuple[int, _Sequence, bool]]:
        """This step's batch: each generating call's newest token first, then chunks of prompts."""
        items: list[tuple[int, _Sequence, bool]] = []
        room = _N_BATCH
        planned = self._planned
        planned.clear()
        for call in sorted(self._active, key=lambda c: max(len(s.pending) for s in c.seqs)):
            call.rows = []
            kind = "scoring" if call.firsts is not None else "generation"
            if all(len(s.pending) == 1 for s in call.seqs):
                if len(call.seqs) > room:
                    continue
                # The last token of each of the call's sequences, together: their logits are read together.
                for seq in call.seqs:
                    call.rows.append(len(items))
                    items.append((seq.pending[0], seq, True))
                room -= len(call.seqs)
                planned[f"rows ({kind})"] += len(call.seqs)
                continue
            for seq in call.seqs:
                take = min(len(seq.pending) - 1, room)  # all but the last, which waits for its partner
                items.extend((t, seq, False) for t in seq.pending[:take])
                room -= take
                planned[f"prompt tokens ({kind})"] += take
        return items

    def _decode(self, items: list[tuple[int, _Sequence, bool]]) -> int:
        """Decode ``(token, sequence, want logits)`` items in one batch; each is appended to its sequence."""
        batch = self._batch.batch
        batch.n_tokens = len(items)
        positions: dict[int, int] = {}
        for j, (token, seq, logits) in enumerate(items):
            pos = positions.get(seq.id, len(seq.tokens))
            positions[seq.id] = pos + 1
            batch.token[j] = token
            batch.pos[j] = pos
            batch.seq_id[j][0] = seq.id
            batch.n_seq_id[j] = 1
            batch.logits[j] = logits
        status = int(self._lib.llama_decode(self._ctx.ctx, batch))
        if status == 0:
            taken: dict[_Sequence, int] = {}
            for token, seq, _ in items:
                seq.tokens.append(token)
                taken[seq] = taken.get(seq, 0) + 1
            for seq, n in taken.items():
                del seq.pending[:n]
        return status

    def _evict(self, items: list[tuple[int, _Sequence, bool]]) -> bool:
        """Make room in the KV cache; False when nothing is left to drop."""
        idle = sorted((s for s in self._seqs if not s.busy and s.tokens), key=lambda s: s.used)
        if idle:
            self._clear(idle[0])
            return True
        if len(self._active) > 1:  # the newest call goes back to the front of the queue, to start again
            call = self._active.pop()
            for seq in call.seqs:
                self._clear(seq)
            self._release(call)
            with self._wake:
                self._queue.appendleft(call)
            return True
        return False

    def _logits(self, row: int) -> np.ndarray:
        """The logits of ``row`` of the last batch: a view into llama.cpp's buffer, valid until the next step."""
        raw = self._lib.llama_get_logits_ith(self._ctx.ctx, row)
        return np.ctypeslib.as_array(raw, shape=(self._n_vocab,))

    def _advance(self, call: _Call) -> None:
        """After a step that read ``call``'s logits: score it, or sample its next token or finish it."""
        cond = self._logits(call.rows[0])
        if call.firsts is not None:
            logprobs = _log_softmax(cond.astype(np.float64))
            self._finish(call, ([float(logprobs[t]) for t in call.firsts], len(call.prompts[0])))
            return
        if call.budget == 0:
            self._finish(call, self._completion(call, "length"))
            return
        # log p + γ (log p − log p_plain) equals this up to a constant, which sampling ignores:
        # no normalisation over the 262k-token vocabulary is needed.
        scores = cond if len(call.rows) == 1 else (1 + call.guidance) * cond - call.guidance * self._logits(call.rows[1])
        assert call.rng is not None and call.end is not None
        token = _sample(scores, call.temperature, call.rng)
        if token in self._eog:
            self._finish(call, self._completion(call, "stop"))
            return
        call.out.append(token)
        if call.end(self._detokenize(call.out)) is not None:
            self._finish(call, self._completion(call, "stop"))
            return
        if len(call.out) == call.budget:
            self._finish(call, self._completion(call, "length"))
            return
        call.seqs[0].pending.append(token)
        if call.guided:
            plain = call.seqs[1]
            # Stop guiding when the plain dialogue runs out of room, or past the guided opening.
            if len(plain.tokens) >= self.n_ctx or (call.guided_tokens is not None and len(call.out) >= call.guided_tokens):
                plain.busy = False
                call.seqs = call.seqs[:1]
            else:
                plain.pending.append(token)

    def _completion(self, call: _Call, reason: str) -> Completion:
        assert call.end is not None
        text = self._detokenize(call.out)
        cut = call.end(text)
        return Completion(
            text=text if cut is None else text[:cut],
            prompt_tokens=len(call.prompts[0]),
            completion_tokens=len(call.out),
            finish_reason=reason,
        )

    def _finish(self, call: _Call, result: Any) -> None:
        self._release(call)
        self._active.remove(call)
        call.future.set_result(result)


def _common(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common prefix of two token lists.

    By bisection over slice comparisons, which run in C: every admitted call
    compares its prompt with every sequence, hundreds of tokens each.
    """
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _shared(common: int) -> int:
    return common if common >= _MIN_SHARED else 0


def _log_softmax(x: np.ndarray) -> np.ndarray:
    top = x.max()
    return x - top - np.log(np.exp(x - top).sum())


def _sample(scores: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One token: the likeliest at temperature 0, else top-k, min-p and top-p sampling as llama.cpp does.

    ``scores`` are logits (log-probabilities up to a constant).
    """
    if temperature <= 0:
        return int(np.argmax(scores))
    # min-p first, as a threshold on the logits: one pass over the vocabulary keeps the few tokens within
    # a factor min-p of the likeliest, the same set top-k then min-p would keep when they are fewer than k.
    idx = np.flatnonzero(scores >= scores.max() + temperature * _LN_MIN_P)
    vals = scores[idx].astype(np.float64) / temperature
    order = np.argsort(-vals, kind="stable")[:_TOP_K]
    idx, vals = idx[order], vals[order]
    p = np.exp(vals - vals[0])
    p = p / p.sum()
    n = int(np.searchsorted(np.cumsum(p), _TOP_P)) + 1
    idx, p = idx[:n], p[:n] / p[:n].sum()
    return int(rng.choice(idx, p=p))
