"""Is a trait spec any good? Check it before spending money on it.

For one trait, answer its queries under two contrasting system prompts (one
embodying the trait, one opposing it: given, or generated from the spec's
own ``expresses`` / ``violates`` text), judge the answers, and measure:

- **separation**: mean adherence (embody − oppose), paired by query and
  sample, with a clustered 95% interval, and a standardised effect size
  (difference ÷ pooled SD of scores, with the interval scaled the same way);
- **judge consistency**: a second, independent judging of the same answers
  (another seed, temperature 1) against the first: exact and within-one
  agreement, quadratic-weighted κ and Spearman's ρ;
- **query diversity**: the near-duplicate rate and the coverage of each
  variation dimension's values;
- **non-discriminating queries**: queries whose embody − oppose difference
  is below ``min_query_gap`` points.

A spec is flagged when the judge cannot tell the trait from its opposite
(the separation's lower bound is below ``min_separation``) or another
check fails, with the reasons.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.agreement import cohen_kappa, spearman
from harness.compare import compare_arms
from harness.config import Project
from harness.errors import HarnessError
from harness.formats import check_version
from harness.queries import Query, load_query_file, mirror_queries, near_duplicate
from harness.rendering import render_markdown, write_artifact
from harness.runs import RunOptions, execute_run, make_judge_client, make_scorer
from harness.scores.records import ScoredAnswer
from harness.system_prompts import SystemPrompt, load_prompt
from harness.traits import TraitSpec, load_traits

__all__ = ["TraitQuality", "contrast_prompts", "render_quality_markdown", "trait_quality"]

QUALITY_FORMAT_VERSION = 1


class Separation(BaseModel):
    """How far apart the judge puts the two contrasting arms."""

    model_config = ConfigDict(extra="forbid")

    embody: float | None
    oppose: float | None
    difference: float | None
    low: float | None
    high: float | None
    effect_size: float | None = Field(description="Difference ÷ pooled SD of the scores.")
    effect_low: float | None
    effect_high: float | None
    n_pairs: int


class Consistency(BaseModel):
    """Agreement between two independent judgings of the same answers."""

    model_config = ConfigDict(extra="forbid")

    n: int
    exact: float | None
    within_one: float | None
    weighted_kappa: float | None
    spearman: float | None


class Diversity(BaseModel):
    """Are the queries varied and do they cover the spec's dimensions?"""

    model_config = ConfigDict(extra="forbid")

    queries: int
    near_duplicate_pairs: int
    near_duplicate_rate: float = Field(description="Share of queries with a near-duplicate elsewhere in the set.")
    coverage: dict[str, float] = Field(description="Dimension → share of its declared values used.")
    missing: dict[str, list[str]] = Field(description="Dimension → declared values no query uses.")


class QueryGap(BaseModel):
    """A query's embody − oppose difference."""

    model_config = ConfigDict(extra="forbid")

    query_id: str
    text: str
    gap: float


class TraitQuality(BaseModel):
    """The whole trait-spec quality report."""

    model_config = ConfigDict(extra="forbid")

    version: int = QUALITY_FORMAT_VERSION

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, QUALITY_FORMAT_VERSION, "a trait-quality report")
        return data
    trait: str
    trait_hash: str
    embody_prompt: str
    oppose_prompt: str
    candidate: str
    judge: str
    separation: Separation
    consistency: Consistency
    diversity: Diversity
    non_discriminating: list[QueryGap]
    flagged: bool
    reasons: list[str]


def contrast_prompts(trait: TraitSpec) -> tuple[SystemPrompt, SystemPrompt]:
    """System prompts embodying and opposing the trait, written from the spec itself."""
    embody = (
        f"You are an AI assistant whose defining trait is: {trait.title}.\n\n{trait.description.strip()}\n\n"
        f"In every reply: {trait.expresses.summary.strip()}\n"
    )
    oppose = (
        f"You are an AI assistant that shows the opposite of this trait: {trait.title}.\n\n"
        f"In every reply: {trait.violates.summary.strip()}\n"
    )
    return (
        SystemPrompt(name=f"{trait.name}-embody", version="spec", path=f"(generated from traits/{trait.name}.yaml)",
                     description="embodies the trait", template=embody, text=embody),
        SystemPrompt(name=f"{trait.name}-oppose", version="spec", path=f"(generated from traits/{trait.name}.yaml)",
                     description="opposes the trait", template=oppose, text=oppose),
    )


