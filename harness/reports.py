"""Reports: per arm × trait summaries with intervals, worst examples, provenance.

Reports are deterministic: the same scored answers give the same bytes
(stable ordering, rounded numbers, no timestamps, no call counts), so a
committed report diffs cleanly in review.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from harness import __version__
from harness.rendering import template
from harness.scores.filler import approx_tokens
from harness.scores.records import ScoredAnswer
from harness.stats import clustered_mean_ci, wilson_ci

__all__ = ["Provenance", "Report", "build_report", "render_markdown", "write_report"]

REPORT_FORMAT_VERSION = 1
NO_TRAIT = "(probes)"
_DIGITS = 4


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, _DIGITS)


class Estimate(BaseModel):
    """A mean or rate with its 95% interval (bounds None when n is too small)."""

    model_config = ConfigDict(extra="forbid")

    value: float | None
    low: float | None
    high: float | None
    n: int


class Row(BaseModel):
    """One arm × trait cell."""

    model_config = ConfigDict(extra="forbid")

    arm: str
    trait: str
    n: int = Field(description="Answers in this cell (failed calls included).")
    failed: int = Field(description="Answers whose model call failed after retries.")
    adherence: Estimate | None = Field(description="Mean judge score, 95% CI clustered by query.")
    unscored: int = Field(description="Answers the judge could not score (not counted as pass or fail).")
    over_refusal: Estimate | None = Field(description="Share of benign requests refused in full or part (Wilson CI).")
    unsafe_complied: Estimate | None = Field(description="Share of should-refuse requests fully complied with.")
    filler: Estimate | None = Field(description="Share of answers with a stock opener or closer (Wilson CI).")
    filler_per_1k_tokens: float | None = Field(
        None, description="Filler phrases per 1,000 answer tokens (tokens ≈ whitespace words × 1.3)."
    )
    judge_rule_refusal_agreement: float | None = Field(
        description="Agreement between the judge's and the rule-based refusal classes."
    )


class Example(BaseModel):
    """An answer worth reading: among the lowest-scoring, or an over-refusal."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    arm: str
    trait: str
    id: str
    score: int | None
    reason: str
    query: str
    response: str


class MirrorRow(BaseModel):
    """Asymmetry between the two sides of mirrored requests, for one arm and metric."""

    model_config = ConfigDict(extra="forbid")

    arm: str
    trait: str
    metric: str = Field(description="refusal (any refusal), hedging (stock hedges) or adherence (judge score).")
    side_a: float | None
    side_b: float | None
    difference: float | None = Field(description="Side a − side b, paired by mirror pair and sample.")
    low: float | None
    high: float | None
    n_pairs: int


class Provenance(BaseModel):
    """Exactly what produced the numbers."""

    model_config = ConfigDict(extra="forbid")

    harness_version: str = __version__
    candidate_models: list[str]
    judge_model: str | None
    adherence_prompt_hash: str | None
    refusal_prompt_hash: str | None
    prompts: dict[str, str] = Field(description="Arm → system prompt hash.")
    traits: dict[str, str] = Field(description="Trait → spec hash.")
    query_files: dict[str, str] = Field(default_factory=dict, description="Query file → content hash.")
    samples: int | None = None
    smoke_test: bool = False
    warnings: list[str] = Field(default_factory=list, description="Caveats about how the numbers were made.")


class Report(BaseModel):
    """The JSON report; the Markdown is rendered from it."""

    model_config = ConfigDict(extra="forbid")

    version: int = REPORT_FORMAT_VERSION
    name: str
    provenance: Provenance
    rows: list[Row]
    filler_phrases: dict[str, dict[str, int]] = Field(description="Arm → phrase → answers containing it.")
    filler_answers: dict[str, int] = Field(
        default_factory=dict, description="Arm → answers checked for filler (the denominator of filler_phrases)."
    )
    examples: list[Example]
    mirrors: list[MirrorRow] = Field(default_factory=list)


def _estimate(ci: tuple[float | None, float | None, float | None], n: int) -> Estimate:
    return Estimate(value=_r(ci[0]), low=_r(ci[1]), high=_r(ci[2]), n=n)


def _rate(flags: list[bool]) -> Estimate | None:
    if not flags:
        return None
    return _estimate(wilson_ci(sum(flags), len(flags)), len(flags))


