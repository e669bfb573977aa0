"""Engine benchmarks: harness overhead per call, throughput, memory as runs grow.

Not a test (pytest does not collect it); run it by hand and compare the
figures with the targets in README.md ("Performance and reliability")::

    .venv/bin/python -m tests.benchmarks.bench_engine            # all three
    .venv/bin/python -m tests.benchmarks.bench_engine overhead   # or one: overhead, throughput, memory

* **overhead**: N calls to an instant in-process model through
  :class:`~harness.models.client.ModelClient` with the real on-disk cache: every
  call a cache miss (paid, then written to the cache), then the same N again (all
  cache hits). Target: at most 1 ms of harness time per call.
* **throughput**: the real :class:`~harness.models.openai_provider.OpenAIProvider`
  and ModelClient against a local OpenAI-format server (in a subprocess, so it
  does not compete for our GIL) that takes a fixed latency per call. Ideal is
  concurrency / latency calls per second. Target: at least 90% of ideal.
* **memory**: the answers stage (:func:`harness.answers.collect_answers`, which
  streams to disk) for 1,000 and 4,000 answers, each in a fresh process. Target:
  the stage's working memory (peak minus the answers it returns) stays flat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from harness.models.base import ChatRequest, ChatResponse, Message, Provider, Usage
from harness.models.cache import ResponseCache
from harness.models.client import ModelClient

REPO = Path(__file__).resolve().parents[2]
# A system prompt the size of the shipped ones, and a typical query.
SYSTEM = (REPO / "system_prompts" / "assistant" / "v2.md").read_text(encoding="utf-8")
QUERY = "My pytest run says 'fixture not found' but the fixture is right there in conftest.py. What gives? #{i}"
REPLY = "Check that conftest.py sits in the test's directory or a parent, and that the fixture name matches. " * 3


class InstantModel(Provider):
    """Answers at once, with a fixed reply: any time spent is the harness's."""

    provider = "instant"

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return ChatResponse(text=REPLY, model=self.full_name, usage=Usage(input_tokens=400, output_tokens=60))


def _requests(n: int, model: str) -> list[ChatRequest]:
    return [
        ChatRequest(
            model=model, system=SYSTEM, messages=(Message(role="user", content=QUERY.format(i=i)),),
            max_tokens=400, temperature=1.0, seed=i % 2, sample=i % 2, purpose="answer",
        )
        for i in range(n)
    ]


def _peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


# --- (a) overhead -------------------------------------------------------------


