"""The insights file format: ``reports/insights-<name>.json``.

Self-describing: every theme lists its member answer ids (as they appear in
``scores.jsonl`` / ``results.jsonl``), so a viewer can show theme → answers.
A cluster under the privacy floor has no entry of its own: its members are
counted under ``other`` and it is never named, described or quoted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from harness import __version__

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["INSIGHTS_FORMAT_VERSION", "ArmShift", "Insights", "InsightsMethod", "Other", "Selection", "Theme"]

INSIGHTS_FORMAT_VERSION = 1


class Other(BaseModel):
    """Answers in clusters too small to show (fewer distinct queries than the floor)."""

    model_config = ConfigDict(extra="forbid")

    n_answers: int
    n_clusters: int = Field(description="How many clusters under the floor were folded in here.")
    by_arm: dict[str, int] = Field(default_factory=dict)
    member_ids: list[str] = Field(default_factory=list)


class Theme(BaseModel):
    """A named cluster of selected answers (a theme, or a sub-theme inside one)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="'T1', 'T2', …; sub-themes 'T1.1', 'T1.2', ….")
    name: str
    description: str
    named_by: str = Field(description="'model' (the analyst) or 'terms' (distinguishing terms, offline).")
    terms: list[str] = Field(description="Distinguishing terms, each used by at least min_cluster_size distinct queries here.")
    n_answers: int
    n_queries: int = Field(description="Distinct queries (conversations) among the members.")
    kinds: dict[str, int] = Field(description="Failure kind → members showing it.")
    by_arm: dict[str, int] = Field(description="Arm → members.")
    examples: list[str] = Field(description="Facets of members nearest the centre, from distinct queries.")
    member_ids: list[str]
    subthemes: list[Theme] = Field(default_factory=list)
    other_subtheme_answers: int = Field(default=0, description="Members in sub-clusters under the privacy floor.")


class ArmShift(BaseModel):
    """A theme's share of each arm's answers, and the change B − A with a 95% interval."""

    model_config = ConfigDict(extra="forbid")

    theme_id: str
    theme: str
    a_count: int
    a_total: int
    b_count: int
    b_total: int
    a_share: float
    b_share: float
    delta: float
    ci_low: float
    ci_high: float


class ArmComparison(BaseModel):
    """Theme shares in arm A vs arm B, sorted by change (largest increase first)."""

    model_config = ConfigDict(extra="forbid")

    a: str
    b: str
    paired: bool = Field(description="Paired on (query, sample), clustered by query; else Newcombe's unpaired interval.")
    interval: str
    rows: list[ArmShift]


class Selection(BaseModel):
    """What was selected for explaining."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    low_adherence: float
    n_scored: int = Field(description="Answered answers in the inputs (failed calls excluded).")
    n_selected: int
    kinds: dict[str, int] = Field(description="Failure kind → selected answers showing it.")


class InsightsMethod(BaseModel):
    """How facets, embeddings, clusters and names were made."""

    model_config = ConfigDict(extra="forbid")

    harness_version: str = __version__
    sources: list[str]
    facets: str
    facet_fallbacks: int = Field(default=0, description="Facets the analyst did not give, replaced by the offline facet.")
    embedding: str
    clustering: str
    naming: str
    analyst_model: str | None
    facet_prompt_hash: str | None
    name_prompt_hash: str | None
    min_cluster_size: int
    seed: int
    k: int = Field(description="Themes found before the privacy floor.")
    silhouettes: dict[str, float] = Field(description="k → silhouette of the theme clustering.")
    smoke_test: bool = False
    warnings: list[str] = Field(default_factory=list)


class Insights(BaseModel):
    """Failure themes of one or more scored runs or files."""

    model_config = ConfigDict(extra="forbid")

    version: int = INSIGHTS_FORMAT_VERSION
    name: str
    method: InsightsMethod
    selection: Selection
    themes: list[Theme]
    other: Other
    arms: ArmComparison | None = None

    def to_pandas(self) -> pd.DataFrame:
        """One row per selected answer: its theme and sub-theme (see :func:`harness.insights.insights_frame`)."""
        from harness.insights.report import insights_frame

        return insights_frame(self)