def _row(arm: str, trait: str, items: list[ScoredAnswer]) -> Row:
    answered = [s for s in items if s.response is not None]
    scored = [s for s in answered if s.adherence is not None and s.adherence.scorable]
    graded = [s for s in answered if s.adherence is not None]
    adherence = None
    if scored:
        # The probability-weighted score where the judge returned log-probabilities, else the integer.
        values = [float(s.adherence.value) for s in scored]  # type: ignore[union-attr, arg-type]
        adherence = _estimate(clustered_mean_ci(values, [s.query_id for s in scored]), len(scored))
    both = [s for s in answered if s.refusal_judge is not None and s.refusal_judge.scorable and s.refusal]
    agreement = None
    if both:
        agreement = _r(sum(s.refusal_judge.label == s.refusal.label for s in both) / len(both))  # type: ignore[union-attr]
    return Row(
        arm=arm,
        trait=trait,
        n=len(items),
        failed=len(items) - len(answered),
        adherence=adherence,
        unscored=len(graded) - len(scored),
        over_refusal=_rate([bool(s.over_refusal) for s in answered if s.over_refusal is not None]),
        unsafe_complied=_rate(
            [s.refusal.label == "full_compliance" for s in answered if s.should_refuse and s.refusal is not None]
        ),
        filler=_rate([s.filler.has_filler for s in answered if s.filler is not None]),
        filler_per_1k_tokens=_per_1k_tokens(answered),
        judge_rule_refusal_agreement=agreement,
    )


def _per_1k_tokens(answered: list[ScoredAnswer]) -> float | None:
    """Filler phrases per 1,000 approximate tokens, over all checked answers together."""
    checked = [s for s in answered if s.filler is not None and s.response is not None]
    tokens = sum(approx_tokens(s.response) for s in checked)  # type: ignore[arg-type]
    if not tokens:
        return None
    return _r(1000 * sum(len(s.filler.phrases) for s in checked) / tokens)  # type: ignore[union-attr]


def _excerpt(text: str | None, limit: int = 240) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _examples(scores: list[ScoredAnswer], per_arm: int) -> list[Example]:
    out: list[Example] = []
    by_arm: dict[str, list[ScoredAnswer]] = defaultdict(list)
    for s in scores:
        by_arm[s.arm].append(s)
    for arm in sorted(by_arm):
        items = by_arm[arm]
        graded = [s for s in items if s.adherence is not None and s.adherence.scorable]
        lowest = _one_per_query(sorted(graded, key=lambda s: (s.adherence.score, s.id)))  # type: ignore[union-attr]
        for s in lowest[:per_arm]:
            out.append(_example("lowest adherence", s, s.adherence.score, s.adherence.reason))  # type: ignore[union-attr]
        refused = _one_per_query(sorted((s for s in items if s.over_refusal), key=lambda s: s.id))
        for s in refused[:per_arm]:
            out.append(_example("over-refusal", s, None, s.refusal.reason if s.refusal else ""))
    return out


_MIRROR_METRICS = {
    "refusal": lambda s: None if s.refusal is None else float(s.refusal.label != "full_compliance"),
    "hedging": lambda s: None if s.hedging is None else float(s.hedging.has_hedge),
    "adherence": lambda s: None if s.adherence is None or s.adherence.value is None else float(s.adherence.value),
}


def _mirror_rows(scores: list[ScoredAnswer]) -> list[MirrorRow]:
    """Side a vs side b of each mirrored pair, per arm and trait, with paired intervals."""
    from harness.stats import paired_diff_ci, paired_rate_diff_ci

    sides: dict[tuple[str, str], dict[tuple[str, int], dict[str, ScoredAnswer]]] = defaultdict(lambda: defaultdict(dict))
    for s in scores:
        if s.mirror and s.response is not None:
            pair, _, side = s.mirror.rpartition(":")
            sides[(s.arm, s.trait or NO_TRAIT)][(pair, s.sample)][side] = s
    rows = []
    for (arm, trait), pairs in sorted(sides.items()):
        for metric, value in _MIRROR_METRICS.items():
            matched = [
                (key[0], va, vb)
                for key, both in sorted(pairs.items())
                if "a" in both and "b" in both
                and (va := value(both["a"])) is not None and (vb := value(both["b"])) is not None
            ]
            if not matched:
                continue
            clusters = [m[0] for m in matched]
            # paired_* compute B − A; pass (b, a) to report side a − side b.
            a_vals, b_vals = [m[1] for m in matched], [m[2] for m in matched]
            if len(set(clusters)) < 2:
                low = high = None
                diff = sum(a_vals) / len(a_vals) - sum(b_vals) / len(b_vals)
            elif metric == "adherence":
                d = paired_diff_ci(b_vals, a_vals, clusters, value_range=4.0)
                diff, low, high = d.delta, d.low, d.high
            else:
                d = paired_rate_diff_ci([bool(x) for x in b_vals], [bool(x) for x in a_vals], clusters)
                diff, low, high = d.delta, d.low, d.high
            rows.append(
                MirrorRow(
                    arm=arm, trait=trait, metric=metric,
                    side_a=_r(sum(a_vals) / len(a_vals)), side_b=_r(sum(b_vals) / len(b_vals)),
                    difference=_r(diff), low=_r(low), high=_r(high), n_pairs=len(matched),
                )
            )
    return rows


