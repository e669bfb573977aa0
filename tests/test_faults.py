"""Whole runs against a misbehaving server: no sample lost, none duplicated, failures reported.

Each test runs :func:`harness.runs.execute_run` with the real OpenAI provider
pointed (through ``OPENAI_BASE_URL``) at :class:`tests.fault_server.FaultServer`,
which injects one class of fault into half the attempts. With two attempts per
call, some samples get through on the first try, some on the retry, and some
fail both; every one must end up in ``answers.jsonl`` exactly once, answered or
recorded as failed, and the report must count the failures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.answers import Answer, AnswerPlan, load_answers, plan_answers
from harness.config import Project
from harness.queries import load_query_files
from harness.runs import RunOptions, RunOutcome, execute_run
from harness.system_prompts import list_prompts, load_prompt
from tests.fault_server import Faults, FaultServer, request_key
from tests.helpers import copy_example_project

MAX_ATTEMPTS = 2
CLIENT_TIMEOUT = 0.25

# Half of all attempts fault; the seed is fixed, so which ones is too.
CASES = {
    "rate_limit": (Faults(rate_limit=0.5, retry_after=0.01, seed=1), "rate limited (HTTP 429)"),
    "server_error": (Faults(server_error=0.5, seed=1), "server error (HTTP 50"),
    "timeout": (Faults(timeout=0.5, hang=CLIENT_TIMEOUT * 4, seed=1), "timed out"),
    "reset": (Faults(reset=0.5, seed=1), "could not connect"),
    "malformed": (Faults(malformed=0.5, seed=1), "malformed reply"),
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    with FaultServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        yield server


def fast_project(root: Path, **run: object) -> Project:
    """The example project with tiny retry delays and a short reply timeout."""
    project = Project.load(copy_example_project(root, evals=("directness",)))
    settings = {
        "max_attempts": MAX_ATTEMPTS, "retry_base_delay": 0.001, "retry_max_delay": 0.01,
        "timeout": CLIENT_TIMEOUT, "concurrency": 8, **run,
    }
    config = project.config.model_copy(update={"run": project.config.run.model_copy(update=settings)})
    return Project(project.root, config)


def planned(project: Project, model: str = "openai/gpt-test") -> list[AnswerPlan]:
    """The slots a run of ``project`` must fill, as the run itself plans them."""
    cfg = project.config.run
    prompts = [load_prompt(project.prompts_dir, r, project.config.prompt_variables)
               for r in cfg.prompts or list_prompts(project.prompts_dir)]
    queries = load_query_files(project.eval_files())
    return plan_answers(queries, prompts, model, samples=cfg.samples, max_tokens=cfg.max_tokens,
                        temperature=cfg.temperature, seed=cfg.seed)


def key_of(plan: AnswerPlan) -> str:
    """The fault server's identity for the request a slot sends."""
    return request_key(plan.request.system, plan.request.messages[-1].content, plan.request.seed)


def transcript_ids(outcome: RunOutcome) -> list[str]:
    lines = (outcome.directory / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    return [Answer.model_validate_json(line).id for line in lines]


def run(project: Project, **options: object) -> RunOutcome:
    return execute_run(project, RunOptions(candidate="openai/gpt-test", judge="none", **options))


@pytest.mark.parametrize("fault", list(CASES))
def test_every_sample_is_answered_or_recorded_failed(
    fault: str, server: FaultServer, tmp_path: Path
) -> None:
    faults, message = CASES[fault]
    server.faults = faults
    project = fast_project(tmp_path)
    plans = planned(project)

    outcome = run(project)

    # None lost, none duplicated: one transcript line per planned slot.
    ids = transcript_ids(outcome)
    assert sorted(ids) == sorted(p.answer.id for p in plans)
    answers = load_answers(outcome.directory / "answers.jsonl")
    calls = server.calls
    failed = []
    for plan in plans:
        answer, key = answers[plan.answer.id], key_of(plan)
        tries = [faults.pick(key, n) for n in range(1, calls[key] + 1)]
        if answer.text is not None:
            # Sent until a try got through, and not once more.
            assert tries[-1] is None and all(t == fault for t in tries[:-1]), (plan.answer.id, tries)
        else:
            # Every attempt was made and every one faulted; the error says which fault.
            assert tries == [fault] * MAX_ATTEMPTS, (plan.answer.id, tries)
            assert message in (answer.error or ""), answer.error
            failed.append(answer)
    # No call the plan does not account for.
    assert set(calls) == {key_of(p) for p in plans}
    assert server.faults_injected[fault] > 0 and 0 < len(failed) < len(plans)
    # The report states the failures, per arm (its "(all)" row sums the arm's traits).
    for arm in {p.answer.arm for p in plans}:
        [total] = [r for r in outcome.report.rows if r.arm == arm and r.trait == "(all)"]
        assert total.failed == sum(a.arm == arm for a in failed)
    assert outcome.candidate_stats.failures == len(failed)

    # Running again retries the failed slots, and only those.
    before = server.calls
    rerun = run(project)
    retried = {k for k, n in server.calls.items() if n > before[k]}
    assert retried == {key_of(p) for p in plans if answers[p.answer.id].text is None}
    assert len(rerun.scores) == len(plans)
    answered_now = sum(s.response is not None for s in rerun.scores)
    assert answered_now >= len(plans) - len(failed)


def test_failed_answers_are_scored_as_failed_not_dropped(server: FaultServer, tmp_path: Path) -> None:
    """With every attempt failing, the run still completes and reports every sample as failed."""
    server.faults = Faults(server_error=1.0)
    project = fast_project(tmp_path)
    plans = planned(project)

    outcome = run(project)

    assert len(outcome.scores) == len(plans)
    assert all(s.response is None and s.error for s in outcome.scores)
    assert sum(row.failed for row in outcome.report.rows if row.trait == "(all)") == len(plans)
    assert server.total_calls == len(plans) * MAX_ATTEMPTS
