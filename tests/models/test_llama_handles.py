"""Using the local model leaves no ResourceWarning behind at exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_no_unclosed_devnull_warning_at_exit() -> None:
    pytest.importorskip("llama_cpp")
    code = "import harness.models.local_provider as lp\nlp._grammar('root ::= \"a\"')\n"
    done = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", code], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr
