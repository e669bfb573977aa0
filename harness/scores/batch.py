"""Scoring as a function from a pandas batch to a pandas batch.

:class:`BatchScorer` turns a frame of transcript rows (the columns of
``harness score``) into a frame with one row per answer: ``id``
(``<arm>|<id>``) and ``result`` (the :class:`~harness.scores.records.ScoredAnswer`
as JSON, exactly a line of ``results.jsonl``). It is what ``harness score``
runs on each chunk of a file, and what the Ray engine runs on each block on a
cluster (``Dataset.map_batches(BatchScorer, fn_constructor_args=(settings,))``):
the same code, so the same results.

A scorer is built from :class:`ScoreSettings`, which are plain strings, so a
Ray worker can rebuild it on its own machine: it loads the project there,
opens the project's response cache, and calls the judge through its own
:class:`~harness.models.client.ModelClient`, whose concurrency limit
(``[run].concurrency``) is therefore per worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.config import Project
from harness.models.base import Provider
from harness.models.cache import ResponseCache
from harness.models.client import CallStats

if TYPE_CHECKING:
    import pandas as pd

    from harness.report_sums import ReportSums
    from harness.reports import Report
    from harness.scores.records import Score, ScoredAnswer

__all__ = ["BatchScorer", "ImportedAnswer", "ScoreSettings", "ScoredRow", "score_batch"]


class ScoredRow:
    """A scored answer as the plain values of a :class:`~harness.scores.records.ScoredAnswer`, and its JSON line.

    What the local engine makes without a judge: it reads like the record
    (``s.id``, ``s.scores``, ``s.metadata``...) for the report's running sums,
    and :meth:`model_dump_json` gives the line already written, byte for byte
    the record's own (``tests/scores/test_batch.py`` compares the two).
    """

    scores: dict[str, Score]

    def __init__(self, fields: dict[str, Any], line: bytes) -> None:
        self.__dict__ = fields  # the record's fields as attributes, without copying them
        self._line = line

    def model_dump_json(self) -> str:
        """The record's ``results.jsonl`` line."""
        return self._line.decode("utf-8")

    def json_bytes(self) -> bytes:
        """The record's ``results.jsonl`` line, UTF-8 encoded (as the file holds it)."""
        return self._line

    def value(self, name: str) -> float | None:
        """The value of check ``name`` (as :meth:`ScoredAnswer.value`)."""
        s = self.scores.get(name)
        return None if s is None else s.value

    def record(self) -> ScoredAnswer:
        """The validated record (as read back from its line)."""
        from harness.scores.records import ScoredAnswer

        return ScoredAnswer.model_validate_json(self._line)


class ImportedAnswer:
    """An imported row's answer as plain fields: what the built-in checks read, without a validated record.

    :func:`harness.transcripts.iter_answers` has checked and converted every
    field already; building an :class:`~harness.answers.Answer` on top would
    only validate them again. Used only when every check is a built-in one
    (:func:`harness.scores.checks.reads_fields_only`); a user's check gets the record.
    """

    __slots__ = ("arm", "id", "label", "metadata", "model", "query", "query_id", "should_refuse", "text", "trait")
    sample = 0
    mirror = prompt_hash = error = None

    def __init__(
        self, *, id: str, arm: str, query_id: str, trait: str | None, should_refuse: bool, model: str, query: str,
        text: str | None, label: str | None, metadata: dict[str, Any],
    ) -> None:
        self.id, self.arm, self.query_id, self.trait, self.should_refuse = id, arm, query_id, trait, should_refuse
        self.model, self.query, self.text, self.label, self.metadata = model, query, text, label, metadata


@dataclass(frozen=True)
class ScoreSettings:
    """What a scorer needs, as plain values that can travel to another process.

    Args:
        project_root: the project folder (its ``harness.toml``, traits and cache).
        judge: the judge model, ``none``, or None for ``[models].judge``.
        source: the transcript file, for error messages and provenance.
    """

    project_root: str
    judge: str | None = None
    source: str = "transcripts"


