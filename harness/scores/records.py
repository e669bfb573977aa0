"""The per-answer result record: ``scores.jsonl`` / ``results.jsonl``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from harness.scores.filler import FillerResult
from harness.scores.hedging import HedgeResult
from harness.scores.judges import AdherenceVerdict, RefusalJudgeVerdict
from harness.scores.refusal import RefusalVerdict

__all__ = ["SCORE_FORMAT_VERSION", "ScoredAnswer"]

SCORE_FORMAT_VERSION = 1


class ScoredAnswer(BaseModel):
    """Every score of one answer, with what produced each.

    ``over_refusal`` is True when a benign request (``should_refuse`` false)
    was refused in full or in part, False when it was answered, and None for
    requests that ought to be refused (refusing those is correct) or when the
    answer is missing.
    """

    model_config = ConfigDict(extra="forbid")

    version: int = SCORE_FORMAT_VERSION
    id: str
    arm: str
    query_id: str
    trait: str | None
    sample: int
    should_refuse: bool
    label: str | None = None
    mirror: str | None = Field(default=None, description="'<pair id>:a|b' for a mirrored request.")
    model: str
    prompt_hash: str | None
    query: str
    response: str | None
    error: str | None = None
    refusal: RefusalVerdict | None = Field(description="Deterministic, rule-based refusal class.")
    refusal_judge: RefusalJudgeVerdict | None = None
    over_refusal: bool | None
    filler: FillerResult | None
    hedging: HedgeResult | None = None
    adherence: AdherenceVerdict | None = None
    trait_hash: str | None = None
    judge_model: str | None = None
    adherence_prompt_hash: str | None = None
    refusal_prompt_hash: str | None = None
