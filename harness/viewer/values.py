"""The one place the viewer reads per-answer scores.

Everything the page shows about an answer (judge score and reason, refusal
class and cues, filler and hedging phrases, any other registered check, the
per-answer metric values the page sorts by) goes through these functions,
which read ``ScoredAnswer.scores`` and the check registry
(:mod:`harness.scores.checks`): a new check shows on the page with no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from harness.scores.records import Score, ScoredAnswer

__all__ = [
    "AnswerMetric",
    "answer_metrics",
    "answer_view",
    "is_failed",
    "is_refused",
    "is_unscored",
    "summary_checks",
    "summary_rows",
]

#: Checks the page shows in their own way; any other check gets a generic badge.
_SHOWN = {"adherence", "refusal", "refusal_judge", "over_refusal", "over_refusal_judge", "filler", "hedging", "unsafe_complied"}
_COMPLIED = "full_compliance"


@dataclass(frozen=True)
class AnswerMetric:
    """A per-answer number the page can sort and filter by, and its good direction."""

    name: str
    kind: str  # "score" or "rate"
    higher_is_better: bool
    value: Callable[[ScoredAnswer], float | bool | None]


def answer_metrics(traits: Iterable[str]) -> list[AnswerMetric]:
    """The metrics ``harness compare`` compares, with the same per-answer definitions.

    Per-trait rows (``adherence:<trait>``) are left out: a query has one trait,
    so the pooled value is the same number.
    """
    from harness.compare import metrics_for

    return [AnswerMetric(m.name, m.kind, m.higher_is_better, m.value) for m in metrics_for(traits) if ":" not in m.name]


def is_failed(s: ScoredAnswer) -> bool:
    """The model call failed: there is no answer to read."""
    return s.response is None


def is_refused(s: ScoredAnswer) -> bool:
    """The rule-based classifier found a full or partial refusal."""
    r = s.scores.get("refusal")
    return r is not None and r.label is not None and r.label != _COMPLIED


def is_unscored(s: ScoredAnswer) -> bool:
    """A check (a judge, or a check that raised) could not score the answer: never a pass or a fail."""
    return any(not sc.scorable for sc in s.scores.values())


def _drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    # Big runs: leaving out empty fields keeps 10,000 answers well under the size budget.
    return {k: v for k, v in record.items() if v not in (None, [], {}, "", False)}


def _phrases(score: Score | None) -> list[str]:
    return [] if score is None or not score.value else list(score.detail.get("phrases") or [])


def _hedges(s: ScoredAnswer) -> list[str]:
    """Stock hedges: the stored check's phrases; records scored before hedging was a check are read as the report reads them."""
    if "hedging" in s.scores:
        return _phrases(s.scores["hedging"])
    from harness.scores.hedging import detect_hedging

    return [] if s.response is None else detect_hedging(s.response).phrases


