"""Comparisons: is arm B better than arm A, beyond sampling noise?

Arms are compared *paired*: on the same queries and sample indices. For every
metric (adherence per trait and pooled, over-refusal, filler) a comparison
gives each arm's mean, the paired difference B − A with a 95% interval whose
standard errors are clustered by query (and stratified by trait when pooling
traits), a p-value, a Benjamini–Hochberg q-value across all metrics, the
minimum detectable effect at the achieved n, and a verdict that knows the
metric's good direction.

Intervals: scores use the cluster-robust (CR1) t interval; rates use
Newcombe's paired MOVER interval from Wilson limits at the effective sample
size, which stays valid near 0% and 100% (see :mod:`harness.stats`).
"""

from __future__ import annotations

import json
import math
import sys
import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.errors import HarnessError
from harness.formats import check_version, json_error, load_model
from harness.formatting import excerpt, fmt, format_p, pct, signed
from harness.rendering import render_markdown, write_artifact
from harness.scores.checks import Check, all_checks, scored_checks
from harness.scores.records import ScoredAnswer
from harness.stats import (
    benjamini_hochberg,
    minimum_detectable_effect,
    paired_diff_ci,
    paired_rate_diff_ci,
)

__all__ = [
    "Comparison",
    "MetricComparison",
    "compare_arms",
    "format_delta",
    "format_p",
    "format_value",
    "load_scored",
    "pair_arms",
    "render_comparison_markdown",
    "select_arm",
]

COMPARISON_FORMAT_VERSION = 2
Verdict = Literal["improved", "regressed", "no_change", "inconclusive"]
_DIGITS = 4


@dataclass(frozen=True)
class Metric:
    """A per-answer quantity to compare, and which direction is good (one per check, or per trait)."""

    name: str
    family: str
    kind: Literal["score", "rate"]
    higher_is_better: bool
    value: Callable[[ScoredAnswer], float | bool | None]
    pooled_by_trait: bool = False
    value_range: float | None = None
    check: str = ""


def _value_of(name: str, trait: str | None = None) -> Callable[[ScoredAnswer], float | None]:
    if trait is None:
        return lambda s: s.value(name)
    return lambda s: s.value(name) if s.trait == trait else None


def _adherence(s: ScoredAnswer) -> float | None:
    # The probability-weighted score where the judge gave log-probabilities, else the integer.
    return s.value("adherence")


def metrics_for(traits: Iterable[str], checks: Iterable[Check] | None = None) -> list[Metric]:
    """Every metric compared: each compared check, and per-trait checks per trait and pooled."""
    out = []
    for c in checks if checks is not None else all_checks():
        if not c.compare:
            continue
        if c.per_trait:
            out += [Metric(f"{c.name}:{t}", c.family, c.kind, c.higher_is_better, _value_of(c.name, t),
                           value_range=c.value_range, check=c.name) for t in sorted(traits)]
        out.append(Metric(c.name, c.family, c.kind, c.higher_is_better, _value_of(c.name),
                          pooled_by_trait=c.per_trait, value_range=c.value_range, check=c.name))
    return out


def default_min_effects() -> dict[str, float]:
    """``[compare].min_effect`` defaults: each check's own."""
    return {c.family: c.min_effect for c in all_checks() if c.min_effect is not None}


def default_margins() -> dict[str, float]:
    """``[check].margins`` defaults: each check's own (checks without one are not gated)."""
    return {c.family: c.margin for c in all_checks() if c.margin is not None}


class MetricComparison(BaseModel):
    """One metric's comparison. The JSON schema of ``harness compare --format json`` rows."""

    model_config = ConfigDict(extra="forbid")

    metric: str
    family: str
    kind: Literal["score", "rate"] = Field("rate", description="score: points on the check's scale; rate: a share.")
    higher_is_better: bool
    source: str | None = Field(None, description="What produced the values (e.g. rule, judge), when the check says.")
    n_pairs: int = Field(description="Paired observations (query × sample present and scored in both arms).")
    n_queries: int
    a: float | None = Field(description="Arm A's mean over the pairs.")
    b: float | None
    delta: float | None = Field(description="B − A.")
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    q_value: float | None = Field(description="Benjamini–Hochberg across all metrics in this comparison.")
    mde: float | None = Field(description="Minimum detectable effect at the achieved n (80% power, two-sided 5%).")
    verdict: Verdict


class Flip(BaseModel):
    """A query whose outcome changed a lot between the arms."""

    model_config = ConfigDict(extra="forbid")

    query_id: str
    trait: str | None
    metric: str
    change: float
    query: str
    a_answer: str
    b_answer: str
    a_reason: str
    b_reason: str


