"""The batching llama.cpp engine behind the bundled model: batched calls match calls made one at a time."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future

import pytest

pytest.importorskip("llama_cpp", reason="needs the [local] extra (the README's test command installs it)")

from harness.models import llama_engine
from harness.models.llama_engine import LlamaEngine
from harness.models.local_provider import _load, _model_path, end_of_reply

pytestmark = pytest.mark.local_model

_PREFIX = (
    "Below are short questions, each answered in one sentence by a careful assistant who knows geography, "
    "cooking, gardening and history well, and who never rambles.\n\n"
)
_QUESTIONS = [
    "What is the capital of Italy?", "How long should I boil an egg?", "When do tulips flower?",
    "Who built the pyramids?", "What is the longest river in Europe?", "Can I freeze bread?",
    "Why do leaves change colour?", "What is the capital of Japan?", "How do I keep basil alive?",
    "When did the Roman empire fall?",
]


@pytest.fixture()
def engine() -> Iterator[LlamaEngine]:
    llm = _load(_model_path("gemma-3-270m"))[0]
    made = LlamaEngine(llm, 4096)
    yield made
    made.close()


_WORDS = [
    "red green blue", "cat dog bird", "one two three", "salt pepper oil", "north south east", "apple pear plum",
    "iron gold silver", "rain snow wind", "piano drum flute", "Monday Tuesday Friday",
]
_COPYING = "Q: Repeat after me: sun moon star\nA: sun moon star\nQ: Repeat after me: car bus train\nA: car bus train\n"


def _copy_prompt(words: str, head: str = "") -> str:
    """A prompt whose continuation is all but certain: copying words, whatever the rounding."""
    return f"{head}{_COPYING * 3}Q: Repeat after me: {words}\nA:"


def _generate(engine: LlamaEngine, words: str, seed: int, head: str = "") -> Future[llama_engine.Completion]:
    return engine.submit_generation(
        _copy_prompt(words, head), plain_prompt=f"Q: Repeat after me: {words}\nA:", guidance=0.5, guided_tokens=3,
        max_tokens=8, temperature=0.0, seed=seed, end=end_of_reply(["\n"]),
    )


def _record_steps(engine: LlamaEngine) -> list[int]:
    """Patch the engine to record, for each step, how many sequences it decoded for."""
    steps: list[int] = []
    real = engine._decode

    def decode(items):  # type: ignore[no-untyped-def]
        steps.append(len({seq.id for _, seq, _ in items}))
        return real(items)

    engine._decode = decode  # type: ignore[method-assign]
    return steps


def test_scores_in_a_batch_match_scores_alone(engine: LlamaEngine) -> None:
    prompts = [f"{_PREFIX}Q: {q}\nIs this a question about food? Answer:" for q in _QUESTIONS]
    alone = [engine.next_token_logprobs(p, [" yes", " no"])[0] for p in prompts]
    steps = _record_steps(engine)
    together = [f.result() for f in [engine.submit_scoring(p, [" yes", " no"]) for p in prompts]]
    # The same distribution up to the rounding of batched, quantised matrix products, which on this model
    # moves a log-probability by up to about 0.3 (evaluating one prompt in other chunks, alone, moves it by
    # 0.2); logits read from another call's row, or a prefix copied from the wrong sequence, move it by
    # nats (these prompts' values spread over 6 nats).
    gaps = []
    for (lp, n), single, prompt in zip(together, alone, prompts, strict=True):
        assert n == len(engine.tokenize(prompt))
        assert lp == pytest.approx(single, abs=0.6)
        gaps += [abs(a - b) for a, b in zip(lp, single, strict=True)]
    assert sum(gaps) / len(gaps) < 0.25, gaps
    assert max(steps) >= 4, steps  # they were decoded together, not one after the other


def test_generations_in_a_batch_continue_their_own_prompts(engine: LlamaEngine) -> None:
    futures = [
        engine.submit_generation(_copy_prompt(w), max_tokens=8, temperature=0.0, seed=i, end=end_of_reply(["\n"]))
        for i, w in enumerate(_WORDS)
    ]
    # Each call continued its own prompt through several interleaved steps: a token fed to the wrong
    # sequence, or logits read from another call's row, would write another call's words.
    assert [f.result().text.strip() for f in futures] == _WORDS


def test_guided_generations_decode_two_sequences_per_call_together(engine: LlamaEngine) -> None:
    steps = _record_steps(engine)
    guided = [f.result().text.strip() for f in [_generate(engine, w, i) for i, w in enumerate(_WORDS)]]
    # Guidance scales differences between two distributions, and with them the rounding of batched
    # products: at a near-tie (one prompt here, by 0.4 nats) it can pick the other word.
    assert sum(g == w for g, w in zip(guided, _WORDS, strict=True)) >= len(_WORDS) - 2, guided
    assert max(steps) >= 2 * llama_engine.MAX_ACTIVE - 2, steps  # two sequences per call per step


def test_the_shared_prefix_is_evaluated_once_for_calls_in_flight_together(engine: LlamaEngine) -> None:
    steps: list[int] = []
    real = engine._decode
    engine._decode = lambda items: (steps.append(len(items)), real(items))[1]  # type: ignore[method-assign]
    futures = [engine.submit_scoring(f"{_PREFIX}Q: {q}\nAnswer:", [" yes", " no"]) for q in _QUESTIONS[:6]]
    for f in futures:
        f.result()
    prefix = len(engine.tokenize(_PREFIX))
    # Once for the first call; the others wait for it and copy it, evaluating only their questions.
    assert sum(steps) < prefix + 6 * 20, (sum(steps), prefix)


def test_a_sequence_holding_more_than_a_shared_prefix_is_kept_for_the_call_that_continues_it(engine: LlamaEngine) -> None:
    """A judge asks two questions about one answer; other answers sharing only the rubric come between them."""
    answer = f"{_PREFIX}Q: {_QUESTIONS[0]}\nReply: Rome, since 1871, when it replaced Florence as the capital.\n"
    engine.next_token_logprobs(answer + "Score:", [" yes", " no"])
    for q in _QUESTIONS[1:4]:  # share the prefix, not the answer; each runs after the first finished
        engine.next_token_logprobs(f"{_PREFIX}Q: {q}\nReply: I do not know.\nScore:", [" yes", " no"])
    before = engine.counters["prompt tokens (scoring)"]
    engine.next_token_logprobs(answer + "Refused:", [" yes", " no"])
    # Only the new question's tokens are evaluated: the answer is still held where the first call left it.
    # (Overwriting the sequence that shares the most, as before, cost the whole answer again: 20+ tokens.)
    assert engine.counters["prompt tokens (scoring)"] - before <= 4, engine.counters


def test_counters_add_up_what_the_engine_evaluated(engine: LlamaEngine) -> None:
    engine.next_token_logprobs(f"{_PREFIX}Q: {_QUESTIONS[0]}\nAnswer:", [" yes", " no"])
    _generate(engine, _WORDS[0], 0).result()
    tokens = len(engine.tokenize(f"{_PREFIX}Q: {_QUESTIONS[0]}\nAnswer:"))
    # Every prompt token but the last (whose row is read) is counted as a prompt token.
    assert engine.counters["prompt tokens (scoring)"] == tokens - 1 and engine.counters["rows (scoring)"] == 1
    assert engine.counters["rows (generation)"] >= 2 and engine.counters["steps"] >= 3
    assert engine.counters["decode seconds"] > 0


def test_a_full_cache_puts_calls_back_in_the_queue_and_they_still_finish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llama_engine, "_CELLS", 512)
    llm = _load(_model_path("gemma-3-270m"))[0]
    small = LlamaEngine(llm, 256)  # 512 cells: room for four of these calls at once, not eight
    full: list[int] = []
    real = small._evict
    small._evict = lambda items: (full.append(len(small._active)), real(items))[1]  # type: ignore[method-assign]
    try:
        # Each prompt differs from its first tokens: no cells are shared.
        futures = [
            small.submit_generation(
                _copy_prompt(w, head=f"List {i}.\n"), max_tokens=8, temperature=0.0, seed=i, end=end_of_reply(["\n"])
            )
            for i, w in enumerate(_WORDS[:8])
        ]
        together = [f.result(timeout=300).text.strip() for f in futures]
    finally:
        small.close()
    assert together == _WORDS[:8]
    assert full and max(full) > 1  # the cache did fill up with calls in flight, and some were put back


def test_a_prompt_that_does_not_fit_is_refused_at_once(engine: LlamaEngine) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        engine.submit_scoring("word " * 5000, [" yes", " no"])
