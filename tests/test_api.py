"""The public Python API: sync forms inside a running event loop, and results as DataFrames."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pandas as pd
import pytest

import harness
from harness.models import registry
from harness.models.fake import ScriptedFakeModel
from tests.helpers import copy_example_project, fake_candidate, fake_judge

PREFIX = "apitest"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    models: dict[str, ScriptedFakeModel] = {"candidate": fake_candidate(), "judge": fake_judge()}
    monkeypatch.setitem(registry._REGISTERED, PREFIX, lambda name: models[name])
    return copy_example_project(tmp_path / "p", evals=("directness",))


def test_sync_api_works_inside_a_running_event_loop(project: Path) -> None:
    async def notebook_cell() -> tuple[harness.Run, harness.Scored]:
        # As in Jupyter: a loop is running, and the user calls the sync API.
        asyncio.get_running_loop()
        ran = harness.run(project, model=f"{PREFIX}/candidate", judge=f"{PREFIX}/judge", samples=1)
        frame = pd.DataFrame({"id": ["1"], "query": ["Hi?"], "response": ["Certainly! Cast iron pans hold heat well for decades."]})
        scored = harness.score(frame, project=project)
        return ran, scored

    ran, scored = asyncio.run(notebook_cell())
    assert ran.scores and all(s.adherence is not None for s in ran.scores if s.trait == "directness")
    assert scored.scores[0].filler.has_filler


def test_async_api(project: Path) -> None:
    ran = asyncio.run(harness.arun(project, model=f"{PREFIX}/candidate", judge="none", samples=1, write_report=False))
    assert ran.report.rows and ran.directory is not None and (ran.directory / "scores.jsonl").is_file()


def test_run_to_pandas_round_trips_through_load(project: Path) -> None:
    ran = harness.run(project, model=f"{PREFIX}/candidate", judge=f"{PREFIX}/judge", samples=2, report_name="api")
    df = ran.to_pandas()
    assert len(df) == len(ran.scores) and set(df["arm"]) == {"assistant@v1", "assistant@v2"}
    assert {"adherence", "filler", "over_refusal", "filler.source", "sample", "trait"} <= set(df.columns)
    by_id = {s.id: s for s in ran.scores}
    for row in df.itertuples(index=False):
        s = by_id[row.id]
        assert row.filler == s.scores["filler"].value and row.sample == s.sample
        assert (pd.isna(row.adherence) and "adherence" not in s.scores) or row.adherence == s.scores["adherence"].value
    loaded = harness.load(ran.directory)
    pd.testing.assert_frame_equal(loaded.to_pandas(), df)
    assert loaded.report == ran.report
    # v1 scores less filler than v2's instruction-following fake? v2 forbids filler.
    assert df.groupby("arm")["filler"].mean().to_dict() == {"assistant@v1": 1.0, "assistant@v2": 0.0}


def test_scored_file_to_pandas_round_trips_with_metadata(project: Path, tmp_path: Path) -> None:
    csv = tmp_path / "logs.csv"
    csv.write_text(
        "id,query,response,user_tier,timestamp\n"
        "1,How do I kill a hung process?,I can't help with that.,free,2026-01-01\n"
        "2,Rebase or merge?,Certainly! Rebase. I hope this helps!,pro,2026-01-02\n"
        "3,Best pan?,Cast iron.,pro,2026-01-03\n"
    )
    scored = harness.score(csv, project=project)
    df = scored.to_pandas()
    assert list(df["user_tier"]) == ["free", "pro", "pro"] and "timestamp" in df.columns
    assert df.groupby("user_tier")["over_refusal"].mean().to_dict() == {"free": 1.0, "pro": 0.0}
    # Back in as a DataFrame (the answers' own columns plus the metadata), the same scores come out.
    back_in = df[["query_id", "arm", "query", "response", "user_tier", "timestamp"]].rename(columns={"query_id": "id"})
    again = harness.score(back_in, project=project)
    assert [s.scores for s in again.scores] == [s.scores for s in scored.scores]
    pd.testing.assert_frame_equal(again.to_pandas(), df)


def test_compare_from_results(project: Path) -> None:
    ran = harness.run(project, model=f"{PREFIX}/candidate", judge=f"{PREFIX}/judge", samples=2)
    comparison = harness.compare(ran, arms=["v1", "v2"], project=project)
    assert comparison.metric("filler").verdict == "improved"
    import harness.compare as module  # the submodule is importable too, and still callable

    assert module.compare_arms and module(ran, arms=["v1", "v2"], project=project).metric("filler").delta == -1.0
