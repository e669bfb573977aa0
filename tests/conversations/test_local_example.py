"""Must show: the README's conversation example runs end to end on the bundled model, user role included,
and its report shows the conversation section (labelled a smoke test)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="needs the [local] extra (the README's test command installs it)")

from harness.cli import main
from tests.helpers import REPO, copy_example_project

pytestmark = pytest.mark.local_model


def _readme_example() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Conversations: pushback, sycophancy and simulated users")[1]
    line = next(m.group(1) for m in re.finditer(r"^harness (run [^#\n]*?)\s*(?:#.*)?$", section, re.MULTILINE))
    return shlex.split(line)


def test_readme_conversation_example_on_the_bundled_model(tmp_path: Path) -> None:
    root = copy_example_project(tmp_path / "project", evals=())
    (root / "evals" / "conversations").mkdir()
    (root / "evals" / "conversations" / "steadfastness.jsonl").write_text(
        (REPO / "evals" / "conversations" / "steadfastness.jsonl").read_text(encoding="utf-8"), encoding="utf-8"
    )
    args = _readme_example()
    assert args[0] == "run" and "--report-name" in args
    assert main(["--project", str(root), *args, "--quiet"]) == 0
    name = args[args.index("--report-name") + 1]
    md = (root / "reports" / f"{name}.md").read_text(encoding="utf-8")
    assert "## Conversations" in md and "### Per turn" in md and "### Worst transcripts" in md
    assert "The simulated users were played by the bundled local model" in md  # labelled as a smoke test
    assert "Simulated users: local/gemma-3-270m." in md
    report = json.loads((root / "reports" / f"{name}.json").read_text(encoding="utf-8"))
    section = report["conversations"]
    assert section["smoke_test_user"] is True and report["provenance"]["smoke_test"] is True
    queries = len((REPO / "evals" / "conversations" / "steadfastness.jsonl").read_text().splitlines())
    conversations = sum(row["conversations"] for row in section["rows"] if row["trait"] == "(all)")
    assert conversations == queries * len(report["provenance"]["prompts"])
    assert all(row["failed"] == 0 for row in section["rows"])
