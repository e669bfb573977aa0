"""Render, write and tabulate insights: Markdown through Jinja, JSON beside it, a DataFrame."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.insights.records import Insights
from harness.insights.select import FAILURE_KINDS
from harness.rendering import template, write_artifact

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from harness.scores.records import ScoredAnswer

__all__ = [
    "insights_frame", "load_insights", "render_insights_markdown", "viewer_note", "viewer_themes", "write_insights",
]

TEMPLATE = "insights.md.j2"
OTHER = "other"


def _md(text: object) -> str:
    """Table-safe text: escape pipes and angle brackets (a query may hold HTML)."""
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _kind(kind: str) -> str:
    return FAILURE_KINDS.get(kind, kind)


def _kinds(kinds: dict[str, int]) -> str:
    ranked = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{_kind(k)} {n}" for k, n in ranked) or "—"


_FILTERS = (("md", _md), ("kind", _kind), ("kinds", _kinds))


def render_insights_markdown(insights: Insights) -> str:
    """The human-readable insights report."""
    arms = sorted({arm for t in insights.themes for arm in t.by_arm} | set(insights.other.by_arm))
    return template(TEMPLATE, _FILTERS).render(r=insights, arms=arms).rstrip() + "\n"


def write_insights(insights: Insights, directory: Path | str) -> tuple[Path, Path]:
    """Write ``insights-<name>.md`` and ``insights-<name>.json``; returns both paths."""
    return write_artifact(insights, render_insights_markdown(insights), Path(directory), f"insights-{insights.name}")


def load_insights(path: Path | str) -> Insights:
    """Read an ``insights-<name>.json`` file."""
    from pydantic import ValidationError

    from harness.formats import validation_error

    path = Path(path)
    try:
        return Insights.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise validation_error(path, exc, "write it again with `harness insights`") from None


def insights_frame(insights: Insights) -> pd.DataFrame:
    """One row per selected answer: ``answer_id``, ``theme_id``, ``theme``, ``subtheme_id``, ``subtheme``.

    Answers under the privacy floor have theme ``other`` (and no sub-theme);
    join on ``answer_id`` with the scored answers for arm, query and scores.
    """
    import pandas as pd

    rows: list[tuple[str, str, str, str | None, str | None]] = []
    for theme in insights.themes:
        sub_of = {m: (s.id, s.name) for s in theme.subthemes for m in s.member_ids}
        for member in theme.member_ids:
            sub = sub_of.get(member)
            rows.append((member, theme.id, theme.name, sub[0] if sub else None, sub[1] if sub else None))
    rows.extend((member, OTHER, OTHER, None, None) for member in insights.other.member_ids)
    rows.sort(key=lambda r: r[0])
    return pd.DataFrame(rows, columns=["answer_id", "theme_id", "theme", "subtheme_id", "subtheme"])


def viewer_themes(insights: Insights, scores: Iterable[ScoredAnswer]) -> list[dict[str, object]]:
    """The themes as the HTML viewer's insights section takes them (``harness.viewer.data.Insight``).

    One entry per named theme: ``title``, ``summary`` and ``members`` (each
    ``{query_id, arm, sample}``, found through the answer ids in ``scores``).
    The answers under the privacy floor have no entry: the viewer lists a
    theme's members by their queries, and a list of them would quote the small
    clusters together (see :func:`viewer_note` for their count).
    """
    from harness.insights.select import answer_key

    slots = {answer_key(s): {"query_id": s.query_id, "arm": s.arm, "sample": s.sample} for s in scores}
    return [
        {"title": f"{t.id} · {t.name}", "summary": t.description, "members": [slots[i] for i in t.member_ids if i in slots]}
        for t in insights.themes
    ]


def viewer_note(insights: Insights) -> str | None:
    """A line for the viewer on the answers counted under "other", if any."""
    if not insights.other.n_answers:
        return None
    return (
        f"Insights: {insights.other.n_answers} answers fall in clusters with fewer than "
        f"{insights.method.min_cluster_size} distinct queries; they are counted as \"other\" and not shown as a theme."
    )
