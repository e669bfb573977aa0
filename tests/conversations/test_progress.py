"""Progress bars of a run with conversations reach their totals (a bar stuck at 12/60 says the run is not done)."""

from __future__ import annotations

from pathlib import Path

from harness.config import Project
from harness.models.fake import ScriptedFakeModel
from harness.runs import RunOptions, execute_run
from tests.conversations.helpers import candidate, write_project


def test_every_stage_ends_at_its_total(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", queries=3, samples=2, follow_ups=[{"pressure": "doubt"}])
    seen: dict[str, list[int]] = {}

    def progress(label: str, total: int):  # type: ignore[no-untyped-def]
        seen[label] = [total, 0]

        def advance() -> None:
            seen[label][1] += 1

        return advance

    judge = ScriptedFakeModel("judge", responder=lambda r: "Reasoning: fine.\nScore: 4\nPosition: held\nVerdict: correct")
    execute_run(Project.load(root), RunOptions(candidate_provider=candidate(0.5), judge_provider=judge), progress)
    assert {"answering", "judging", "talking", "judging talks"} <= set(seen)
    assert all(done == total for total, done in seen.values()), seen
