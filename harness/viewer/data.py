"""The viewer's data: scored answers, queries and comparisons as one JSON document.

:func:`build_view_data` turns scored answers (from runs, ``harness score``
outputs or results files) into a :class:`ViewData`, which the page embeds as
JSON. Every number the page shows is computed here, in Python, by the code
the other commands use: summary rows by :func:`harness.reports.build_report`
(through :mod:`harness.viewer.values`), paired comparisons and flips by
:func:`harness.compare.compare_arms`. The page only filters, sorts and draws.

Optional sections: ``insights`` (failure themes, each listing its member
answers) is rendered when present; answers with ``messages`` are rendered as
conversations, turn by turn.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.compare import (
    Comparison,
    compare_arms,
    format_delta,
    format_p,
    format_value,
    load_scored,
)
from harness.errors import HarnessError
from harness.scores.records import ScoredAnswer
from harness.viewer.values import (
    answer_metrics,
    answer_view,
    summary_checks,
    summary_rows,
)
from harness.viewer.versions import default_pairs, natural_key, version_pairs

__all__ = [
    "VIEW_FORMAT_VERSION",
    "ComparisonView",
    "Insight",
    "QueryView",
    "ViewData",
    "build_view_data",
    "load_sources",
    "query_metadata",
    "version_pairs",
    "view_for_arms",
    "view_for_check",
    "view_from_sources",
]

VIEW_FORMAT_VERSION = 1
#: The metric whose per-query change is compare's flip measure (adherence if graded, else refusal).
OUTCOME = "outcome"
#: Flips listed in the comparison section, as `harness compare` lists by default.
TOP_FLIPS = 5
_DIGITS = 4


class MetricInfo(BaseModel):
    """A per-answer metric the page can sort and filter by."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str
    higher_is_better: bool


class ComparisonView(BaseModel):
    """One paired comparison (B vs A) and each query's change under it."""

    model_config = ConfigDict(extra="forbid")

    a: str
    b: str
    comparison: Comparison = Field(description="Exactly what `harness compare` computes (top flips only).")
    display: list[dict[str, str]] = Field(description="Per metric: formatted values, as `harness compare` prints them.")
    changes: dict[str, dict[str, float]] = Field(
        description="Query id → metric → mean B − mean A over paired samples; 'outcome' is compare's flip change."
    )
    error: str | None = None


class QueryView(BaseModel):
    """One query and every arm's answers to it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    trait: str | None
    text: str
    dimensions: dict[str, str] = Field(default_factory=dict)
    note: str | None = None
    should_refuse: bool = False
    tempts_violation: bool = False
    mirror: str | None = None
    answers: dict[str, list[dict[str, Any]]] = Field(description="Arm → answers (see values.answer_view), by sample.")


class Insight(BaseModel):
    """A failure theme with the answers that belong to it (filled by `harness insights`)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    summary: str = ""
    members: list[dict[str, Any]] = Field(description="Each {query_id, arm, sample}.")


class ViewData(BaseModel):
    """Everything the page shows. Sections whose keys are empty are not rendered."""

    model_config = ConfigDict(extra="forbid")

    version: int = VIEW_FORMAT_VERSION
    title: str
    sources: list[str]
    arms: list[str]
    traits: list[str]
    metrics: list[MetricInfo]
    checks: list[dict[str, Any]] = Field(default_factory=list, description="The summary's columns: the report's checks.")
    summary: list[dict[str, Any]] = Field(description="Per arm × trait: every report metric, formatted with its interval.")
    comparisons: list[ComparisonView]
    queries: list[QueryView]
    insights: list[Insight] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


# --- inputs -------------------------------------------------------------------


def load_sources(sources: Sequence[Path | str]) -> list[ScoredAnswer]:
    """Scored answers from several sources; an arm in two sources is renamed ``<source>:<arm>``."""
    loaded = [(Path(s), load_scored(s)) for s in sources]
    seen: dict[str, int] = defaultdict(int)
    for _, scores in loaded:
        for arm in {s.arm for s in scores}:
            seen[arm] += 1
    out: list[ScoredAnswer] = []
    for path, scores in loaded:
        for s in scores:
            if seen[s.arm] > 1:
                # The id stays: insights and other files name answers by it.
                s = s.model_copy(update={"arm": f"{path.name}:{s.arm}"})
            out.append(s)
    return out


def query_metadata(sources: Sequence[Path | str], project: Any | None = None) -> tuple[dict[str, Any], list[str]]:
    """Queries by id (for trait, dimensions and note), from the query files the runs name.

    Returns the queries found and notes on files that could not be read. Runs
    name their query files in ``run.json``, relative to the project root; with a
    project, its configured query files and the traits' mirrored requests are
    read too. Anything missing is simply left out: the page then shows what the
    scored answers hold.
    """
    from harness.queries import load_query_file

    files: list[Path] = []
    for source in sources:
        spec = Path(source) / "run.json"
        if spec.is_file() and project is not None:
            names = json.loads(spec.read_text(encoding="utf-8")).get("query_files", {})
            files += [p if p.is_absolute() else project.root / p for p in map(Path, names)]
    notes: list[str] = []
    if project is not None:
        try:
            files += project.eval_files()
        except HarnessError:
            pass
    queries: dict[str, Any] = {}
    for path in dict.fromkeys(p.resolve() for p in files):
        if not path.is_file():
            continue
        try:
            for q in load_query_file(path):
                queries.setdefault(q.id, q)
        except HarnessError as exc:
            notes.append(f"query file not read: {exc.message.splitlines()[0]}")
    if project is not None:
        queries.update({q.id: q for q in _mirrors(project) if q.id not in queries})
    return queries, notes


