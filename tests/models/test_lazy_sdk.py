"""Provider SDKs are imported when a call is made, not when a provider is built.

A run whose answers are all on disk (a resumed or repeated run) then never
pays the SDKs' import time (over half a second each).
"""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO

_PROBE = """
import os, sys
os.environ.update(OPENAI_API_KEY="sk-test", ANTHROPIC_API_KEY="sk-ant-test")
from harness.models.registry import get_provider
providers = [get_provider("openai/gpt-test"), get_provider("anthropic/claude-test")]
print(",".join(m for m in ("openai", "anthropic") if m in sys.modules))
import asyncio
asyncio.run(providers[0].aclose()); asyncio.run(providers[1].aclose())   # closing an unused provider loads nothing
print(",".join(m for m in ("openai", "anthropic") if m in sys.modules))
providers[0]._client; providers[1]._client                               # the first call makes the SDK client
print(",".join(m for m in ("openai", "anthropic") if m in sys.modules))
"""


def test_building_a_provider_does_not_import_its_sdk() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, cwd=REPO,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}).stdout.splitlines()
    assert out == ["", "", "openai,anthropic"]