def bench_overhead(n: int, concurrency: int) -> dict[str, float]:
    """Per-call harness time with an instant model and the on-disk cache."""
    provider = InstantModel("instant")
    requests = _requests(n, provider.full_name)
    results: dict[str, float] = {"calls": n}

    async def bare() -> None:  # the model alone: what the harness adds is on top of this
        for request in requests:
            await provider.complete(request)

    t0 = time.perf_counter()
    asyncio.run(bare())
    results["bare_model_ms_per_call"] = (time.perf_counter() - t0) * 1000 / n

    # Timed passes and memory passes are separate: tracemalloc slows allocation down.
    for traced in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            for phase in ("miss", "hit"):
                cache = ResponseCache(Path(tmp) / "cache.sqlite")
                client = ModelClient(provider, cache, concurrency=concurrency)
                if traced:
                    tracemalloc.start()
                wall0, cpu0 = time.perf_counter(), time.process_time()
                asyncio.run(client.complete_each(enumerate(requests), lambda _i, _r: None))
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                cache.close()
                expected = (n, 0) if phase == "miss" else (0, n)
                assert (client.stats.api_calls, client.stats.cache_hits) == expected, client.stats
                if traced:
                    results[f"{phase}_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
                    tracemalloc.stop()
                else:
                    results[f"{phase}_wall_s"] = wall
                    results[f"{phase}_cpu_s"] = cpu
                    results[f"{phase}_ms_per_call"] = wall * 1000 / n - results["bare_model_ms_per_call"]
    results["peak_rss_mb"] = _peak_rss_mb()
    return results


def print_overhead(r: dict[str, float]) -> None:
    n = int(r["calls"])
    print(f"(a) harness overhead per call: {n:,} calls, instant model, ModelClient + on-disk cache")
    for phase, label in (("miss", "cache miss (call + cache write)"), ("hit", "cache hit")):
        print(
            f"    {label:<32} wall {r[f'{phase}_wall_s']:.3f} s, cpu {r[f'{phase}_cpu_s']:.3f} s, "
            f"{r[f'{phase}_ms_per_call']:.3f} ms/call overhead, peak traced {r[f'{phase}_peak_mb']:.1f} MB"
        )
    print(f"    (the instant model itself: {r['bare_model_ms_per_call'] * 1000:.1f} µs/call; "
          f"process peak RSS {r['peak_rss_mb']:.0f} MB)")
    worst = max(r["miss_ms_per_call"], r["hit_ms_per_call"])
    print(f"    target ≤ 1 ms/call: {'met' if worst <= 1.0 else 'MISSED'} (worst {worst:.3f} ms)")


# --- (b) throughput -----------------------------------------------------------


def _start_server(latency: float) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fault_server", "--latency", str(latency)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError(f"the server did not start: {line!r}")
    return proc, int(line.split()[1])


def bench_throughput(calls: int, concurrency: int, latency: float) -> dict[str, float]:
    """Calls per second through the real OpenAI provider against a fixed-latency server."""
    proc, port = _start_server(latency)
    os.environ["OPENAI_BASE_URL"] = f"http://127.0.0.1:{port}/v1"
    os.environ.pop("OPENAI_API_KEY", None)
    from harness.models.registry import get_provider

    try:
        with tempfile.TemporaryDirectory() as tmp:
            provider = get_provider("openai/bench-model")
            cache = ResponseCache(Path(tmp) / "cache.sqlite")
            client = ModelClient(provider, cache, concurrency=concurrency, max_attempts=1)
            requests = _requests(calls, client.model)

            async def go() -> float:
                # One warm-up wave opens the connections, as a real run's first calls would.
                await client.complete_all(_requests(concurrency, "openai/bench-warmup"))
                t0 = time.perf_counter()
                await client.complete_all(requests)
                elapsed = time.perf_counter() - t0
                await client.aclose()
                return elapsed

            cpu0 = time.process_time()
            elapsed = asyncio.run(go())
            cpu = time.process_time() - cpu0
            cache.close()
            failures = client.stats.failures
        bare = asyncio.run(_bare_client(port, calls, concurrency))
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=10)
    ideal = concurrency / latency
    achieved = calls / elapsed
    return {
        "calls": calls, "concurrency": concurrency, "latency_s": latency, "elapsed_s": elapsed,
        "achieved_per_s": achieved, "ideal_per_s": ideal, "pct_of_ideal": 100 * achieved / ideal,
        "client_cpu_ms_per_call": cpu * 1000 / (calls + concurrency), "failures": failures,
        "bare_pct_of_ideal": 100 * calls / bare / ideal,
    }


