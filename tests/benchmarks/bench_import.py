"""Import time of ``harness`` and ``harness.cli``: the floor under every command.

Not a test (pytest does not collect it). Each figure is the median of fresh
interpreter processes, timed inside the process so interpreter start-up is
excluded::

    .venv/bin/python -m tests.benchmarks.bench_import [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

MODULES = ("harness", "harness.cli")
# Heavy modules that importing the harness must not pull in.
HEAVY = ("anthropic", "openai", "httpx", "llama_cpp", "pandas", "scipy", "numpy", "rich", "jinja2", "yaml")
_PROBE = (
    "import sys, time\n"
    "t = time.perf_counter()\n"
    "import {module}\n"
    "dt = time.perf_counter() - t\n"
    "print(dt, ','.join(m for m in {heavy!r} if m in sys.modules))\n"
)


def measure(module: str, runs: int) -> tuple[float, str]:
    """Median import time in ms over ``runs`` fresh processes, and heavy modules it loaded."""
    times, heavy = [], ""
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(module=module, heavy=HEAVY)],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout.split()
        times.append(float(out[0]) * 1000)
        heavy = out[1] if len(out) > 1 else ""
    return statistics.median(times), heavy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    for module in MODULES:
        median, heavy = measure(module, args.runs)
        print(f"import {module:<12} {median:6.1f} ms (median of {args.runs}); heavy modules loaded: {heavy or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
