"""Cost: tokens and estimated cost per run and per arm, and the ``--max-cost`` budget."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.answers import AnswerPlan, load_answers
from harness.cli import main
from harness.config import Project
from harness.errors import HarnessError
from harness.models.base import ChatRequest, Message, Usage
from harness.models.client import Budget, ModelClient
from harness.models.fake import ScriptedFakeModel
from harness.models.pricing import estimate_cost
from harness.runs import RunOptions, execute_run
from tests.fault_server import FaultServer, chat_reply
from tests.helpers import copy_example_project, fake_judge
from tests.test_faults import key_of, planned

MODEL = "openai/gpt-4.1-mini"  # priced, so a budget can be enforced; served locally


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    with FaultServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        yield server


def cost_of(plan: AnswerPlan) -> float:
    """What the local server's reply to a slot's request costs at MODEL's price."""
    messages = [{"role": "system", "content": plan.request.system}, {"role": "user", "content": plan.answer.query}]
    usage = chat_reply({"messages": messages, "seed": plan.request.seed})["usage"]
    cost = estimate_cost(MODEL, Usage(input_tokens=usage["prompt_tokens"], output_tokens=usage["completion_tokens"]))
    assert cost is not None
    return cost


def test_calls_json_and_cli_give_tokens_and_cost_per_arm(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = Project.load(copy_example_project(tmp_path / "lib", evals=("directness",)))
    plans = planned(project, MODEL)
    judge = fake_judge()

    outcome = execute_run(project, RunOptions(candidate=MODEL, judge_provider=judge, write_report=False))

    costs = json.loads((outcome.directory / "calls.json").read_text())
    arms = sorted({p.answer.arm for p in plans})
    assert sorted(costs["by_arm"]) == arms
    judge_calls = {arm: sum(r.group == arm for r in judge.requests) for arm in arms}
    for arm in arms:
        mine = [p for p in plans if p.answer.arm == arm]
        cell = costs["by_arm"][arm]
        assert cell["api_calls"] == len(mine) + judge_calls[arm] and judge_calls[arm] > 0
        assert cell["cost_usd"] == pytest.approx(sum(cost_of(p) for p in mine), abs=1e-6)
        assert cell["cost_unknown_calls"] == judge_calls[arm]  # the fake judge has no price
    total = costs["total"]
    assert total["api_calls"] == outcome.model_calls == len(plans) + len(judge.requests)
    assert total["cost_usd"] == pytest.approx(sum(cost_of(p) for p in plans), abs=1e-6)
    assert total["input_tokens"] == sum(c["input_tokens"] for c in costs["by_arm"].values())
    assert total["input_tokens"] == costs["candidate"]["input_tokens"] + costs["judge"]["input_tokens"]

    # The CLI says the same, per arm and in total.
    cli_project = copy_example_project(tmp_path / "cli", evals=("directness",))
    assert main(["--project", str(cli_project), "run", "--model", MODEL, "--judge", "none", "--quiet"]) == 0
    out = capsys.readouterr().out
    for arm in arms:
        assert f"arm {arm}: {len([p for p in plans if p.answer.arm == arm])} model calls" in out
    assert "Model calls this run: 24 (" in out and "est. cost $0.0" in out


def test_max_cost_stops_cleanly_and_a_rerun_resumes(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    plans = planned(project, MODEL)
    limit = 10 * max(cost_of(p) for p in plans)  # room for about ten of the 24 calls
    argv = ["--project", str(project.root), "run", "--model", MODEL, "--judge", "none", "--quiet", "--name", "capped"]

    status = main([*argv, "--max-cost", f"{limit:.8f}"])

    assert status == 3  # stopped at the budget: the report covers part of the run
    assert "budget reached" in capsys.readouterr().err
    run_dir = project.runs_dir / "capped"
    answers = load_answers(run_dir / "answers.jsonl")
    sent = server.calls
    answered = {i for i, a in answers.items() if a.text is not None}
    skipped = {i for i, a in answers.items() if a.text is None}
    # Every slot is accounted for: answered (and paid) or recorded as not attempted (never sent).
    assert answered | skipped == {p.answer.id for p in plans} and answered and skipped
    assert all("not attempted" in (answers[i].error or "") for i in skipped)
    assert {key_of(p) for p in plans if p.answer.id in answered} == set(sent)
    assert all(n == 1 for n in sent.values())
    calls = json.loads((run_dir / "calls.json").read_text())
    assert calls["budget"]["exhausted"] and calls["budget"]["calls_not_attempted"] == len(skipped)
    # No call was started once the spend reached the limit, and concurrent calls
    # could not overshoot it together: it is passed by one call at most.
    spent = sum(cost_of(p) for p in plans if p.answer.id in answered)
    assert calls["budget"]["spent_usd"] == pytest.approx(spent, abs=1e-6)
    assert limit <= spent < limit + max(cost_of(p) for p in plans)
    report = json.loads((project.runs_dir / "capped" / "capped.json").read_text())
    assert sum(r["failed"] for r in report["rows"] if r["trait"] == "(all)") == len(skipped)

    # Without the cap, the same command resumes: only the skipped slots are sent.
    assert main(argv) == 0
    assert sum(server.calls.values()) - sum(sent.values()) == len(skipped)
    assert all(n == 1 for n in server.calls.values())
    final = load_answers(run_dir / "answers.jsonl")
    assert all(final[p.answer.id].text is not None for p in plans)


def test_max_cost_needs_a_known_price(server: FaultServer, tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path, evals=("directness",)))
    with pytest.raises(HarnessError, match="no price is known for openai/unpriced-model"):
        execute_run(project, RunOptions(candidate="openai/unpriced-model", judge="none", max_cost=1.0))
    assert server.total_calls == 0


def test_budget_reserves_for_calls_in_flight() -> None:
    """Concurrent calls cannot all slip under the limit together."""

    class Priced(ScriptedFakeModel):
        provider = "openai"

        async def complete(self, request: ChatRequest):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.001)  # so calls overlap
            return await super().complete(request)

    one_call = estimate_cost(MODEL, Usage(input_tokens=1, output_tokens=1))
    assert one_call is not None
    budget = Budget(limit_usd=10 * one_call)
    client = ModelClient(Priced(model="gpt-4.1-mini", responder=lambda r: "ok"), None, concurrency=4, budget=budget)
    requests = [ChatRequest(model=MODEL, messages=(Message(role="user", content=f"q{i}"),)) for i in range(100)]

    results = asyncio.run(client.complete_all(requests))

    # The first call is sent alone (its upper estimate, a full 512-token reply,
    # is far over the limit); then the average cost is reserved per call in flight.
    assert 10 <= client.stats.api_calls <= 11
    assert client.stats.not_attempted == 100 - client.stats.api_calls == budget.refused
    assert sum(isinstance(r, HarnessError) for r in results) == client.stats.not_attempted
    assert budget.exhausted