class BatchScorer:
    """Scores pandas batches of transcript rows; callable, so Ray can run it as an actor.

    Args:
        settings: where the project is and which judge to use.
        judge_provider: an already-built judge (tests, in-process only).
    """

    def __init__(self, settings: ScoreSettings, judge_provider: Provider | None = None) -> None:
        from harness.runs import make_judge_client, make_scorer
        from harness.traits import load_traits

        self.settings = settings
        self.project = Project.load(Path(settings.project_root))
        self.traits = load_traits(self.project.traits_dir) if self.project.traits_dir.is_dir() else {}
        self._cache: ResponseCache | None = None
        self._owned = judge_provider is None
        # One event loop for the scorer's life: the judge client's connections and limits belong to it.
        self._loop = asyncio.new_event_loop()
        self.judge = None
        if not (judge_provider is None and settings.judge == "none"):
            self._cache = ResponseCache(self.project.cache_path)
            self.judge = make_judge_client(self.project, settings.judge, judge_provider, self._cache)
        self.scorer = make_scorer(self.project, self.judge, self.traits)

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        """Score one batch: transcript columns in, ``id`` and ``result`` out, in the same order."""
        import pandas as pd

        scores = list(self.iter_records(batch))
        return pd.DataFrame(
            {"id": [s.id for s in scores], "result": [s.model_dump_json() for s in scores]},
            columns=["id", "result"],
        )

    def records(self, batch: pd.DataFrame) -> list[ScoredAnswer]:
        """Score one batch of transcript rows: one record per row, in the same order."""
        return [s.record() if isinstance(s, ScoredRow) else s for s in self.iter_records(batch)]

    def iter_records(self, batch: pd.DataFrame) -> Iterator[ScoredAnswer]:
        """Score one batch of transcript rows, one record per row in order, each as soon as it is made.

        Without a judge the records are :class:`ScoredRow` objects, which read
        like records and carry their JSON line (:meth:`records` validates them).

        The local engine takes these one at a time (each one's JSON line for
        ``results.jsonl``, the record itself for the report's running sums)
        rather than reading its own output back; without a judge, no record
        outlives its turn, so the garbage collector has no batch of them to scan.
        """
        from harness.scores.score import score_answers
        from harness.transcripts import answers_from_frame

        if self.judge is None:  # deterministic checks only: nothing to wait for
            yield from self._rows(batch)
            return
        answers = answers_from_frame(batch, self.settings.source)
        yield from (self._loop.run_until_complete(score_answers(self.scorer, answers)) if answers else [])

    def _rows(self, batch: pd.DataFrame) -> Iterator[ScoredAnswer]:
        """Deterministic scores as :class:`ScoredRow` records, each with its JSON line made from plain values.

        The fields were validated on the way in (the answer) and by the checks
        (their scores); validating them again as a record, then serialising
        that, would double what the pipeline costs per answer.
        """
        from pydantic_core import to_json

        from harness.answers import Answer
        from harness.scores.checks import all_checks, reads_fields_only
        from harness.transcripts import iter_answers

        fields = self.scorer.base_fields
        make = ImportedAnswer if reads_fields_only(all_checks()) else Answer
        for answer in iter_answers(batch, self.settings.source, make):
            values = fields(answer)
            # As ScoredAnswer.model_dump_json writes it: the same serialiser, NaN and infinity as null.
            yield ScoredRow(values, to_json(values, inf_nan_mode="null"))  # type: ignore[misc]  # read as a ScoredAnswer

    @property
    def judge_stats(self) -> CallStats | None:
        """The judge calls this scorer made (None without a judge)."""
        return self.judge.stats if self.judge is not None else None

    def report(self, name: str, results: Path, group_by: str | None = None, sums: ReportSums | None = None) -> Report:
        """The report of a results file written from this scorer's batches.

        ``sums``: the first pass over the results already made while they were
        written (see :func:`harness.score_reports.report_from_results`).
        """
        from harness.score_reports import report_from_results

        return report_from_results(name, results, self, group_by=group_by, sums=sums)

    def close(self) -> None:
        """Close the judge's connections, the cache and the event loop (once)."""
        if self._loop.is_closed():
            return
        if self.judge is not None and self._owned:
            self._loop.run_until_complete(self.judge.aclose())
        if self._cache is not None:
            self._cache.close()
        self._loop.close()

    def __del__(self) -> None:  # a Ray actor is not closed explicitly; commit what its cache holds
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to save
            pass


def score_batch(batch: pd.DataFrame, settings: ScoreSettings) -> pd.DataFrame:
    """Score one batch with a scorer made for it (for one-off use; reuse a :class:`BatchScorer` for many)."""
    scorer = BatchScorer(settings)
    try:
        return scorer(batch)
    finally:
        scorer.close()
