"""A small llama.cpp decoding engine for the bundled model: prefix reuse, guidance, next-token scoring.

llama-cpp-python's ``Llama.create_completion`` reuses the longest common
prefix with the previous prompt, but it has one sequence, samples token by
token through Python callbacks, and cannot contrast two prompts. This engine
drives one llama.cpp context holding two sequences:

- sequence 0 holds the prompt being answered (or scored);
- sequence 1 holds the same dialogue *without* the system prompt, for
  classifier-free guidance (Sanchez et al. 2023, "Stay on topic with
  Classifier-Free Guidance"): each next-token distribution is pushed away from
  what the model would say with no instructions, ``log p + γ (log p − log p_plain)``.
  A 270M base model barely notices a system prompt on its own; guidance makes
  simple instructions ("open with ...", "answer in a list") change its output.

Both sequences decode in one batch per step, which on a memory-bound small
model costs little more than decoding one. Each sequence keeps the tokens it
holds, and a new prompt re-evaluates only what differs from them, so the
few-shot demonstrations and a system prompt are evaluated once for all the
calls that share them (as long as calls sharing a prefix come one after the
other, which the answer and judge stages arrange).

Not thread-safe: the provider serialises calls.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Completion", "LlamaEngine", "thread_count"]

_N_BATCH = 512
# Sequences 0 and 1 generate (the prompt, and the plain one for guidance); scoring uses whichever
# sequence already holds the longest part of its prompt, so judge prompts of a few kinds (adherence
# for one trait, refusal) can interleave without evaluating their shared prefixes again.
_SEQUENCES = 4
_MIN_SHARED = 32
# llama.cpp's own sampling defaults (create_completion), so replies read as before.
_TOP_K = 40
_TOP_P = 0.95
_MIN_P = 0.05


def thread_count() -> int:
    """Threads for llama.cpp: every core, unless ``HARNESS_LOCAL_THREADS`` says otherwise.

    On a machine whose cores are already busy with other work, llama.cpp's
    threads wait on each other at every layer; there, ``HARNESS_LOCAL_THREADS=1``
    can be several times faster.
    """
    raw = os.environ.get("HARNESS_LOCAL_THREADS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return max(1, os.cpu_count() or 1)


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
        self.tokens: list[int] = []
        self.used = 0

    def common(self, tokens: list[int]) -> int:
        """How many leading tokens this sequence already holds."""
        n = 0
        for held, new in zip(self.tokens, tokens, strict=False):
            if held != new:
                break
            n += 1
        return n


class LlamaEngine:
    """One model, one two-sequence context; see the module docstring.

    Args:
        llm: a loaded ``llama_cpp.Llama`` (its model weights and tokenizer are shared).
        n_ctx: context length per sequence.
    """

    def __init__(self, llm: Any, n_ctx: int) -> None:
        import llama_cpp
        from llama_cpp import _internals

        self._lib = llama_cpp
        self.llm = llm
        self.n_ctx = n_ctx
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = _SEQUENCES * n_ctx  # split evenly between the sequences
        params.n_batch = _N_BATCH
        params.n_ubatch = _N_BATCH
        params.n_seq_max = _SEQUENCES
        params.n_threads = params.n_threads_batch = thread_count()
        # The full sliding-window cache keeps every position, so a shared prefix can be kept while
        # the rest is dropped (Gemma 3 uses sliding-window attention in most layers).
        params.swa_full = True
        params.no_perf = True
        with contextlib.redirect_stderr(io.StringIO()):
            self._ctx = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
            self._batch = _internals.LlamaBatch(n_tokens=_N_BATCH, embd=0, n_seq_max=_SEQUENCES, verbose=False)
        self._memory = llama_cpp.llama_get_memory(self._ctx.ctx)
        self._seqs = tuple(_Sequence(i) for i in range(_SEQUENCES))
        self._clock = 0
        self._n_vocab = llm.n_vocab()
        self._eog = {llm.token_eos()}

    # --- tokens ---------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        """Tokens of ``text``, beginning-of-sequence first."""
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=False))

    def _detokenize(self, tokens: Sequence[int]) -> str:
        return self.llm.detokenize(list(tokens)).decode("utf-8", errors="ignore")

    # --- decoding ---------------------------------------------------------------

    def _prime(self, seq: _Sequence, tokens: list[int]) -> np.ndarray:
        """Make ``seq`` hold ``tokens``, evaluating only what it does not hold yet; the last token's logits."""
        self._clock += 1
        seq.used = self._clock
        keep = min(seq.common(tokens), len(tokens) - 1)  # the last token is always evaluated: its logits are needed
        if not self._lib.llama_memory_seq_rm(self._memory, seq.id, keep, -1):
            self._lib.llama_memory_seq_rm(self._memory, seq.id, -1, -1)
            keep = 0
        seq.tokens = tokens[:keep]
        rest = tokens[keep:]
        for start in range(0, len(rest), _N_BATCH):
            chunk = rest[start : start + _N_BATCH]
            self._decode([(token, seq, start + i == len(rest) - 1) for i, token in enumerate(chunk)])
        return self._logits(-1)

    def _decode(self, items: list[tuple[int, _Sequence, bool]]) -> None:
        """Decode ``(token, sequence, want logits)`` items in one batch, appending each to its sequence."""
        batch = self._batch.batch
        batch.n_tokens = len(items)
        for j, (token, seq, logits) in enumerate(items):
            batch.token[j] = token
            batch.pos[j] = len(seq.tokens)
            batch.seq_id[j][0] = seq.id
            batch.n_seq_id[j] = 1
            batch.logits[j] = logits
            seq.tokens.append(token)
        self._ctx.decode(self._batch)

    def _logits(self, index: int) -> np.ndarray:
        """The raw logits after the ``index``-th token of the last batch (-1: the last), copied out of llama.cpp."""
        raw = self._lib.llama_get_logits_ith(self._ctx.ctx, index)
        return np.array(np.ctypeslib.as_array(raw, shape=(self._n_vocab,)), dtype=np.float32)

    # --- public -------------------------------------------------------------------

    def next_token_logprobs(self, prompt: str, continuations: Sequence[str]) -> tuple[list[float], int]:
        """Log-probability of the first token of each continuation right after ``prompt``, from one evaluation.

        Returns:
            The log-probabilities (over the whole vocabulary, not renormalised)
            and the prompt's length in tokens.

        Raises:
            ValueError: two continuations start with the same token, or the prompt does not fit.
        """
        tokens = self._fit(prompt)
        firsts = [self._first_token(tokens, prompt, c) for c in continuations]
        if len(set(firsts)) != len(firsts):
            raise ValueError(f"continuations {list(continuations)} do not start with distinct tokens")
        # The sequence holding most of this prompt; when none holds a real prefix of it (beyond the first
        # few tokens every prompt shares), the one unused longest, so other prompts' prefixes survive.
        seq = max(self._seqs, key=lambda s: (_shared(s.common(tokens)), -s.used))
        logprobs = _log_softmax(self._prime(seq, tokens).astype(np.float64))
        return [float(logprobs[t]) for t in firsts], len(tokens)

    def _first_token(self, prompt_tokens: list[int], prompt: str, continuation: str) -> int:
        whole = self.tokenize(prompt + continuation)
        if whole[: len(prompt_tokens)] != prompt_tokens or len(whole) == len(prompt_tokens):
            raise ValueError(f"continuation {continuation!r} does not extend the prompt's tokens")
        return whole[len(prompt_tokens)]

    def generate(
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
    ) -> Completion:
        """Sample a continuation of ``prompt``, guided away from ``plain_prompt`` when both are given.

        Stops at the end-of-sequence token, when ``end(text so far)`` gives
        where the reply ends (the rest is cut off), or after ``max_tokens``.
        Guidance applies to the first ``guided_tokens`` tokens (None: all); each
        guided token costs a second decode.
        """
        tokens = self._fit(prompt)
        budget = max(0, min(max_tokens, self.n_ctx - len(tokens)))
        rng = np.random.default_rng(seed)
        cond = self._prime(self._seqs[0], tokens)
        guided = guidance > 0 and plain_prompt is not None
        plain = self._prime(self._seqs[1], self._fit(plain_prompt)) if guided else None  # type: ignore[arg-type]
        out: list[int] = []
        reason = "length"
        while len(out) < budget:
            # log p + γ (log p − log p_plain) equals this up to a constant, which sampling ignores:
            # no normalisation over the 262k-token vocabulary is needed.
            scores = cond if plain is None else (1 + guidance) * cond - guidance * plain
            token = _sample(scores, temperature, rng)
            if token in self._eog:
                reason = "stop"
                break
            out.append(token)
            if end(self._detokenize(out)) is not None:
                reason = "stop"
                break
            if len(out) == budget:
                break
            items = [(token, self._seqs[0], True)]
            if plain is not None:
                items.append((token, self._seqs[1], True))
            # Stop guiding when the plain dialogue runs out of room, or past the guided opening.
            if len(self._seqs[1].tokens) >= self.n_ctx or (guided_tokens is not None and len(out) >= guided_tokens):
                items, plain = items[:1], None
            self._decode(items)
            cond = self._logits(0)
            if plain is not None:
                plain = self._logits(1)
        text = self._detokenize(out)
        cut = end(text)
        return Completion(
            text=text if cut is None else text[:cut],
            prompt_tokens=len(tokens),
            completion_tokens=len(out),
            finish_reason=reason,
        )

    def _fit(self, prompt: str) -> list[int]:
        tokens = self.tokenize(prompt)
        if len(tokens) + 1 > self.n_ctx:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit the local model's {self.n_ctx}-token context")
        return tokens


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
    idx = np.argpartition(scores, -_TOP_K)[-_TOP_K:]
    vals = scores[idx].astype(np.float64) / temperature
    order = np.argsort(-vals, kind="stable")
    idx, vals = idx[order], vals[order]
    p = np.exp(vals - vals[0])
    keep = p >= _MIN_P  # relative to the likeliest token
    idx, p = idx[keep], p[keep] / p[keep].sum()
    n = int(np.searchsorted(np.cumsum(p), _TOP_P)) + 1
    idx, p = idx[:n], p[:n] / p[:n].sum()
    return int(rng.choice(idx, p=p))
