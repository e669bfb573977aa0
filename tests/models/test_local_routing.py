"""Which engine a bundled-model call goes to: where its prompt already is, unless that leaves a core idle."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from harness.models.local_provider import _AFFINITY_SLACK, _AFFINITY_TOKENS, _pick


@dataclass
class _Engine:
    """Stands in for an engine: how much of any prompt it holds, and its calls queued or running."""

    holds: int
    load: int

    def tokenize(self, prompt: str) -> list[int]:
        return [1, 2, 3]

    def held(self, tokens: list[int]) -> int:
        return self.holds


def test_a_call_goes_where_its_answer_was_just_evaluated() -> None:
    # A judge's refusal question after its adherence question: engine 1 holds the answer too.
    engines = [_Engine(holds=1400, load=5), _Engine(holds=1400 + _AFFINITY_TOKENS, load=6)]
    assert _pick(engines, "p") is engines[1]


def test_a_small_head_start_does_not_outweigh_load() -> None:
    engines = [_Engine(holds=1400, load=5), _Engine(holds=1400 + _AFFINITY_TOKENS - 1, load=6)]
    assert _pick(engines, "p") is engines[0]


def test_affinity_never_leaves_a_core_waiting_behind_a_busy_one() -> None:
    engines = [_Engine(holds=0, load=2), _Engine(holds=2000, load=2 + _AFFINITY_SLACK + 1)]
    assert _pick(engines, "p") is engines[0]


def test_between_equally_busy_engines_the_one_holding_more_wins() -> None:
    engines = [_Engine(holds=30, load=4), _Engine(holds=40, load=4), _Engine(holds=900, load=7)]
    assert _pick(engines, "p") is engines[1]


def test_engines_share_out_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.models.llama_engine import engine_count

    monkeypatch.setenv("HARNESS_LOCAL_THREADS", "4")
    monkeypatch.delenv("HARNESS_LOCAL_ENGINES", raising=False)
    assert engine_count() == 2  # by default one engine per two cores, two threads each
    monkeypatch.setenv("HARNESS_LOCAL_ENGINES", "1")
    assert engine_count() == 1
    monkeypatch.setenv("HARNESS_LOCAL_ENGINES", "9")
    assert engine_count() == 4  # never more engines than cores
    monkeypatch.setenv("HARNESS_LOCAL_ENGINES", "zero")
    assert engine_count() == 2
    monkeypatch.setenv("HARNESS_LOCAL_THREADS", "1")
    monkeypatch.delenv("HARNESS_LOCAL_ENGINES")
    assert engine_count() == 1
