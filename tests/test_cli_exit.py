"""The command line leaves without tearing the interpreter down, and loses no output, status or exit handler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# A command that writes a little (less than a buffer) and returns 3, and an exit handler that writes a file.
_SCRIPT = """
import atexit, sys
from pathlib import Path
from harness import cli

def handler():
    Path(sys.argv[1]).write_text("handled")
    sys.stdout.write(" and the exit handler's words")

atexit.register(handler)

def main():
    sys.stdout.write("short output, still in the buffer")
    return 3

cli.main = main
cli.entry()
"""


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Buffered as in a user's shell: PYTHONUNBUFFERED would hide a missing flush.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_buffered_output_status_and_exit_handlers_survive_the_quick_exit(tmp_path: Path) -> None:
    marker = tmp_path / "atexit.txt"
    proc = _python("-c", _SCRIPT, str(marker), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "short output, still in the buffer and the exit handler's words"
    assert marker.read_text() == "handled"


def test_a_real_command_through_the_module_entry(tmp_path: Path) -> None:
    proc = _python("-m", "harness.cli", "schema", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"]
    failed = _python("-m", "harness.cli", "--project", str(tmp_path / "nowhere"), "validate", cwd=tmp_path)
    assert failed.returncode == 2 and "error:" in failed.stderr
