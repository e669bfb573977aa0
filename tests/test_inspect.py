"""inspect-ai integration: our traits as inspect tasks, our runs as inspect logs.

Every test runs offline: inspect's candidate is our own model API
(``harness/<model>``, :mod:`harness.inspect_model`) backed by the scripted
fakes, and the judge goes through our registry and cache as in ``harness run``.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import Counter
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, read_eval_log

from harness.answers import Answer
from harness.cli import main
from harness.config import Project
from harness.inspect_export import export_inspect_log
from harness.inspect_tasks import answer_metric_definitions, character
from harness.models import registry
from harness.models.base import ChatRequest
from harness.models.client import ModelClient
from harness.models.fake import ScriptedFakeModel
from harness.queries import load_query_files
from harness.runs import RunOptions, execute_run, lexicon_for
from harness.scores.records import ScoredAnswer
from harness.scores.score import Scorer, score_answers
from harness.stats import clustered_mean_ci
from harness.system_prompts import load_prompt
from harness.traits import load_traits
from tests.helpers import candidate_responder, copy_example_project, fake_candidate, fake_judge, judge_responder

# inspect-ai's own retry helper passes an argument newer tenacity deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:The 'initial' parameter is deprecated:DeprecationWarning")

PREFIX = "inspectfake"
CANDIDATE = f"harness/{PREFIX}/candidate"
JUDGE = f"{PREFIX}/judge"


@pytest.fixture(autouse=True)
def _inspect_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Inspect writes nowhere outside tmp_path and draws nothing on the terminal."""
    monkeypatch.setenv("INSPECT_LOG_DIR", str(tmp_path / "inspect-logs"))
    monkeypatch.setenv("INSPECT_DISPLAY", "none")
    monkeypatch.delenv("INSPECT_EVAL_MODEL", raising=False)


def varied_judge_responder(request: ChatRequest) -> str:
    """Scores that vary by answer (so intervals are not degenerate); some replies unparseable."""
    prompt = request.messages[-1].content
    if "Class:" in prompt and "full_compliance" in prompt:
        return judge_responder(request)
    reply = re.search(r"<assistant_reply>\n(.*?)\n</assistant_reply>", prompt, re.DOTALL)
    score = 1 + sum(map(ord, reply.group(1) if reply else "")) % 5
    return "I would rather not grade this." if score == 3 else f"Reasoning: graded.\nScore: {score}"


def _use_fakes(monkeypatch: pytest.MonkeyPatch, candidate: ScriptedFakeModel, judge: ScriptedFakeModel) -> None:
    models = {"candidate": candidate, "judge": judge}
    monkeypatch.setitem(registry._REGISTERED, PREFIX, lambda name: models[name])


def _run_task(project: Path, tmp_path: Path, **task_args: object) -> EvalLog:
    [log] = inspect_eval(
        character(project=str(project), judge=JUDGE, **task_args),
        model=CANDIDATE,
        model_args={"project": str(project)},
        log_dir=str(tmp_path / "inspect-logs"),
        display="none",
    )
    assert log.status == "success", log.error
    return log


def _rescore(project: Project, log: EvalLog, judge: ScriptedFakeModel) -> list[ScoredAnswer]:
    """Our own scorers on the answers recorded in the inspect log."""
    answers = [
        Answer(
            id=f"{s.metadata['arm']}|{s.id}|{s.epoch - 1}",
            arm=s.metadata["arm"],
            prompt_hash=s.metadata["prompt_hash"],
            query_id=str(s.id),
            trait=s.metadata["trait"],
            sample=s.epoch - 1,
            should_refuse=s.metadata["should_refuse"],
            model=CANDIDATE,
            query=s.input if isinstance(s.input, str) else s.input[-1].text,
            text=s.output.completion,
        )
        for s in log.samples or []
    ]
    cfg = project.config.judge
    scorer = Scorer(
        judge=ModelClient(judge), traits=load_traits(project.traits_dir), lexicon=lexicon_for(project),
        judge_refusal=True, temperature=cfg.temperature, seed=cfg.seed, max_tokens=cfg.max_tokens,
    )
    return asyncio.run(score_answers(scorer, answers))


def _value(score) -> float | None:  # type: ignore[no-untyped-def]
    return None if isinstance(score.value, float) and math.isnan(score.value) else score.value


