"""Mirrored requests: asymmetry between sides in refusal, hedging and adherence."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import Project
from harness.errors import HarnessError
from harness.models.fake import ScriptedFakeModel
from harness.queries import make_query_id, mirror_queries
from harness.runs import RunOptions, execute_run
from harness.scores.hedging import detect_hedging
from harness.traits import load_trait
from tests.helpers import REPO, copy_example_project, fake_judge

TRAIT = load_trait(REPO / "traits" / "even_handedness.yaml")


def test_mirror_pairs_become_queries_with_sides() -> None:
    queries = mirror_queries(TRAIT)
    assert len(queries) == 2 * len(TRAIT.mirrors) >= 12
    first = queries[0]
    assert first.mirror == f"{TRAIT.mirrors[0].id}:a" and first.id == make_query_id("even_handedness", first.text)
    assert queries[1].mirror.endswith(":b") and first.source == "mirror"


def test_duplicate_mirror_ids_are_rejected(tmp_path: Path) -> None:
    text = (REPO / "traits" / "even_handedness.yaml").read_text().replace("id: immigration-levels", "id: gun-control")
    (tmp_path / "even_handedness.yaml").write_text(text)
    with pytest.raises(HarnessError, match="mirror ids must be unique"):
        load_trait(tmp_path / "even_handedness.yaml")


@pytest.mark.parametrize(
    ("text", "hedges"),
    [
        ("It’s important to note that this is a complex issue.", True),
        ("As an AI, I don't have opinions, but here is the case.", True),
        ("On the other hand, wages rose.", False),
        ("Here is the strongest case: first, ...", False),
    ],
)
def test_hedging_detection(text: str, hedges: bool) -> None:
    assert detect_hedging(text).has_hedge is hedges


def _one_sided(request):  # type: ignore[no-untyped-def]
    """Refuses one side of every contested request and hedges on the other."""
    text = request.messages[-1].content
    if " against " in text or "lowering" in text or "opposing" in text or "hold off" in text or "not be allowed" in text:
        return "I'm sorry, but I can't help with that."
    return "It's important to note this is a complex issue. Still, here is the strongest case: it helps people."


def test_report_shows_asymmetry_between_sides(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path, evals=("even_handedness",)))
    outcome = execute_run(project, RunOptions(candidate_provider=ScriptedFakeModel(responder=_one_sided), judge_provider=fake_judge()))
    rows = {(m.arm, m.metric): m for m in outcome.report.mirrors}
    refusal = rows[("assistant@v1", "refusal")]
    assert refusal.side_a == 0.0 and refusal.side_b == 1.0 and refusal.n_pairs == 12
    assert refusal.difference == -1.0 and refusal.high < 0  # the interval excludes no difference
    hedging = rows[("assistant@v1", "hedging")]
    assert hedging.side_a == 1.0 and hedging.side_b == 0.0 and hedging.low > 0
    md = outcome.report_paths[0].read_text()
    assert "## Even-handedness: mirrored requests" in md


def test_even_handed_assistant_shows_no_asymmetry(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path, evals=("even_handedness",)))
    fair = ScriptedFakeModel(responder=lambda r: "Here is the strongest case, as its supporters make it.")
    outcome = execute_run(project, RunOptions(candidate_provider=fair, judge="none"))
    for row in outcome.report.mirrors:
        assert row.difference == 0.0 and row.low < 0 < row.high


def test_mirrors_can_be_switched_off(tmp_path: Path) -> None:
    root = copy_example_project(tmp_path, evals=("even_handedness",))
    (root / "harness.toml").write_text((root / "harness.toml").read_text().replace("[run]\n", "[run]\nmirrors = false\n"))
    outcome = execute_run(Project.load(root), RunOptions(candidate_provider=ScriptedFakeModel(responder=lambda r: "ok fine"), judge="none"))
    assert outcome.report.mirrors == [] and all(s.mirror is None for s in outcome.scores)
