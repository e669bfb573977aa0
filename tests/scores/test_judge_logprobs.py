"""Probability-weighted judge scores: the OpenAI wire format, the weighting, the valid-mass floor."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math

import pytest

from harness.models.base import ChatRequest, ChatResponse, Message, TokenLogprob
from harness.models.cache import ResponseCache
from harness.models.client import ModelClient
from harness.models.openai_provider import OpenAIProvider
from harness.reports import Provenance, build_report
from harness.scores.judges import AdherenceVerdict, adherence_judge
from harness.scores.logprob_score import score_distribution
from harness.scores.records import ScoredAnswer
from harness.traits import load_trait
from tests.helpers import REPO
from tests.wire_servers import (  # noqa: F401 - wire_server is a fixture
    ScriptedResponse,
    ScriptedServer,
    openai_chat_completion,
    openai_logprobs,
    wire_server,
)

TRAIT = load_trait(REPO / "traits" / "directness.yaml")  # scores 1-5
TOKENS = ["Reasoning", ":", " Direct", " and", " short", ".\n", "Score", ":", " 4"]
TEXT = "".join(TOKENS)
VERDICT = len(TOKENS) - 1


def _openai(monkeypatch: pytest.MonkeyPatch, server: ScriptedServer) -> OpenAIProvider:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
    return OpenAIProvider("gpt-test-1")


def _grade(provider: object, *, logprobs: bool = True, floor: float = 0.5) -> AdherenceVerdict:
    async def go() -> AdherenceVerdict:
        client = ModelClient(provider, None, max_attempts=1)  # type: ignore[arg-type]
        try:
            judge = adherence_judge(client, TRAIT, logprobs=logprobs, min_valid_mass=floor)
            return await judge("How do I undo a commit?", "git revert <sha>.")
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_judge_asks_for_logprobs_and_weights_the_verdict(
    wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    alternatives = {VERDICT: {" 4": 0.6, " 3": 0.3, " 5": 0.05, " four": 0.05}}
    body = openai_chat_completion(TEXT, logprobs=openai_logprobs(TOKENS, alternatives))
    wire_server.enqueue(ScriptedResponse(200, body))

    verdict = _grade(_openai(monkeypatch, wire_server))

    sent = wire_server.requests[0].json
    assert sent["logprobs"] is True and sent["top_logprobs"] == 10  # 2 x 5 rubric levels
    assert sent["temperature"] == 0.0 and sent["seed"] == 0
    assert verdict.scorable and verdict.score == 4
    assert verdict.valid_mass == pytest.approx(0.95, abs=1e-4)
    assert verdict.expected_score == pytest.approx((4 * 0.6 + 3 * 0.3 + 5 * 0.05) / 0.95, abs=1e-4)
    assert verdict.value == verdict.expected_score


def test_too_little_mass_on_valid_scores_is_unscored(
    wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The judge wrote "4", but most of its probability was on things that are not scores.
    alternatives = {VERDICT: {" 4": 0.3, " N": 0.45, " 9": 0.15, " 3": 0.1}}
    wire_server.enqueue(ScriptedResponse(200, openai_chat_completion(TEXT, logprobs=openai_logprobs(TOKENS, alternatives))))

    verdict = _grade(_openai(monkeypatch, wire_server))

    assert not verdict.scorable and verdict.value is None
    assert verdict.valid_mass == pytest.approx(0.4, abs=1e-4)
    assert "below the floor 0.50" in (verdict.error or "")


def test_a_lower_floor_scores_the_same_reply(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    alternatives = {VERDICT: {" 4": 0.3, " N": 0.45, " 9": 0.15, " 3": 0.1}}
    wire_server.enqueue(ScriptedResponse(200, openai_chat_completion(TEXT, logprobs=openai_logprobs(TOKENS, alternatives))))

    verdict = _grade(_openai(monkeypatch, wire_server), floor=0.3)

    assert verdict.scorable and verdict.expected_score == pytest.approx((4 * 0.3 + 3 * 0.1) / 0.4, abs=1e-4)


def test_no_logprobs_in_the_reply_keeps_the_integer(
    wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire_server.enqueue(ScriptedResponse(200, openai_chat_completion(TEXT)))  # a server that ignores the option

    verdict = _grade(_openai(monkeypatch, wire_server))

    assert verdict.scorable and verdict.score == 4 and verdict.expected_score is None and verdict.value == 4


def test_without_the_option_nothing_changes_on_the_wire(
    wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire_server.enqueue(ScriptedResponse(200, openai_chat_completion(TEXT)))

    verdict = _grade(_openai(monkeypatch, wire_server), logprobs=False)

    assert not {"logprobs", "top_logprobs"} & wire_server.requests[0].json.keys()
    assert verdict.score == 4 and verdict.valid_mass is None


def test_provider_parses_logprobs(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    alternatives = {1: {" there": 0.75, " world": 0.25}}
    wire_server.enqueue(
        ScriptedResponse(200, openai_chat_completion("Hi there", logprobs=openai_logprobs(["Hi", " there"], alternatives)))
    )
    provider = _openai(monkeypatch, wire_server)
    request = ChatRequest(model="openai/gpt-test-1", messages=(Message(role="user", content="hi"),), top_logprobs=2)

    async def go() -> ChatResponse:
        try:
            return await provider.complete(request)
        finally:
            await provider.aclose()

    reply = asyncio.run(go())

    assert [t.token for t in reply.logprobs or []] == ["Hi", " there"]
    second = (reply.logprobs or [])[1]
    assert second.logprob == pytest.approx(math.log(0.75))
    assert [tok for tok, _ in second.top] == [" there", " world"]


def test_malformed_logprobs_leave_the_reply_usable(wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    body = openai_chat_completion("Hi", logprobs=[{"token": "Hi", "logprob": "high"}])
    wire_server.enqueue(ScriptedResponse(200, body))
    provider = _openai(monkeypatch, wire_server)

    async def go() -> ChatResponse:
        try:
            return await provider.complete(
                ChatRequest(model="openai/gpt-test-1", messages=(Message(role="user", content="hi"),), top_logprobs=5)
            )
        finally:
            await provider.aclose()

    reply = asyncio.run(go())
    assert reply.text == "Hi" and reply.logprobs is None


def test_cache_keys_without_logprobs_are_unchanged() -> None:
    request = ChatRequest(model="m/x", messages=(Message(role="user", content="hi"),))
    legacy = request.model_dump(mode="json", exclude={"purpose", "group", "top_logprobs", "choices"})
    blob = json.dumps(legacy, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert request.cache_key() == hashlib.sha256(blob.encode()).hexdigest()
    assert request.model_copy(update={"top_logprobs": 5}).cache_key() != request.cache_key()


def test_logprobs_survive_the_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cache = ResponseCache(tmp_path / "cache.sqlite")
    request = ChatRequest(model="m/x", messages=(Message(role="user", content="hi"),), top_logprobs=5)
    reply = ChatResponse(text="4", model="m/x", logprobs=[TokenLogprob(token="4", logprob=-0.1, top=[("4", -0.1), ("3", -2.4)])])
    cache.put(request, reply)
    assert (cache.get(request) or reply).logprobs == reply.logprobs
    cache.close()


@pytest.mark.parametrize(
    ("tokens", "top", "expected"),
    [
        pytest.param(["Score", ": 4"], [(": 4", math.log(0.5)), (": 5", math.log(0.5))], 4.5, id="prefix-in-token"),
        pytest.param(["Score: ", "**4**"], [("**4**", math.log(0.8)), ("**2**", math.log(0.2))], 3.6, id="markdown"),
        pytest.param(["Score:", " 4"], [(" 4", math.log(0.5)), ("4", math.log(0.25)), (" 2", math.log(0.25))], 3.5,
                     id="same-score-two-tokens-add-up"),
    ],
)
def test_score_distribution_finds_the_verdict_token(tokens: list[str], top: list[tuple[str, float]], expected: float) -> None:
    text = "".join(tokens)
    offset = text.index("4")
    records = [TokenLogprob(token=t, logprob=0.0) for t in tokens[:-1]]
    records.append(TokenLogprob(token=tokens[-1], logprob=top[0][1], top=top))
    dist = score_distribution(text, records, offset, 1, 5)
    assert dist is not None and dist.expected == pytest.approx(expected)


def test_score_distribution_declines_what_it_cannot_read() -> None:
    tokens = [TokenLogprob(token="Score: ", logprob=0.0), TokenLogprob(token="7", logprob=-0.1, top=[("7", -0.1)])]
    assert score_distribution("Score: 7", tokens, 7, 1, 10) is None  # "1" vs the first token of "10"
    assert score_distribution("Score:  7", tokens, 8, 1, 5) is None  # the tokens do not spell the text
    assert score_distribution("Score: 7", None, 7, 1, 5) is None


def test_report_means_use_the_weighted_score() -> None:
    def scored(qid: str, verdict: AdherenceVerdict) -> ScoredAnswer:
        return ScoredAnswer(
            id=qid, arm="a", query_id=qid, trait="directness", sample=0, should_refuse=False, model="m", prompt_hash=None,
            query="q", response="r", refusal=None, over_refusal=None, filler=None, adherence=verdict,
        )

    scores = [
        scored("q1", AdherenceVerdict(score=4, reason="", scorable=True, expected_score=3.5, valid_mass=0.9)),
        scored("q2", AdherenceVerdict(score=2, reason="", scorable=True)),
    ]
    prov = Provenance(candidate_models=["m"], judge_model="j", adherence_prompt_hash=None, refusal_prompt_hash=None,
                      prompts={}, traits={})
    row = next(r for r in build_report("t", scores, prov).rows if r.trait == "directness")
    assert row.adherence is not None and row.adherence.value == pytest.approx(2.75)
