"""The blind second labelling of development answers, and the tuning rows it labels.

``tests/data/refusal_second_labels.jsonl`` (provenance: ``tests/data/SOURCES.md``)
labels every row of ``refusal_dev.jsonl`` and of the later held-out samples,
plus 550 more answers per *tuning* model from PHTest's tuning half of the
prompts (350 first, ``extra``; then 200, ``extra2``). Those extra answers are
not in the committed development file; :func:`tuning_rows` reads them from the
PHTest snapshot with the same seeded samples the labelling batches were drawn with.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tests.data.build_refusal_dev import PATH, TUNING, phtest_rows

__all__ = ["EXTRA2_PER_MODEL", "EXTRA_PER_MODEL", "SECOND", "extra_rows", "load_second_labels", "tuning_rows"]

SECOND = Path(__file__).with_name("refusal_second_labels.jsonl")
EXTRA_PER_MODEL = 350
EXTRA2_PER_MODEL = 200
CLASSES = ("full_compliance", "partial_refusal", "full_refusal")


def load_second_labels(path: Path = SECOND) -> dict[str, str]:
    """``id`` -> the second labelling's class, checked."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in CLASSES or not isinstance(row.get("id"), str):
            raise ValueError(f"{path}:{n}: field 'label' must be one of {CLASSES} and 'id' a string, got {row!r:.120}")
        if row["id"] in out:
            raise ValueError(f"{path}:{n}: id {row['id']!r} labelled twice")
        out[row["id"]] = row["label"]
    return out


def extra_rows(git_dir: Path, model: str, dev_ids: set[str], draw: int = 1) -> list[dict[str, Any]]:
    """The extra answers of one tuning model that were labelled, read from the PHTest snapshot.

    ``draw`` 1: the first 350, none of ``dev_ids``; 2: the next 200, none of those nor of the first draw.
    """
    rest = [r for r in phtest_rows(git_dir, model, None) if r["id"] not in dev_ids]
    first = random.Random(f"second-label:{model}").sample(rest, EXTRA_PER_MODEL)
    if draw == 1:
        return first
    taken = {r["id"] for r in first}
    return random.Random(f"second-label-2:{model}").sample([r for r in rest if r["id"] not in taken], EXTRA2_PER_MODEL)


def tuning_rows(git_dir: Path) -> list[dict[str, Any]]:
    """The tuning models' second-labelled rows (200 dev + 350 extra + 200 extra2 each): ``label`` is the second label.

    Each row keeps PHTest's label as ``phtest_label`` and says where it came from (``part``: ``dev``, ``extra``
    or ``extra2``).
    """
    second = load_second_labels()
    dev = [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev_ids = {r["id"] for r in dev}
    out = []
    for model in TUNING:
        mine = [dict(r, part="dev") for r in dev if r["arm"] == f"tuning:{model}"]
        mine += [dict(r, part="extra") for r in extra_rows(git_dir, model, dev_ids)]
        mine += [dict(r, part="extra2") for r in extra_rows(git_dir, model, dev_ids, 2)]
        for r in mine:
            r["phtest_label"], r["label"] = r["label"], second[r["id"]]
        out += mine
    return out
