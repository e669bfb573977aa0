"""Compare arms: each theme's share of arm A's answers vs arm B's, with a 95% interval.

A theme's share in an arm is the fraction of that arm's answered answers that
fall in the theme, so a rise means more answers go wrong in that way. When
both arms answered (nearly) the same (query, sample) slots, as two prompt
versions of a run do, the shares are taken over the slots both answered and
the difference is paired: Newcombe's paired MOVER interval clustered by query
(:func:`harness.stats.paired_rate_diff_ci`, as ``harness compare`` uses).
Otherwise the two shares are independent and the interval is Newcombe's
hybrid score interval for a difference of proportions, from Wilson limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from harness.insights.records import ArmComparison, ArmShift, Other, Theme
from harness.insights.select import answer_key
from harness.scores.records import ScoredAnswer
from harness.stats import paired_rate_diff_ci, wilson_ci

__all__ = ["compare_theme_shares", "newcombe_diff"]

_DIGITS = 4
OTHER_ID = "other"
#: Share of each arm's answers whose slot the other arm answered too, for a paired comparison.
PAIRED_SHARE = 0.9


def newcombe_diff(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float, float]:
    """B − A for two independent proportions, with Newcombe's (1998) hybrid score 95% interval."""
    pa, la, ua = wilson_ci(x_a, n_a)
    pb, lb, ub = wilson_ci(x_b, n_b)
    assert None not in (pa, la, ua, pb, lb, ub)
    delta = pb - pa
    low = delta - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = delta + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return delta, max(-1.0, low), min(1.0, high)


def _slot(s: ScoredAnswer) -> tuple[str, int]:
    return s.query_id, s.sample


def compare_theme_shares(
    a_name: str,
    a: Sequence[ScoredAnswer],
    b_name: str,
    b: Sequence[ScoredAnswer],
    themes: Sequence[Theme],
    other: Other,
) -> ArmComparison:
    """Each theme's (and "other"'s) share in A vs B, sorted by change, largest increase first."""
    a = [s for s in a if s.response is not None]
    b = [s for s in b if s.response is not None]
    theme_of: dict[str, str] = {}
    for theme in themes:
        theme_of.update(dict.fromkeys(theme.member_ids, theme.id))
    theme_of.update(dict.fromkeys(other.member_ids, OTHER_ID))
    groups = [(t.id, t.name) for t in themes] + ([(OTHER_ID, "other")] if other.n_answers else [])
    shared = _shared_slots(a, b)
    if shared is not None:
        # Paired, as `harness compare`: on the slots both arms answered.
        a = [pair[0] for pair in shared]
        b = [pair[1] for pair in shared]
    group_a = [theme_of.get(answer_key(s)) for s in a]
    group_b = [theme_of.get(answer_key(s)) for s in b]
    clusters = [s.query_id for s in a]
    rows = []
    for group_id, name in groups:
        in_a = [g == group_id for g in group_a]
        in_b = [g == group_id for g in group_b]
        x_a, x_b = sum(in_a), sum(in_b)
        if shared is not None:
            diff = paired_rate_diff_ci(in_a, in_b, clusters)
            delta, low, high = diff.delta, diff.low, diff.high
        elif a and b:
            delta, low, high = newcombe_diff(x_a, len(a), x_b, len(b))
        else:
            continue
        rows.append(
            ArmShift(
                theme_id=group_id, theme=name, a_count=x_a, a_total=len(a), b_count=x_b, b_total=len(b),
                a_share=_r(x_a / len(a)), b_share=_r(x_b / len(b)), delta=_r(delta), ci_low=_r(low), ci_high=_r(high),
            )
        )
    rows.sort(key=lambda r: (-r.delta, r.theme_id))
    interval = (
        f"paired on the {len(a)} (query, sample) slots both arms answered, Newcombe's MOVER interval from Wilson "
        "limits, clustered by query"
        if shared is not None
        else "independent arms, Newcombe's hybrid score interval from Wilson limits (not clustered by query)"
    )
    return ArmComparison(a=a_name, b=b_name, paired=shared is not None, interval=interval, rows=rows)


def _shared_slots(a: Sequence[ScoredAnswer], b: Sequence[ScoredAnswer]) -> list[tuple[ScoredAnswer, ScoredAnswer]] | None:
    """The (A, B) answers of the (query, sample) slots both arms answered, when the arms are paired.

    They are when those slots hold at least :data:`PAIRED_SHARE` of each arm's
    answers (a few failed calls do not unpair a run's two prompt versions);
    None otherwise (different query sets: independent samples).
    """
    slots_a, slots_b = {_slot(s): s for s in a}, {_slot(s): s for s in b}
    if len(slots_a) != len(a) or len(slots_b) != len(b):
        return None  # a slot answered twice: not a run's layout
    keys = sorted(slots_a.keys() & slots_b.keys())
    if len(keys) < 2 or len(keys) < PAIRED_SHARE * max(len(a), len(b)):
        return None
    return [(slots_a[k], slots_b[k]) for k in keys]


def _r(x: float) -> float:
    return round(x, _DIGITS)
