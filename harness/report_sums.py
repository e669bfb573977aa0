"""A report from running sums: :func:`harness.reports.build_report` for answers that do not fit in memory.

``harness score`` on a file of any length writes its per-answer results as it
goes; this module then builds the same :class:`~harness.reports.Report` that
``build_report`` would build from all of them at once, reading the results
file twice and keeping only per-cell sums, the few examples worth reading,
and the (few) answers to mirrored requests:

* pass 1 adds up counts, rates (Wilson intervals need only counts), means,
  phrase tallies, tokens and label agreement, and keeps the best examples;
* pass 2, only for score checks (adherence), adds up the cluster-robust
  variance around the means from pass 1, cluster by cluster.

Clusters are queries, and pass 2 needs each query's answers to be adjacent in
the file, as they are in a run's ``scores.jsonl`` (K samples in a row) and in
``harness score`` results (every row its own query). The arithmetic is done
in the same order as :func:`harness.stats.clustered_mean_ci`, so the numbers
are the same to the last bit; ``tests/test_report_sums.py`` compares the two
reports.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.reports import (
    Estimate,
    Example,
    Provenance,
    Report,
    Row,
    _estimate,
    _example,
    _group,
    _mirror_rows,
    _r,
    check_info,
)
from harness.scores.checks import Check, all_checks
from harness.scores.filler import approx_tokens
from harness.scores.records import ScoredAnswer
from harness.stats import MeanCI, _t_quantile, wilson_ci

__all__ = ["ReportSums", "report_from_file", "sums_from_file", "sums_of"]

ALL = "(all)"


@dataclass
class _Metric:
    """One check in one cell."""

    n: int = 0
    total: float = 0.0  # sum of values, in file order (as clustered_mean_ci sums them)
    sources: set[str] = field(default_factory=set)
    # Pass 2 (score checks): sum over clusters of (sum of residuals)^2, and the open cluster.
    meat: float = 0.0
    clusters: int = 0
    open_key: str | None = None
    open_sum: float = 0.0
    tokens: float = 0.0  # per 1k tokens: tokens of checked answers and their phrases
    phrases: int = 0
    agree_n: int = 0
    agree: int = 0

    def close_cluster(self) -> None:
        if self.open_key is not None:
            self.meat += self.open_sum**2
            self.clusters += 1
            self.open_key, self.open_sum = None, 0.0


@dataclass
class _Cell:
    n: int = 0
    failed: int = 0
    unscored: int = 0
    metrics: dict[str, _Metric] = field(default_factory=lambda: defaultdict(_Metric))


class _TopExamples:
    """The first ``k`` answers of a ranking, one per query, kept without holding the ranking.

    Keeps each query's best key among the current top ``k``; an evicted query
    that later ranks higher comes back with its better key, so the result is
    the ranking's first ``k`` distinct queries exactly.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.best: dict[str, tuple[tuple[Any, ...], Example]] = {}
        self._worst: str | None = None  # the query holding the worst key of a full top k, once looked up

    def offer(self, query_id: str, key: tuple[Any, ...], make: Callable[[], Example]) -> None:
        held = self.best.get(query_id)
        if held is not None:
            if key < held[0]:
                self.best[query_id] = (key, make())
                self._worst = None
            return
        if len(self.best) < self.k:
            self.best[query_id] = (key, make())
            return
        if self._worst is None:  # most answers rank below a full top k: the worst is found once, not per answer
            self._worst = max(self.best, key=lambda q: self.best[q][0])
        worst = self._worst
        if key < self.best[worst][0]:
            del self.best[worst]
            self.best[query_id] = (key, make())
            self._worst = None

    def ranked(self) -> list[Example]:
        return [example for _, example in sorted(self.best.values(), key=lambda kv: kv[0])]


