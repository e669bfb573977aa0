"""Reports: per arm × trait summaries with intervals, worst examples, provenance.

Reports are deterministic: the same scored answers give the same bytes
(stable ordering, rounded numbers, no timestamps, no call counts), so a
committed report diffs cleanly in review.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness import __version__
from harness.compare import Comparison, format_delta, format_value
from harness.conversations.metrics import ConversationRow, ConversationSection
from harness.errors import HarnessError
from harness.formats import check_version
from harness.formatting import excerpt as _excerpt
from harness.formatting import format_estimate, format_rate
from harness.rendering import render_markdown as render_template
from harness.rendering import write_artifact
from harness.scores.checks import Check, Kind, all_checks, scored_checks
from harness.scores.filler import approx_tokens
from harness.scores.records import Score, ScoredAnswer
from harness.stats import clustered_mean_ci, wilson_ci

__all__ = [
    "Estimate",
    "Provenance",
    "Report",
    "build_report",
    "format_estimate",
    "format_rate",
    "load_report",
    "render_markdown",
    "write_report",
]

REPORT_FORMAT_VERSION = 2
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
    source: str | None = Field(None, description="What produced the values (e.g. rule, judge), when the check says.")


class CheckInfo(BaseModel):
    """What the report says about one check (stored, so a report re-renders without the registry)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    label: str
    kind: Literal["score", "rate"]
    higher_is_better: bool
    description: str = ""
    reported: bool = Field(True, description="A metric column (false: shown only through agreement_label).")
    per_1k_tokens: bool = False
    phrases: bool = False
    agreement_label: str | None = None


class Row(BaseModel):
    """One arm × trait cell."""

    model_config = ConfigDict(extra="forbid")

    arm: str
    trait: str
    n: int = Field(description="Answers in this cell (failed calls included).")
    failed: int = Field(description="Answers whose model call failed after retries.")
    unscored: int = Field(description="Answers a check could not score (not counted as pass or fail).")
    metrics: dict[str, Estimate | None] = Field(
        description="Check → mean (scores: 95% CI clustered by query) or rate (Wilson 95% CI)."
    )
    per_1k_tokens: dict[str, float | None] = Field(
        default_factory=dict, description="Check → its phrases per 1,000 answer tokens (tokens ≈ whitespace words × 1.3)."
    )
    agreement: dict[str, float | None] = Field(
        default_factory=dict, description="Check → share of answers whose label agrees with the check it cross-checks."
    )

    def metric(self, name: str) -> Estimate | None:
        """The estimate of check ``name`` in this cell (None with no data)."""
        return self.metrics.get(name)

    # Read-compatible accessors for the version-1 field names.
    @property
    def adherence(self) -> Estimate | None:
        return self.metrics.get("adherence")

    @property
    def over_refusal(self) -> Estimate | None:
        return self.metrics.get("over_refusal")

    @property
    def filler(self) -> Estimate | None:
        return self.metrics.get("filler")

    @property
    def unsafe_complied(self) -> Estimate | None:
        return self.metrics.get("unsafe_complied")

    @property
    def filler_per_1k_tokens(self) -> float | None:
        return self.per_1k_tokens.get("filler")

    @property
    def judge_rule_refusal_agreement(self) -> float | None:
        return self.agreement.get("refusal_judge")


class Example(BaseModel):
    """An answer worth reading: among the lowest-scoring, or an over-refusal."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    arm: str
    trait: str
    id: str
    score: float | None
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
    """The JSON report; the Markdown is rendered from it alone."""

    model_config = ConfigDict(extra="forbid")

    version: int = REPORT_FORMAT_VERSION
    name: str
    provenance: Provenance
    group_by: str | None = Field(None, description="The metadata column rows are grouped by (None: by trait).")
    checks: list[CheckInfo] = Field(description="The checks reported, in column order.")
    rows: list[Row]
    phrases: dict[str, dict[str, dict[str, int]]] = Field(
        default_factory=dict, description="Check → arm → phrase → answers containing it."
    )
    phrase_answers: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Check → arm → answers checked (the denominator of phrases)."
    )
    examples: list[Example]
    mirrors: list[MirrorRow] = Field(default_factory=list)
    comparisons: list[Comparison] = Field(
        default_factory=list, description="Each prompt version against the previous one, as `harness compare` gives it."
    )
    viewer: str | None = Field(None, description="The command that writes these answers' HTML viewer (`harness view`).")
    conversations: ConversationSection | None = Field(
        default=None, description="Per-turn and per-conversation results, when there were conversations."
    )

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, REPORT_FORMAT_VERSION, "a report")
        return data

    def sources(self, name: str) -> str | None:
        """Where check ``name``'s values came from, per arm when the arms differ (e.g. ``judge``)."""
        found = {row.arm: e.source for row in self.rows if row.trait == "(all)" and (e := row.metrics.get(name)) and e.source}
        if len(set(found.values())) > 1:
            return "; ".join(f"{arm}: {source}" for arm, source in found.items())
        return next(iter(found.values()), None)

    @property
    def filler_phrases(self) -> dict[str, dict[str, int]]:
        """Arm → filler phrase → answers containing it (version-1 name)."""
        return self.phrases.get("filler", {})

    @property
    def filler_answers(self) -> dict[str, int]:
        """Arm → answers checked for filler (version-1 name)."""
        return self.phrase_answers.get("filler", {})


