"""``harness view --insights``: the failure themes of ``harness insights`` as the page's insights section.

Data: every named theme, its members by slot, and the answers under the
privacy floor only as an undescribed "other" entry. Browser: the section shows
the themes and a theme's member link opens that query's row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.formats import dump_jsonl
from harness.insights import load_insights
from tests.helpers import copy_example_project
from tests.insights.mixture import mixture, rare_theme


@pytest.fixture(scope="module")
def insights_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scored run (two arms, known themes plus a rare one), its insights file and its page."""
    root = copy_example_project(tmp_path_factory.mktemp("insights-view") / "proj")
    scores, _ = mixture(20, 10, context=True, arms=("assistant@v1", "assistant@v2"))
    dump_jsonl(scores + rare_theme("assistant@v2"), root / "runs" / "demo" / "scores.jsonl")
    run = str(root / "runs" / "demo")
    assert main(["--project", str(root), "insights", run, "--judge", "none"]) == 0
    out = root / "reports" / "demo.html"
    assert main(["--project", str(root), "view", run, "--insights", str(root / "reports" / "insights-demo.json"),
                 "--out", str(out)]) == 0
    return root


def _embedded(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="viewer-data">(.*?)</script>', html, re.DOTALL)
    assert block is not None
    return json.loads(block.group(1))


def test_page_data_holds_the_themes_and_only_counts_what_is_under_the_floor(insights_project: Path) -> None:
    insights = load_insights(insights_project / "reports" / "insights-demo.json")
    data = _embedded((insights_project / "reports" / "demo.html").read_text(encoding="utf-8"))

    sections = data["insights"]
    assert [s["title"] for s in sections] == [f"{t.id} · {t.name}" for t in insights.themes]
    assert [len(s["members"]) for s in sections] == [t.n_answers for t in insights.themes]
    # The answers under the floor: a count in a note, no entry (an entry would list their queries together).
    assert insights.other.n_answers > 0
    assert any(f"{insights.other.n_answers} answers fall in clusters" in n for n in data["notes"])
    # The rare cluster's words are in the page as answers (that is the viewer's job), never in the insights.
    assert "zorblax" not in json.dumps(sections).lower()
    slots = {(q["id"], arm, a["sample"]) for q in data["queries"] for arm, answers in q["answers"].items() for a in answers}
    assert all((m["query_id"], m["arm"], m["sample"]) in slots for s in sections for m in s["members"])


def test_insights_section_in_the_browser(insights_project: Path, browser_page) -> None:  # type: ignore[no-untyped-def]
    page, errors = browser_page
    insights = load_insights(insights_project / "reports" / "insights-demo.json")
    page.goto((insights_project / "reports" / "demo.html").resolve().as_uri())
    page.wait_for_selector("html[data-ready=true]")

    assert page.is_visible("#insights")
    text = page.inner_text("#insights")
    for theme in insights.themes:
        assert f"{theme.id} · {theme.name} ({theme.n_answers})" in text
    assert "zorblax" not in text.lower()
    first = page.locator("#insights .insight").first.locator("a").first
    first.click()
    linked = page.locator("article.q.linked")
    assert linked.count() == 1 and linked.get_attribute("data-query-id") in {
        m.split("|")[1] for m in insights.themes[0].member_ids
    }
    assert errors == []
