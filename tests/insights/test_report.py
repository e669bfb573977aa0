"""The insights Markdown: a reviewed snapshot, and escaping of what answers and models wrote."""

from __future__ import annotations

import json
import os
from pathlib import Path

from harness.insights import InsightsOptions, find_insights, insights_frame, render_insights_markdown, viewer_themes
from harness.insights.records import Insights, Other, Theme
from harness.insights.report import viewer_note
from tests.insights.mixture import mixture, rare_theme

SNAPSHOT = Path(__file__).parent.parent / "snapshots" / "insights.md"


def test_markdown_snapshot() -> None:
    scores, _ = mixture(12, 6, arms=("assistant@v1", "assistant@v2"))
    insights = find_insights(scores + rare_theme("assistant@v2"), InsightsOptions(
        name="snapshot", sources=["runs/demo"], arms=("assistant@v1", "assistant@v2"),
    ))
    rendered = render_insights_markdown(insights)
    if os.environ.get("UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), "insights Markdown changed: review, then UPDATE_SNAPSHOTS=1"


def test_model_text_is_escaped() -> None:
    base = find_insights([], InsightsOptions(name="esc"))
    theme = Theme(
        id="T1", name="Refuses <script>alert(1)</script> | pipes", description="A <b>bold</b> claim | here",
        named_by="model", terms=["a|b"], n_answers=5, n_queries=5, kinds={"filler": 5}, by_arm={"A": 5},
        examples=["<img src=x onerror=alert(1)>"], member_ids=[f"A|q{i}|0" for i in range(5)],
    )
    insights = Insights(name="esc", method=base.method, selection=base.selection, themes=[theme], other=Other(n_answers=0, n_clusters=0))

    md = render_insights_markdown(insights)

    assert "<script>" not in md and "<b>" not in md and "<img" not in md
    assert "&lt;script>" in md and "\\| pipes" in md
    assert list(insights_frame(insights).theme) == [theme.name] * 5


def test_viewer_themes_list_members_by_slot() -> None:
    scores, _ = mixture(12, 4)
    rare = rare_theme()
    insights = find_insights(scores + rare, InsightsOptions(name="v"))

    sections = viewer_themes(insights, scores + rare)

    assert [s["title"] for s in sections] == [f"{t.id} · {t.name}" for t in insights.themes]
    rare_slots = {(s.query_id, s.arm, s.sample) for s in rare}
    assert not any((m["query_id"], m["arm"], m["sample"]) in rare_slots for s in sections for m in s["members"])
    assert "zorblax" not in json.dumps(sections).lower()
    assert sum(len(s["members"]) for s in sections) == insights.selection.n_selected - insights.other.n_answers
    assert "30 answers fall in clusters with fewer than 5" in (viewer_note(insights) or "")