def _separation(embody: list[ScoredAnswer], oppose: list[ScoredAnswer], trait: str, scale: float) -> Separation:
    comparison = compare_arms(oppose, embody, a_name="oppose", b_name="embody", flips=0, score_range=scale)
    try:
        row = comparison.metric(f"adherence:{trait}")
    except KeyError:
        return Separation(embody=None, oppose=None, difference=None, low=None, high=None, effect_size=None,
                          effect_low=None, effect_high=None, n_pairs=0)
    scores = [float(s.adherence.value) for s in embody + oppose if s.adherence and s.adherence.value is not None]
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((x - mean) ** 2 for x in scores) / max(1, len(scores) - 1))
    def scale_by(x: float | None) -> float | None:
        return None if x is None or sd == 0 else round(x / sd, 4)

    return Separation(
        embody=row.b, oppose=row.a, difference=row.delta, low=row.ci_low, high=row.ci_high,
        effect_size=scale_by(row.delta), effect_low=scale_by(row.ci_low), effect_high=scale_by(row.ci_high),
        n_pairs=row.n_pairs,
    )


def _consistency(first: list[ScoredAnswer], second: list[ScoredAnswer], lo: int, hi: int) -> Consistency:
    by_id = {s.id: s for s in second}
    pairs = [
        (a.adherence.score, b.adherence.score)
        for a in first
        if (b := by_id.get(a.id)) and a.adherence and b.adherence and a.adherence.scorable and b.adherence.scorable
    ]
    if not pairs:
        return Consistency(n=0, exact=None, within_one=None, weighted_kappa=None, spearman=None)
    x = [int(p[0]) for p in pairs if p[0] is not None and p[1] is not None]
    y = [int(p[1]) for p in pairs if p[0] is not None and p[1] is not None]
    rho, _ = spearman(x, y)
    kappa = cohen_kappa(x, y, list(range(lo, hi + 1)), quadratic=True)
    return Consistency(
        n=len(pairs),
        exact=round(sum(a == b for a, b in pairs) / len(pairs), 4),
        within_one=round(sum(abs(a - b) <= 1 for a, b in zip(x, y, strict=True)) / len(pairs), 4),
        weighted_kappa=None if kappa is None else round(kappa, 4),
        spearman=None if rho is None else round(rho, 4),
    )


def _diversity(trait: TraitSpec, queries: list[Query]) -> Diversity:
    dup_pairs = 0
    has_dup: set[str] = set()
    for a, b in combinations(queries, 2):
        if near_duplicate(a.text, b.text):
            dup_pairs += 1
            has_dup.update((a.id, b.id))
    coverage, missing = {}, {}
    for dim, values in sorted(trait.dimensions.items()):
        used = {q.dimensions.get(dim) for q in queries}
        missing[dim] = [v for v in values if v not in used]
        coverage[dim] = round(1 - len(missing[dim]) / len(values), 4)
    return Diversity(
        queries=len(queries), near_duplicate_pairs=dup_pairs,
        near_duplicate_rate=round(len(has_dup) / len(queries), 4) if queries else 0.0,
        coverage=coverage, missing={k: v for k, v in missing.items() if v},
    )


def _gaps(embody: list[ScoredAnswer], oppose: list[ScoredAnswer], texts: dict[str, str]) -> list[QueryGap]:
    def means(items: list[ScoredAnswer]) -> dict[str, float]:
        groups: dict[str, list[float]] = defaultdict(list)
        for s in items:
            if s.adherence and s.adherence.value is not None:
                groups[s.query_id].append(float(s.adherence.value))
        return {q: sum(v) / len(v) for q, v in groups.items()}

    e, o = means(embody), means(oppose)
    return sorted(
        (QueryGap(query_id=q, text=texts.get(q, ""), gap=round(e[q] - o[q], 4)) for q in e if q in o),
        key=lambda g: (g.gap, g.query_id),
    )


