"""Incremental re-runs: an edit re-runs exactly the work it invalidates.

The on-disk cache is what makes this true: every request is keyed by its
content, so after an edit only requests whose content changed are sent.
"""

from __future__ import annotations

from pathlib import Path

from harness.config import Project
from harness.formats import content_hash
from harness.models.base import ChatRequest
from harness.models.fake import ScriptedFakeModel
from harness.runs import RunOptions, RunOutcome, execute_run
from harness.scores.judges import judge_prompt_hash
from tests.helpers import candidate_responder, copy_example_project, fake_judge

N_DIRECTNESS, N_PROBES, SAMPLES = 6, 32, 2


def responder(request: ChatRequest) -> str:
    """Like a real model, the reply depends on the whole system prompt, not just on one instruction."""
    return f"{candidate_responder(request)} ({content_hash(request.system or '')})"


def run(project: Project) -> tuple[RunOutcome, list, list]:  # type: ignore[type-arg]
    cand, judge = ScriptedFakeModel(model="candidate", responder=responder, family="fake/a"), fake_judge()
    outcome = execute_run(project, RunOptions(candidate_provider=cand, judge_provider=judge, write_report=False))
    return outcome, cand.requests, judge.requests


def is_adherence(request) -> bool:  # type: ignore[no-untyped-def]
    return "Score: N" in request.messages[-1].content


def test_editing_one_prompt_version_reruns_only_that_arm(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path))
    first, cand, judge = run(project)
    assert len(cand) == (N_DIRECTNESS + N_PROBES) * SAMPLES * 2

    v2 = project.prompts_dir / "assistant" / "v2.md"
    v2.write_text(v2.read_text().replace("Don't open with", "Never open with"))  # v2's answers change
    second, cand, judge = run(project)

    # Candidate: exactly v2's slots, under the edited prompt; v1 comes from the cache.
    assert len(cand) == (N_DIRECTNESS + N_PROBES) * SAMPLES
    assert {r.group for r in cand} == {"assistant@v2"} and all("Never open with" in r.system for r in cand)
    # Judge: only v2's (changed) answers are judged again, once per distinct judge request
    # (two samples that gave the same reply to the same query share one).
    v2_answers = [s for s in second.scores if s.arm == "assistant@v2"]
    assert {r.group for r in judge} == {"assistant@v2"}
    assert sum(map(is_adherence, judge)) == len({(s.query, s.response) for s in v2_answers if s.trait}) > 0
    assert sum(not is_adherence(r) for r in judge) == len({(s.query, s.response) for s in v2_answers}) > 0
    # And v1's results are unchanged.
    v1 = [s.model_dump(exclude={"prompt_hash"}) for s in first.scores if s.arm == "assistant@v1"]
    assert v1 == [s.model_dump(exclude={"prompt_hash"}) for s in second.scores if s.arm == "assistant@v1"]


def test_editing_a_trait_spec_rejudges_only_that_trait(tmp_path: Path) -> None:
    evals = ("directness", "over_refusal", "warmth_with_curiosity")
    project = Project.load(copy_example_project(tmp_path, evals=evals))
    run(project)

    spec = project.traits_dir / "directness.yaml"
    spec.write_text(spec.read_text().replace("The assistant leads with the answer.", "It leads with the answer."))
    second, cand, judge = run(project)

    # No answer is asked for again, and no refusal class: only directness's adherence grades.
    assert cand == []
    assert len(judge) == N_DIRECTNESS * SAMPLES * 2 and all(map(is_adherence, judge))
    assert all("It leads with the answer." in r.messages[-1].content for r in judge)
    graded = [s for s in second.scores if s.trait == "directness"]
    assert all(s.adherence is not None and s.adherence.scorable for s in graded)
    assert {s.adherence_prompt_hash for s in graded} == {judge_prompt_hash("adherence")}
    assert second.spec.traits["directness"] != second.spec.traits.get("warmth_with_curiosity")
