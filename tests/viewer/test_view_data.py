"""The viewer's data and file: same numbers as compare and report, escaping, CLI, check, report section."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.compare import compare_arms
from harness.config import Project
from harness.errors import HarnessError
from harness.reports import render_markdown
from harness.runs import RunOutcome
from harness.scores.records import ScoredAnswer
from harness.viewer import (
    build_view_data,
    embed_json,
    query_anchor,
    render_page,
    version_pairs,
    view_from_sources,
)
from harness.viewer.versions import default_pairs

V1, V2 = "assistant@v1", "assistant@v2"


def _embedded(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="viewer-data">(.*?)</script>', html, re.DOTALL)
    assert block is not None
    return json.loads(block.group(1))


def test_comparison_is_computed_by_compare_itself(example_run: tuple[Project, RunOutcome]) -> None:
    project, run = example_run
    data = view_from_sources([run.directory], project=project)
    assert data.arms == [V1, V2] and len(data.comparisons) == 1
    view = data.comparisons[0]
    a = [s for s in run.scores if s.arm == V1]
    b = [s for s in run.scores if s.arm == V2]
    cfg = project.config.compare
    expected = compare_arms(a, b, a_name=V1, b_name=V2, alpha=cfg.alpha, power=cfg.power, min_effect=cfg.min_effect)
    assert view.comparison.metrics == expected.metrics
    assert view.comparison.flips == expected.flips
    # the scripted v2 drops the filler v1 has: the page must show filler improved
    filler = next(r for r in view.comparison.metrics if r.metric == "filler")
    assert filler.verdict == "improved" and filler.delta < 0
    # and every flipped query carries compare's change; directness scores go 2 → 5
    directness = [q for q in data.queries if q.trait == "directness"]
    assert directness and all(view.changes[q.id]["outcome"] == 3.0 for q in directness)
    assert all(view.changes[q.id]["filler"] == -1.0 for q in directness)


def test_every_answer_of_every_arm_is_there_with_its_scores(example_run: tuple[Project, RunOutcome]) -> None:
    project, run = example_run
    data = view_from_sources([run.directory], project=project)
    answers = [a for q in data.queries for arm in q.answers.values() for a in arm]
    assert len(answers) == len(run.scores)
    q = next(q for q in data.queries if q.trait == "directness")
    assert [a["sample"] for a in q.answers[V1]] == [0, 1] and [a["sample"] for a in q.answers[V2]] == [0, 1]
    first = q.answers[V1][0]
    assert first["text"].startswith("Certainly!") and first["score"] == 2.0
    assert first["reason"] == "graded against the rubric." and first["filler"] == ["Certainly!", "I hope this helps!"]
    assert "refusal" in first and "over_refusal" not in first  # empty fields are left out
    # trait, dimensions and note come from the query file
    assert q.dimensions.get("topic") and q.note
    refused = [a for q in data.queries for a in q.answers[V2] if a.get("refusal") == "full_refusal"]
    assert refused and all(a["refusal_cues"] and a["text"] == "I can't help with that." for a in refused)


def test_summary_rows_are_the_reports(example_run: tuple[Project, RunOutcome]) -> None:
    project, run = example_run
    data = view_from_sources([run.directory], project=project)
    want = {(r.arm, r.trait): r for r in run.report.rows}
    assert len(data.summary) == len(want)
    for row in data.summary:
        report_row = want[(row["arm"], row["trait"])]
        for name, estimate in report_row.metrics.items():
            assert (row["metrics"][name] or {}).get("value") == (estimate.value if estimate else None)
        assert row["n"] == report_row.n
    # the columns are the report's checks, from the registry
    assert [c["name"] for c in data.checks if c["reported"]] == [c.name for c in run.report.checks if c.reported]
    assert {"adherence", "over_refusal", "filler"} <= {c["name"] for c in data.checks}


def test_arms_option_selects_and_orders_the_comparison(example_run: tuple[Project, RunOutcome]) -> None:
    project, run = example_run
    data = view_from_sources([run.directory], arms=["v2", "v1"], project=project)
    assert (data.comparisons[0].a, data.comparisons[0].b) == (V2, V1)
    with pytest.raises(HarnessError):
        view_from_sources([run.directory], arms=["v9", "v1"], project=project)


def test_version_pairs_compare_each_version_with_the_previous() -> None:
    assert version_pairs(["p@v10", "p@v2", "p@v1", "q@a", "other"]) == [("p@v1", "p@v2"), ("p@v2", "p@v10")]
    assert default_pairs(["new", "old"]) == [("new", "old")]
    assert default_pairs(["a", "b", "c"]) == []


def test_embedded_json_cannot_close_its_script_block() -> None:
    text = embed_json({"answer": "</script><script>alert(1)</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"answer": "</script><script>alert(1)</script><!-- & \u2028"}


def _nasty_scores() -> list[ScoredAnswer]:
    out = []
    for arm in ("x@v1", "x@v2"):
        out.append(
            ScoredAnswer(
                id=f"{arm}|q1|0", arm=arm, query_id="q1", trait=None, sample=0, should_refuse=False, model="m",
                prompt_hash=None, query="</script><script>window.__pwned = 1</script>", response="<b>hi</b></script>",
                refusal=None, over_refusal=None, filler=None,
            )
        )
    return out


def test_page_is_self_contained_and_escaped() -> None:
    html = render_page(build_view_data(_nasty_scores(), title="<title> & </script>"))
    assert html.count("<script") == 2 and html.count("</script>") == 2  # the data block and the page's own script
    assert "window.__pwned" in html and "<script>window.__pwned" not in html
    assert "&lt;title&gt; &amp; &lt;/script&gt;" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing fetched from anywhere
    assert "default-src 'none'" in html
    assert _embedded(html)["queries"][0]["text"] == "</script><script>window.__pwned = 1</script>"


def test_page_is_deterministic(example_run: tuple[Project, RunOutcome]) -> None:
    project, run = example_run
    one = render_page(view_from_sources([run.directory], project=project))
    two = render_page(view_from_sources([run.directory], project=project))
    assert one == two


def test_query_anchor_matches_encode_uri_component() -> None:
    assert query_anchor("q-3168b2f47920") == "q-q-3168b2f47920"
    assert query_anchor("a b/é?") == "q-a%20b%2F%C3%A9%3F"


def test_cli_view_writes_one_file(example_run: tuple[Project, RunOutcome], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, run = example_run
    out = tmp_path / "view.html"
    assert main(["--project", str(project.root), "view", str(run.directory), "--out", str(out)]) == 0
    assert "Viewer:" in capsys.readouterr().out
    data = _embedded(out.read_text(encoding="utf-8"))
    assert data["arms"] == [V1, V2] and data["comparisons"][0]["b"] == V2


def test_cli_view_names_a_missing_source(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--project", str(tmp_path), "view", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_compare_view_links_flips_into_the_page(example_run: tuple[Project, RunOutcome], tmp_path: Path) -> None:
    project, run = example_run
    md, html = tmp_path / "out" / "comment.md", tmp_path / "out" / "comment.html"
    code = main(["--project", str(project.root), "compare", str(run.directory), "--arms", "v1", "v2",
                 "--format", "markdown", "--out", str(md), "--view", str(html)])
    assert code == 0
    links = re.findall(r"\(comment\.html#(q-[^)]+)\)", md.read_text())
    data = _embedded(html.read_text())
    assert links and {f"q-{q['id']}" for q in data["queries"]} >= set(links)


def test_report_compares_each_version_with_the_previous(example_run: tuple[Project, RunOutcome]) -> None:
    _, run = example_run
    report = run.report
    assert [(c.a, c.b) for c in report.comparisons] == [(V1, V2)]
    md = render_markdown(report)
    section = md.split("## Prompt versions compared", 1)[1].split("\n## ", 1)[0]
    assert "### assistant@v2 vs assistant@v1" in section
    assert re.search(r"\| filler ↓ \| 97\.4% \| 0\.0% \| -97\.4 pp \[-99\.5, -82\.8\] \| <0\.001 \| 76 \(38\) \| improved \|", section)
    assert "`#q-" in section  # top flips, with their viewer anchors
    assert "harness view runs/example --out reports/example.html" in section


def test_report_command_names_the_viewer_with_project_relative_paths(example_run: tuple[Project, RunOutcome], tmp_path: Path) -> None:
    project, _ = example_run
    assert main(["--project", str(project.root), "report", "example", "--name", "again"]) == 0
    md = (project.reports_dir / "again.md").read_text()
    assert "`harness view runs/example --out reports/again.html`" in md
    assert str(project.root) not in md


def test_view_shows_the_themes_of_an_insights_file(example_run: tuple[Project, RunOutcome], tmp_path: Path) -> None:
    project, run = example_run
    out = tmp_path / "insights"
    assert main(["--project", str(project.root), "insights", str(run.directory), "--judge", "none", "--embed", "local",
                 "--min-cluster-size", "2", "--select", "all", "--out", str(out), "--name", "t"]) == 0
    page = tmp_path / "view.html"
    assert main(["--project", str(project.root), "view", str(run.directory), "--insights", str(out / "insights-t.json"),
                 "--out", str(page)]) == 0
    data = _embedded(page.read_text(encoding="utf-8"))
    themes = json.loads((out / "insights-t.json").read_text())["themes"]
    assert len(data["insights"]) >= len(themes) > 0
    first = data["insights"][0]
    assert first["title"] == f"{themes[0]['id']} · {themes[0]['name']}"
    slots = {(s.query_id, s.arm, s.sample) for s in run.scores}
    assert first["members"] and all((m["query_id"], m["arm"], m["sample"]) in slots for m in first["members"])
