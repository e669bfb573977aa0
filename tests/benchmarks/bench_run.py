"""End to end: the real ``harness run`` command against a local OpenAI-format server.

Not a test (pytest does not collect it). Builds a throwaway project with N
queries (default 2,000; one prompt version, one sample each, no judge), starts
``tests.fault_server`` with a fixed latency in a thread, then times the
command as a user would run it — a fresh interpreter, imports and start-up
included — and again with every reply already in the on-disk cache::

    .venv/bin/python -m tests.benchmarks.bench_run            # 2,000 queries, 200 ms, concurrency 64
    .venv/bin/python -m tests.benchmarks.bench_run --queries 500 --latency 0.1 --profile /tmp/run.prof

Ideal is ``N / concurrency × latency``: every call slot busy from the first
instant to the last, and nothing else costing any time (``ceil(N /
concurrency) × latency`` in whole waves). Targets: at least 90% of ideal,
start-up included; the fully cached re-run under 1.5 s of wall time.

The server runs in a process of its own (it shares no interpreter lock with
the benchmark), on the same monotonic clock as the command, so the first run's
wall time is split into start-up (until the first request reaches the
server), calls (first request to last reply) and wind-down (last reply to
exit); ``import openai`` is also timed alone, in a fresh interpreter. Last,
the bare OpenAI SDK makes the same calls the same way (one client, body and
reply as bytes, ``concurrency`` workers) with nothing of the harness around
it: the floor for any tool that calls through the official SDK, printed
beside the harness's figure.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fault_server import Faults, FaultServer

REPO = Path(__file__).resolve().parents[2]
TOPICS = ("pytest fixtures", "sourdough starters", "index funds", "git rebases", "tomato blight", "TLS certificates")


def build_project(root: Path, queries: int, concurrency: int) -> Path:
    """A project with one trait, one prompt version and ``queries`` queries, set up for a throughput run."""
    shutil.copytree(REPO / "traits", root / "traits")
    shutil.copytree(REPO / "system_prompts", root / "system_prompts")
    (root / "evals").mkdir()
    with (root / "evals" / "bench.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(queries):
            text = f"Quick one about {TOPICS[i % len(TOPICS)]}: what is the single most common mistake? (#{i})"
            fh.write(json.dumps({"version": 1, "id": f"q-bench-{i:06d}", "trait": "directness", "text": text}) + "\n")
    (root / "harness.toml").write_text(
        "version = 1\n"
        "[models]\ncandidate = \"openai/bench-model\"\njudge = \"none\"\n"
        f"[run]\nprompts = [\"assistant@v2\"]\nevals = [\"evals/bench.jsonl\"]\nsamples = 1\n"
        f"concurrency = {concurrency}\nmirrors = false\nmax_attempts = 1\n"
        "[prompt_variables]\nassistant_name = \"Sol\"\n",
        encoding="utf-8",
    )
    return root


SDK_ALONE = """
import time
t0 = time.perf_counter()
import asyncio, json, os, sys
import openai

async def main(n, concurrency, system):
    # The harness's own calling pattern with nothing of the harness around it: one client, the body as bytes,
    # the reply as bytes (see harness/models/openai_provider.py), `concurrency` workers sharing the queries.
    client = openai.AsyncOpenAI(api_key="not-needed", max_retries=0, http_client=openai.DefaultAioHttpClient())
    todo = iter(range(n))
    first = []

    async def worker():
        for i in todo:
            body = {"model": "bench-model", "messages": [{"role": "system", "content": system},
                    {"role": "user", "content": f"query {i}"}], "max_tokens": 1024, "temperature": 0.0, "seed": 0}
            first.append(time.perf_counter())
            reply = await client.post("/chat/completions", content=json.dumps(body).encode("utf-8"),
                                      options={"headers": {"Content-Type": "application/json"}}, cast_to=bytes)
            json.loads(reply)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await client.close()
    return first[0]

first = asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), "You are Sol. " * 146))  # about assistant@v2's 1.9 KB
print(json.dumps({"start_up": first - t0, "total": time.perf_counter() - t0}))
"""


def sdk_alone(port: int, queries: int, concurrency: int) -> dict[str, float]:
    """The same calls made by the bare OpenAI SDK in a fresh interpreter: the floor for any tool built on it."""
    env = {**os.environ, "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", SDK_ALONE, str(queries), str(concurrency)], env=env,
                          capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout)
    result["wall"] = time.perf_counter() - t0
    return result


class ServerProcess:
    """The timed server in a process of its own, so that it shares no interpreter lock with this script.

    It answers ``times`` on its stdin with the first request's and the last
    reply's ``time.perf_counter()`` (a system-wide monotonic clock on Linux and
    macOS, so comparable with this process's), and ``reset`` by forgetting them.
    """

    def __init__(self, latency: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.bench_run", "--serve", str(latency)], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().split()[1])

    def ask(self, what: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline()

    def times(self) -> tuple[float | None, float | None]:
        first, last = json.loads(self.ask("times"))
        return first, last

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def serve(latency: float) -> None:
    """The server process's main: serve until stdin closes, answering ``times`` and ``reset``."""
    server = TimedServer(latency).start()
    print(f"PORT {server._port}", flush=True)
    for line in sys.stdin:
        if line.strip() == "times":
            print(json.dumps([server.first_request, server.last_reply]), flush=True)
        elif line.strip() == "reset":
            server.reset_times()
            print("ok", flush=True)
    server.stop()