def trait_quality(
    project: Project,
    trait_name: str,
    *,
    embody: str | None = None,
    oppose: str | None = None,
    options: RunOptions | None = None,
    min_separation: float = 1.0,
    min_query_gap: float = 1.0,
    min_kappa: float = 0.6,
    max_duplicate_rate: float = 0.2,
    progress=None,
) -> TraitQuality:
    """Run the contrast experiment for one trait and assess the spec."""
    traits = load_traits(project.traits_dir)
    if trait_name not in traits:
        raise HarnessError(f"no trait named {trait_name!r}", fix=f"known traits: {', '.join(traits)}")
    trait = traits[trait_name]
    query_file = project.evals_dir / f"{trait_name}.jsonl"
    queries = load_query_file(query_file) if query_file.is_file() else []
    if not queries and not trait.mirrors:
        raise HarnessError(f"no queries for {trait_name}", fix=f"run `harness generate {trait_name}` first")
    generated = contrast_prompts(trait)
    variables = project.config.prompt_variables
    arms = [
        load_prompt(project.prompts_dir, embody, variables) if embody else generated[0],
        load_prompt(project.prompts_dir, oppose, variables) if oppose else generated[1],
    ]
    base = options or RunOptions()
    run = execute_run(
        project,
        replace(base, prompt_versions=arms, evals=[str(query_file)], name=base.name or f"trait-quality-{trait_name}",
                write_report=False),
        progress,
    )
    scored = [s for s in run.scores if s.trait == trait_name]
    first = {arms[0].ref: [s for s in scored if s.arm == arms[0].ref], arms[1].ref: [s for s in scored if s.arm == arms[1].ref]}
    second = _rejudge(project, run, scored, traits, base)
    separation = _separation(first[arms[0].ref], first[arms[1].ref], trait_name, trait.max_score - trait.min_score)
    consistency = _consistency(scored, second, trait.min_score, trait.max_score)
    all_queries = queries + [m for m in mirror_queries(trait) if m.id not in {q.id for q in queries}]
    diversity = _diversity(trait, queries)
    gaps = _gaps(first[arms[0].ref], first[arms[1].ref], {q.id: q.text for q in all_queries})
    weak = [g for g in gaps if g.gap < min_query_gap]
    reasons = _reasons(separation, consistency, diversity, weak, gaps, min_separation, min_kappa, max_duplicate_rate)
    return TraitQuality(
        trait=trait_name, trait_hash=trait.spec_hash(), embody_prompt=arms[0].ref, oppose_prompt=arms[1].ref,
        candidate=run.spec.candidate, judge=run.spec.judge or "none", separation=separation,
        consistency=consistency, diversity=diversity, non_discriminating=weak, flagged=bool(reasons), reasons=reasons,
    )


def _rejudge(project: Project, run, scored: list[ScoredAnswer], traits: dict[str, TraitSpec], options: RunOptions) -> list[ScoredAnswer]:
    """A second, independent judging: another seed, at temperature 1."""
    from harness._sync import run_sync
    from harness.answers import load_answers
    from harness.models.cache import ResponseCache
    from harness.scores.score import score_answers

    cache = ResponseCache(project.cache_path)
    try:
        judge = make_judge_client(project, options.judge, options.judge_provider, cache)
        if judge is None:
            raise HarnessError("trait quality needs a judge", fix="pass --judge MODEL (not 'none')")
        scorer = make_scorer(project, judge, traits, judge_refusal=False, temperature=1.0,
                             seed=project.config.judge.seed + 1)
        answers = [a for a in load_answers(run.directory / "answers.jsonl").values() if a.trait in traits]
        wanted = {s.id for s in scored}
        return run_sync(score_answers(scorer, [a for a in answers if a.id in wanted]))
    finally:
        cache.close()


def _reasons(sep: Separation, con: Consistency, div: Diversity, weak: list[QueryGap], gaps: list[QueryGap],
             min_separation: float, min_kappa: float, max_dup: float) -> list[str]:
    reasons = []
    if sep.low is None or sep.low < min_separation:
        reasons.append(
            f"the judge cannot reliably tell the trait from its opposite: separation {sep.difference} "
            f"[{sep.low}, {sep.high}] has a lower bound below {min_separation} point(s); sharpen the rubric's anchors "
            "or the expresses/violates descriptions"
        )
    if con.weighted_kappa is None or con.weighted_kappa < min_kappa:
        reasons.append(
            f"the judge is inconsistent: two independent judgings agree with weighted κ = {con.weighted_kappa} "
            f"(< {min_kappa}); make rubric levels concrete and observable"
        )
    if div.near_duplicate_rate > max_dup:
        reasons.append(f"{div.near_duplicate_rate:.0%} of queries have a near-duplicate; regenerate or edit them")
    for dim, values in div.missing.items():
        reasons.append(f"dimension {dim!r} has values no query uses: {', '.join(values)}")
    if gaps and len(weak) / len(gaps) > 0.3:
        reasons.append(f"{len(weak)} of {len(gaps)} queries do not discriminate (embody − oppose gap below threshold)")
    return reasons


def render_quality_markdown(q: TraitQuality) -> str:
    """The human-readable trait-spec report."""
    return render_markdown("trait_quality.md.j2", q=q)


def write_quality(q: TraitQuality, directory: Path) -> tuple[Path, Path]:
    """Write ``trait-quality-<trait>.md`` and ``.json``."""
    return write_artifact(q, render_quality_markdown(q), directory, f"trait-quality-{q.trait}")
