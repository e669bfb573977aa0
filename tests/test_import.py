"""Importing harness does no network I/O and loads no heavy module."""

from __future__ import annotations

import subprocess
import sys


def test_import_is_light_and_offline() -> None:
    code = (
        "import socket, sys, time\n"
        "def no_net(*a, **k): raise SystemExit('network at import')\n"
        "socket.socket.connect = no_net\n"
        "t = time.perf_counter(); import harness, harness.cli; dt = time.perf_counter() - t\n"
        "heavy = [m for m in ('anthropic', 'openai', 'llama_cpp', 'pandas', 'scipy', 'inspect_ai') if m in sys.modules]\n"
        "print(dt, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    # Heavy SDKs are imported only when a model of theirs is used. (Import
    # time itself is measured by tests/benchmarks/bench_import.py, not here.)
    assert out[1].strip() == "[]"
