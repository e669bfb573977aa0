"""The report from running sums (two streaming passes) is the report build_report makes from all answers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from harness.config import Project
from harness.formats import dump_jsonl
from harness.report_sums import report_from_file, sums_of
from harness.reports import Provenance, build_report
from harness.runs import RunOptions, execute_run
from harness.scores.records import Score, ScoredAnswer
from harness.viewer.versions import version_comparisons
from tests.helpers import copy_example_project, fake_candidate, fake_judge

PROVENANCE = Provenance(candidate_models=["m"], judge_model="j", adherence_prompt_hash=None,
                        refusal_prompt_hash=None, prompts={}, traits={})


def _same(scores: list[ScoredAnswer], tmp_path: Path, group_by: str | None = None) -> None:
    expected = build_report("r", scores, PROVENANCE, group_by=group_by).model_dump_json(indent=1)
    sums = sums_of(scores, group_by=group_by)
    assert sums.report("r", PROVENANCE, version_comparisons(scores)).model_dump_json(indent=1) == expected
    path = tmp_path / "results.jsonl"
    dump_jsonl(scores, path)
    assert report_from_file("r", path, PROVENANCE, group_by=group_by).model_dump_json(indent=1) == expected


def test_a_judged_run_with_samples_and_mirrors(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path / "proj", evals=("directness", "even_handedness", "over_refusal")))
    outcome = execute_run(project, RunOptions(candidate_provider=fake_candidate(), judge_provider=fake_judge(), samples=3))
    assert any(s.mirror for s in outcome.scores) and any(s.value("adherence") is not None for s in outcome.scores)
    assert outcome.report.comparisons, "two prompt versions: the report compares them"
    _same(outcome.scores, tmp_path)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_scores_with_ties_failures_and_unscored(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    scores = []
    for i in range(400):
        arm, query = rng.choice(["a", "b", "c"]), f"q{rng.randrange(60)}"
        failed = rng.random() < 0.05
        judged = {
            "adherence": Score(value=float(rng.randint(1, 5)), source="judge", reason=f"r{i}")
            if rng.random() < 0.8 else Score(value=None, scorable=False, reason="unparseable"),
            "filler": Score(value=float(rng.random() < 0.3), source="lexicon",
                            detail={"phrases": rng.sample(["Certainly!", "I hope this helps!", "Great question!"], rng.randint(0, 2))}),
            "over_refusal": Score(value=float(rng.random() < 0.1), source="rule"),
        }
        scores.append(ScoredAnswer(
            metadata={"tier": rng.choice(["free", "pro"])} if rng.random() < 0.9 else {},
            id=f"{arm}|{query}|{i}", arm=arm, query_id=query, trait=rng.choice(["directness", None]), sample=i % 3,
            should_refuse=False, model="m", prompt_hash=None, query=f"query {query}",
            response=None if failed else f"reply {i} " * rng.randint(1, 30), scores={} if failed else judged,
        ))
    # Clusters (queries) must be adjacent within each cell, as in a run's scores.jsonl.
    scores.sort(key=lambda s: (s.query_id, s.id))
    _same(scores, tmp_path)
    _same(scores, tmp_path, group_by="tier")
    # Every answer of a cell scoring the same: the rule-of-three interval, as build_report gives it.
    flat = [s.model_copy(update={"scores": {**s.scores, "adherence": Score(value=4.0, source="judge")}})
            for s in scores if s.response is not None]
    _same(flat, tmp_path)


def test_a_nan_score_is_written_as_null_and_read_back_as_none(tmp_path: Path) -> None:
    # A user check may score NaN; JSON has no NaN, so scores.jsonl must not hold one (jq, pandas and other JSON
    # readers reject it), and what is read back is a missing value.
    import json

    nan = Score(value=float("nan"), source="length_ratio", detail={"ratio": float("inf"), "kept": [1.5, float("nan")]})
    scored = ScoredAnswer(id="a|q|0", arm="a", query_id="q", trait=None, sample=0, should_refuse=False, model="m",
                          prompt_hash=None, query="q?", response="r", scores={"length_ratio": nan})
    path = tmp_path / "scores.jsonl"
    dump_jsonl([scored], path)

    def no_constants(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    line = json.loads(path.read_text(encoding="utf-8"), parse_constant=no_constants)
    assert line["scores"]["length_ratio"]["value"] is None
    assert line["scores"]["length_ratio"]["detail"] == {"ratio": None, "kept": [1.5, None]}
    assert ScoredAnswer.model_validate(line).scores["length_ratio"].value is None