def _one_per_query(ranked: list[ScoredAnswer]) -> list[ScoredAnswer]:
    """Keep the first answer of each query: examples should show different queries."""
    seen: set[str] = set()
    out = []
    for s in ranked:
        if s.query_id not in seen:
            seen.add(s.query_id)
            out.append(s)
    return out


def _example(kind: str, s: ScoredAnswer, score: int | None, reason: str) -> Example:
    return Example(
        kind=kind,
        arm=s.arm,
        trait=s.trait or NO_TRAIT,
        id=s.id,
        score=score,
        reason=_excerpt(reason, 300),
        query=_excerpt(s.query, 200),
        response=_excerpt(s.response),
    )


def build_report(name: str, scores: list[ScoredAnswer], provenance: Provenance, examples_per_arm: int = 3) -> Report:
    """Summarise scored answers into a :class:`Report`."""
    cells: dict[tuple[str, str], list[ScoredAnswer]] = defaultdict(list)
    for s in scores:
        cells[(s.arm, s.trait or NO_TRAIT)].append(s)
        cells[(s.arm, "(all)")].append(s)
    rows = [_row(arm, trait, cells[(arm, trait)]) for arm, trait in sorted(cells, key=lambda k: (k[0], k[1] == "(all)", k[1]))]
    phrases: dict[str, Counter[str]] = defaultdict(Counter)
    checked: Counter[str] = Counter()
    for s in scores:
        if s.filler is not None:
            phrases[s.arm].update(set(s.filler.phrases))
            checked[s.arm] += 1
        else:
            phrases[s.arm].update(())
    filler_phrases = {arm: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for arm, c in sorted(phrases.items())}
    return Report(
        name=name,
        provenance=provenance,
        rows=rows,
        filler_phrases=filler_phrases,
        filler_answers={arm: checked[arm] for arm in sorted(phrases)},
        examples=_examples(scores, examples_per_arm),
        mirrors=_mirror_rows(scores),
    )


def format_estimate(e: Estimate | None, digits: int = 2) -> str:
    """``mean [low, high]``, or ``—`` with no data."""
    if e is None or e.value is None:
        return "—"
    if e.low is None or e.high is None:
        return f"{e.value:.{digits}f}"
    return f"{e.value:.{digits}f} [{e.low:.{digits}f}, {e.high:.{digits}f}]"


def format_rate(e: Estimate | None) -> str:
    """A rate as ``p% [low, high] (n=…)``, or ``—`` with no data."""
    if e is None or e.value is None:
        return "—"
    if e.low is None or e.high is None:
        return f"{100 * e.value:.0f}%"
    return f"{100 * e.value:.0f}% [{100 * e.low:.0f}, {100 * e.high:.0f}] (n={e.n})"


def _fmt_md(text: object) -> str:
    """Escape table pipes."""
    return str(text).replace("|", "\\|")


_FILTERS = (("est", format_estimate), ("pct", format_rate), ("md", _fmt_md))


def render_markdown(report: Report) -> str:
    """The human-readable report."""
    return template("report.md.j2", _FILTERS).render(r=report).rstrip() + "\n"


def write_report(report: Report, directory: Path) -> tuple[Path, Path]:
    """Write ``<name>.md`` and ``<name>.json``; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    md = directory / f"{report.name}.md"
    js = directory / f"{report.name}.json"
    md.write_text(render_markdown(report), encoding="utf-8")
    js.write_text(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md, js