def _estimate(ci: tuple[float | None, float | None, float | None], n: int, source: str | None = None) -> Estimate:
    return Estimate(value=_r(ci[0]), low=_r(ci[1]), high=_r(ci[2]), n=n, source=source)


def _rate(flags: list[bool], source: str | None = None) -> Estimate | None:
    if not flags:
        return None
    return _estimate(wilson_ci(sum(flags), len(flags)), len(flags), source)


def _sources(scores: list[Score]) -> str | None:
    """The distinct sources of a cell's values, e.g. ``judge``; with several, how many each (``judge 117+rule 3``)."""
    found = Counter(s.source for s in scores if s.source)
    if len(found) > 1:  # e.g. judge verdicts that could not be scored fell back to the rules: count them
        return "+".join(f"{source} {n}" for source, n in sorted(found.items()))
    return next(iter(found), None)


def _metric(c: Check, answered: list[ScoredAnswer]) -> Estimate | None:
    pairs = [(s, sc) for s in answered if (sc := s.scores.get(c.name)) is not None and sc.value is not None]
    if not pairs:
        return None
    values = [float(sc.value) for _, sc in pairs if sc.value is not None]
    source = _sources([sc for _, sc in pairs])
    if c.kind == "rate":
        return _rate([bool(v) for v in values], source)
    return _estimate(_score_ci(values, [s.query_id for s, _ in pairs], c.value_range), len(pairs), source)


def _score_ci(values: list[float], clusters: list[str], value_range: float | None) -> tuple[float | None, float | None, float | None]:
    """Mean with a 95% interval clustered by query, as ``compare`` computes it.

    When every answer scores the same the sample variance is zero, which says
    little at small n; the interval then falls back to the rule of three, as
    for paired differences (half-width = scale width × 3 / queries), rather
    than collapsing to a point.
    """
    mean, low, high = clustered_mean_ci(values, clusters)
    queries = len(set(clusters))
    if value_range and mean is not None and low is not None and low == high and queries >= 2:
        half = value_range * 3 / queries
        return mean, mean - half, mean + half
    return mean, low, high


def _row(arm: str, trait: str, items: list[ScoredAnswer], checks: list[Check]) -> Row:
    answered = [s for s in items if s.response is not None]
    reported = [c for c in checks if c.report]
    unscored = sum(
        any((sc := s.scores.get(c.name)) is not None and not sc.scorable for c in reported) for s in answered
    )
    return Row(
        arm=arm,
        trait=trait,
        n=len(items),
        failed=len(items) - len(answered),
        unscored=unscored,
        metrics={c.name: _metric(c, answered) for c in reported},
        per_1k_tokens={c.name: _per_1k_tokens(c.name, answered) for c in reported if c.per_1k_tokens},
        agreement={c.name: _agreement(c, answered) for c in checks if c.agrees_with},
    )


def _agreement(c: Check, answered: list[ScoredAnswer]) -> float | None:
    both = [
        (a, b) for s in answered
        if (a := s.scores.get(c.name)) is not None and a.scorable and a.label is not None
        and (b := s.scores.get(c.agrees_with or "")) is not None and b.label is not None
    ]
    return _r(sum(a.label == b.label for a, b in both) / len(both)) if both else None


def _per_1k_tokens(name: str, answered: list[ScoredAnswer]) -> float | None:
    """A check's phrases per 1,000 approximate tokens, over all checked answers together."""
    checked = [(s.response, sc) for s in answered if (sc := s.scores.get(name)) is not None and s.response is not None]
    tokens = sum(approx_tokens(text) for text, _ in checked)
    if not tokens:
        return None
    return _r(1000 * sum(len(sc.detail.get("phrases") or []) for _, sc in checked) / tokens)