class ReportSums:
    """Accumulates scored answers one at a time into what a :class:`Report` needs.

    Feed every answer to :meth:`add` (pass 1), then, if :meth:`needs_second_pass`,
    every answer again in the same order to :meth:`add_residuals`; then call
    :meth:`report`.
    """

    def __init__(self, examples_per_arm: int = 3, checks: list[Check] | None = None, group_by: str | None = None) -> None:
        self.examples_per_arm = examples_per_arm
        self.group_by = group_by
        self.metadata_keys: set[str] = set()
        self.traits: set[str] = set()
        self.rows = 0
        self.registry = checks if checks is not None else all_checks()
        self.by_name = {c.name: c for c in self.registry}
        self.cells: dict[tuple[str, str], _Cell] = defaultdict(_Cell)
        self.present: set[str] = set()
        self.arms: set[str] = set()
        self.phrases: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        self.phrase_answers: dict[str, Counter[str]] = defaultdict(Counter)
        self.examples: dict[tuple[str, str], _TopExamples] = {}
        self.mirrored: list[ScoredAnswer] = []
        self._flags: dict[str, tuple[Check | None, bool, str | None, bool]] = {}

    # --- pass 1 -----------------------------------------------------------------------

    def add(self, s: ScoredAnswer) -> None:
        """Count one answer."""
        self.rows += 1
        self.arms.add(s.arm)
        scores = s.scores
        self.present.update(scores)
        if s.metadata:
            self.metadata_keys.update(s.metadata)
        if s.trait:
            self.traits.add(s.trait)
        if s.mirror and s.response is not None:
            self.mirrored.append(s)  # mirrored requests are few: a trait's pairs × samples
        answered = s.response is not None
        flags = self._flags
        # What each score adds, worked out once and added to both of the answer's cells.
        adds: list[tuple[str, float | None, str | None, int | None, bool | None]] = []
        unscored = False
        tokens = 0.0  # the answer's length, for checks counted per 1k tokens
        if answered:
            for name, sc in scores.items():
                flag = flags.get(name) or self._flag(name)
                phrases: int | None = None
                agree: bool | None = None
                if flag[0] is not None:
                    if not sc.scorable and flag[0].report:
                        unscored = True
                    if flag[1]:  # per 1k tokens: the length is measured once
                        if not tokens:
                            tokens = approx_tokens(s.response)  # type: ignore[arg-type]  # answered
                        phrases = len(sc.detail.get("phrases") or [])
                    if flag[2] is not None and sc.scorable and sc.label is not None:  # agrees with another check
                        other = scores.get(flag[2])
                        if other is not None and other.label is not None:
                            agree = sc.label == other.label
                adds.append((name, sc.value, sc.source, phrases, agree))
        for key in ((s.arm, _group(s, self.group_by)), (s.arm, ALL)):
            cell = self.cells[key]
            cell.n += 1
            if not answered:
                cell.failed += 1
                continue
            if unscored:
                cell.unscored += 1
            metrics = cell.metrics
            for name, value, source, phrases, agree in adds:
                m = metrics[name]
                if value is not None:
                    m.n += 1
                    m.total += value
                    if source:
                        m.sources.add(source)
                if phrases is not None:
                    m.tokens += tokens
                    m.phrases += phrases
                if agree is not None:
                    m.agree_n += 1
                    m.agree += agree
        for name, sc in scores.items():
            if sc.value is None:
                continue
            flag = flags[name] if name in flags else self._flag(name)
            c = flag[0]
            if c is not None:
                if flag[3]:  # phrases tallied in the report
                    self.phrases[name][s.arm].update(set(sc.detail.get("phrases") or []))
                    self.phrase_answers[name][s.arm] += 1
                if c.examples:
                    self._offer_example(c, s, sc)

    def _flag(self, name: str) -> tuple[Check | None, bool, str | None, bool]:
        """What :meth:`add` asks of check ``name``, looked up once: the check, per 1k tokens, agrees with, phrases."""
        c = self.by_name.get(name)
        flag = (None, False, None, False) if c is None else (c, c.per_1k_tokens, c.agrees_with, c.phrases and c.report)
        self._flags[name] = flag
        return flag

    def _offer_example(self, c: Check, s: ScoredAnswer, sc: Any) -> None:
        top = self.examples.get((s.arm, c.name))
        if top is None:
            top = self.examples[(s.arm, c.name)] = _TopExamples(self.examples_per_arm)
        if c.kind == "score":
            sign = 1 if c.higher_is_better else -1
            kind = f"{'lowest' if c.higher_is_better else 'highest'} {c.label}"
            top.offer(s.query_id, (sign * sc.value, s.id), lambda: _example(kind, s, sc.value, sc.reason))
        elif sc.value == (0.0 if c.higher_is_better else 1.0):
            top.offer(s.query_id, (s.id,), lambda: _example(c.label, s, None, sc.reason))

    # --- pass 2 -----------------------------------------------------------------------

    def needs_second_pass(self) -> bool:
        """Whether any score check has values (its interval needs the residuals around the mean)."""
        return any(
            m.n and (c := self.by_name.get(name)) is not None and c.kind == "score"
            for cell in self.cells.values() for name, m in cell.metrics.items()
        )

    def add_residuals(self, s: ScoredAnswer) -> None:
        """Pass 2: one answer's residual from its cell's mean, summed within its query's cluster."""
        if s.response is None:
            return
        for name, sc in s.scores.items():
            c = self.by_name.get(name)
            if c is None or c.kind != "score" or sc.value is None:
                continue
            for key in ((s.arm, _group(s, self.group_by)), (s.arm, ALL)):
                m = self.cells[key].metrics[name]
                if m.open_key != s.query_id:
                    m.close_cluster()
                    m.open_key = s.query_id
                m.open_sum += sc.value - m.total / m.n

    # --- the report -------------------------------------------------------------------

    def _estimate(self, c: Check, m: _Metric) -> Estimate | None:
        if not m.n:
            return None
        source = "+".join(sorted(m.sources)) or None
        if c.kind == "rate":
            return _estimate(wilson_ci(round(m.total), m.n), m.n, source)
        m.close_cluster()
        mean = m.total / m.n
        if m.clusters < 2:
            return _estimate(MeanCI(mean, None, None), m.n, source)
        var = m.meat / m.n**2 * (m.clusters / (m.clusters - 1))
        half = _t_quantile(m.clusters - 1, 0.95) * math.sqrt(var)
        if c.value_range and half == 0:
            # Every answer scored the same: the rule of three, as reports.build_report does.
            half = c.value_range * 3 / m.clusters
        return _estimate(MeanCI(mean, mean - half, mean + half), m.n, source)

    def report(self, name: str, provenance: Provenance, comparisons: list[Any] | None = None) -> Report:
        """The report, as :func:`harness.reports.build_report` makes it (``comparisons`` given by the caller)."""
        if self.group_by is not None and self.group_by not in self.metadata_keys:
            from harness.errors import HarnessError

            known = sorted(self.metadata_keys)
            raise HarnessError(
                f"no answer has a {self.group_by!r} column to group by",
                fix=f"extra columns of the scored file: {', '.join(known)}" if known else "the scored file has no extra columns",
            )
        checks = [c for c in self.registry if c.builtin or c.name in self.present]
        reported = [c for c in checks if c.report]
        keys = sorted(self.cells, key=lambda k: (k[0], k[1] == ALL, k[1]))
        rows = []
        for arm, trait in keys:
            cell = self.cells[(arm, trait)]

            def metric(c: Check, cell: _Cell = cell) -> _Metric:
                return cell.metrics.get(c.name) or _Metric()

            rows.append(Row(
                arm=arm, trait=trait, n=cell.n, failed=cell.failed, unscored=cell.unscored,
                metrics={c.name: self._estimate(c, metric(c)) for c in reported},
                per_1k_tokens={
                    c.name: _r(1000 * metric(c).phrases / metric(c).tokens) if metric(c).tokens else None
                    for c in reported if c.per_1k_tokens
                },
                agreement={
                    c.name: _r(metric(c).agree / metric(c).agree_n) if metric(c).agree_n else None
                    for c in checks if c.agrees_with
                },
            ))
        arms = sorted(self.arms)
        phrases, answers = {}, {}
        for c in (c for c in checks if c.phrases and c.report):
            counts = self.phrases.get(c.name, {})
            phrases[c.name] = {
                arm: dict(sorted((counts.get(arm) or Counter()).items(), key=lambda kv: (-kv[1], kv[0]))) for arm in arms
            }
            answers[c.name] = {arm: self.phrase_answers[c.name][arm] for arm in arms}
        examples = [
            example
            for arm in arms
            for c in checks if c.examples and (arm, c.name) in self.examples
            for example in self.examples[(arm, c.name)].ranked()
        ]
        return Report(
            name=name, provenance=provenance, group_by=self.group_by, comparisons=comparisons or [],
            checks=[check_info(c) for c in checks if c.report or c.agrees_with],
            rows=rows, phrases=phrases, phrase_answers=answers, examples=examples,
            mirrors=_mirror_rows(self.mirrored, checks),
        )


