"""`harness score` streams: any chunk size, any of CSV / JSONL / Parquet, the same results and report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.config import Project
from harness.errors import HarnessError
from harness.score_reports import report_from_results
from harness.scores.batch import BatchScorer, ScoreSettings
from harness.transcripts import iter_frames, score_file
from tests.helpers import copy_example_project, nan_scoring_check

ROWS = [
    {"id": f"{i:03d}", "query": f"How do I stop process {i}?",
     "response": ["Certainly! Run `kill -9 <pid>`. I hope this helps!", "I'm sorry, but I can't help with that.",
                  "Use `kill <pid>` first.", "It's important to note that this is a complex issue."][i % 4],
     "arm": ["v1", "v2"][i % 2], "trait": ["directness", ""][i % 3 == 0], "should_refuse": ["false", "true"][i % 5 == 0],
     "label": ""}
    for i in range(53)
]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    import pandas as pd

    frame = pd.DataFrame(rows)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the [ray] extra)")
        frame.to_parquet(path, index=False)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.load(copy_example_project(tmp_path / "proj"))


def test_chunk_size_and_format_change_nothing(project: Project, tmp_path: Path) -> None:
    whole = score_file(project, _write(tmp_path / "logs.csv", ROWS), tmp_path / "whole", judge="none", name="logs")
    expected_results = whole.results_path.read_bytes()
    expected_report = whole.report.model_copy(update={"provenance": None}).model_dump_json()
    for suffix, chunk in ((".csv", 7), (".jsonl", 1), (".jsonl", 10_000), (".parquet", 5)):
        path = _write(tmp_path / f"logs{suffix}", ROWS)
        out = score_file(project, path, tmp_path / f"out{suffix}{chunk}", judge="none", chunk_rows=chunk, name="logs")
        assert out.rows == len(ROWS)
        assert out.results_path.read_bytes() == expected_results, (suffix, chunk)
        assert out.report.model_copy(update={"provenance": None}).model_dump_json() == expected_report, (suffix, chunk)


def test_rows_are_numbered_across_chunks(tmp_path: Path) -> None:
    frames = list(iter_frames(_write(tmp_path / "logs.csv", ROWS), chunk_rows=10))
    assert [len(f) for f in frames] == [10, 10, 10, 10, 10, 3]
    assert frames[1]["_row"].tolist()[0] == 12  # the header is line 1


def test_a_duplicate_in_a_later_chunk_is_caught(project: Project, tmp_path: Path) -> None:
    rows = [*ROWS, {**ROWS[4], "response": "again"}]
    with pytest.raises(HarnessError, match="duplicate id '004' in arm 'v1'"):
        score_file(project, _write(tmp_path / "dup.csv", rows), tmp_path / "out", judge="none", chunk_rows=10)


def test_a_bad_value_names_its_row_in_a_later_chunk(project: Project, tmp_path: Path) -> None:
    rows = [*ROWS[:30], {**ROWS[30], "should_refuse": "maybe"}]
    with pytest.raises(HarnessError, match=r"row 32: should_refuse"):
        score_file(project, _write(tmp_path / "bad.csv", rows), tmp_path / "out", judge="none", chunk_rows=10)


def test_a_header_with_no_rows_still_checks_columns(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("id,prompt,response\n")
    with pytest.raises(HarnessError, match=r"lacks required column.*query"):
        score_file(project, path, tmp_path / "out", judge="none")


@pytest.fixture
def nan_check() -> Iterator[None]:
    """A user check that scores some answers NaN (JSON, hence results.jsonl, has no NaN: it is written null)."""

    with nan_scoring_check():
        yield


def test_the_report_made_while_writing_is_the_report_read_from_the_file(
    project: Project, tmp_path: Path, nan_check: None
) -> None:
    # The local engine counts each record as it writes it, instead of reading results.jsonl back.
    path = _write(tmp_path / "logs.csv", ROWS)
    out = score_file(project, path, tmp_path / "out", judge="none", chunk_rows=7, name="logs", group_by=None)
    scorer = BatchScorer(ScoreSettings(project_root=str(project.root), judge="none", source=str(path)))
    try:
        from_file = report_from_results("logs", out.results_path, scorer)
    finally:
        scorer.close()
    assert any(s.scores["length_ratio"].value is None for s in out.scores), "the NaN scores read back as null"
    assert out.report.model_dump_json() == from_file.model_dump_json()
