"""``harness insights`` from files and from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.config import find_project
from harness.errors import HarnessError
from harness.formats import dump_jsonl
from harness.insights import InsightsOptions, find_insights, viewer_themes
from harness.insights.select import answer_key
from harness.insights.sources import default_name, insights_for_files, load_sources, resolve_arm
from harness.models.registry import register_provider
from tests.helpers import copy_example_project
from tests.insights.analysts import fake_analyst
from tests.insights.mixture import mixture, rare_theme

register_provider("insightsfake", lambda model: fake_analyst(embeddings=model == "embedder", model=model))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_example_project(tmp_path / "proj")
    scores, _ = mixture(30, 10, context=True, arms=("assistant@v1", "assistant@v2"))
    dump_jsonl(scores + rare_theme("assistant@v2"), root / "runs" / "demo" / "scores.jsonl")
    return root


def test_cli_offline(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project), "insights", str(project / "runs" / "demo"), "--arms", "v1", "v2", "--judge", "none"])

    assert code == 0
    out = capsys.readouterr().out
    assert "theme share: assistant@v2 vs assistant@v1" in out and "offline: TF-IDF" in out
    data = json.loads((project / "reports" / "insights-demo.json").read_text())
    assert data["arms"]["a"] == "assistant@v1" and data["method"]["analyst_model"] is None
    assert (project / "reports" / "insights-demo.md").is_file()


def test_cli_model_path_with_auto_embeddings(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main([
        "--project", str(project), "insights", str(project / "runs" / "demo" / "scores.jsonl"), "--judge", "insightsfake/embedder",
        "--out", str(out), "--name", "weekly", "--select", "over_refusal or filler",
    ])

    assert code == 0
    data = json.loads((out / "insights-weekly.json").read_text())
    assert data["method"]["analyst_model"] == "fake/embedder"
    assert data["method"]["embedding"] == "model: fake/embedder embeddings"
    assert data["selection"]["rule"] == "over_refusal or filler"
    assert all(t["named_by"] == "model" for t in data["themes"])


def test_auto_embeddings_fall_back_when_the_analyst_has_none(project: Path, tmp_path: Path) -> None:
    outcome = insights_for_files(
        find_project(project), [str(project / "runs" / "demo")], tmp_path, judge="insightsfake/analyst", embed="auto"
    )

    assert outcome.insights.method.embedding.startswith("offline")
    assert outcome.embed_stats is None and outcome.analyst_stats is not None and outcome.analyst_stats.api_calls > 0


def test_cli_errors_are_friendly(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = str(project / "runs" / "demo")
    assert main(["--project", str(project), "insights", run, "--judge", "none", "--select", "adherance < 2"]) == 2
    assert "unknown name 'adherance'" in capsys.readouterr().err
    assert main(["--project", str(project), "insights", run, "--judge", "none", "--arms", "v1", "v9"]) == 2
    assert "no arm matches 'v9'" in capsys.readouterr().err
    assert main(["--project", str(project), "insights", run, "--judge", "none", "--min-cluster-size", "0"]) == 2


def test_two_sources_with_the_same_arm_are_told_apart(project: Path, tmp_path: Path) -> None:
    # The same arm answering the same queries in two sources (two models, say): the same answer ids in both.
    scores, _ = mixture(30, 10, context=True, arms=("assistant@v1",))
    dump_jsonl(scores, tmp_path / "other" / "results.jsonl")
    sources = [str(project / "runs" / "demo"), str(tmp_path / "other" / "results.jsonl")]

    merged = load_sources(sources)

    arms = {s.arm for s in merged}
    assert arms == {"demo:assistant@v1", "results.jsonl:assistant@v1", "assistant@v2"}
    keys = [answer_key(s) for s in merged]
    assert len(set(keys)) == len(merged) > len({s.id for s in merged})
    insights = find_insights(merged, InsightsOptions(name="two", arms=("demo:assistant@v1", "results.jsonl:assistant@v1")))
    assert insights.arms is not None and all(r.delta == 0 for r in insights.arms.rows)  # the same answers in both
    members = [m for t in insights.themes for m in t.member_ids] + insights.other.member_ids
    assert len(members) == len(set(members)) == insights.selection.n_selected
    sections = viewer_themes(insights, merged)
    assert sum(len(s["members"]) for s in sections) == sum(t.n_answers for t in insights.themes)
    assert resolve_arm(merged, "results.jsonl:assistant@v1") == "results.jsonl:assistant@v1"
    with pytest.raises(HarnessError, match="ambiguous"):
        resolve_arm(merged, "assistant@v1")
    assert default_name(sources) == "demo+other"


def test_the_smoke_test_judge_is_not_made_the_analyst_unless_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No key: the configured judge ("auto") is the bundled 270M model.
    assert main(["--project", str(project), "insights", str(project / "runs" / "demo")]) == 0

    assert "using the offline path" in capsys.readouterr().err
    data = json.loads((project / "reports" / "insights-demo.json").read_text())
    assert data["method"]["analyst_model"] is None


def test_cli_embeds_through_an_openai_compatible_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--embed openai/<model>` with OPENAI_BASE_URL: the real SDK path against a local server."""
    from harness.insights.embed import count_terms
    from harness.insights.facets import offline_facets
    from harness.insights.select import select_items
    from tests.models.test_embeddings import embeddings_body
    from tests.wire_servers import ScriptedResponse, ScriptedServer

    root = copy_example_project(tmp_path / "proj")
    scores, _ = mixture(6, 0, seed=4)
    dump_jsonl(scores, root / "runs" / "small" / "scores.jsonl")
    unique = count_terms(offline_facets(select_items(scores)).texts).unique
    assert len(unique) <= 64  # one embeddings request
    vectors = [[float(i == j) for j in range(len(unique))] for i in range(len(unique))]
    with ScriptedServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        server.enqueue(ScriptedResponse(200, embeddings_body(vectors)))
        code = main(["--project", str(root), "insights", str(root / "runs" / "small"), "--judge", "none",
                     "--embed", "openai/nomic-embed-text", "--min-cluster-size", "2"])

    assert code == 0, capsys.readouterr().err
    (request,) = server.requests
    assert request.path == "/v1/embeddings" and request.json["model"] == "nomic-embed-text"
    assert request.json["input"] == list(unique)
    data = json.loads((root / "reports" / "insights-small.json").read_text())
    assert data["method"]["embedding"] == "model: openai/nomic-embed-text embeddings"
