"""Batch mode against local servers speaking the Anthropic and OpenAI batch wire formats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.answers import load_answers
from harness.cli import main
from harness.config import Project
from harness.errors import HarnessError
from harness.models.batch import BatchNotFinished
from harness.models.cache import ResponseCache
from harness.models.pricing import estimate_cost
from harness.runs import RunOptions, RunOutcome, execute_run
from tests.batch_server import BatchServer
from tests.helpers import copy_example_project

SLOTS = 6 * 2 * 2  # directness queries × prompt versions × samples


@dataclass(frozen=True)
class Api:
    model: str
    key_env: str
    base_env: str
    base_path: str


ANTHROPIC = Api("anthropic/claude-haiku-4-5", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "")
OPENAI = Api("openai/gpt-4.1-mini", "OPENAI_API_KEY", "OPENAI_BASE_URL", "/v1")


@pytest.fixture(params=[ANTHROPIC, OPENAI], ids=["anthropic", "openai"])
def api(request: pytest.FixtureRequest) -> Api:
    return request.param


@pytest.fixture
def server(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[BatchServer]:
    with BatchServer() as server:
        monkeypatch.setenv(api.base_env, server.url + api.base_path)
        monkeypatch.setenv(api.key_env, "sk-test-batch-key-0123456789")
        yield server


def batch_project(root: Path, **batch: object) -> Project:
    """The example project, batch mode on, with tiny waits."""
    project = Project.load(copy_example_project(root, evals=("directness",)))
    settings = {"enabled": True, "window": 0.01, "poll_interval": 0.01, "max_wait": 10.0, **batch}
    config = project.config.model_copy(update={"batch": project.config.batch.model_copy(update=settings)})
    return Project(project.root, config)


def run(project: Project, api: Api, **options: object) -> RunOutcome:
    return execute_run(project, RunOptions(candidate=api.model, judge="none", write_report=False, **options))


def test_a_batch_run_sends_one_batch_at_half_price(api: Api, server: BatchServer, tmp_path: Path) -> None:
    project = batch_project(tmp_path)

    outcome = run(project, api)

    assert server.created == [SLOTS]
    assert all(s.response and s.response.startswith(("Batched answer", "Here is")) for s in outcome.scores)
    stats = outcome.candidate_stats
    assert (stats.batches, stats.api_calls, stats.failures) == (1, SLOTS, 0)
    answers = load_answers(outcome.directory / "answers.jsonl").values()
    list_price = sum(estimate_cost(api.model, a.usage) or 0 for a in answers)
    assert stats.cost_usd == pytest.approx(list_price / 2)
    # The replies are cached like any others: running again sends nothing.
    again = run(project, api)
    assert server.created == [SLOTS] and again.model_calls == 0


def test_a_stopped_run_collects_its_batch_by_id(api: Api, server: BatchServer, tmp_path: Path) -> None:
    project = batch_project(tmp_path, max_wait=0.2)
    server.hold = True  # the batch does not end while the first run waits

    with pytest.raises(BatchNotFinished) as stopped:
        run(project, api, name="batched")

    [batch_id] = server.batches
    assert batch_id in stopped.value.message and "run the same command again" in (stopped.value.fix or "")
    cache = ResponseCache(project.cache_path)
    assert cache.pending_batches() == {batch_id: SLOTS}
    cache.close()
    assert not load_answers(project.runs_dir / "batched" / "answers.jsonl")

    server.hold = False
    outcome = run(project, api, name="batched")

    assert list(server.batches) == [batch_id]  # collected, not sent again
    assert all(n == 1 for n in server.item_counts().values())
    assert all(s.response is not None for s in outcome.scores) and len(outcome.scores) == SLOTS
    assert outcome.candidate_stats.batches == 0
    cache = ResponseCache(project.cache_path)
    assert cache.pending_batches() == {} and len(cache) == SLOTS
    cache.close()


def test_errored_requests_are_recorded_failed_and_resent_next_run(
    api: Api, server: BatchServer, tmp_path: Path
) -> None:
    project = batch_project(tmp_path)
    server.fail_marker = "pytest"  # one of the six queries

    outcome = run(project, api, name="batched")

    failed = [s for s in outcome.scores if s.response is None]
    assert len(failed) == 2 * 2 and all("pytest" in s.query and "refused in batch" in (s.error or "") for s in failed)
    assert outcome.candidate_stats.failures == len(failed)

    server.fail_marker = None
    rerun = run(project, api, name="batched")

    assert server.created == [SLOTS, len(failed)]  # only the failed requests go out again
    assert all(s.response is not None for s in rerun.scores)


def test_judge_calls_are_batched_too(server: BatchServer, tmp_path: Path, api: Api) -> None:
    project = batch_project(tmp_path)

    outcome = execute_run(project, RunOptions(candidate=api.model, judge=api.model, write_report=False))

    # Answers, then the adherence grades, then the refusal classes: one batch each, of
    # one request per distinct (query, answer) (Anthropic's batch server answers both samples alike).
    distinct = len({(s.query, s.response) for s in outcome.scores})
    assert server.created == [SLOTS, distinct, distinct]
    assert outcome.judge_stats is not None and outcome.judge_stats.batches == 2
    costs = json.loads((outcome.directory / "calls.json").read_text())
    assert costs["candidate"]["batches"] == 1 and costs["judge"]["batches"] == 2


def test_batch_flag_and_its_limits(api: Api, server: BatchServer, tmp_path: Path) -> None:
    root = copy_example_project(tmp_path, evals=("directness",))
    toml = root / "harness.toml"
    toml.write_text(toml.read_text() + "\n[batch]\nwindow = 0.01\npoll_interval = 0.01\n")
    argv = ["--project", str(root), "run", "--model", api.model, "--judge", "none", "--quiet"]

    assert main([*argv, "--batch"]) == 0
    assert server.created == [SLOTS]

    # A budget cannot be kept when costs arrive only at the end of a batch.
    with pytest.raises(HarnessError, match="batch mode"):
        execute_run(Project.load(root), RunOptions(candidate=api.model, judge="none", batch=True, max_cost=1.0))


def test_a_batch_the_provider_no_longer_knows_fails_its_requests_for_a_resend(
    api: Api, server: BatchServer, tmp_path: Path
) -> None:
    project = batch_project(tmp_path, max_wait=0.2)
    server.hold = True
    with pytest.raises(BatchNotFinished):
        run(project, api, name="batched")
    server.batches.clear()  # e.g. expired and deleted at the provider: polling it now gets a 404
    server.hold = False

    lost = run(project, api, name="batched")

    assert all(s.response is None and "not found" in (s.error or "") for s in lost.scores)
    cache = ResponseCache(project.cache_path)
    assert cache.pending_batches() == {}  # forgotten, so the next run sends the requests again
    cache.close()
    resent = run(project, api, name="batched")
    assert server.created == [SLOTS] and all(s.response is not None for s in resent.scores)