def _examples(scores: list[ScoredAnswer], checks: list[Check], per_arm: int) -> list[Example]:
    out: list[Example] = []
    by_arm: dict[str, list[ScoredAnswer]] = defaultdict(list)
    for s in scores:
        by_arm[s.arm].append(s)
    for arm in sorted(by_arm):
        for c in (c for c in checks if c.examples):
            valued = [(s, sc) for s in by_arm[arm] if (sc := s.scores.get(c.name)) is not None and sc.value is not None]
            if c.kind == "score":
                sign = 1 if c.higher_is_better else -1
                ranked = sorted(valued, key=lambda p: (sign * (p[1].value or 0.0), p[0].id))
                kind = f"{'lowest' if c.higher_is_better else 'highest'} {c.label}"
            else:
                bad = 0.0 if c.higher_is_better else 1.0
                ranked = sorted(((s, sc) for s, sc in valued if sc.value == bad), key=lambda p: p[0].id)
                kind = c.label
            for s, sc in _one_per_query(ranked)[:per_arm]:
                out.append(_example(kind, s, sc.value if c.kind == "score" else None, sc.reason))
    return out


def _value_of(name: str) -> Callable[[ScoredAnswer], float | None]:
    return lambda s: s.value(name)


def _mirror_rows(scores: list[ScoredAnswer], checks: list[Check]) -> list[MirrorRow]:
    """Side a vs side b of each mirrored pair, per arm and trait, with paired intervals."""
    from harness.stats import paired_diff_ci, paired_rate_diff_ci

    sides: dict[tuple[str, str], dict[tuple[str, int], dict[str, ScoredAnswer]]] = defaultdict(lambda: defaultdict(dict))
    for s in scores:
        if s.mirror and s.response is not None:
            pair, _, side = s.mirror.rpartition(":")
            sides[(s.arm, s.trait or NO_TRAIT)][(pair, s.sample)][side] = s
    metrics: list[tuple[str, Kind, float | None, Callable[[ScoredAnswer], float | None]]] = [
        (c.name, c.kind, c.value_range, _value_of(c.name)) for c in checks if c.mirror
    ]
    rows = []
    for (arm, trait), pairs in sorted(sides.items()):
        for metric, kind, value_range, value in metrics:
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
            elif kind == "score":
                d = paired_diff_ci(b_vals, a_vals, clusters, value_range=value_range)
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


def _one_per_query(ranked: list[tuple[ScoredAnswer, Score]]) -> list[tuple[ScoredAnswer, Score]]:
    """Keep the first answer of each query: examples should show different queries."""
    seen: set[str] = set()
    out = []
    for s, sc in ranked:
        if s.query_id not in seen:
            seen.add(s.query_id)
            out.append((s, sc))
    return out


def _example(kind: str, s: ScoredAnswer, score: float | None, reason: str) -> Example:
    return Example(
        kind=kind,
        arm=s.arm,
        trait=s.trait or NO_TRAIT,
        id=s.id,
        score=None if score is None else _r(score),
        reason=_excerpt(reason, 300),
        query=_excerpt(s.query, 200),
        response=_excerpt(s.response),
    )


def _group(s: ScoredAnswer, group_by: str | None) -> str:
    if group_by is None:
        return s.trait or NO_TRAIT
    value = s.metadata.get(group_by)
    return "(none)" if value is None else str(value)


def reported_checks(scores: list[ScoredAnswer]) -> list[Check]:
    """The checks a report of ``scores`` shows: built-ins, and any other check that scored one of them."""
    present = scored_checks(scores)
    return [c for c in all_checks() if c.builtin or c.name in present]


def check_info(c: Check) -> CheckInfo:
    """What a report stores about a check."""
    return CheckInfo(
        name=c.name, label=c.label, kind=c.kind, higher_is_better=c.higher_is_better, description=c.description,
        reported=c.report, per_1k_tokens=c.per_1k_tokens, phrases=c.phrases, agreement_label=c.agreement_label or None,
    )


