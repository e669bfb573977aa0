"""`harness check` writes the viewer beside its PR comment, and the comment's flips link into it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from harness.cli import main
from harness.config import Project
from harness.models.registry import register_provider
from harness.runs import RunOptions, execute_run
from tests.helpers import copy_example_project, fake_candidate, fake_judge


def test_check_writes_the_viewer_and_links_flips_to_it(tmp_path: Path) -> None:
    root = copy_example_project(tmp_path / "repo", evals=("directness", "over_refusal"))
    project = Project.load(root)
    base = execute_run(project, RunOptions(candidate_provider=fake_candidate(), judge_provider=fake_judge(), name="base"))
    # the edit under test drops v2's no-filler instruction: the scripted candidate starts with "Certainly!"
    v2 = root / "system_prompts" / "assistant" / "v2.md"
    v2.write_text(v2.read_text().replace("Don't open with", "Feel free to open with"))
    register_provider("fakecand", lambda model: fake_candidate())
    register_provider("fakejudge", lambda model: fake_judge())
    code = main(["--project", str(root), "check", "--baseline", str(base.directory), "--model", "fakecand/x",
                 "--judge", "fakejudge/x", "--quiet"])
    assert code == 1
    comment = (root / "reports" / "check.md").read_text()
    html = (root / "reports" / "check.html").read_text()
    data = json.loads(re.search(r'id="viewer-data">(.*?)</script>', html, re.DOTALL).group(1))
    assert [(c["a"], c["b"]) for c in data["comparisons"]] == [
        ("baseline:assistant@v1", "assistant@v1"), ("baseline:assistant@v2", "assistant@v2")
    ]
    v2_filler = next(m for m in data["comparisons"][1]["comparison"]["metrics"] if m["metric"] == "filler")
    assert v2_filler["verdict"] == "regressed"
    # the judge grades v2's new filler down: those queries flipped, and the comment links each to the page
    links = re.findall(r"\(check\.html#q-([^)]+)\)", comment)
    assert links and set(links) <= {q["id"] for q in data["queries"]}
    assert "`check.html`" in comment