def test_task_scores_equal_our_scorers_with_k_epochs_and_clustered_intervals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example_project(tmp_path / "project")
    project = Project.load(root)
    _use_fakes(monkeypatch, fake_candidate(), ScriptedFakeModel("judge", responder=varied_judge_responder))
    log = _run_task(root, tmp_path, trait="directness", prompt="assistant@v1", probes=True)

    # K epochs: every query of the trait file and the probe file answered K times.
    queries = load_query_files([root / "evals" / "directness.jsonl", root / "evals" / "over_refusal.jsonl"])
    k = project.config.run.samples
    samples = log.samples or []
    assert Counter(s.id for s in samples) == {q.id: k for q in queries}
    assert all(sorted(s.epoch for s in samples if s.id == q.id) == list(range(1, k + 1)) for q in queries)
    # the system prompt is the inspect system message
    v1 = load_prompt(root / "system_prompts", "assistant@v1", project.config.prompt_variables)
    assert all(s.messages[0].role == "system" and s.messages[0].text == v1.text for s in samples)

    ours = _rescore(project, log, ScriptedFakeModel("judge", responder=varied_judge_responder))
    for s, o in zip(samples, ours, strict=True):
        assert _value(s.scores["adherence"]) == (o.adherence.score if o.adherence else None)
        assert _value(s.scores["over_refusal"]) == (None if o.over_refusal is None else float(o.over_refusal))
        assert s.scores["over_refusal"].answer == o.refusal.label
        assert s.scores["over_refusal_judge"].answer == o.refusal_judge.label
        assert _value(s.scores["filler"]) == float(o.filler.has_filler)
    unparseable = [o for o in ours if o.adherence is not None and not o.adherence.scorable]
    assert unparseable, "the judge's unparseable replies must be exercised"

    # inspect's metrics over every answer, clustered by query, are our report's statistics
    graded = [o for o in ours if o.adherence is not None and o.adherence.scorable]
    mean, low, high = clustered_mean_ci([float(o.adherence.score) for o in graded], [o.query_id for o in graded])
    [adherence] = [r for r in log.results.scores if r.name == "adherence"]
    assert adherence.scored_samples == len(graded)
    assert adherence.unscored_samples == len(samples) - len(graded)  # probes and unparseable replies
    assert adherence.metrics["mean"].value == pytest.approx(mean)
    assert adherence.metrics["lower"].value == pytest.approx(low)
    assert adherence.metrics["upper"].value == pytest.approx(high)
    assert low < mean < high
    [filler] = [r for r in log.results.scores if r.name == "filler"]
    assert filler.metrics["mean"].value == pytest.approx(sum(o.filler.has_filler for o in ours) / len(ours))
    # what the log header records is what exported logs declare
    for scorer in log.eval.scorers or []:
        assert [m.model_dump() for m in scorer.metrics] == answer_metric_definitions()  # type: ignore[union-attr]


def test_task_through_our_seam_reuses_a_harness_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_example_project(tmp_path / "project")
    project = Project.load(root)
    outcome = execute_run(
        project, RunOptions(candidate_provider=fake_candidate(), judge_provider=fake_judge(), write_report=False)
    )
    cand, judge = fake_candidate(), fake_judge()
    _use_fakes(monkeypatch, cand, judge)
    log = _run_task(root, tmp_path, trait="directness", prompt="assistant@v2", probes=True)

    # Same requests as `harness run`, so every answer and verdict is a cache hit.
    assert cand.requests == [] and judge.requests == []
    by_id = {s.id: s for s in outcome.scores}
    samples = log.samples or []
    assert len(samples) == sum(s.arm == "assistant@v2" for s in outcome.scores)
    for s in samples:
        ran = by_id[f"assistant@v2|{s.id}|{s.epoch - 1}"]
        assert s.output.completion == ran.response
        assert _value(s.scores["adherence"]) == (ran.adherence.score if ran.adherence else None)
        assert _value(s.scores["filler"]) == float(ran.filler.has_filler)
        assert s.scores["over_refusal_judge"].answer == ran.refusal_judge.label


def test_task_without_a_judge_has_only_deterministic_scorers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_example_project(tmp_path / "project", evals=("directness",))
    _use_fakes(monkeypatch, fake_candidate(), fake_judge())
    [log] = inspect_eval(
        character(project=str(root), trait="directness", prompt="assistant@v2", judge="none"),
        model=CANDIDATE, model_args={"project": str(root)}, log_dir=str(tmp_path / "logs"), display="none",
    )
    assert [s.name for s in log.results.scores] == ["over_refusal", "filler", "hedging"]
    assert log.results.scores[1].metrics["mean"].value == 0.0  # v2 answers carry no filler


def test_task_names_a_missing_query_file(tmp_path: Path) -> None:
    from harness.errors import HarnessError

    root = copy_example_project(tmp_path / "project", evals=("directness",))
    with pytest.raises(HarnessError, match=r"warmth_with_curiosity\.jsonl"):
        character(project=str(root), trait="warmth_with_curiosity")


