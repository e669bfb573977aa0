"""The whole pipeline with scripted fakes: run dir, scores, report, caching, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.config import Project
from harness.runs import RunOptions, execute_run
from tests.helpers import copy_example_project, fake_candidate, fake_judge


def _run(project: Project, **kw):  # type: ignore[no-untyped-def]
    cand, judge = kw.pop("cand", None) or fake_candidate(), kw.pop("judge", None) or fake_judge()
    return execute_run(project, RunOptions(candidate_provider=cand, judge_provider=judge, **kw)), cand, judge


def test_run_scores_every_answer_and_writes_report(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path))
    outcome, cand, _judge = _run(project)
    n_queries = 6 + 32
    assert len(outcome.scores) == n_queries * 2 * 2  # 2 prompt versions × K=2
    assert len(cand.requests) == n_queries * 2 * 2
    by_arm = {r.arm: r for r in outcome.report.rows if r.trait == "directness"}
    # v1 answers carry filler, v2 answers do not: the report must show it.
    assert by_arm["assistant@v1"].filler.value == 1.0 and by_arm["assistant@v2"].filler.value == 0.0
    assert by_arm["assistant@v1"].adherence.value == 2.0 and by_arm["assistant@v2"].adherence.value == 5.0
    assert by_arm["assistant@v2"].unscored == 0
    probes = {r.arm: r for r in outcome.report.rows if r.trait == "(probes)"}
    assert probes["assistant@v2"].over_refusal.value == 0.0
    # the two unsafe contrast requests the fake refuses are not over-refusal
    md, js = outcome.report_paths
    assert md.read_text().startswith("# Character report")
    data = json.loads(js.read_text())
    assert data["provenance"]["prompts"]["assistant@v2"] == outcome.spec.prompts["assistant@v2"]
    assert (outcome.directory / "answers.jsonl").is_file() and (outcome.directory / "run.json").is_file()


def test_second_run_makes_no_calls_and_identical_report(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path))
    first, _, _ = _run(project)
    md1 = first.report_paths[0].read_bytes()
    js1 = first.report_paths[1].read_bytes()
    second, cand, judge = _run(project)
    assert second.model_calls == 0 and cand.requests == [] and judge.requests == []
    assert second.report_paths[0].read_bytes() == md1 and second.report_paths[1].read_bytes() == js1


def test_interrupted_run_resumes_without_paying_twice(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path))
    outcome, _cand, _ = _run(project)
    transcript = outcome.directory / "answers.jsonl"
    lines = transcript.read_text().splitlines()
    # Simulate a kill: half the transcript survived, the last line torn, and no cache.
    transcript.write_text("\n".join(lines[: len(lines) // 2]) + "\n" + lines[-1][:30])
    project.cache_path.unlink()
    resumed, cand2, _ = _run(project)
    assert len(cand2.requests) == len(lines) - len(lines) // 2
    assert [s.response for s in resumed.scores] == [s.response for s in outcome.scores]


def test_failed_calls_are_recorded_not_lost(tmp_path: Path) -> None:
    from harness.errors import ModelCallError
    from harness.models.fake import ScriptedFakeModel
    from tests.helpers import candidate_responder

    def flaky(request):  # type: ignore[no-untyped-def]
        return ModelCallError("400 rejected") if request.sample == 1 else candidate_responder(request)

    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    outcome, _, _ = _run(project, cand=ScriptedFakeModel(responder=flaky))
    failed = [s for s in outcome.scores if s.error]
    assert len(failed) == 6 * 2 and all(s.response is None for s in failed)
    assert all(r.failed == 6 for r in outcome.report.rows if r.trait == "directness")


def test_judge_none_runs_deterministic_checks_only(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    outcome = execute_run(project, RunOptions(candidate_provider=fake_candidate(), judge="none"))
    assert outcome.judge_stats is None
    assert all(s.adherence is None and s.filler is not None and s.refusal is not None for s in outcome.scores)


def test_resume_under_same_name_does_not_reuse_answers_to_an_edited_prompt(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    _first, _, _ = _run(project, name="fixed")
    path = project.prompts_dir / "assistant" / "v2.md"
    path.write_text(path.read_text().replace("Don't open with", "Feel free to open with"))
    project.cache_path.unlink()  # no cache: only the transcript could (wrongly) supply answers
    second, cand, _ = _run(project, name="fixed")
    assert len(cand.requests) == 6 * 2  # only v2's slots are redone; v1's are resumed
    v2 = [s for s in second.scores if s.arm == "assistant@v2"]
    assert all(s.filler.has_filler for s in v2)


def test_same_family_judge_is_a_caveat_in_the_report(tmp_path: Path) -> None:
    from harness.models.fake import ScriptedFakeModel
    from tests.helpers import candidate_responder, judge_responder

    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    same = dict(family="fake/shared")
    outcome, _, _ = _run(
        project,
        cand=ScriptedFakeModel(model="c", responder=candidate_responder, **same),
        judge=ScriptedFakeModel(model="j", responder=judge_responder, **same),
    )
    assert outcome.report.provenance.warnings and "family" in outcome.report.provenance.warnings[0]
    assert "> **Warning.**" in outcome.report_paths[0].read_text()
    different, _, _ = _run(Project.load(copy_example_project(tmp_path / "b", evals=("directness",))))
    assert different.report.provenance.warnings == []


def test_harness_report_reproduces_the_runs_report_byte_for_byte(tmp_path: Path) -> None:
    from harness.cli import main
    from harness.models.fake import ScriptedFakeModel
    from tests.helpers import candidate_responder, judge_responder

    project = Project.load(copy_example_project(tmp_path, evals=("directness", "over_refusal")))
    same = dict(family="fake/shared")  # a same-family judge: the report carries a warning banner
    outcome, _, _ = _run(
        project, report_name="weekly",
        cand=ScriptedFakeModel(model="c", responder=candidate_responder, **same),
        judge=ScriptedFakeModel(model="j", responder=judge_responder, **same),
    )
    md, js = outcome.report_paths
    written, written_json = md.read_bytes(), js.read_bytes()
    assert b"> **Warning.**" in written
    md.unlink()
    js.unlink()
    assert main(["--project", str(project.root), "report", str(outcome.directory)]) == 0
    assert md.read_bytes() == written and js.read_bytes() == written_json


def test_run_files_are_versioned_and_a_newer_version_is_refused(tmp_path: Path) -> None:
    import json

    from harness.errors import HarnessError
    from harness.runs import load_calls, load_run

    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    outcome, _, _ = _run(project, samples=1)
    run_dir = outcome.directory
    assert load_calls(run_dir)["version"] == 1
    for name, what in (("calls.json", load_calls), ("run.json", load_run)):
        path = run_dir / name
        data = json.loads(path.read_text())
        path.write_text(json.dumps({**data, "version": 7}))
        with pytest.raises(HarnessError, match=f"{name} has format version 7; this harness reads versions up to 1"):
            what(run_dir)
        path.write_text(json.dumps(data))
    answers = run_dir / "answers.jsonl"
    first, *rest = answers.read_text().splitlines()
    answers.write_text("\n".join([json.dumps({**json.loads(first), "version": 5}), *rest]) + "\n")
    with pytest.raises(HarnessError, match="format version 5"):
        _run(project, samples=1)


@pytest.mark.parametrize("samples", ["0", "-1"])
def test_samples_below_one_is_a_clear_error(tmp_path: Path, samples: str, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.cli import main

    root = copy_example_project(tmp_path, evals=("directness",))
    assert main(["--project", str(root), "run", "--judge", "none", "--samples", samples, "--quiet"]) == 2
    assert f"samples must be at least 1, not {samples}" in capsys.readouterr().err
    assert not (root / "reports").exists()


def test_an_answers_checks_wait_for_the_next_request_to_go_out(tmp_path: Path) -> None:
    # The deterministic checks of an arrived answer run after the replies the event loop is handling, so a
    # call slot is refilled before the last answer is checked, not after (the checks used to run in the reply's
    # callback, holding up the next request).
    from harness.models.fake import ScriptedFakeModel
    from harness.scores import checks
    from harness.scores.checks import check
    from tests.helpers import candidate_responder

    events: list[str] = []

    def answer(request):  # type: ignore[no-untyped-def]
        events.append("call")
        return candidate_responder(request)

    @check("spy", kind="rate")
    def spy(a: object) -> bool:
        events.append("check")
        return False

    before = dict(checks._REGISTRY)
    checks.register(spy)
    try:
        project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
        outcome = execute_run(project, RunOptions(candidate_provider=ScriptedFakeModel(responder=answer), judge="none"))
    finally:
        checks._REGISTRY.clear()
        checks._REGISTRY.update(before)
    assert events.count("check") == events.count("call") == len(outcome.scores)
    assert events[:2] == ["call", "call"]