def build_report(
    name: str,
    scores: list[ScoredAnswer],
    provenance: Provenance,
    examples_per_arm: int = 3,
    group_by: str | None = None,
    comparisons: list[Comparison] | None = None,
    viewer: str | None = None,
) -> Report:
    """Summarise scored answers into a :class:`Report`, one column per registered check.

    Rows are arm × trait, or arm × the value of metadata column ``group_by``
    (an imported file's extra column, e.g. ``user_tier``). ``comparisons``
    default to each prompt version against the previous one (default
    ``[compare]`` settings); ``viewer`` is the command that writes the
    answers' HTML page, named in the report.
    """
    if comparisons is None:
        from harness.viewer.versions import version_comparisons

        comparisons = version_comparisons(scores)
    checks = reported_checks(scores)
    if group_by is not None and not any(group_by in s.metadata for s in scores):
        known = sorted({k for s in scores for k in s.metadata})
        raise HarnessError(
            f"no answer has a {group_by!r} column to group by",
            fix=f"extra columns of the scored file: {', '.join(known)}" if known else "the scored file has no extra columns",
        )
    cells: dict[tuple[str, str], list[ScoredAnswer]] = defaultdict(list)
    for s in scores:
        cells[(s.arm, _group(s, group_by))].append(s)
        cells[(s.arm, "(all)")].append(s)
    keys = sorted(cells, key=lambda k: (k[0], k[1] == "(all)", k[1]))
    rows = [_row(arm, trait, cells[(arm, trait)], checks) for arm, trait in keys]
    arms = sorted({s.arm for s in scores})
    phrases: dict[str, dict[str, dict[str, int]]] = {}
    answers: dict[str, dict[str, int]] = {}
    for c in (c for c in checks if c.phrases and c.report):
        counts: dict[str, Counter[str]] = {arm: Counter() for arm in arms}
        checked: Counter[str] = Counter()
        for s in scores:
            sc = s.scores.get(c.name)
            if sc is not None and sc.value is not None:
                counts[s.arm].update(set(sc.detail.get("phrases") or []))
                checked[s.arm] += 1
        phrases[c.name] = {arm: dict(sorted(n.items(), key=lambda kv: (-kv[1], kv[0]))) for arm, n in counts.items()}
        answers[c.name] = {arm: checked[arm] for arm in arms}
    return Report(
        name=name,
        provenance=provenance,
        group_by=group_by,
        checks=[check_info(c) for c in checks if c.report or c.agrees_with],
        rows=rows,
        phrases=phrases,
        phrase_answers=answers,
        examples=_examples(scores, checks, examples_per_arm),
        mirrors=_mirror_rows(scores, checks),
        comparisons=comparisons,
        viewer=viewer,
    )


def _fmt_cell(e: Estimate | None, kind: str) -> str:
    return format_estimate(e) if kind == "score" else format_rate(e)


def _viewer_link(query_id: str) -> str:
    from harness.viewer.page import query_anchor

    return query_anchor(query_id)


def _share(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _conversation_rate(e: object) -> str:
    """A conversation rate with its clustered interval, ``p% [low, high] (n=…)``."""
    from harness.conversations.metrics import Interval

    if not isinstance(e, Interval) or e.value is None:
        return "—"
    bounds = f" [{100 * e.low:.0f}, {100 * e.high:.0f}]" if e.low is not None and e.high is not None else ""
    return f"{100 * e.value:.0f}%{bounds} (n={e.n})"


def _conversation_estimate(e: object, sign: str = "") -> str:
    """A conversation score with its clustered interval, ``mean [low, high] (n=…)``."""
    from harness.conversations.metrics import Interval

    if not isinstance(e, Interval) or e.value is None:
        return "—"
    bounds = f" [{e.low:{sign}.2f}, {e.high:{sign}.2f}]" if e.low is not None and e.high is not None else ""
    return f"{e.value:{sign}.2f}{bounds} (n={e.n})"


def _conversation_delta(e: object) -> str:
    return _conversation_estimate(e, "+")


def conversation_cells(row: ConversationRow) -> list[str]:
    """A conversation row's capitulation, recovery, persona drift and conversation adherence, formatted."""
    return [
        _conversation_rate(row.capitulation), _conversation_rate(row.recovery),
        _conversation_delta(row.persona_drift), _conversation_estimate(row.conversation_adherence),
    ]


_FILTERS = (
    ("est", format_estimate), ("pct", format_rate), ("cell", _fmt_cell),
    ("anchor", _viewer_link), ("delta", format_delta), ("value", format_value),
    ("share", _share), ("crate", _conversation_rate), ("cest", _conversation_estimate), ("cdelta", _conversation_delta),
)


def render_markdown(report: Report) -> str:
    """The human-readable report, rendered from the report alone."""
    return render_template("report.md.j2", _FILTERS, r=report)


def prepare_rendering() -> None:
    """Compile the report's template now (it is cached), so that writing the first report does not wait for it."""
    from harness.rendering import template

    template("report.md.j2", _FILTERS)


def write_report(report: Report, directory: Path) -> tuple[Path, Path]:
    """Write ``<name>.md`` and ``<name>.json``; returns both paths."""
    return write_artifact(report, render_markdown(report), directory, report.name)


def load_report(path: Path | str) -> Report:
    """Read a report's JSON (``reports/<name>.json``), checking its format version."""
    from harness.formats import load_model

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    return load_model(Report, data, path)
