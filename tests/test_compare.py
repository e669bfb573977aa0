"""A/B comparisons: coverage and false-positive rates on simulated runs, verdicts, inputs."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from harness.cli import main
from harness.compare import compare_arms, load_scored, render_comparison_markdown, select_arm
from harness.scores.checks import adherence_score
from harness.scores.filler import FillerResult
from harness.scores.judges import AdherenceVerdict
from harness.scores.records import ScoredAnswer
from harness.scores.refusal import RefusalVerdict
from tests.helpers import copy_example_project

QUERIES = 40
SAMPLES = 2
REPS = 500

_COMPLY = RefusalVerdict(label="full_compliance", cues=[], reason="")
_FILLER = FillerResult(has_filler=True, phrases=["Certainly!"], openers=["Certainly!"], closers=[])
_CLEAN = FillerResult(has_filler=False, phrases=[], openers=[], closers=[])


def _answer(arm: str, q: int, k: int, score: int, filler: bool) -> ScoredAnswer:
    return ScoredAnswer(
        id=f"{arm}|q{q}|{k}", arm=arm, query_id=f"q{q}", trait="directness", sample=k, should_refuse=False,
        model="sim", prompt_hash=None, query=f"query {q}", response="r", refusal=_COMPLY, over_refusal=False,
        filler=_FILLER if filler else _CLEAN, adherence=AdherenceVerdict(score=score, reason="", scorable=True),
    )


def _score(latent: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(latent), 1, 5)


def _arm(rng: np.random.Generator, arm: str, base: np.ndarray, logit: np.ndarray, shift: float, logit_shift: float) -> list[ScoredAnswer]:
    out = []
    for q in range(QUERIES):
        for k in range(SAMPLES):
            score = int(_score(base[q] + shift + rng.normal(0, 0.8)))
            filler = bool(rng.random() < 1 / (1 + np.exp(-(logit[q] + logit_shift))))
            out.append(_answer(arm, q, k, score, filler))
    return out


def _true_effects(shift: float, logit_shift: float) -> tuple[float, float]:
    """Population differences, by Monte Carlo over queries and noise."""
    rng = np.random.default_rng(123)
    base = rng.normal(3.0, 0.7, 400_000)
    noise_a, noise_b = rng.normal(0, 0.8, (2, 400_000))
    score = float(np.mean(_score(base + shift + noise_b) - _score(base + noise_a)))
    logit = rng.normal(-1.0, 0.8, 400_000)
    rate = float(np.mean(1 / (1 + np.exp(-(logit + logit_shift))) - 1 / (1 + np.exp(-logit))))
    return score, rate


def _simulate(shift: float, logit_shift: float, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    base = rng.normal(3.0, 0.7, QUERIES)
    logit = rng.normal(-1.0, 0.8, QUERIES)
    a = _arm(rng, "A", base, logit, 0.0, 0.0)
    b = _arm(rng, "B", base, logit, shift, logit_shift)
    return compare_arms(a, b, a_name="A", b_name="B", flips=0)


def test_interval_coverage_with_injected_effect() -> None:
    shift, logit_shift = 0.4, 0.6
    true_score, true_rate = _true_effects(shift, logit_shift)
    covered = {"adherence": 0, "filler": 0}
    for rep in range(REPS):
        c = _simulate(shift, logit_shift, seed=rep)
        for metric, truth in (("adherence", true_score), ("filler", true_rate)):
            row = c.metric(metric)
            covered[metric] += row.ci_low <= truth <= row.ci_high
    rates = {m: covered[m] / REPS for m in covered}
    print("coverage over", REPS, "repetitions:", rates, "true effects:", round(true_score, 4), round(true_rate, 4))
    assert rates["adherence"] >= 0.93 and rates["filler"] >= 0.93


def test_aa_comparison_rarely_flagged_regressed() -> None:
    flagged = 0
    for rep in range(REPS):
        c = _simulate(0.0, 0.0, seed=10_000 + rep)
        flagged += any(r.verdict == "regressed" for r in c.metrics)
    print("A/A runs with any metric flagged regressed:", flagged, "of", REPS)
    assert flagged / REPS <= 0.05


def test_real_effect_is_detected_with_the_right_direction() -> None:
    c = _simulate(0.8, 1.5, seed=7)
    assert c.metric("adherence").verdict == "improved"  # higher adherence is better
    assert c.metric("filler").verdict == "regressed"  # more filler is worse
    assert c.metric("adherence").q_value <= c.metric("adherence").p_value * len(c.metrics)


def test_identical_arms_with_many_queries_are_no_change() -> None:
    rng = random.Random(0)
    a = [_answer("A", q, k, rng.choice([3, 4]), False) for q in range(200) for k in range(2)]
    b = [s.model_copy(update={"arm": "B", "id": s.id.replace("A|", "B|")}) for s in a]
    c = compare_arms(a, b, flips=0)
    assert c.metric("adherence").verdict == "no_change" and c.metric("filler").verdict == "no_change"


def test_tiny_sample_is_inconclusive_not_no_change() -> None:
    a = [_answer("A", q, 0, 3, False) for q in range(4)]
    b = [_answer("B", q, 0, 3, False) for q in range(4)]
    c = compare_arms(a, b, flips=0)
    assert {r.verdict for r in c.metrics} == {"inconclusive"}


def test_flips_show_both_answers_and_reasons() -> None:
    a = [_answer("A", q, 0, 4, False) for q in range(5)]
    b = [_answer("B", q, 0, 4 if q else 1, False) for q in range(5)]
    buried = adherence_score(AdherenceVerdict(score=1, reason="buried", scorable=True), "j", None)
    b[0] = b[0].model_copy(update={"response": "bad answer", "scores": {**b[0].scores, "adherence": buried}})
    c = compare_arms(a, b)
    assert c.flips[0].query_id == "q0" and c.flips[0].change == -3.0
    assert c.flips[0].b_answer == "bad answer" and c.flips[0].b_reason == "buried"
    md = render_comparison_markdown(c)
    assert "| adherence:directness ↑ |" in md and "Biggest flips" in md


CSV = "id,query,response,arm,should_refuse\n" + "".join(
    f"{i},Question {i}?,{'Certainly! ' if arm == 'old' else ''}Answer {i}.,{arm},false\n"
    for arm in ("old", "new") for i in range(30)
)


def test_compare_works_on_arms_of_a_scored_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_example_project(tmp_path / "p")
    (tmp_path / "logs.csv").write_text(CSV)
    out = tmp_path / "scored"
    assert main(["--project", str(project), "score", str(tmp_path / "logs.csv"), "--judge", "none", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["--project", str(project), "compare", str(out), "--arms", "old", "new", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    filler = next(m for m in data["metrics"] if m["metric"] == "filler")
    assert set(filler) >= {"metric", "a", "b", "delta", "ci_low", "ci_high", "p_value", "q_value", "mde", "verdict"}
    assert filler["a"] == 1.0 and filler["b"] == 0.0 and filler["verdict"] == "improved"


def test_select_arm_accepts_version_suffix() -> None:
    scores = [_answer("assistant@v1", 0, 0, 3, False), _answer("assistant@v2", 0, 0, 3, False)]
    assert select_arm(scores, "v2", "x")[0] == "assistant@v2"


def test_load_scored_names_bad_line(tmp_path: Path) -> None:
    from harness.errors import HarnessError

    path = tmp_path / "results.jsonl"
    path.write_text('{"id": 1}\n')
    with pytest.raises(HarnessError, match=r"results.jsonl, line 1 contains data that does not match") as info:
        load_scored(path)
    assert "  arm: required field is missing" in info.value.message


def test_tables_are_readable_in_an_80_column_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from rich.console import Console

    from harness import cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "_console", lambda stderr=False: Console(file=screen, width=80, highlight=False, soft_wrap=False))
    project = copy_example_project(tmp_path / "p")
    csv = "id,query,response,arm,should_refuse\n" + "".join(
        f"{i},Question {i}?,{'Certainly! Answer' if arm == 'v1' else 'I cannot help with that.' if i < 4 else 'Answer'} {i}.,"
        f"assistant@{arm},false\n" for arm in ("v1", "v2") for i in range(30)
    )
    (tmp_path / "logs.csv").write_text(csv)
    out = tmp_path / "scored"
    assert main(["--project", str(project), "score", str(tmp_path / "logs.csv"), "--judge", "none", "--out", str(out)]) == 0
    assert main(["--project", str(project), "compare", str(out), "--arms", "v1", "v2"]) == 0
    text = screen.getvalue()
    assert "…" not in text  # nothing cut off
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "arms: v1 = assistant@v1, v2 = assistant@v2" in text
    lines = text.splitlines()
    assert any(line.startswith("  v1 ") for line in lines) and any(line.startswith("  v2 ") for line in lines)
    assert "┃ v1 " in text and "┃ v2 " in text and "│ improved " in text and "│ inconclusive " in text
    # The default table shows the biggest flips, as the Markdown does.
    assert "Biggest flips" in text and "v2: I cannot help with that." in text
