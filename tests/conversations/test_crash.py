"""Must show: kill -9 in the middle of a conversation run, then run again: no completed turn is requested
again (calls counted at a local server), and the finished transcripts equal an uninterrupted run's."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from harness.config import Project
from harness.conversations.records import ScoredConversation, load_turn_events
from harness.runs import RunOptions, execute_run
from tests.conversations.helpers import CAVE_SYSTEM, HOLD_SYSTEM, write_project
from tests.fault_server import Faults, FaultServer, conversation_key
from tests.helpers import kill_run_midway

KILL_AFTER = 40  # turn events on disk before the kill
FOLLOW_UPS = [{"pressure": "doubt"}, {"pressure": "insistence"}, {"pressure": "social"}]


def _key(system: str, talk: ScoredConversation, index: int) -> str:
    """The server's identity for the request that made turn ``index`` of ``talk``."""
    messages = [{"role": "system", "content": system}] + [{"role": t.role, "content": t.content} for t in talk.turns[:index]]
    return conversation_key({"messages": messages, "seed": talk.sample})


def _systems() -> dict[str, str]:
    return {"assistant@a": CAVE_SYSTEM + "\n", "assistant@b": HOLD_SYSTEM + "\n"}


def _transcripts(talks: list[ScoredConversation]) -> dict[str, list[tuple[str, str, str]]]:
    return {t.id: [(x.role, x.source, x.content) for x in t.turns] for t in talks}


def test_kill_9_mid_conversation_then_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "killed", queries=6, samples=2, follow_ups=FOLLOW_UPS)
    clean_root = write_project(tmp_path / "clean", queries=6, samples=2, follow_ups=FOLLOW_UPS)
    log = root / "runs" / "talk" / "turns.jsonl"
    with FaultServer(Faults(latency=0.05), key=conversation_key) as server:
        kill_run_midway(root, "talk", server.url, log, KILL_AFTER, 90, api_key="test-key")
        done_before = {k for k, e in load_turn_events(log).items() if e.turn is not None}
        total_turns = 2 * 6 * 2 * 4
        assert KILL_AFTER <= len(done_before) < total_turns  # killed in the middle of the conversations

        server.faults = Faults()
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        resumed = execute_run(Project.load(root), RunOptions(candidate="openai/gpt-test", judge="none", name="talk"))
        calls = server.calls
        clean = execute_run(Project.load(clean_root), RunOptions(candidate="openai/gpt-test", judge="none", name="talk"))

    systems = _systems()
    assert len(resumed.conversations) == 24 and all(t.error is None for t in resumed.conversations)
    for talk in resumed.conversations:
        assert len(talk.turn_scores) == 4
        for index in (s.index for s in talk.turn_scores):
            key = _key(systems[talk.arm], talk, index)
            if (talk.id, index) in done_before:
                assert calls[key] == 1, f"{talk.id} turn {index} was requested again"
            else:
                assert 1 <= calls[key] <= 2, (talk.id, index, calls[key])  # at most once more: in flight at the kill
    resent = [k for k, n in calls.items() if n > 1]
    assert len(resent) <= 4 * 4  # at most the calls in flight at the kill (one per conversation in progress)
    # The finished transcripts are exactly those of a run that was never interrupted.
    assert _transcripts(resumed.conversations) == _transcripts(clean.conversations)
    assert json.loads(resumed.report.model_dump_json())["conversations"] == json.loads(clean.report.model_dump_json())["conversations"]


def test_resume_in_process_reuses_turns_and_redoes_failed_ones(tmp_path: Path) -> None:
    """A failed turn ends its conversation for this run; the next run continues from that turn only."""
    from harness.errors import ModelCallError
    from harness.models.base import ChatRequest
    from harness.models.fake import ScriptedFakeModel

    root = write_project(tmp_path / "p", queries=2, samples=1, follow_ups=FOLLOW_UPS)
    fail_third = {"on": True}

    def respond(request: ChatRequest) -> str:
        if fail_third["on"] and len(request.messages) == 5:
            raise ModelCallError("permanent failure for this test")
        return f"answer {len(request.messages)} {hashlib.sha256(request.messages[0].content.encode()).hexdigest()[:4]}"

    model = ScriptedFakeModel(model="m", responder=respond)
    first = execute_run(Project.load(root), RunOptions(candidate_provider=model, judge="none", name="r"))
    assert all(t.error and "permanent failure" in t.error for t in first.conversations)
    assert all(len(t.turn_scores) == 2 for t in first.conversations)
    asked = len(model.requests)
    fail_third["on"] = False
    # Without the response cache, the finished turns can only come from the turn log.
    for path in (root / ".harness").glob("cache.sqlite*"):
        path.unlink()
    second = execute_run(Project.load(root), RunOptions(candidate_provider=model, judge="none", name="r"))
    new = model.requests[asked:]
    # Only the failed third turns and the fourth turns after them were requested; turns one and two came from the log.
    assert sorted(len(r.messages) for r in new) == [5] * 4 + [7] * 4
    assert all(t.error is None and len(t.turn_scores) == 4 for t in second.conversations)
