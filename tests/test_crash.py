"""Crash safety: ``kill -9`` a run midway, run it again, pay for nothing twice.

A real ``harness run`` subprocess answers against a slow local OpenAI-format
server; once some answers are on disk it is killed without warning. The
re-run must resume (only the missing slots are sent), the server must have
seen each finished request exactly once, and the SQLite cache must be intact.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from harness.answers import collect_answers, load_answers, plan_answers
from harness.config import Project
from harness.models.cache import ResponseCache
from harness.models.client import ModelClient
from harness.queries import Query
from harness.runs import RunOptions, execute_run
from harness.system_prompts import SystemPrompt
from tests.fault_server import Faults, FaultServer
from tests.helpers import copy_example_project, fake_candidate, kill_run_midway
from tests.test_faults import key_of, planned

KILL_AFTER = 24  # answers on disk before the kill
DEADLINE_S = 60.0


def test_kill_9_midway_then_resume_pays_for_nothing_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_example_project(tmp_path / "project", evals=("directness", "over_refusal"))
    project = Project.load(root)
    plans = planned(project)
    transcript = project.runs_dir / "crash" / "answers.jsonl"
    with FaultServer(Faults(latency=0.05)) as server:
        kill_run_midway(root, "crash", server.url, transcript, KILL_AFTER, DEADLINE_S)

        finished = {i for i, a in load_answers(transcript).items() if a.text is not None}
        assert KILL_AFTER <= len(finished) < len(plans)
        with closing(sqlite3.connect(project.cache_path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sent_before = server.calls

        server.faults = Faults()  # no need to be slow any more
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        outcome = execute_run(project, RunOptions(candidate="openai/gpt-test", judge="none", name="crash"))
        calls = server.calls

    # Resumed: every slot answered, and the re-run sent only what the first run had not finished.
    assert len(outcome.scores) == len(plans) and all(s.response is not None for s in outcome.scores)
    for plan in plans:
        key = key_of(plan)
        if plan.answer.id in finished:
            assert calls[key] == 1, f"{plan.answer.id} was paid for again"
        else:
            # Never sent, or sent once before the kill and (its reply lost) once more.
            assert 1 <= calls[key] <= 2, (plan.answer.id, calls[key])
    resent = [k for k, n in calls.items() if n > 1]
    assert len(resent) <= project.config.run.concurrency  # at most the calls in flight at the kill
    assert outcome.candidate_stats.api_calls == sum(calls.values()) - sum(sent_before.values())
    with closing(sqlite3.connect(project.cache_path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == len(plans)


def test_an_answer_reaches_the_transcript_only_after_its_reply_is_committed_to_the_cache(tmp_path: Path) -> None:
    # A kill -9 can land between any two steps. If the answer were written before its reply's cache row was
    # committed, the resumed run would reuse the answer while the cache lacked it, and a later run would pay again.
    provider = fake_candidate()
    queries = [Query(id=f"q-{i}", trait="directness", text=f"Question {i}?") for i in range(12)]
    prompt = SystemPrompt(name="a", version="v1", path="v1.md", description="", template="Be brief.", text="Be brief.")
    plans = plan_answers(queries, [prompt], provider.full_name, samples=2, max_tokens=50, temperature=1.0, seed=0)
    cache = ResponseCache(tmp_path / "cache.sqlite")
    seen: list[int] = []

    def committed_when_written(index: int, answer: object) -> None:
        # Another connection sees only committed rows.
        with closing(sqlite3.connect(tmp_path / "cache.sqlite")) as db:
            key = plans[index].request.cache_key()
            assert db.execute("SELECT COUNT(*) FROM responses WHERE key = ?", (key,)).fetchone()[0] == 1, index
        seen.append(index)

    answers = asyncio.run(collect_answers(ModelClient(provider, cache, concurrency=8), plans,
                                          tmp_path / "answers.jsonl", on_answer=committed_when_written))
    cache.close()
    assert sorted(seen) == list(range(len(plans))) and all(a.text for a in answers)
