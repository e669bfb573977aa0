"""Project configuration: harness.toml parses on every supported Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_config_loads_without_the_standard_librarys_tomllib(tmp_path: Path) -> None:
    # Python 3.10 has no tomllib; the harness must fall back to tomli there.
    pytest.importorskip("tomli")
    (tmp_path / "harness.toml").write_text('version = 1\n[run]\nsamples = 3\n')
    code = (
        "import sys\n"
        "sys.modules['tomllib'] = None\n"  # as on 3.10: `import tomllib` fails
        "sys.version_info = (3, 10, 13, 'final', 0)\n"
        "from harness.config import Project\n"
        f"print(Project.load({str(tmp_path)!r}).config.run.samples)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