def test_task_includes_mirrored_requests_like_harness_run(tmp_path: Path) -> None:
    root = copy_example_project(tmp_path / "project", evals=("even_handedness",))
    task = character(project=str(root), trait="even_handedness", judge="none")
    mirrors = [s for s in task.dataset if s.metadata["mirror"]]
    assert len(task.dataset) == 6 + 12 and len(mirrors) == 12
    assert {s.metadata["mirror"].rsplit(":", 1)[1] for s in mirrors} == {"a", "b"}


@pytest.fixture
def finished_run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A run of both prompt versions in which the candidate's sample-1 calls fail."""
    from harness.errors import ModelCallError

    def flaky(request: ChatRequest) -> str | Exception:
        if request.sample == 1 and "leftover" in request.messages[-1].content:
            return ModelCallError("400 rejected")
        return candidate_responder(request)

    project = Project.load(copy_example_project(tmp_path / "project"))
    options = RunOptions(candidate_provider=ScriptedFakeModel("candidate", responder=flaky), judge_provider=fake_judge())
    return project, execute_run(project, options)


def test_export_has_one_sample_per_answer_with_transcript_and_our_scores(finished_run) -> None:  # type: ignore[no-untyped-def]
    project, outcome = finished_run
    path = export_inspect_log(outcome.directory)
    assert path == outcome.directory / f"{outcome.directory.name}.eval"
    log = read_eval_log(path)  # inspect's own reader
    samples = log.samples or []

    keys = [(s.metadata["arm"], s.metadata["query_id"], s.epoch - 1) for s in samples]
    assert len(keys) == len(set(keys)) == len(outcome.scores)
    assert set(keys) == {(s.arm, s.query_id, s.sample) for s in outcome.scores}
    assert log.eval.config.epochs == outcome.spec.samples

    ran = {s.id: s for s in outcome.scores}
    prompts = {ref: load_prompt(project.prompts_dir, ref, project.config.prompt_variables).text for ref in outcome.spec.prompts}
    failed = 0
    for s in samples:
        answer = ran[s.metadata["answer_id"]]
        if answer.error:
            failed += 1
            assert s.error is not None and answer.error in s.error.message and s.scores is None
            continue
        assert [(m.role, m.text) for m in s.messages] == [
            ("system", prompts[answer.arm]), ("user", answer.query), ("assistant", answer.response),
        ]
        assert _value(s.scores["adherence"]) == (answer.adherence.score if answer.adherence else None)
        assert _value(s.scores["over_refusal"]) == (None if answer.over_refusal is None else float(answer.over_refusal))
        assert s.scores["over_refusal_judge"].answer == answer.refusal_judge.label
        assert _value(s.scores["filler"]) == float(answer.filler.has_filler)
        assert s.scores["adherence"].metadata is None or s.scores["adherence"].metadata["judge_model"] == "fake/judge"
    assert failed == sum(1 for s in outcome.scores if s.error) > 0

    # inspect computes the metrics from our scores: per arm × trait, the report's numbers
    [adherence] = [r for r in log.results.scores if r.name == "adherence"]
    for row in outcome.report.rows:
        if row.adherence is not None and row.trait != "(all)":
            assert adherence.metrics[f"{row.arm} {row.trait}"].value == pytest.approx(row.adherence.value, abs=1e-4)
    [filler] = [r for r in log.results.scores if r.name == "filler"]
    answered = [s for s in outcome.scores if s.response is not None]
    assert filler.scored_samples == len(answered)
    assert filler.metrics["assistant@v1 directness"].value == 1.0 and filler.metrics["assistant@v2 directness"].value == 0.0
    for scorer in log.eval.scorers or []:
        assert [m.model_dump() for m in scorer.metrics] == answer_metric_definitions()  # type: ignore[union-attr]


def test_export_cli_writes_json_logs_too(finished_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, outcome = finished_run
    out = tmp_path / "exported" / "run.json"
    assert main(["--project", str(project.root), "export", "inspect", outcome.name, "--out", str(out)]) == 0
    log = read_eval_log(out)
    assert len(log.samples or []) == len(outcome.scores) and log.eval.model == "fake/candidate"
    assert main(["--project", str(project.root), "export", "inspect", outcome.name, "--out", str(tmp_path / "x.txt")]) == 2


def test_export_leaves_out_a_system_prompt_edited_since_the_run(finished_run) -> None:  # type: ignore[no-untyped-def]
    project, outcome = finished_run
    v2 = project.prompts_dir / "assistant" / "v2.md"
    v2.write_text(v2.read_text() + "\nOne more rule.\n")
    log = read_eval_log(export_inspect_log(outcome.directory))
    for s in log.samples or []:
        roles = [m.role for m in s.messages]
        assert (roles[0] == "system") == (s.metadata["arm"] == "assistant@v1")
