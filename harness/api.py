"""The public Python API: run, score, compare and load, with results as DataFrames.

Async first: :func:`arun` and :func:`ascore` are coroutines; :func:`run` and
:func:`score` are their sync forms, which work in scripts and inside a running
event loop (a notebook) alike. Everything the CLI does goes through these or
the library functions they call.

    import harness

    run = harness.run(model="anthropic/claude-sonnet-4-5", prompts=["assistant@v1", "assistant@v2"])
    df = run.to_pandas()                       # one row per answer, one column per check
    df.groupby("arm")["filler"].mean()

    scored = harness.score("logs.csv")         # deterministic checks only
    scored.to_pandas().groupby("user_tier")["over_refusal"].mean()

    print(harness.compare(run, arms=["v1", "v2"]).metric("adherence"))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness._sync import run_sync

if TYPE_CHECKING:
    import pandas as pd

    from harness.compare import Comparison
    from harness.config import Project
    from harness.reports import Report
    from harness.runs import RunOutcome, RunSpec
    from harness.scores.records import ScoredAnswer

__all__ = ["Results", "Run", "Scored", "arun", "ascore", "compare", "load", "run", "score", "to_pandas"]

#: Answer fields that become DataFrame columns, in order.
ANSWER_COLUMNS = (
    "id", "arm", "query_id", "trait", "sample", "should_refuse", "label", "mirror", "model", "prompt_hash",
    "query", "response", "error", "trait_hash", "judge_model",
)


def to_pandas(scores: list[ScoredAnswer]) -> pd.DataFrame:
    """One row per answer: its fields, each check's value as a column named after the check
    (with ``<check>.label``, ``.reason``, ``.source`` and ``.scorable`` beside it), and each
    metadata key as a column of its own (``metadata.<key>`` if the name is taken).
    """
    import pandas as pd

    checks = sorted({name for s in scores for name in s.scores})
    meta_keys = sorted({k for s in scores for k in s.metadata})
    taken = set(ANSWER_COLUMNS) | set(checks) | {f"{c}.{f}" for c in checks for f in ("label", "reason", "source", "scorable")}
    meta_columns = {k: f"metadata.{k}" if k in taken else k for k in meta_keys}
    rows = []
    for s in scores:
        row: dict[str, Any] = {c: getattr(s, c) for c in ANSWER_COLUMNS}
        for name in checks:
            sc = s.scores.get(name)
            row[name] = None if sc is None else sc.value
            row[f"{name}.label"] = None if sc is None else sc.label
            row[f"{name}.reason"] = None if sc is None else sc.reason
            row[f"{name}.source"] = None if sc is None else sc.source
            row[f"{name}.scorable"] = None if sc is None else sc.scorable
        for key, column in meta_columns.items():
            row[column] = s.metadata.get(key)
        rows.append(row)
    columns = [*ANSWER_COLUMNS, *(f for c in checks for f in (c, f"{c}.label", f"{c}.reason", f"{c}.source", f"{c}.scorable")),
               *meta_columns.values()]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class Results:
    """Scored answers and their report."""

    scores: list[ScoredAnswer]
    report: Report

    def to_pandas(self) -> pd.DataFrame:
        """One row per answer with flattened scores (see :func:`to_pandas`)."""
        return to_pandas(self.scores)

    @property
    def arms(self) -> list[str]:
        """The arms present, sorted."""
        return sorted({s.arm for s in self.scores})


@dataclass
class Run(Results):
    """A run: its directory and configuration, scores and report."""

    name: str = ""
    directory: Path | None = None
    spec: RunSpec | None = None
    outcome: RunOutcome | None = field(default=None, repr=False)


@dataclass
class Scored(Results):
    """Imported transcripts, scored."""

    judge_model: str | None = None


def _project(project: Project | str | Path | None) -> Project:
    from harness.config import Project, find_project

    return project if isinstance(project, Project) else find_project(project)


async def arun(
    project: Project | str | Path | None = None,
    *,
    model: str | None = None,
    judge: str | None = None,
    prompts: list[str] | None = None,
    evals: list[str] | None = None,
    samples: int | None = None,
    name: str | None = None,
    report_name: str | None = None,
    write_report: bool = True,
    max_cost: float | None = None,
    batch: bool | None = None,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> Run:
    """Answer every query under each prompt version, score, and report (as ``harness run``).

    Args:
        project: a project directory or :class:`~harness.config.Project` (default: the nearest ``harness.toml``).
        model: the candidate model (default: ``[models].candidate``).
        judge: the judge model, or ``"none"`` (default: ``[models].judge``).
        prompts, evals, samples, name, report_name, max_cost, batch: as the ``harness run`` options.
        write_report: also write ``reports/<name>.md|json``.
        progress: ``progress(label, total)`` returns a callback advancing a bar.
    """
    from harness.runs import RunOptions, aexecute_run

    options = RunOptions(
        candidate=model, judge=judge, prompts=prompts, evals=evals, samples=samples, name=name,
        report_name=report_name, write_report=write_report, max_cost=max_cost, batch=batch,
    )
    outcome = await aexecute_run(_project(project), options, progress)
    return Run(scores=outcome.scores, report=outcome.report, name=outcome.name, directory=outcome.directory,
               spec=outcome.spec, outcome=outcome)


def run(project: Project | str | Path | None = None, **options: Any) -> Run:
    """Sync form of :func:`arun`; works in scripts and notebooks alike."""
    return run_sync(arun(project, **options))


async def ascore(
    data: str | Path | pd.DataFrame,
    judge: str | None = None,
    *,
    project: Project | str | Path | None = None,
    name: str = "scored",
    group_by: str | None = None,
) -> Scored:
    """Score existing answers (as ``harness score``), without writing files.

    Args:
        data: a CSV or JSONL file, or a DataFrame, with columns ``id``, ``query``,
            ``response`` and optionally ``arm``, ``trait``, ``should_refuse``,
            ``label``; other columns are carried through as metadata.
        judge: None for the deterministic checks only, or a judge model name.
        project: the project whose traits and settings apply (default: the nearest ``harness.toml``).
        name: the report's name.
        group_by: an extra column to group the report's rows by instead of trait.
    """
    from harness.formats import content_hash
    from harness.reports import build_report
    from harness.transcripts import ascore_transcripts, transcript_provenance

    proj = _project(project)
    answers, traits, scores, client = await ascore_transcripts(proj, data, judge=judge or "none")
    if isinstance(data, str | Path):
        sources = {Path(data).name: content_hash(Path(data).read_text(encoding="utf-8"))}
    else:
        sources = {"DataFrame": content_hash(data.to_json(orient="records"))}
    report = build_report(name, scores, transcript_provenance(proj, answers, traits, client, sources), group_by=group_by)
    return Scored(scores=scores, report=report, judge_model=client.model if client else None)


def score(
    data: str | Path | pd.DataFrame,
    judge: str | None = None,
    *,
    project: Project | str | Path | None = None,
    name: str = "scored",
    group_by: str | None = None,
) -> Scored:
    """Sync form of :func:`ascore`; works in scripts and notebooks alike."""
    return run_sync(ascore(data, judge, project=project, name=name, group_by=group_by))


def load(run_dir: str | Path, *, project: Project | str | Path | None = None) -> Run:
    """A finished run from its directory (``runs/<name>``, or a run name in the project)."""
    from harness.runs import load_run, rebuild_report

    directory = Path(run_dir)
    if not directory.exists():
        directory = _project(project).runs_dir / str(run_dir)
    spec, scores = load_run(directory)
    return Run(scores=scores, report=rebuild_report(directory), name=directory.name, directory=directory, spec=spec)


def compare(
    a: Results | str | Path,
    b: Results | str | Path | None = None,
    *,
    arms: list[str] | None = None,
    project: Project | str | Path | None = None,
    flips: int = 5,
) -> Comparison:
    """A/B compare two arms (as ``harness compare``): two arms of one source, or one arm of each of two.

    Sources are results (from :func:`run`, :func:`score`, :func:`load`) or paths.
    Decision settings come from the project's ``[compare]``.
    """
    from harness.compare import compare_arms, pair_arms

    sources = [a] if b is None else [a, b]
    name_a, sa, name_b, sb = pair_arms([s.scores if isinstance(s, Results) else s for s in sources], arms)
    cfg = _project(project).config.compare
    return compare_arms(sa, sb, a_name=name_a, b_name=name_b, alpha=cfg.alpha, power=cfg.power,
                        min_effect=cfg.min_effect, flips=flips)