class Comparison(BaseModel):
    """A whole A/B comparison."""

    model_config = ConfigDict(extra="forbid")

    version: int = COMPARISON_FORMAT_VERSION

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, COMPARISON_FORMAT_VERSION, "a comparison")
        return data
    a: str
    b: str
    alpha: float
    metrics: list[MetricComparison]
    flips: list[Flip]
    caveats: list[str] = Field(
        default_factory=list, description="What to keep in mind reading it, e.g. that it rests on the smoke-test model."
    )

    def metric(self, name: str) -> MetricComparison:
        """The row for ``name`` (e.g. ``filler`` or ``adherence:directness``)."""
        for row in self.metrics:
            if row.metric == name:
                return row
        raise KeyError(name)


def _r(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, _DIGITS)


def _pairs(metric: Metric, a: list[ScoredAnswer], b: list[ScoredAnswer]) -> list[tuple[ScoredAnswer, ScoredAnswer, float, float]]:
    index = {(s.query_id, s.sample): s for s in b}
    out = []
    for sa in sorted(a, key=lambda s: (s.query_id, s.sample)):
        sb = index.get((sa.query_id, sa.sample))
        if sb is None:
            continue
        va, vb = metric.value(sa), metric.value(sb)
        if va is None or vb is None:
            continue
        out.append((sa, sb, float(va), float(vb)))
    return out


def _verdict(
    row_delta: float, p: float, q: float, mde: float, higher_is_better: bool, alpha: float, min_effect: float
) -> Verdict:
    if q < alpha and row_delta != 0:
        better = row_delta > 0 if higher_is_better else row_delta < 0
        return "improved" if better else "regressed"
    if math.isfinite(mde) and mde <= min_effect:
        return "no_change"
    return "inconclusive"


def compare_arms(
    a: list[ScoredAnswer],
    b: list[ScoredAnswer],
    *,
    a_name: str = "A",
    b_name: str = "B",
    alpha: float = 0.05,
    power: float = 0.8,
    min_effect: dict[str, float] | None = None,
    flips: int = 5,
    score_range: float = 4.0,
) -> Comparison:
    """Compare two arms' scored answers, paired on (query, sample).

    ``score_range`` is the width of the adherence scale (4 for 1–5 rubrics); it
    bounds the interval when the observed differences have no variance.
    """
    min_effect = {**default_min_effects(), **(min_effect or {})}
    per_trait = {c.name for c in all_checks() if c.per_trait}
    traits = {s.trait for s in [*a, *b] if s.trait and any(n in s.scores for n in per_trait)}
    present = scored_checks(a) & scored_checks(b)
    raw = []
    for metric in metrics_for(traits):
        if metric.check not in present:
            continue
        pairs = _pairs(metric, a, b)
        if len(pairs) < 2:
            continue
        va = [p[2] for p in pairs]
        vb = [p[3] for p in pairs]
        clusters = [p[0].query_id for p in pairs]
        strata = [p[0].trait for p in pairs] if metric.pooled_by_trait else None
        if metric.kind == "score":
            diff = paired_diff_ci(va, vb, clusters, strata, value_range=metric.value_range or score_range)
            mean_a, mean_b = _stratified_mean(va, strata), _stratified_mean(vb, strata)
        else:
            diff = paired_rate_diff_ci([bool(x) for x in va], [bool(x) for x in vb], clusters, strata)
            mean_a, mean_b = sum(va) / len(va), sum(vb) / len(vb)
        raw.append((metric, pairs, mean_a, mean_b, diff))
    q_values = benjamini_hochberg([d.p_value if math.isfinite(d.p_value) else 1.0 for *_, d in raw])
    rows = []
    for (metric, pairs, mean_a, mean_b, diff), q in zip(raw, q_values, strict=True):
        p = diff.p_value if math.isfinite(diff.p_value) else 1.0
        mde = minimum_detectable_effect(diff.se, alpha, power) if math.isfinite(diff.se) else float("nan")
        rows.append(
            MetricComparison(
                metric=metric.name,
                family=metric.family,
                kind=metric.kind,
                higher_is_better=metric.higher_is_better,
                source=_sources(pairs, metric.check),
                n_pairs=len(pairs),
                n_queries=len({x[0].query_id for x in pairs}),
                a=_r(mean_a),
                b=_r(mean_b),
                delta=_r(diff.delta),
                ci_low=_r(diff.low),
                ci_high=_r(diff.high),
                p_value=_r(p),
                q_value=_r(q),
                mde=_r(mde),
                verdict=_verdict(diff.delta, p, q, mde, metric.higher_is_better, alpha, min_effect.get(metric.family, 0.0)),
            )
        )
    if not rows:
        raise HarnessError(
            f"nothing to compare: {a_name} and {b_name} share no scored (query, sample) pairs",
            fix="compare arms evaluated on the same query files and sample counts",
        )
    return Comparison(a=a_name, b=b_name, alpha=alpha, metrics=rows, flips=_flips(a, b, flips), caveats=_caveats(a, b))