def _records(path: Path) -> Iterator[ScoredAnswer]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield ScoredAnswer.model_validate_json(line)


def sums_from_file(results: Path, examples_per_arm: int = 3, group_by: str | None = None) -> ReportSums:
    """Both passes over a ``results.jsonl`` / ``scores.jsonl``: what its report needs, in constant memory."""
    sums = ReportSums(examples_per_arm, group_by=group_by)
    for s in _records(results):
        sums.add(s)
    return second_pass(sums, results)


def second_pass(sums: ReportSums, results: Path) -> ReportSums:
    """Pass 2 over ``results`` when pass 1 (every record of it, in order, given to ``sums.add``) needs one."""
    if sums.needs_second_pass():
        for s in _records(results):
            sums.add_residuals(s)
    return sums


def same_as_read_back(s: ScoredAnswer) -> bool:
    """Whether a record reads back from its JSON line as it is: every score's value is a finite number or None.

    JSON has no NaN or infinity (pydantic writes them as null), so a user
    check returning one would count differently in memory than in the file;
    such a record is given to the sums as read back from its line.
    """
    return all(sc.value is None or math.isfinite(sc.value) for sc in s.scores.values())


#: Above this many answers, comparisons between prompt versions (which pair answers
#: across arms, so hold them all) are left to ``harness compare`` on the results.
COMPARE_MAX_ROWS = 100_000


