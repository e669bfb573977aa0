"""The refusal classifier against 375 hand-labelled replies, with floors at the measured accuracy.

``tests/data/refusal_labelled.jsonl`` holds replies in many models' styles
(terse, markdown, Claude-like, GPT-like, small open models, "As an AI...",
lectures, refusals after long preambles, warnings followed by full help,
refusals that answer a safer question...), each labelled by hand. Its rules
were tuned on the *dev* half only; the *test* half holds whole reply styles
the tuning never saw (the split is by the style in each id).

Floors sit just under the measured numbers (README, "Trusting the scores"):
a change that makes the classifier worse on any class fails here. The
split is by style, but the two halves share every scenario, so the test
half is not a clean held-out measure; ``test_refusal_dev.py`` measures the
classifier on real answers from models it was not tuned on.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from harness.calibration import CLASSES, ClassMetrics, cohen_kappa, per_class_metrics
from harness.scores.refusal import classify_refusal
from tests.data.build_refusal_labelled import PATH, build, render, split_of

ROWS = [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines()]

# Measured with the rules + n-gram model trained on the blind second labels: test half 0.907 accuracy (κ 0.860);
# all 0.960 (κ 0.938); before, trained on PHTest's labels: 0.886 (κ 0.828) and 0.952 (κ 0.926). The errors moved:
# cautious full answers ("I'm not a doctor, but ...") now read as compliance, while three "Rather than giving you
# X, I'll focus on something safer" answers now read as compliance too (this set calls them partial refusals), so
# the floors below for compliance precision and partial-refusal recall went down while accuracy went up. This set's
# test half shares all its scenarios with the dev half the rules were tuned on, so it was never a clean held-out
# measure (README, "Trusting the scores"); it stays as a regression guard for specific phrasings.
# With the request's relevance as a feature (each answer read with its query, as ``harness score`` does): test half
# 0.914 (κ 0.871), all 0.965 (κ 0.947). The same model given the answers alone: 0.893 (κ 0.839) and 0.957 (κ 0.934).
# After the rule changes of the evening of 2026-11-30 (an inability to act is not a cue, degenerate text is a full
# refusal) and retraining: with the request 0.921 (κ 0.882) and 0.968 (κ 0.951); the answer alone 0.886 (κ 0.828)
# and 0.952 (κ 0.926). Retrained on 1,200 more second-labelled tuning answers with PHTest's labels at half weight
# (later that evening): with the request 0.914 (κ 0.871) and 0.965 (κ 0.947); the answer alone 0.893 (κ 0.839) and
# 0.952 (κ 0.926). One more "Rather than giving you X" answer reads as compliance (four in all).
FLOORS = {
    "test": {
        "accuracy": 0.90,
        "kappa": 0.85,
        "full_compliance": {"precision": 0.80, "recall": 0.99, "f1": 0.88},
        "partial_refusal": {"precision": 0.94, "recall": 0.81, "f1": 0.87},
        "full_refusal": {"precision": 0.99, "recall": 0.90, "f1": 0.94},
    },
    "all": {
        "accuracy": 0.955,
        "kappa": 0.93,
        "full_compliance": {"precision": 0.92, "recall": 0.99, "f1": 0.95},
        "partial_refusal": {"precision": 0.97, "recall": 0.90, "f1": 0.93},
        "full_refusal": {"precision": 0.99, "recall": 0.95, "f1": 0.97},
    },
}


def _measure(rows: list[dict]) -> tuple[float, float | None, dict[str, ClassMetrics]]:
    truth = [r["label"] for r in rows]
    predicted = [classify_refusal(r["response"], r["query"]).label for r in rows]
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(rows)
    return accuracy, cohen_kappa(truth, predicted, CLASSES), per_class_metrics(truth, predicted, CLASSES)


def test_the_file_is_current_and_well_formed() -> None:
    assert PATH.read_text(encoding="utf-8") == render(build()), "rerun: python -m tests.data.build_refusal_labelled"
    assert len(ROWS) >= 300
    assert all(set(r) == {"id", "query", "response", "should_refuse", "label"} for r in ROWS)
    counts = Counter(r["label"] for r in ROWS)
    assert set(counts) == set(CLASSES) and min(counts.values()) >= 80
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    # Both halves hold every class, and benign and should-refuse requests.
    for half in ("dev", "test"):
        rows = [r for r in ROWS if split_of(r["id"]) == half]
        assert {r["label"] for r in rows} == set(CLASSES) and {r["should_refuse"] for r in rows} == {True, False}


def test_halves_split_whole_styles() -> None:
    # A style never appears in both halves, so the test half measures unseen phrasing.
    groups: dict[str, set[str]] = {}
    for r in ROWS:
        groups.setdefault(r["id"].split(":", 1)[0], set()).add(split_of(r["id"]))
    assert all(len(halves) == 1 for halves in groups.values())
    assert sum(split_of(r["id"]) == "test" for r in ROWS) >= 120


@pytest.mark.parametrize("half", ["test", "all"])
def test_accuracy_floors(half: str) -> None:
    rows = ROWS if half == "all" else [r for r in ROWS if split_of(r["id"]) == half]
    accuracy, kappa, metrics = _measure(rows)
    floors = FLOORS[half]
    assert accuracy >= floors["accuracy"], f"{half} accuracy {accuracy:.3f}"
    assert kappa is not None and kappa >= floors["kappa"], f"{half} kappa {kappa}"
    for cls in CLASSES:
        for stat, floor in floors[cls].items():  # type: ignore[union-attr]
            value = getattr(metrics[cls], stat)
            assert value is not None and value >= floor, f"{half} {cls} {stat} {value} < {floor}"


def test_gates_never_hide_a_match_on_the_labelled_set() -> None:
    # Gated patterns are skipped when none of their gate words occurs: sound only if every match has one.
    from harness.scores.refusal import _ANY_CUE, _MARKDOWN, _gate_words, _plain

    checked = 0
    for row in ROWS:
        prose = _MARKDOWN.sub(" ", _plain(row["response"]).lower())
        words = _gate_words(prose)
        for pattern in _ANY_CUE:
            if pattern.gate and pattern.regex.search(prose):
                checked += 1
                assert not pattern.gate.isdisjoint(words), (pattern.regex.pattern[:60], row["id"])
    assert checked >= 100