def _mirrors(project: Any) -> list[Any]:
    from harness.queries import mirror_queries
    from harness.traits import load_traits

    try:
        traits = load_traits(project.traits_dir) if project.traits_dir.is_dir() else {}
    except HarnessError:
        return []
    return [m for t in traits.values() for m in mirror_queries(t)]


# --- building -----------------------------------------------------------------


def _r(x: float) -> float:
    return round(x, _DIGITS)


def _query_changes(
    a: list[ScoredAnswer], b: list[ScoredAnswer], traits: list[str], comparison: Comparison | None
) -> dict[str, dict[str, float]]:
    """Per query and metric, mean B − mean A over samples present and defined in both arms."""
    index = {(s.query_id, s.sample): s for s in b}
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    metrics = answer_metrics(traits)
    for sa in a:
        sb = index.get((sa.query_id, sa.sample))
        if sb is None:
            continue
        for m in metrics:
            va, vb = m.value(sa), m.value(sb)
            if va is not None and vb is not None:
                acc = sums[sa.query_id][m.name]
                acc[0] += float(va)
                acc[1] += float(vb)
                acc[2] += 1
    out: dict[str, dict[str, float]] = {
        qid: {name: _r((acc[1] - acc[0]) / acc[2]) for name, acc in per.items()} for qid, per in sums.items()
    }
    for flip in comparison.flips if comparison else []:
        out.setdefault(flip.query_id, {})[OUTCOME] = flip.change
    return out


def _comparison_view(
    a_name: str, b_name: str, a: list[ScoredAnswer], b: list[ScoredAnswer], traits: list[str], settings: dict[str, Any]
) -> ComparisonView:
    try:
        # Every query's flip change, from compare's own code; the page keeps compare's top flips for display.
        full = compare_arms(a, b, a_name=a_name, b_name=b_name, flips=len({s.query_id for s in a}) + 1, **settings)
    except HarnessError as exc:
        empty = Comparison(a=a_name, b=b_name, alpha=settings.get("alpha", 0.05), metrics=[], flips=[])
        return ComparisonView(a=a_name, b=b_name, comparison=empty, display=[], changes={}, error=exc.message)
    top = full.model_copy(update={"flips": full.flips[:TOP_FLIPS]})
    display = [
        {
            "metric": r.metric,
            "a": format_value(r, r.a),
            "b": format_value(r, r.b),
            "delta": format_delta(r),
            "p": format_p(r.p_value),
            "q": format_p(r.q_value),
            "mde": "—" if r.mde is None else (f"{r.mde:.2f}" if r.family == "adherence" else f"{100 * r.mde:.1f} pp"),
        }
        for r in full.metrics
    ]
    return ComparisonView(a=a_name, b=b_name, comparison=top, display=display, changes=_query_changes(a, b, traits, full))


def build_view_data(
    scores: list[ScoredAnswer],
    *,
    title: str,
    sources: Sequence[str] = (),
    pairs: Sequence[tuple[str, str]] | None = None,
    queries: dict[str, Any] | None = None,
    compare_settings: dict[str, Any] | None = None,
    insights: list[Insight] | None = None,
    notes: Sequence[str] = (),
) -> ViewData:
    """The page's data for these scored answers.

    Args:
        scores: scored answers of one or more arms.
        title: the page title.
        sources: where they came from (shown on the page).
        pairs: (A, B) arm pairs to compare; default: consecutive versions of each
            prompt, or the two arms when there are exactly two.
        queries: query records by id (trait, dimensions, note), see :func:`query_metadata`.
        compare_settings: ``alpha``, ``power``, ``min_effect`` as in ``[compare]``.
        insights: failure themes to show.
        notes: remarks shown at the top of the page.
    """
    if not scores:
        raise HarnessError("no scored answers to show", fix="pass a run directory, a `harness score` directory or a results file")
    arms = sorted({s.arm for s in scores}, key=natural_key)
    traits = sorted({s.trait for s in scores if s.trait})
    by_arm: dict[str, list[ScoredAnswer]] = defaultdict(list)
    for s in scores:
        by_arm[s.arm].append(s)
    settings = {k: v for k, v in (compare_settings or {}).items() if k in ("alpha", "power", "min_effect")}
    chosen = default_pairs(arms) if pairs is None else list(pairs)
    for a, b in chosen:
        for arm in (a, b):
            if arm not in by_arm:
                raise HarnessError(f"no arm named {arm!r} to compare", fix=f"arms are: {', '.join(arms)}")
    comparisons = [_comparison_view(a, b, by_arm[a], by_arm[b], traits, settings) for a, b in chosen]
    metrics = [MetricInfo(name=OUTCOME, kind="score", higher_is_better=True)] + [
        MetricInfo(name=m.name, kind=m.kind, higher_is_better=m.higher_is_better) for m in answer_metrics(traits)
    ]
    return ViewData(
        title=title,
        sources=list(sources),
        arms=arms,
        traits=traits,
        metrics=metrics,
        checks=summary_checks(scores),
        summary=summary_rows(scores),
        comparisons=comparisons,
        queries=_queries(scores, queries or {}),
        insights=list(insights or []),
        notes=list(notes),
    )


