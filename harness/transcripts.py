"""Existing transcripts (production logs, another tool's outputs) as answers.

``harness score FILE`` reads a CSV or JSONL with columns ``id``, ``query``,
``response`` and optionally ``arm``, ``trait``, ``should_refuse`` and
``label``, and scores it exactly as a run's answers are scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.answers import Answer
from harness.config import Project
from harness.errors import HarnessError
from harness.formats import content_hash, dump_jsonl, json_error
from harness.models.base import Provider
from harness.models.cache import ResponseCache
from harness.models.client import CallStats, ModelClient
from harness.reports import Provenance, Report, build_report, write_report
from harness.scores.judges import judge_prompt_hash
from harness.scores.records import ScoredAnswer
from harness.scores.score import score_answers
from harness.traits import TraitSpec, load_traits

__all__ = ["ScoreFileOutcome", "ascore_transcripts", "load_transcripts", "score_file", "score_transcripts"]

REQUIRED = ("id", "query", "response")
OPTIONAL = ("arm", "trait", "should_refuse", "label")
DEFAULT_ARM = "default"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def _read_frame(path: Path) -> Any:
    import pandas as pd  # only `harness score` pays for importing pandas

    if not path.is_file():
        raise HarnessError(f"{path} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return pd.DataFrame.from_records(_read_jsonl(path))
    if suffix != ".csv":
        raise HarnessError(f"{path}: unsupported file type {suffix!r}", fix="use a .csv or .jsonl file")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise HarnessError(f"{path} could not be parsed: {exc}") from None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One object per line, with a whole message naming line and column when a line is broken."""
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise json_error(f"{path}, line {lineno}", exc) from None
        if not isinstance(row, dict):
            raise HarnessError(f"{path}, line {lineno}: expected a JSON object, not {type(row).__name__}")
        rows.append(row)
    return rows


def _rows(frame: Any, source: str) -> list[dict[str, Any]]:
    """The rows of a transcript table; columns beyond the known ones are kept as ``metadata``."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise HarnessError(
            f"{source} lacks required column(s): {', '.join(missing)}",
            fix=f"columns are {', '.join(REQUIRED)} (required) and {', '.join(OPTIONAL)} (optional); "
            "any other column is carried through as metadata",
        )
    rows = frame[[c for c in frame.columns if c in REQUIRED + OPTIONAL]].to_dict(orient="records")
    extras = [c for c in frame.columns if c not in REQUIRED + OPTIONAL]
    if extras:
        # Through JSON: numpy scalars and timestamps become plain, serialisable values.
        metadata = json.loads(frame[extras].to_json(orient="records", date_format="iso", force_ascii=False))
        for row, meta in zip(rows, metadata, strict=True):
            row["metadata"] = {str(k): v for k, v in meta.items()}
    return rows


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise HarnessError(f"{where}: should_refuse must be true or false, not {value!r}")


def _as_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def load_transcripts(data: Path | str | Any) -> list[Answer]:
    """Read a CSV/JSONL of responses, or a pandas DataFrame with the same columns, as :class:`Answer` records.

    Columns other than ``id``, ``query``, ``response``, ``arm``, ``trait``,
    ``should_refuse`` and ``label`` (a ``timestamp``, a ``user_tier``) are kept
    in each answer's ``metadata``.
    """
    if isinstance(data, str | Path):
        path = Path(data)
        source, rows = str(path), _rows(_read_frame(path), str(path))
        first = 2 if path.suffix.lower() == ".csv" else 1
    else:
        source, rows, first = "the DataFrame", _rows(data, "the DataFrame"), 0
    answers: list[Answer] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=first):
        where = f"{source}, row {i}"
        row_id = _as_text(row.get("id"))
        query = _as_text(row.get("query"))
        if not row_id or query is None:
            raise HarnessError(f"{where}: id and query must not be empty")
        arm = _as_text(row.get("arm")) or DEFAULT_ARM
        key = f"{arm}|{row_id}"
        if key in seen:
            raise HarnessError(f"{where}: duplicate id {row_id!r} in arm {arm!r}", fix="ids must be unique per arm")
        seen.add(key)
        answers.append(
            Answer(
                id=key,
                arm=arm,
                query_id=row_id,
                trait=_as_text(row.get("trait")) or None,
                should_refuse=_as_bool(row.get("should_refuse"), where),
                model="imported",
                query=query,
                text=_as_text(row.get("response")),
                label=_as_text(row.get("label")),
                metadata=row.get("metadata") or {},
            )
        )
    return answers


def score_transcripts(
    project: Project,
    path: Path | Any,
    *,
    judge: str | None = None,
    judge_provider: Provider | None = None,
    **overrides: object,
) -> tuple[list[Answer], dict[str, TraitSpec], list[ScoredAnswer], ModelClient | None]:
    """Sync form of :func:`ascore_transcripts` (works inside a running event loop too)."""
    from harness._sync import run_sync

    return run_sync(ascore_transcripts(project, path, judge=judge, judge_provider=judge_provider, **overrides))


async def ascore_transcripts(
    project: Project,
    data: Path | Any,
    *,
    judge: str | None = None,
    judge_provider: Provider | None = None,
    **overrides: object,
) -> tuple[list[Answer], dict[str, TraitSpec], list[ScoredAnswer], ModelClient | None]:
    """Load a transcript file (or DataFrame) and score it with the project's scorer (``overrides`` as in ``make_scorer``)."""
    from harness.runs import make_judge_client, make_scorer

    answers = load_transcripts(data)
    traits = load_traits(project.traits_dir) if project.traits_dir.is_dir() else {}
    cache = ResponseCache(project.cache_path)
    client = None
    try:
        client = make_judge_client(project, judge, judge_provider, cache)
        scores = await score_answers(make_scorer(project, client, traits, **overrides), answers)
    finally:
        if client is not None and judge_provider is None:
            await client.aclose()
        cache.close()
    return answers, traits, scores, client


