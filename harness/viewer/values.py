"""The one place the viewer reads per-answer scores.

Everything the page shows about an answer (judge score and reason, refusal
class and cues, filler and hedging phrases, the per-answer metric values the
page sorts by) goes through these functions, so pointing the viewer at another
record shape (a registry of checks with ``scores: {name: Score}``) is a change
here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from harness.scores.records import ScoredAnswer

__all__ = ["AnswerMetric", "answer_metrics", "answer_view", "is_failed", "is_refused", "is_unscored", "summary_rows"]


@dataclass(frozen=True)
class AnswerMetric:
    """A per-answer number the page can sort and filter by, and its good direction."""

    name: str
    kind: str  # "score" or "rate"
    higher_is_better: bool
    value: Callable[[ScoredAnswer], float | bool | None]


def answer_metrics(traits: Iterable[str]) -> list[AnswerMetric]:
    """The metrics ``harness compare`` compares, with the same per-answer definitions.

    Per-trait adherence rows are left out: a query has one trait, so the pooled
    adherence value is the same number.
    """
    from harness.compare import metrics_for

    return [
        AnswerMetric(m.name, m.kind, m.higher_is_better, m.value)
        for m in metrics_for(traits)
        if not m.name.startswith("adherence:")
    ]


def is_failed(s: ScoredAnswer) -> bool:
    """The model call failed: there is no answer to read."""
    return s.response is None


def is_refused(s: ScoredAnswer) -> bool:
    """The rule-based classifier found a full or partial refusal."""
    return s.refusal is not None and s.refusal.label != "full_compliance"


def is_unscored(s: ScoredAnswer) -> bool:
    """A judge was asked and could not grade the answer (never a pass or a fail)."""
    adherence = s.adherence is not None and not s.adherence.scorable
    refusal = s.refusal_judge is not None and not s.refusal_judge.scorable
    return adherence or refusal


def _drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    # Big runs: leaving out empty fields keeps 10,000 answers well under the size budget.
    return {k: v for k, v in record.items() if v not in (None, [], "", False)}


def answer_view(s: ScoredAnswer) -> dict[str, Any]:
    """What the page shows for one answer (keys with empty values are left out).

    Keys: ``sample``, ``text``, ``error``, ``failed``; ``score`` (the number
    averaged: probability-weighted where the judge gave log-probabilities),
    ``judge_score`` (the integer the judge wrote), ``reason``, ``unscored``;
    ``refusal`` (class), ``refusal_cues``, ``refusal_reason``,
    ``refusal_judge`` and ``refusal_judge_reason``; ``over_refusal``;
    ``filler`` (phrases that fired, openers and closers) and ``hedging``
    (phrases); ``messages`` for multi-turn answers (a list of ``{role, content}``).
    """
    a = s.adherence
    record: dict[str, Any] = {
        "sample": s.sample,
        "text": s.response,
        "error": s.error,
        "failed": is_failed(s),
        "score": None if a is None or a.value is None else round(float(a.value), 3),
        "judge_score": None if a is None else a.score,
        "reason": None if a is None else a.reason,
        "unscored": is_unscored(s),
        "refusal": None if s.refusal is None else s.refusal.label,
        "refusal_cues": [] if s.refusal is None else list(s.refusal.cues),
        # The classifier's reason is shown for refusals only; "no cues" on every answer would be 7% of a big page.
        "refusal_reason": None if not is_refused(s) else s.refusal.reason,  # type: ignore[union-attr]
        "refusal_judge": None if s.refusal_judge is None else s.refusal_judge.label,
        "refusal_judge_reason": None if s.refusal_judge is None else s.refusal_judge.reason,
        "over_refusal": s.over_refusal,
        "filler": [] if s.filler is None else list(s.filler.phrases),
        "hedging": [] if s.hedging is None else list(s.hedging.phrases),
        # Multi-turn answers (issue 12) carry their conversation; the page renders it turn by turn.
        "messages": _messages(s),
    }
    out = _drop_empty(record)
    out["sample"] = s.sample  # sample 0 is a value, not an empty field
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


def summary_rows(scores: list[ScoredAnswer]) -> list[dict[str, Any]]:
    """Per arm × trait, every metric of the Markdown report with its interval, formatted as there.

    Computed by :func:`harness.reports.build_report`, so the page and the report
    cannot disagree. Each row: ``arm``, ``trait``, ``n``, ``failed``,
    ``unscored``, and per metric a ``{text, value, low, high, n}`` (``text`` as
    the report prints it).
    """
    from harness.reports import Provenance, build_report, format_estimate, format_rate

    provenance = Provenance(
        candidate_models=[], judge_model=None, adherence_prompt_hash=None, refusal_prompt_hash=None, prompts={}, traits={}
    )
    report = build_report("view", scores, provenance, examples_per_arm=0, comparisons=[])
    rows = []
    for row in report.rows:
        est = lambda e, fmt: None if e is None else {"text": fmt(e), **e.model_dump(mode="json")}  # noqa: E731
        rows.append(
            {
                "arm": row.arm,
                "trait": row.trait,
                "n": row.n,
                "failed": row.failed,
                "unscored": row.unscored,
                "adherence": est(row.adherence, format_estimate),
                "over_refusal": est(row.over_refusal, format_rate),
                "filler": est(row.filler, format_rate),
                "unsafe_complied": est(row.unsafe_complied, format_rate),
                "filler_per_1k_tokens": row.filler_per_1k_tokens,
                "judge_rule_refusal_agreement": row.judge_rule_refusal_agreement,
            }
        )
    return rows
