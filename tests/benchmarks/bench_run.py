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

The server runs in this process, on the same clock as the command, so the
first run's wall time is split into start-up (until the first request reaches
the server), calls (first request to last reply) and wind-down (last reply to
exit); ``import openai`` is also timed alone, in a fresh interpreter.
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
    args = parser.parse_args(argv)

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
    server = TimedServer(args.latency).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = build_project(Path(tmp) / "project", args.queries, args.concurrency)
            wall, cpu = run_command(root, server._port, args.profile)
            start = run_command.started  # type: ignore[attr-defined]
            first, last = server.first_request, server.last_reply
            scores = root / "runs" / "bench" / "scores.jsonl"
            answered = sum(1 for line in scores.open(encoding="utf-8") if '"response":null' not in line)
            calls = json.loads((root / "runs" / "bench" / "calls.json").read_text(encoding="utf-8"))
            cached, cached_cpu = run_command(root, server._port)
            recalls = json.loads((root / "runs" / "bench" / "calls.json").read_text(encoding="utf-8"))
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
    print(f"    re-run:     {cached:.2f} s wall, CPU {cached_cpu:.2f} s: every answer already on disk "
          f"({recalls['candidate']['api_calls']} calls sent)")
    print(f"    targets: ≥ 90% of ideal: {'met' if ideal / wall >= 0.9 else 'MISSED'}; "
          f"cached re-run < 1.5 s wall: {'met' if cached < 1.5 else 'MISSED'}   (load average now {_loadavg()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