def transcript_provenance(
    project: Project, answers: list[Answer], traits: dict[str, TraitSpec], client: ModelClient | None,
    sources: dict[str, str],
) -> Provenance:
    """What produced the scores of imported transcripts (``sources``: name → content hash)."""
    used = sorted({a.trait for a in answers if a.trait in traits})
    return Provenance(
        candidate_models=sorted({a.arm for a in answers}),
        judge_model=client.model if client else None,
        adherence_prompt_hash=judge_prompt_hash("adherence") if client else None,
        refusal_prompt_hash=judge_prompt_hash("refusal") if client and project.config.judge.refusal else None,
        prompts={},
        traits={t: traits[t].spec_hash() for t in used},
        query_files=sources,
        smoke_test=bool(client and client.provider.smoke_test_only),
    )


@dataclass
class ScoreFileOutcome:
    """What scoring a transcript file produced."""

    scores: list[ScoredAnswer]
    report: Report
    results_path: Path
    report_paths: tuple[Path, Path]
    judge_stats: CallStats | None
    smoke_test: bool


def score_file(
    project: Project,
    path: Path | str,
    out_dir: Path,
    *,
    judge: str | None = None,
    judge_provider: Provider | None = None,
    name: str | None = None,
    group_by: str | None = None,
) -> ScoreFileOutcome:
    """Score a transcript file and write ``results.jsonl`` plus the report into ``out_dir``.

    ``group_by`` names an extra column of the file to group report rows by instead of trait.
    """
    path = Path(path)
    answers, traits, scores, client = score_transcripts(project, path, judge=judge, judge_provider=judge_provider)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / "results.jsonl"
    dump_jsonl(scores, results)
    provenance = transcript_provenance(project, answers, traits, client, {path.name: content_hash(path.read_text(encoding="utf-8"))})
    report = build_report(name or path.stem, scores, provenance, group_by=group_by)
    paths = write_report(report, out_dir)
    return ScoreFileOutcome(
        scores=scores, report=report, results_path=results, report_paths=paths,
        judge_stats=client.stats if client else None, smoke_test=provenance.smoke_test,
    )
