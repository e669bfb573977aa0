"""Trait-spec quality: separation, judge consistency, diversity, weak queries, flags."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

from harness.cli import main
from harness.config import Project
from harness.models.fake import ScriptedFakeModel
from harness.models.registry import register_provider
from harness.runs import RunOptions
from harness.trait_quality import contrast_prompts, trait_quality
from harness.traits import load_trait
from tests.helpers import REPO, copy_example_project

TRAIT = load_trait(REPO / "traits" / "directness.yaml")


def test_contrast_prompts_come_from_the_spec() -> None:
    embody, oppose = contrast_prompts(TRAIT)
    assert TRAIT.expresses.summary.strip()[:50] in embody.text and TRAIT.violates.summary.strip()[:50] in oppose.text
    assert embody.ref == "directness-embody@spec" and embody.hash != oppose.hash


def _candidate(request):  # type: ignore[no-untyped-def]
    return "OPPOSE-STYLE answer" if "opposite of this trait" in (request.system or "") else "EMBODY-STYLE answer"


def _judge(discriminates: bool, noisy: bool = False):  # type: ignore[no-untyped-def]
    def respond(request):  # type: ignore[no-untyped-def]
        prompt = request.messages[-1].content
        answer = re.search(r"<assistant_reply>\n(.*?)\n</assistant_reply>", prompt, re.DOTALL).group(1)
        if not discriminates:
            score = 3
        else:
            score = 5 if "EMBODY" in answer else 1
        if noisy and request.temperature > 0:
            score = 1 + zlib.crc32(f"{answer}{request.seed}{prompt[-200:]}".encode()) % 5
        return f"Reasoning: graded.\nScore: {score}"

    return respond


def _quality(tmp_path: Path, judge) -> object:  # type: ignore[no-untyped-def]
    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    options = RunOptions(candidate_provider=ScriptedFakeModel(responder=_candidate),
                         judge_provider=ScriptedFakeModel(model="judge", responder=judge))
    return trait_quality(project, "directness", options=options)


def test_a_discriminating_spec_is_not_flagged_for_separation(tmp_path: Path) -> None:
    q = _quality(tmp_path, _judge(True))
    assert q.separation.difference == 4.0 and q.separation.low > 1.0 and q.separation.effect_size > 1
    assert q.consistency.weighted_kappa == 1.0 and q.consistency.exact == 1.0
    assert q.non_discriminating == []
    assert not any("cannot reliably tell" in r for r in q.reasons)


def test_a_judge_that_cannot_tell_the_trait_from_its_opposite_is_flagged(tmp_path: Path) -> None:
    q = _quality(tmp_path, _judge(False))
    assert q.flagged and q.separation.difference == 0.0
    assert any("cannot reliably tell" in r for r in q.reasons)
    assert len(q.non_discriminating) == 6


def test_an_inconsistent_judge_is_flagged(tmp_path: Path) -> None:
    q = _quality(tmp_path, _judge(True, noisy=True))
    assert q.consistency.weighted_kappa < 0.6 and any("inconsistent" in r for r in q.reasons)


def test_diversity_reports_missing_dimension_values(tmp_path: Path) -> None:
    q = _quality(tmp_path, _judge(True))
    assert q.diversity.queries == 6 and 0 < min(q.diversity.coverage.values()) <= 1
    for dim, values in q.diversity.missing.items():
        assert set(values) <= set(TRAIT.dimensions[dim])


def test_cli_writes_report(tmp_path: Path) -> None:
    register_provider("tqcand", lambda m: ScriptedFakeModel(responder=_candidate))
    register_provider("tqjudge", lambda m: ScriptedFakeModel(model="judge", responder=_judge(False)))
    root = copy_example_project(tmp_path, evals=("directness",))
    code = main(["--project", str(root), "trait-quality", "directness", "--model", "tqcand/x", "--judge", "tqjudge/x",
                 "--strict", "--quiet"])
    assert code == 1  # flagged, and --strict
    data = json.loads((root / "reports" / "trait-quality-directness.json").read_text())
    assert data["flagged"] is True and data["separation"]["difference"] == 0.0
    assert "# Trait spec quality: directness" in (root / "reports" / "trait-quality-directness.md").read_text()