class TimedServer(FaultServer):
    """The fault server (no faults) noting when the first request came in and the last reply went out.

    It runs in this process's thread, on the same clock as the command's timing,
    so a run's wall time splits into start-up (until the first request reaches
    the server), calls, and wind-down (after the last reply).
    """

    def __init__(self, latency: float) -> None:
        super().__init__(Faults(latency=latency))
        self.first_request: float | None = None
        self.last_reply: float | None = None

    def reset_times(self) -> None:
        self.first_request = self.last_reply = None

    async def _reply(self, writer, body, fault, faults):  # type: ignore[no-untyped-def]  # as the parent's
        if self.first_request is None:  # the latency is slept before the reply: the request came that long ago
            self.first_request = time.perf_counter() - faults.latency
        served = await super()._reply(writer, body, fault, faults)
        self.last_reply = time.perf_counter()
        return served


def sdk_import_time() -> float:
    """Seconds ``import openai`` takes in a fresh interpreter (what the first call waits for)."""
    probe = "import time; t = time.perf_counter(); import openai; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout)


def run_command(root: Path, port: int, profile: str | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one ``harness run`` in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.update(OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", PYTHONPATH=str(REPO))
    prefix = [sys.executable] + (["-m", "cProfile", "-o", profile] if profile else []) + ["-m", "harness.cli"]
    command = [*prefix, "--project", str(root), "run", "--quiet", "--name", "bench"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = run_command.started = time.perf_counter()  # type: ignore[attr-defined]  # read by main for the phases
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"harness run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _loadavg() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2, help="server latency in seconds")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--profile", help="write a cProfile of the uncached run here")
    parser.add_argument("--serve", type=float, help=argparse.SUPPRESS)  # the server process (see ServerProcess)
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve)
        return 0

    # The ideal: every call slot busy all the time. Whole waves of calls take a little longer.
    ideal = args.queries / args.concurrency * args.latency
    waves = math.ceil(args.queries / args.concurrency) * args.latency
    print(f"character-harness `harness run` end to end (python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {_loadavg()})")
    print(f"    {args.queries:,} queries × 1 prompt × 1 sample, --judge none, concurrency {args.concurrency}, "
          f"server latency {args.latency * 1000:.0f} ms; ideal {ideal:.2f} s "
          f"(N / concurrency × latency; {waves:.2f} s in whole waves)")
    # Byte-compiled, as pip leaves an installed package (this shell may set PYTHONDONTWRITEBYTECODE,
    # and a module compiled from source at every start is not what users run).
    compileall.compile_dir(REPO / "harness", quiet=1)
    server = ServerProcess(args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = build_project(Path(tmp) / "project", args.queries, args.concurrency)
            wall, cpu = run_command(root, server.port, args.profile)
            start = run_command.started  # type: ignore[attr-defined]
            first, last = server.times()
            scores = root / "runs" / "bench" / "scores.jsonl"
            answered = sum(1 for line in scores.open(encoding="utf-8") if '"response":null' not in line)
            calls = json.loads((root / "runs" / "bench" / "calls.json").read_text(encoding="utf-8"))
            cached, cached_cpu = run_command(root, server.port)
            recalls = json.loads((root / "runs" / "bench" / "calls.json").read_text(encoding="utf-8"))
            server.ask("reset")
            alone = sdk_alone(server.port, args.queries, args.concurrency)
            alone_first, alone_last = server.times()
    finally:
        server.stop()
    sdk = sdk_import_time()
    api = calls["candidate"]["api_calls"]
    print(f"    run:        {wall:.2f} s wall = {100 * ideal / wall:.1f}% of ideal; the command's CPU {cpu:.2f} s "
          f"({api:,} calls sent, {answered:,} answered)")
    if first is not None and last is not None:
        print(f"                = start-up {first - start:.2f} s (until the first request reached the server; "
              f"`import openai` alone takes {sdk:.2f} s) + calls {last - first:.2f} s (whole waves: {waves:.2f} s) "
              f"+ wind-down {start + wall - last:.2f} s (after the last reply)")
    if alone_first is not None and alone_last is not None:
        print(f"    the OpenAI SDK alone, the same calls with nothing of the harness (the floor for a tool built on it): "
              f"{alone['wall']:.2f} s wall = {100 * ideal / alone['wall']:.1f}% of ideal = start-up {alone['start_up']:.2f} s "
              f"+ calls {alone_last - alone_first:.2f} s + the rest")
    print(f"    re-run:     {cached:.2f} s wall, CPU {cached_cpu:.2f} s: every answer already on disk "
          f"({recalls['candidate']['api_calls']} calls sent)")
    print(f"    targets: ≥ 90% of ideal: {'met' if ideal / wall >= 0.9 else 'MISSED'}; "
          f"cached re-run < 1.5 s wall: {'met' if cached < 1.5 else 'MISSED'}   (load average now {_loadavg()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
