"""Small formatting helpers shared by every rendered report and CLI table.

One place, so a number reads the same in a report, a comparison, a gate
comment and a terminal table.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "excerpt",
    "short_labels",
    "format_estimate",
    "format_rate",
    "fmt",
    "fmt_num",
    "format_p",
    "html_text",
    "md_cell",
    "pct",
    "signed",
]


def excerpt(text: str | None, limit: int = 240) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def fmt(x: float | None, digits: int = 2) -> str:
    """A fixed-point number, or ``—`` with none."""
    return "—" if x is None else f"{x:.{digits}f}"


def fmt_num(x: float | None) -> str:
    """A number without a trailing ``.0``: 3 for 3.0, 3.25 for 3.25."""
    return "—" if x is None else f"{x:g}"


def signed(x: float | None, digits: int = 2) -> str:
    """A number with its sign (``+0.25``), or ``—``."""
    return "—" if x is None else f"{x:+.{digits}f}"


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage (``12.5%``), or ``—``."""
    return "—" if x is None else f"{100 * x:.{digits}f}%"


def format_p(x: float | None) -> str:
    """A p- or q-value, ``<0.001`` when tiny."""
    if x is None:
        return "—"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def md_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell (pipes escaped)."""
    return str(text).replace("|", "\\|")


def html_text(text: str) -> str:
    """Text safe in Markdown that GitHub renders as HTML (pipes and tags escaped)."""
    return text.replace("|", "\\|").replace("<", "&lt;")


def format_estimate(e: Any, digits: int = 2) -> str:
    """An estimate (``value``, ``low``, ``high``) as ``mean [low, high]``, or ``—`` with no data."""
    if e is None or e.value is None:
        return "—"
    if e.low is None or e.high is None:
        return f"{e.value:.{digits}f}"
    return f"{e.value:.{digits}f} [{e.low:.{digits}f}, {e.high:.{digits}f}]"


def format_rate(e: Any, with_n: bool = True) -> str:
    """A rate estimate as ``p% [low, high] (n=…)``, or ``—`` with no data."""
    if e is None or e.value is None:
        return "—"
    if e.low is None or e.high is None:
        return f"{100 * e.value:.0f}%"
    n = f" (n={e.n})" if with_n else ""
    return f"{100 * e.value:.0f}% [{100 * e.low:.0f}, {100 * e.high:.0f}]{n}"


def short_labels(names: list[str]) -> dict[str, str]:
    """Short, unique labels for arm names, for narrow tables.

    Arms of one prompt (``assistant@v1``, ``assistant@v2``) become their
    versions (``v1``, ``v2``); a common ``<source>:`` prefix is dropped too.
    Names that would not stay unique keep their full form.
    """
    def shorten(name: str) -> str:
        return name.rpartition(":")[2].rpartition("@")[2] or name

    short = {n: shorten(n) for n in names}
    if len(set(short.values())) != len(short):
        return {n: n for n in names}
    return short