def answer_view(s: ScoredAnswer) -> dict[str, Any]:
    """What the page shows for one answer (keys with empty values are left out).

    Keys: ``sample``, ``text``, ``error``, ``failed``; ``score`` (the number
    averaged: probability-weighted where the judge gave log-probabilities),
    ``judge_score`` (the integer the judge wrote), ``reason``, ``unscored``;
    ``refusal`` (class), ``refusal_cues``, ``refusal_reason`` (refusals only),
    ``refusal_judge`` and ``refusal_judge_reason``; ``over_refusal``;
    ``filler`` and ``hedging`` (the phrases that fired); ``checks`` (every other
    registered check: ``{name: {value, label, text, unscored}}``); ``messages``
    for multi-turn answers (a list of ``{role, content}``).
    """
    sc = s.scores
    adherence, refusal, judge = sc.get("adherence"), sc.get("refusal"), sc.get("refusal_judge")
    over = sc.get("over_refusal")
    record: dict[str, Any] = {
        "sample": s.sample,
        "text": s.response,
        "error": s.error,
        "failed": is_failed(s),
        "score": None if adherence is None or adherence.value is None else round(float(adherence.value), 3),
        "judge_score": None if adherence is None else adherence.detail.get("score"),
        "reason": None if adherence is None else adherence.reason or adherence.error,
        "unscored": is_unscored(s),
        "refusal": None if refusal is None else refusal.label,
        "refusal_cues": [] if refusal is None else list(refusal.detail.get("cues") or []),
        # The classifier's reason is shown for refusals only; "no cues" on every answer would be 7% of a big page.
        "refusal_reason": refusal.reason if refusal is not None and is_refused(s) else None,
        "refusal_judge": None if judge is None else judge.label,
        "refusal_judge_reason": None if judge is None else judge.reason,
        "over_refusal": over is not None and bool(over.value),
        "filler": _phrases(sc.get("filler")),
        "hedging": _hedges(s),
        "checks": _other_checks(sc),
        # Multi-turn answers (issue 12) carry their conversation; the page renders it turn by turn.
        "messages": _messages(s),
    }
    out = _drop_empty(record)
    out["sample"] = s.sample  # sample 0 is a value, not an empty field
    return out


def _other_checks(scores: dict[str, Score]) -> dict[str, dict[str, Any]]:
    """Registered checks the page has no special place for (a project's own), one line each."""
    from harness.scores.checks import get_check

    out = {}
    for name in sorted(set(scores) - _SHOWN):
        score, check = scores[name], get_check(name)
        text = check.explain(score) if check is not None else (score.reason or ("—" if score.value is None else f"{score.value:g}"))
        out[name] = _drop_empty({
            "label": check.label if check is not None else name, "value": score.value, "class": score.label,
            "text": text, "unscored": not score.scorable,
        })
    return out


def _messages(s: ScoredAnswer) -> list[dict[str, str]] | None:
    messages = getattr(s, "messages", None)
    if not messages:
        return None
    out = []
    for m in messages:
        item = m if isinstance(m, dict) else m.model_dump(mode="json")
        out.append({"role": str(item.get("role", "")), "content": str(item.get("content", ""))})
    return out


def summary_checks(scores: list[ScoredAnswer]) -> list[dict[str, Any]]:
    """The report's columns for these answers: each reported check (name, label, kind, direction)."""
    from harness.reports import check_info, reported_checks

    return [check_info(c).model_dump(mode="json") for c in reported_checks(scores) if c.report or c.agrees_with]


def summary_rows(scores: list[ScoredAnswer]) -> list[dict[str, Any]]:
    """Per arm × trait, every metric of the Markdown report with its interval, formatted as there.

    Computed by :func:`harness.reports.build_report`, so the page and the report
    cannot disagree. Each row: ``arm``, ``trait``, ``n``, ``failed``,
    ``unscored``, ``metrics`` (check → ``{text, value, low, high, n}``, ``text``
    as the report prints it), ``per_1k_tokens`` and ``agreement`` (check → number).
    """
    from harness.reports import Provenance, build_report, format_estimate, format_rate

    provenance = Provenance(
        candidate_models=[], judge_model=None, adherence_prompt_hash=None, refusal_prompt_hash=None, prompts={}, traits={}
    )
    report = build_report("view", scores, provenance, examples_per_arm=0, comparisons=[])
    kinds = {c.name: c.kind for c in report.checks}
    rows = []
    for row in report.rows:
        metrics = {}
        for name, e in row.metrics.items():
            fmt = format_estimate if kinds.get(name) == "score" else format_rate
            metrics[name] = None if e is None else {"text": fmt(e), **e.model_dump(mode="json")}
        rows.append({
            "arm": row.arm, "trait": row.trait, "n": row.n, "failed": row.failed, "unscored": row.unscored,
            "metrics": metrics, "per_1k_tokens": dict(row.per_1k_tokens), "agreement": dict(row.agreement),
        })
    return rows