def comparisons_from_file(results: Path, sums: ReportSums) -> tuple[list[Any], str | None]:
    """The report's prompt-version comparisons, and a warning when the file is too large to pair in memory."""
    from harness.viewer.versions import version_comparisons, version_pairs

    pairs = version_pairs(sums.arms)
    if not pairs:
        return [], None
    if sums.rows > COMPARE_MAX_ROWS:
        arms = " ".join(f"{a} {b}" for a, b in pairs)
        return [], (f"prompt versions not compared in the report ({sums.rows:,} answers): "
                    f"run `harness compare {results.parent} --arms ...` on them ({arms})")
    wanted = {arm for pair in pairs for arm in pair}
    return version_comparisons([s for s in _records(results) if s.arm in wanted]), None


def report_from_file(
    name: str, results: Path, provenance: Provenance, examples_per_arm: int = 3, group_by: str | None = None
) -> Report:
    """The report of a results file, as ``build_report`` would make it from all its records at once."""
    sums = sums_from_file(results, examples_per_arm, group_by)
    comparisons, warning = comparisons_from_file(results, sums)
    if warning:
        provenance = provenance.model_copy(update={"warnings": [*provenance.warnings, warning]})
    return sums.report(name, provenance, comparisons)


def sums_of(records: Iterable[ScoredAnswer], examples_per_arm: int = 3, group_by: str | None = None) -> ReportSums:
    """Both passes over records already in memory (a list: it is read twice)."""
    items = list(records)
    sums = ReportSums(examples_per_arm, group_by=group_by)
    for s in items:
        sums.add(s)
    if sums.needs_second_pass():
        for s in items:
            sums.add_residuals(s)
    return sums

