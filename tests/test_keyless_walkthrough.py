"""The README's keyless walkthrough, run as written with the real bundled model (no fakes).

A prompt version adding 'Always open your reply with "Certainly!"' must make
`harness compare` report filler regressed and `harness check` fail on filler,
and both must say their results rest on the smoke-test model. Kept small:
the 32 over-refusal probes, two samples (the configured default), no judge (as the README says).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

pytest.importorskip("llama_cpp", reason="needs the [local] extra (the README's test command installs it)")

from harness.cli import main
from harness.models.smoke_test import SMOKE_TEST_CAVEAT
from tests.helpers import REPO, copy_example_project

pytestmark = pytest.mark.local_model


def _walkthrough_block() -> str:
    readme = (REPO / "README.md").read_text()
    return readme.split("<!-- keyless-walkthrough -->")[1].split("```bash")[1].split("```")[0]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True, capture_output=True)


def test_the_gate_catches_certainly_with_the_bundled_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example_project(tmp_path / "repo", evals=("over_refusal",))
    monkeypatch.chdir(root)  # the README's paths (runs/brief) are relative to the project
    (root / ".gitignore").write_text("runs/\n.harness/\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    # The README's shell steps (file edits and git), then its harness commands through main().
    harness_lines = []
    for line in _walkthrough_block().splitlines():
        line = line.split("  #")[0].strip()
        if not line:
            continue
        if line.startswith("harness "):
            harness_lines.append(line)
        else:
            subprocess.run(line, shell=True, cwd=root, check=True, capture_output=True)
    run, compare, check = harness_lines
    assert main(["--project", str(root), *run.split()[1:], "--quiet"]) == 0
    capsys.readouterr()

    assert main(["--project", str(root), *compare.split()[1:], "--format", "json"]) == 0
    comparison = json.loads(capsys.readouterr().out)
    filler = next(m for m in comparison["metrics"] if m["metric"] == "filler")
    assert filler["verdict"] == "regressed", json.dumps(filler)
    assert comparison["caveats"] == [SMOKE_TEST_CAVEAT]
    assert main(["--project", str(root), *compare.split()[1:]]) == 0
    table = capsys.readouterr().out
    assert "regressed" in table and "caveat: smoke test" in table

    junit = root / "junit.xml"
    code = main(["--project", str(root), *check.split()[1:], "--junit", str(junit), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1 and "check failed" in out and "FAIL brief@v2 filler" in out
    # It fails on filler, which regressed. Over-refusal never regressed: "Certainly!" changes no refusal. Whether the
    # gate also finds over-refusal not shown non-inferior hangs on one sampled answer (0 of 48 refused against 1 of 48
    # puts the interval's worse end at +10.9 points, past the 10-point margin), so either outcome is allowed there.
    results = {r["metric"]["metric"]: r for r in json.loads((root / "reports" / "check.json").read_text())["results"]}
    assert results["filler"]["status"] == "regressed" and not results["filler"]["passed"]
    assert results["over_refusal"]["metric"]["verdict"] != "regressed"
    assert results["over_refusal"]["passed"] or results["over_refusal"]["status"].startswith("not shown non-inferior")
    assert "caveat: smoke test" in out
    comment = (root / "reports" / "check.md").read_text()
    assert comment.startswith("### ❌ harness check failed") and "**Caveat.** smoke test" in comment
    suite = ET.parse(junit).getroot()
    assert "filler" in {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert any(p.get("value") == SMOKE_TEST_CAVEAT for p in suite.iter("property"))
