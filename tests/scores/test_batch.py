"""Without a judge, `harness score` writes each result from plain values (ScoredRow), not a validated record:
the bytes of results.jsonl and the report must be those of the per-row pydantic path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.config import Project
from harness.reports import build_report
from harness.runs import make_scorer
from harness.score_reports import report_from_results
from harness.scores import checks
from harness.scores.batch import BatchScorer, ScoredRow, ScoreSettings
from harness.scores.checks import all_checks, reads_fields_only
from harness.scores.records import ScoredAnswer
from harness.traits import load_traits
from harness.transcripts import iter_frames, load_transcripts, score_file
from tests.helpers import copy_example_project, nan_scoring_check

REPLIES = [
    "Certainly! Run `kill -9 <pid>`. I hope this helps!",
    "I'm sorry, but I can't help with that.",
    "Great question! 日本語の回答です — with “quotes”, émojis 🙂🚀 and a tab\there.",
    'It\'s important to note that "this" is complex\\hard.\nLine two\r\nand a \u2028 separator.',
    "",  # an empty answer
    "Sure — here's a control char \x01 and a null-ish word: null.",
]


def _rows(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(n):
        row: dict[str, object] = {
            "id": f"{i:03d}", "query": f"Wie stoppe ich Prozess {i}? ¿Cómo? 进程 {i}", "response": REPLIES[i % len(REPLIES)],
            # Metadata columns: text with unicode, numbers, nulls, booleans.
            "user_tier": ["free", "pro", "équipe"][i % 3], "latency_ms": [12, 3.5, None][i % 3], "flagged": i % 4 == 0,
        }
        if i % 2:  # JSONL rows may lack optional columns altogether
            row.update(arm=["v1", "v2"][i % 4 == 1], trait=["directness", ""][i % 3 == 0],
                       should_refuse=["false", "true", True, 0][i % 4], label=["", "refusal"][i % 7 == 0])
        rows.append(row)
    return rows


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.load(copy_example_project(tmp_path / "proj"))


@pytest.fixture(params=["built-in checks", "a user check"])
def nan_check(request: pytest.FixtureRequest) -> Iterator[None]:
    """With the built-in checks only, the checks see plain fields (ImportedAnswer); with a user check, Answer records.

    The user check scores some answers NaN: the record writes null, and the sums must count what is read back.
    """
    if request.param == "built-in checks":
        assert reads_fields_only(all_checks())
        yield
        return

    with nan_scoring_check():
        assert not reads_fields_only(all_checks())
        yield


def _pydantic_path(project: Project, path: Path) -> list[ScoredAnswer]:
    """Each answer scored as a validated ScoredAnswer, the way a run scores its answers."""
    scorer = make_scorer(project, None, load_traits(project.traits_dir))
    return [scorer.base(a) for a in load_transcripts(path)]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("group_by", [None, "user_tier"])
def test_results_and_report_are_those_of_the_pydantic_records(
    project: Project, tmp_path: Path, suffix: str, group_by: str | None, nan_check: None
) -> None:
    rows = _rows(61)
    path = tmp_path / f"logs{suffix}"
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        import pandas as pd

        pd.DataFrame(rows).to_csv(path, index=False)
    out = score_file(project, path, tmp_path / "out", judge="none", chunk_rows=9, name="logs", group_by=group_by)

    records = _pydantic_path(project, path)
    expected = "".join(r.model_dump_json() + "\n" for r in records).encode("utf-8")
    assert out.results_path.read_bytes() == expected
    # The report counted ScoredRows as they were written; the same report from the records as the file holds them
    # (a NaN score is null there):
    read_back = [ScoredAnswer.model_validate_json(r.model_dump_json()) for r in records]
    assert out.report.model_dump_json() == build_report(
        "logs", read_back, out.report.provenance, group_by=group_by, comparisons=out.report.comparisons
    ).model_dump_json()
    scorer = BatchScorer(ScoreSettings(project_root=str(project.root), judge="none", source=str(path)))
    try:  # and from the file, read back
        assert out.report.model_dump_json() == report_from_results("logs", out.results_path, scorer, group_by).model_dump_json()
    finally:
        scorer.close()


def test_without_a_judge_the_rows_are_plain_and_read_as_their_records(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows(12)), encoding="utf-8")
    scorer = BatchScorer(ScoreSettings(project_root=str(project.root), judge="none", source=str(path)))
    try:
        frame = next(iter_frames(path))
        rows = list(scorer.iter_records(frame))
        records = scorer.records(frame)
    finally:
        scorer.close()
    assert all(type(r) is ScoredRow for r in rows)  # the fast path is the one taken
    assert all(type(r) is ScoredAnswer for r in records)
    for row, record, reference in zip(rows, records, _pydantic_path(project, path), strict=True):
        assert row.model_dump_json() == record.model_dump_json() == reference.model_dump_json()
        assert row.json_bytes() == reference.model_dump_json().encode("utf-8")
        assert record == reference
        assert (row.id, row.arm, row.scores, row.metadata) == (reference.id, reference.arm, reference.scores, reference.metadata)
        assert row.value("filler") == reference.value("filler")


def test_a_replaced_built_in_check_gets_answer_records(project: Project, tmp_path: Path) -> None:
    # A built-in check given another function is a user's check: it may use more of the record than its fields.
    from dataclasses import replace

    from harness.answers import Answer

    seen: list[type] = []

    def filler(answer: object, context: object) -> None:
        seen.append(type(answer))

    before = dict(checks._REGISTRY)
    checks.register(replace(checks._REGISTRY["filler"], compute=filler), replace_existing=True)
    try:
        path = tmp_path / "logs.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows(5)), encoding="utf-8")
        score_file(project, path, tmp_path / "out", judge="none")
    finally:
        checks._REGISTRY.clear()
        checks._REGISTRY.update(before)
    assert seen == [Answer] * 5
