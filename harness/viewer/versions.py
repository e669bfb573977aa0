"""Which arms to compare by default: each prompt version against the previous one."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from harness.scores.records import ScoredAnswer

__all__ = ["default_pairs", "natural_key", "version_comparisons", "version_pairs", "view_command"]

#: Flips a Markdown report lists per comparison.
REPORT_FLIPS = 3


def natural_key(text: str) -> list[tuple[int, int, str]]:
    """Sort key that puts v2 before v10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def version_pairs(arms: Iterable[str]) -> list[tuple[str, str]]:
    """(previous, next) for each prompt's consecutive versions: ``name@v1`` → ``name@v2`` → …"""
    by_name: dict[str, list[str]] = defaultdict(list)
    for arm in sorted(set(arms)):
        name, sep, _ = arm.partition("@")
        if sep:
            by_name[name].append(arm)
    pairs: list[tuple[str, str]] = []
    for name in sorted(by_name):
        versions = sorted(by_name[name], key=lambda a: natural_key(a.partition("@")[2]))
        pairs += list(pairwise(versions))
    return pairs


def default_pairs(arms: list[str]) -> list[tuple[str, str]]:
    """Consecutive prompt versions; or, for exactly two arms of another kind, those two."""
    pairs = version_pairs(arms)
    if not pairs and len(arms) == 2:
        pairs = [(arms[0], arms[1])]
    return pairs


def version_comparisons(
    scores: list[ScoredAnswer], settings: dict[str, Any] | None = None, flips: int = REPORT_FLIPS
) -> list[Any]:
    """``harness compare`` of each prompt version against the previous one, as a report shows them.

    Pairs that share no scored answers are left out. ``settings`` holds
    ``alpha``, ``power`` and ``min_effect`` as in ``[compare]``.
    """
    from harness.compare import compare_arms
    from harness.errors import HarnessError

    by_arm: dict[str, list[ScoredAnswer]] = defaultdict(list)
    for s in scores:
        by_arm[s.arm].append(s)
    kwargs = {k: v for k, v in (settings or {}).items() if k in ("alpha", "power", "min_effect")}
    out = []
    for a, b in version_pairs(by_arm):
        try:
            out.append(compare_arms(by_arm[a], by_arm[b], a_name=a, b_name=b, flips=flips, **kwargs))
        except HarnessError:
            continue
    return out


def view_command(source: str, out: str) -> str:
    """The command that writes the viewer for ``source`` to ``out`` (named in reports)."""
    return f"harness view {source} --out {out}"