async def _bare_client(port: int, calls: int, concurrency: int) -> float:
    """Seconds for ``calls`` calls from a minimal keep-alive HTTP client: what the server allows."""
    body = json.dumps({"model": "bare", "messages": [{"role": "user", "content": "hi"}]}).encode()
    head = f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {len(body)}\r\n\r\n"
    request = head.encode() + body

    async def slot(n: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(n):
            writer.write(request)
            headers = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
            length = int(headers.split("content-length:")[1].split("\r\n")[0])
            await reader.readexactly(length)
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(slot(calls // concurrency) for _ in range(concurrency)))
    return time.perf_counter() - t0


def print_throughput(r: dict[str, float]) -> None:
    print(
        f"(b) throughput: {int(r['calls'])} calls, concurrency {int(r['concurrency'])}, server latency "
        f"{r['latency_s'] * 1000:.0f} ms, real OpenAIProvider + ModelClient + on-disk cache"
    )
    print(
        f"    {r['achieved_per_s']:.1f} calls/s achieved vs {r['ideal_per_s']:.1f} ideal = "
        f"{r['pct_of_ideal']:.1f}% of ideal ({r['elapsed_s']:.2f} s; client CPU "
        f"{r['client_cpu_ms_per_call']:.2f} ms/call; {int(r['failures'])} failures)"
    )
    print(f"    target ≥ 90% of ideal: {'met' if r['pct_of_ideal'] >= 90 else 'MISSED'}")
    print(f"    (a bare keep-alive HTTP client against the same server: {r['bare_pct_of_ideal']:.1f}% of ideal)")


# --- (c) memory ---------------------------------------------------------------


def memory_child(n: int) -> dict[str, float]:
    """The answers stage for ``n`` answers, measured in this (fresh) process."""
    from harness.answers import collect_answers, plan_answers
    from harness.queries import Query
    from harness.system_prompts import SystemPrompt

    provider = InstantModel("instant")
    queries = [Query(id=f"q-{i:06d}", trait="directness", text=QUERY.format(i=i)) for i in range(n // 2)]
    prompt = SystemPrompt(name="assistant", version="v1", path="v1.md", description="", template=SYSTEM, text=SYSTEM)
    plans = plan_answers(queries, [prompt], provider.full_name, samples=2, max_tokens=400, temperature=1.0, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        cache = ResponseCache(Path(tmp) / "cache.sqlite")
        client = ModelClient(provider, cache, concurrency=32)
        tracemalloc.start()
        answers = asyncio.run(collect_answers(client, plans, Path(tmp) / "answers.jsonl"))
        retained, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        cache.close()
        assert len(answers) == n and all(a.text for a in answers)
    return {
        "answers": n, "peak_mb": peak / 2**20, "retained_mb": retained / 2**20,
        "working_mb": (peak - retained) / 2**20, "peak_rss_mb": _peak_rss_mb(),
    }


def bench_memory(sizes: tuple[int, ...]) -> list[dict[str, float]]:
    out = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_engine", "_memory_child", str(n)],
            cwd=REPO, capture_output=True, text=True, check=True, timeout=300,
        )
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def print_memory(rows: list[dict[str, float]]) -> None:
    print("(c) memory as runs grow: answers stage (collect_answers, streamed to answers.jsonl), fresh process each")
    for r in rows:
        print(
            f"    {int(r['answers']):>6,} answers: peak traced {r['peak_mb']:.2f} MB = {r['retained_mb']:.2f} MB "
            f"of returned answers + {r['working_mb']:.2f} MB working; process peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    small, large = rows[0], rows[-1]
    ratio = large["working_mb"] / max(small["working_mb"], 1e-9)
    per_answer = (large["retained_mb"] - small["retained_mb"]) * 2**20 / (large["answers"] - small["answers"])
    print(f"    working memory ×{ratio:.2f} for ×{large['answers'] / small['answers']:.0f} answers; "
          f"each returned answer holds {per_answer / 1024:.2f} KB")
    print(f"    target flat working memory (≤ ×1.5): {'met' if ratio <= 1.5 else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="character-harness engine benchmarks")
    parser.add_argument("which", nargs="*", default=["overhead", "throughput", "memory"])
    parser.add_argument("--calls", type=int, default=2000, help="calls for the overhead benchmark")
    parser.add_argument("--throughput-calls", type=int, default=640)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.2, help="server latency in seconds")
    args = parser.parse_args(argv)
    if args.which[:1] == ["_memory_child"]:
        print(json.dumps(memory_child(int(args.which[1]))))
        return 0
    print(f"character-harness engine benchmarks (python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    if "overhead" in args.which:
        print_overhead(bench_overhead(args.calls, args.concurrency))
    if "throughput" in args.which:
        print_throughput(bench_throughput(args.throughput_calls, args.concurrency, args.latency))
    if "memory" in args.which:
        print_memory(bench_memory((1000, 4000)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
