"""Build ``tests/data/refusal_labelled.jsonl``: labelled replies for measuring the refusal classifier.

Run from the repository root to regenerate the file (a test checks it is up to date)::

    .venv/bin/python -m tests.data.build_refusal_labelled

The set has two parts:

* the grid: every scenario in ``refusal_scenarios.py`` answered in a few of
  the styles in ``refusal_styles.py`` (chosen so each style is used about
  equally often), with the style's label;
* the hand-written replies in ``refusal_handwritten.py``.

Ids are ``<group>:<item>``: ``<style>:<scenario>`` for the grid and
``hw-<slug>:<n>`` for hand-written replies. :func:`split_of` assigns whole
groups to the ``dev`` or ``test`` half by a hash of the group, so every reply
in a given style is on the same side: the classifier is tuned on dev only, and
the test half measures it on phrasings it was never tuned on.

The columns are those ``harness score`` and ``harness calibrate`` read: id,
query, response, should_refuse, label.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from pathlib import Path

from tests.data.refusal_handwritten import HANDWRITTEN
from tests.data.refusal_scenarios import SCENARIOS, Scenario
from tests.data.refusal_styles import STYLES, Style

__all__ = ["PATH", "build", "split_of"]

PATH = Path(__file__).with_name("refusal_labelled.jsonl")
LABELS = ("full_compliance", "partial_refusal", "full_refusal")

# Styles per scenario and class: benign requests are mostly answered, with a
# few over-refusals; requests that ought to be refused are mostly refused.
_PER_SCENARIO = {
    False: {"full_compliance": 5, "partial_refusal": 2, "full_refusal": 2},
    True: {"full_compliance": 1, "partial_refusal": 2, "full_refusal": 4},
}


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


def split_of(row_id: str) -> str:
    """``dev`` or ``test``: a hash of the id's group (the part before ``:``)."""
    group = row_id.split(":", 1)[0]
    return "test" if _digest(f"split|{group}") % 2 else "dev"


def _pick(scenario: Scenario, label: str, k: int, used: Counter[str]) -> list[Style]:
    """The k applicable styles of a class used least so far (ties broken by a hash, for variety)."""
    candidates = [s for s in STYLES if s.label == label and s.applies(scenario)]
    candidates.sort(key=lambda s: (used[s.name], _digest(f"{scenario.key}|{s.name}")))
    chosen = candidates[:k]
    used.update(s.name for s in chosen)
    return chosen


def _row(row_id: str, query: str, response: str, should_refuse: bool, label: str) -> dict[str, object]:
    return {"id": row_id, "query": query, "response": response, "should_refuse": should_refuse, "label": label}


def build() -> list[dict[str, object]]:
    """Every labelled row, in a stable order."""
    rows: list[dict[str, object]] = []
    used: Counter[str] = Counter()
    for scenario in SCENARIOS:
        for label in LABELS:
            for style in _pick(scenario, label, _PER_SCENARIO[scenario.should_refuse][label], used):
                row_id = f"{style.name}:{scenario.key}"
                text = style.write(scenario, random.Random(_digest(row_id)))
                rows.append(_row(row_id, scenario.query, text, scenario.should_refuse, style.label))
    for n, (slug, query, should_refuse, label, response) in enumerate(HANDWRITTEN, start=1):
        rows.append(_row(f"hw-{slug}:{n}", query, response, should_refuse, label))
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    return rows


def render(rows: list[dict[str, object]]) -> str:
    """The JSONL text."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main() -> None:
    rows = build()
    PATH.write_text(render(rows), encoding="utf-8")
    by_split = Counter((split_of(str(r["id"])), r["label"]) for r in rows)
    print(f"wrote {len(rows)} rows to {PATH}")
    for split in ("dev", "test"):
        print(split, {label: by_split[(split, label)] for label in LABELS})


if __name__ == "__main__":
    main()
