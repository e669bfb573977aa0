"""The bundled model's engine: what batching saves, one engine per core, and what batching rounds.

Not a test (pytest does not collect it). Prints three figures the README quotes:

1. a decoding step that reads next-token logits for 1 and for 8 sequences, per sequence
   (most of a step is the output layer over the 262k-token vocabulary, read once per step);
2. the same 32 guided answers through one engine with a thread per core, and through one
   single-threaded engine per core;
3. how far batching moves a log-probability: 10 scoring calls sharing a prefix, scored one at a
   time and then all together.

    python -m tests.benchmarks.bench_local_engine
    python -m tests.benchmarks.bench_local_engine --busy 2   # 2 with other processes keeping 2 cores busy
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from pathlib import Path

from harness.models.base import ChatRequest, Message
from harness.models.llama_engine import LlamaEngine, thread_count
from harness.models.local_provider import _load, _model_path, end_of_reply, render_dialogue

REPO = Path(__file__).resolve().parents[2]
_QUESTIONS = (
    "How long should I boil an egg?", "Why is the sky blue?", "How do I store basil?", "Is it okay to freeze bread?",
    "What is a good bike to buy?", "How many hours of sleep do adults need?", "How do I make tomato sauce?",
    "What is a tuple?",
)


def _step_cost(llm: object) -> None:
    engine = LlamaEngine(llm, 4096)
    prompt = engine.tokenize("Below are conversations with an AI assistant.\nUser: Hello\nAssistant:")
    seqs = engine._seqs[:8]
    for seq in seqs:
        seq.pending = list(prompt)
        engine._decode([(t, seq, False) for t in prompt])
    for n in (1, 8):
        start = time.perf_counter()
        for _ in range(20):
            for seq in seqs[:n]:
                seq.pending.append(1234)
            engine._decode([(1234, seq, True) for seq in seqs[:n]])
        per = (time.perf_counter() - start) / 20 / n
        print(f"  a step reading logits for {n} sequence(s): {per * 1000:5.1f} ms per sequence")
    engine.close()


def _answers(engines: list[LlamaEngine]) -> tuple[float, float]:
    system = (REPO / "system_prompts" / "assistant" / "v1.md").read_text(encoding="utf-8")  # the main job's
    futures = []
    cpu, start = time.process_time(), time.perf_counter()
    for i, question in enumerate(_QUESTIONS * 4):
        request = ChatRequest(model="local/gemma-3-270m", system=system, messages=(Message(role="user", content=question),))
        futures.append(engines[i % len(engines)].submit_generation(
            render_dialogue(request), plain_prompt=render_dialogue(request, plain=True), guidance=2.0, guided_tokens=6,
            max_tokens=40, temperature=1.0, seed=i, end=end_of_reply(["\n\n", "\nUser:"]),
        ))
    for future in futures:
        future.result()
    return time.perf_counter() - start, time.process_time() - cpu


def _rounding(llm: object) -> None:
    prefix = "Below are short questions, each answered in one sentence by a careful assistant.\n\n"
    prompts = [f"{prefix}Q: {q}\nIs this a question about food? Answer:" for q in _QUESTIONS]
    alone_engine = LlamaEngine(llm, 4096)
    alone = [alone_engine.next_token_logprobs(p, [" yes", " no"])[0] for p in prompts]
    alone_engine.close()
    batch_engine = LlamaEngine(llm, 4096)
    together = [f.result()[0] for f in [batch_engine.submit_scoring(p, [" yes", " no"]) for p in prompts]]
    batch_engine.close()
    gaps = [abs(a - b) for one, other in zip(alone, together, strict=True) for a, b in zip(one, other, strict=True)]
    print(f"  |batched - alone| log-probability: mean {sum(gaps) / len(gaps):.3f}, largest {max(gaps):.3f} "
          f"({len(gaps)} values; the values themselves spread over "
          f"{max(max(v) for v in alone) - min(min(v) for v in alone):.1f} nats)")


def _spin() -> None:
    while True:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=0, help="also run 2. beside this many busy processes (a shared machine)")
    args = parser.parse_args()
    llm = _load(_model_path("gemma-3-270m"))[0]
    cores = thread_count()
    print(f"cores: {cores}; load average before: {os.getloadavg()[0]:.2f}")
    print("1. batching")
    _step_cost(llm)
    hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for hog in hogs:
        hog.start()
    print(f"2. 32 guided answers (up to 40 tokens each, temperature 1), beside {args.busy} busy process(es)")
    for _ in range(2):  # twice, alternating, since a busy machine moves either figure
        one = LlamaEngine(llm, 4096, threads=cores)
        wall, cpu = _answers([one])
        one.close()
        print(f"  one engine with {cores} threads:       {wall:5.1f} s wall, {cpu:5.1f} s CPU")
        engines = [LlamaEngine(llm, 4096) for _ in range(cores)]
        wall, cpu = _answers(engines)
        for engine in engines:
            engine.close()
        print(f"  {cores} single-threaded engines:         {wall:5.1f} s wall, {cpu:5.1f} s CPU")
    for hog in hogs:
        hog.terminate()
    print("3. rounding in batches")
    _rounding(llm)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