def _queries(scores: list[ScoredAnswer], known: dict[str, Any]) -> list[QueryView]:
    """One view per query, in the order the answers first name them; answers by arm and sample."""
    grouped: dict[str, list[ScoredAnswer]] = {}
    for s in scores:
        grouped.setdefault(s.query_id, []).append(s)
    out = []
    for qid, items in grouped.items():
        first = items[0]
        q = known.get(qid)
        answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in sorted(items, key=lambda s: (natural_key(s.arm), s.sample)):
            answers[s.arm].append(answer_view(s))
        out.append(
            QueryView(
                id=qid,
                trait=first.trait,
                text=first.query,
                dimensions=dict(q.dimensions) if q is not None else {},
                note=q.note if q is not None else None,
                should_refuse=first.should_refuse,
                tempts_violation=bool(q.tempts_violation) if q is not None else False,
                mirror=first.mirror,
                answers=dict(answers),
            )
        )
    return out


def view_from_sources(
    sources: Sequence[Path | str],
    *,
    arms: Sequence[str] | None = None,
    project: Any | None = None,
    title: str | None = None,
    insights: Path | str | None = None,
) -> ViewData:
    """The page's data for runs or scored files, as ``harness view`` builds it.

    ``arms`` keeps only those arms (full ``name@version`` or just the version);
    two arms are compared B vs A in the order given. Query metadata and the
    ``[compare]`` settings come from ``project`` when given. ``insights`` is an
    ``insights-<name>.json`` of ``harness insights`` over the same sources: its
    themes become the page's insights section.
    """
    from harness.compare import select_arm

    scores = load_sources(sources)
    label = ", ".join(str(s) for s in sources)
    pairs = None
    if arms:
        chosen = [select_arm(scores, name, label)[0] for name in arms]
        scores = [s for s in scores if s.arm in set(chosen)]
        if len(chosen) == 2:
            pairs = [(chosen[0], chosen[1])]
    queries, notes = query_metadata(sources, project)
    settings = project.config.compare.model_dump() if project is not None else None
    name = title or "harness view: " + ", ".join(Path(s).name for s in sources)
    themes = None
    if insights is not None:
        from harness.insights.report import load_insights, viewer_note, viewer_themes

        found = load_insights(insights)
        themes = [Insight.model_validate(t) for t in viewer_themes(found, scores)]
        notes = [*notes, *filter(None, [viewer_note(found)])]
    return build_view_data(
        scores, title=name, sources=[str(s) for s in sources], pairs=pairs, queries=queries,
        compare_settings=settings, insights=themes, notes=notes,
    )


def view_for_check(outcome: Any, project: Any, baseline: str | Path | None = None) -> ViewData | None:
    """The page for a ``harness check`` outcome: each gated comparison, None when nothing was compared.

    With ``baseline`` (``--baseline RUN``), its answers are shown as the
    ``baseline:<arm>`` arms the check compared against.
    """
    if not outcome.comparisons or outcome.run is None:
        return None
    scores = list(outcome.run.scores)
    if baseline is not None:
        for s in load_scored(baseline):
            arm = f"baseline:{s.arm}"
            scores.append(s.model_copy(update={"arm": arm, "id": f"{arm}|{s.query_id}|{s.sample}"}))
    pairs = [(c.a, c.b) for c in outcome.comparisons]
    wanted = {arm for pair in pairs for arm in pair}
    queries, notes = query_metadata([], project)
    return build_view_data(
        [s for s in scores if s.arm in wanted], title="harness check", sources=[str(outcome.run.directory)],
        pairs=pairs, queries=queries, compare_settings=project.config.compare.model_dump(), notes=notes,
    )


def view_for_arms(
    arm_a: tuple[str, list[ScoredAnswer]], arm_b: tuple[str, list[ScoredAnswer]], project: Any, sources: Sequence[str]
) -> ViewData:
    """The page for one comparison, B vs A, as ``harness compare --view`` writes it."""
    scores = []
    for name, items in (arm_a, arm_b):
        scores += [s if s.arm == name else s.model_copy(update={"arm": name, "id": f"{name}|{s.query_id}|{s.sample}"}) for s in items]
    queries, notes = query_metadata(sources, project)
    return build_view_data(
        scores, title=f"{arm_b[0]} vs {arm_a[0]}", sources=list(sources), pairs=[(arm_a[0], arm_b[0])], queries=queries,
        compare_settings=project.config.compare.model_dump(), notes=notes,
    )
