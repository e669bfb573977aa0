"""The per-answer result record: ``scores.jsonl`` / ``results.jsonl``.

Version 2 keeps every check's result in one mapping, ``scores: {check name:
Score}``; the checks themselves are declared once in
:mod:`harness.scores.checks`. Version-1 files (one field per check) are
migrated when read, and the old attribute names (``filler``, ``adherence``,
``refusal``, ``over_refusal``, ...) remain as read-only accessors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.formats import check_version

if TYPE_CHECKING:
    from harness.scores.filler import FillerResult
    from harness.scores.hedging import HedgeResult
    from harness.scores.judges import AdherenceVerdict, RefusalJudgeVerdict
    from harness.scores.refusal import RefusalClass, RefusalVerdict

__all__ = ["SCORE_FORMAT_VERSION", "Score", "ScoredAnswer", "check_version"]

SCORE_FORMAT_VERSION = 2

# Version-1 fields, one per check, that version 2 keeps under ``scores``.
_V1_FIELDS = ("refusal", "refusal_judge", "over_refusal", "filler", "hedging", "adherence",
              "adherence_prompt_hash", "refusal_prompt_hash")


class Score(BaseModel):
    """One check's result for one answer.

    ``value`` is what reports average: a rubric score for *score* checks, 1.0
    or 0.0 for *rate* checks. It is None when the check could not score the
    answer (``scorable`` false: counted apart, never a pass or a fail) or when
    the check does not apply to it (``skipped`` says why, e.g. over-refusal of
    a request that ought to be refused).
    """

    model_config = ConfigDict(extra="forbid")

    value: float | None
    scorable: bool = True
    label: str | None = Field(None, description="A class, for checks that classify (e.g. a refusal class).")
    reason: str = ""
    error: str | None = None
    skipped: str | None = Field(None, description="Why the check does not apply to this answer (value None).")
    source: str | None = Field(None, description="What produced the value: rule, lexicon, judge, or a check it came from.")
    model: str | None = Field(None, description="The judge model, for judged checks.")
    prompt_hash: str | None = Field(None, description="Hash of the judge prompt, for judged checks.")
    detail: dict[str, Any] = Field(default_factory=dict, description="Check-specific evidence (phrases, cues, raw score).")


class ScoredAnswer(BaseModel):
    """Every score of one answer, with what produced each.

    ``scores`` maps a check name (see :mod:`harness.scores.checks`) to its
    :class:`Score`; a check absent from the mapping was not run on this answer.
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
    scores: dict[str, Score] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict, description="Extra columns of an imported file, carried through.")
    trait_hash: str | None = None
    judge_model: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        check_version(data, SCORE_FORMAT_VERSION, "a scored answer")
        if isinstance(data, dict) and any(k in data for k in _V1_FIELDS):
            from harness.scores.checks import migrate_v1

            data = migrate_v1(data)
        return data

    # --- read-compatible accessors for the version-1 field names ---------------

    def score(self, name: str) -> Score | None:
        """The score of check ``name``, or None when it was not run."""
        return self.scores.get(name)

    def value(self, name: str) -> float | None:
        """The value of check ``name`` (None when absent, unscored or not applicable)."""
        s = self.scores.get(name)
        return None if s is None else s.value

    @property
    def refusal(self) -> RefusalVerdict | None:
        from harness.scores.refusal import RefusalVerdict

        s = self.scores.get("refusal")
        if s is None or s.label is None:
            return None
        label = cast("RefusalClass", s.label)  # validated when the score was made
        return RefusalVerdict.model_construct(label=label, cues=list(s.detail.get("cues", [])), reason=s.reason)

    @property
    def refusal_judge(self) -> RefusalJudgeVerdict | None:
        from harness.scores.judges import RefusalJudgeVerdict

        s = self.scores.get("refusal_judge")
        if s is None:
            return None
        label = cast("RefusalClass | None", s.label)  # validated when the score was made
        return RefusalJudgeVerdict.model_construct(
            label=label, reason=s.reason, scorable=s.scorable, error=s.error, note=s.detail.get("note")
        )

    @property
    def adherence(self) -> AdherenceVerdict | None:
        from harness.scores.judges import AdherenceVerdict

        s = self.scores.get("adherence")
        if s is None:
            return None
        d = s.detail
        return AdherenceVerdict.model_construct(
            score=d.get("score"), reason=s.reason, scorable=s.scorable, error=s.error,
            expected_score=d.get("expected_score"), valid_mass=d.get("valid_mass"), note=d.get("note"),
        )

    @property
    def over_refusal(self) -> bool | None:
        v = self.value("over_refusal")
        return None if v is None else bool(v)

    @property
    def filler(self) -> FillerResult | None:
        from harness.scores.filler import FillerResult

        s = self.scores.get("filler")
        if s is None or s.value is None:
            return None
        d = s.detail
        return FillerResult.model_construct(
            has_filler=bool(s.value), phrases=list(d.get("phrases", [])),
            openers=list(d.get("openers", [])), closers=list(d.get("closers", [])),
        )

    @property
    def hedging(self) -> HedgeResult | None:
        from harness.scores.hedging import HedgeResult

        s = self.scores.get("hedging")
        if s is None or s.value is None:
            return None
        return HedgeResult.model_construct(has_hedge=bool(s.value), phrases=list(s.detail.get("phrases", [])))

    @property
    def adherence_prompt_hash(self) -> str | None:
        s = self.scores.get("adherence")
        return None if s is None else s.prompt_hash

    @property
    def refusal_prompt_hash(self) -> str | None:
        s = self.scores.get("refusal_judge")
        return None if s is None else s.prompt_hash