def _caveats(a: list[ScoredAnswer], b: list[ScoredAnswer]) -> list[str]:
    from harness.models.smoke_test import smoke_test_caveat

    caveat = smoke_test_caveat(m for s in [*a, *b] for m in (s.model, s.judge_model))
    return [caveat] if caveat else []


def _sources(pairs: list[tuple[ScoredAnswer, ScoredAnswer, float, float]], check: str) -> str | None:
    found = sorted({sc.source for p in pairs for s in p[:2] if (sc := s.scores.get(check)) is not None and sc.source})
    return "+".join(found) or None


def _stratified_mean(values: list[float], strata: list | None) -> float:
    if strata is None:
        return sum(values) / len(values)
    groups: dict[object, list[float]] = defaultdict(list)
    for v, s in zip(values, strata, strict=True):
        groups[s].append(v)
    return sum(sum(g) / len(g) for g in groups.values()) / len(groups)


def _outcome(s: ScoredAnswer) -> tuple[str, float] | None:
    """A query-level outcome on a common 0–1 scale: adherence if graded, else refusal."""
    score = _adherence(s)
    if score is not None:
        return "adherence", score
    refused = s.value("refusal")
    if refused is not None:
        return "refusal", refused
    return None


def _flips(a: list[ScoredAnswer], b: list[ScoredAnswer], limit: int) -> list[Flip]:
    by_query: dict[str, dict[str, list[ScoredAnswer]]] = defaultdict(lambda: {"a": [], "b": []})
    for s in a:
        by_query[s.query_id]["a"].append(s)
    for s in b:
        by_query[s.query_id]["b"].append(s)
    flips = []
    for qid, sides in by_query.items():
        outs_a = [o for s in sides["a"] if (o := _outcome(s))]
        outs_b = [o for s in sides["b"] if (o := _outcome(s))]
        if not outs_a or not outs_b or outs_a[0][0] != outs_b[0][0]:
            continue
        change = sum(v for _, v in outs_b) / len(outs_b) - sum(v for _, v in outs_a) / len(outs_a)
        if change == 0:
            continue
        sa = min(sides["a"], key=lambda s: s.sample)
        sb = min(sides["b"], key=lambda s: s.sample)
        flips.append(
            Flip(
                query_id=qid,
                trait=sa.trait,
                metric=outs_a[0][0],
                change=round(change, _DIGITS),
                query=sa.query,
                a_answer=excerpt(sa.response, 300),
                b_answer=excerpt(sb.response, 300),
                a_reason=_reason(sa),
                b_reason=_reason(sb),
            )
        )
    flips.sort(key=lambda f: (-abs(f.change), f.query_id))
    return flips[:limit]


def _reason(s: ScoredAnswer) -> str:
    for name in ("adherence", "refusal"):
        sc = s.scores.get(name)
        if sc is not None and sc.reason:
            return excerpt(sc.reason, 300)
    return ""


# --- inputs -------------------------------------------------------------------


