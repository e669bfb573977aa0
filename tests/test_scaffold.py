"""`harness init` makes a working project, and the scaffold stays in sync with the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.config import Project
from harness.runs import RunOptions, execute_run
from tests.helpers import REPO, fake_candidate, fake_judge


def test_init_creates_a_runnable_project(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "p")]) == 0
    root = tmp_path / "p"
    for rel in ("harness.toml", ".gitignore", "traits/directness.yaml", "traits/trait.schema.json",
                "system_prompts/assistant/v1.md", "evals/directness.jsonl", "reports"):
        assert (root / rel).exists(), rel
    assert main(["--project", str(root), "validate"]) == 0
    outcome = execute_run(Project.load(root), RunOptions(candidate_provider=fake_candidate(), judge_provider=fake_judge()))
    assert outcome.report_paths and outcome.report_paths[0].is_file()


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "harness.toml").write_text("version = 1\n")
    assert main(["init", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err


@pytest.mark.parametrize(
    "rel", ["traits/directness.yaml", "traits/trait.schema.json", "system_prompts/assistant/v1.md", "evals/directness.jsonl"]
)
def test_scaffold_copies_match_the_examples(rel: str) -> None:
    assert (REPO / "harness" / "scaffold" / rel).read_bytes() == (REPO / rel).read_bytes()