def load_scored(path: Path | str) -> list[ScoredAnswer]:
    """Scored answers from a run directory, a `harness score` output directory, or a JSONL file."""
    path = Path(path)
    if path.is_dir():
        for name in ("scores.jsonl", "results.jsonl"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            raise HarnessError(
                f"{path} holds no scores.jsonl or results.jsonl", fix="pass a run directory or `harness score --out` directory"
            )
    if not path.is_file():
        raise HarnessError(f"{path} does not exist")
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise json_error(f"{path}, line {lineno}", exc) from None
        out.append(load_model(ScoredAnswer, data, f"{path}, line {lineno}"))
    return out


def arms_of(scores: list[ScoredAnswer]) -> list[str]:
    """The arms present, sorted."""
    return sorted({s.arm for s in scores})


def select_arm(scores: list[ScoredAnswer], name: str | None, source: str) -> tuple[str, list[ScoredAnswer]]:
    """The answers of one arm; ``name`` may be the full arm or its version after '@'."""
    arms = arms_of(scores)
    if name is None:
        if len(arms) != 1:
            raise HarnessError(f"{source} has arms {', '.join(arms)}", fix="choose one with --arms")
        return arms[0], scores
    matches = [a for a in arms if a == name] or [a for a in arms if a.split("@")[-1] == name]
    if len(matches) != 1:
        raise HarnessError(f"{source}: no single arm matches {name!r}", fix=f"arms are: {', '.join(arms)}")
    return matches[0], [s for s in scores if s.arm == matches[0]]


def pair_arms(
    sources: Sequence[str | Path | list[ScoredAnswer]], arms: Sequence[str] | None = None
) -> tuple[str, list[ScoredAnswer], str, list[ScoredAnswer]]:
    """The two arms to compare: two arms of one source, or one arm of each of two sources.

    A source is a run directory, a ``harness score`` output, a results JSONL, or
    scored answers already loaded. ``arms`` names the arms (``name@version`` or
    just the version): two for one source; none, one (for both) or two (one
    each) for two sources. Returns ``(name_a, answers_a, name_b, answers_b)``.
    """
    arms = list(arms or [])

    def scored(source: str | Path | list[ScoredAnswer]) -> tuple[str, list[ScoredAnswer]]:
        if isinstance(source, list):
            return "scores", source
        return str(source), load_scored(source)

    if len(sources) == 1:
        if len(arms) != 2:
            raise HarnessError("comparing within one run needs two arms", fix="e.g. harness compare RUN --arms v1 v2")
        label, scores = scored(sources[0])
        name_a, a = select_arm(scores, arms[0], label)
        name_b, b = select_arm(scores, arms[1], label)
        return name_a, a, name_b, b
    if len(sources) != 2:
        raise HarnessError("give one source with --arms A B, or two sources", fix="harness compare RUN_A RUN_B")
    if len(arms) > 2:
        raise HarnessError("--arms takes one arm (for both sources) or two (one each)")
    pick: list[str | None] = list((arms * 2)[:2]) if arms else [None, None]
    (label_a, all_a), (label_b, all_b) = scored(sources[0]), scored(sources[1])
    name_a, a = select_arm(all_a, pick[0], label_a)
    name_b, b = select_arm(all_b, pick[1], label_b)
    if name_a == name_b:
        name_a, name_b = f"{Path(label_a).name}:{name_a}", f"{Path(label_b).name}:{name_b}"
    return name_a, a, name_b, b


# --- rendering ----------------------------------------------------------------

_ARROWS = {"improved": "✅ improved", "regressed": "❌ regressed", "no_change": "➖ no change", "inconclusive": "❔ inconclusive"}


def format_value(row: MetricComparison, x: float | None) -> str:
    """A metric value in its unit: score points, or a percentage for rates."""
    if x is None:
        return "—"
    return pct(x) if row.kind == "rate" else fmt(x)


def format_delta(row: MetricComparison) -> str:
    """The difference with its interval: points for scores, percentage points for rates."""
    if row.kind == "score":
        return f"{signed(row.delta)} [{signed(row.ci_low)}, {signed(row.ci_high)}]"

    def points(x: float | None) -> float | None:
        return None if x is None else 100 * x

    return f"{signed(points(row.delta), 1)} pp [{signed(points(row.ci_low), 1)}, {signed(points(row.ci_high), 1)}]"


def format_mde(row: MetricComparison) -> str:
    """The minimum detectable effect in the metric's unit."""
    if row.kind == "score":
        return fmt(row.mde)
    return "—" if row.mde is None else f"{100 * row.mde:.1f} pp"


def _anchor(query_id: str) -> str:
    from harness.viewer.page import query_anchor

    return query_anchor(query_id)


_FILTERS = (("value", format_value), ("delta", format_delta), ("mde", format_mde), ("anchor", _anchor))


def render_comparison_markdown(comparison: Comparison, view: str | None = None) -> str:
    """Markdown that reads well as a pull-request comment, rendered from the comparison alone.

    ``view``: the file name of the HTML viewer (``harness view``) to link each flip into.
    """
    counts = {v: sum(r.verdict == v for r in comparison.metrics) for v in _ARROWS}
    return render_markdown("comparison.md.j2", _FILTERS, c=comparison, counts=counts, arrows=_ARROWS, view=view)


def write_comparison(comparison: Comparison, directory: Path, name: str) -> tuple[Path, Path]:
    """Write ``<name>.md`` and ``<name>.json``; returns both paths."""
    return write_artifact(comparison, render_comparison_markdown(comparison), directory, name)


class _CallableModule(types.ModuleType):
    """``harness.compare`` is both this module and the API function :func:`harness.api.compare`.

    Importing a submodule sets it as an attribute of its package, so once this
    module is imported ``harness.compare`` names the module, not the function.
    Calling the module calls the function, so ``harness.compare(run, arms=...)``
    works whichever of the two the name currently holds.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Comparison:
        from harness.api import compare

        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
