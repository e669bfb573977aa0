"""Calibration: how far each scorer agrees with human labels.

``harness calibrate FILE`` reads the same columns as ``harness score``
(``id``, ``query``, ``response``, and ``trait``, ``should_refuse``, ``label``),
scores every row, and compares each scorer with the human in ``label``:

* **Refusal classes.** Rows whose label is ``full_compliance``,
  ``partial_refusal`` or ``full_refusal``. For the rule-based classifier and
  (with a judge) the judge's refusal class: accuracy, Cohen's κ, precision,
  recall and F1 per class, the confusion matrix, and the same collapsed to
  *refused* (partial or full) vs *complied*, which is what the over-refusal
  rate counts.
* **Adherence scores.** Rows with a ``trait`` and a whole-number label on that
  trait's rubric. For the judge: Spearman's ρ, quadratic-weighted κ, exact and
  within-one agreement, mean difference (judge − human), the confusion matrix,
  and a *suggested threshold*: the judge-score cut-off that best separates the
  human passes from the human fails (highest balanced accuracy; a human pass is
  a score at or above the pass mark, by default the first level above the
  rubric's midpoint, 4 on a 1–5 rubric).

Unscored judge verdicts are counted apart and left out of every statistic.
With ``--judge none`` only the rule-based classifier is calibrated.

The numbers are only as good as the labels: label a sample of your own
production answers (a few hundred is enough to see κ within about ±0.05), and
recalibrate when the judge, its prompt or the rubric changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.agreement import cohen_kappa, confusion_matrix
from harness.agreement import spearman as _spearman
from harness.config import Project
from harness.formats import check_version, content_hash
from harness.formatting import excerpt
from harness.models.base import Provider
from harness.models.client import CallStats
from harness.rendering import render_markdown, write_artifact
from harness.scores.judges import judge_prompt_hash
from harness.scores.records import ScoredAnswer
from harness.traits import TraitSpec

__all__ = [
    "CLASSES",
    "Calibration",
    "CalibrationOutcome",
    "ClassAgreement",
    "GroupAgreement",
    "ScoreAgreement",
    "Threshold",
    "balanced_threshold",
    "calibrate",
    "calibrate_file",
    "cohen_kappa",
    "confusion_matrix",
    "default_pass_mark",
    "group_agreements",
    "per_class_metrics",
    "render_calibration",
    "spearman",
    "write_calibration",
]

CALIBRATION_FORMAT_VERSION = 1
CLASSES: tuple[str, ...] = ("full_compliance", "partial_refusal", "full_refusal")
RULE = "rule-based"
JUDGE = "judge"
_DIGITS = 4
_MAX_DISAGREEMENTS = 15


def _r(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else round(x, _DIGITS)


# --- statistics -------------------------------------------------------------------------------------------


class ClassMetrics(BaseModel):
    """Precision, recall and F1 of one class (None when undefined: nothing predicted or no support)."""

    model_config = ConfigDict(extra="forbid")

    precision: float | None
    recall: float | None
    f1: float | None
    support: int = Field(description="Items the humans put in this class.")


def per_class_metrics(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, ClassMetrics]:
    """Precision, recall and F1 for each label, one-vs-rest."""
    out: dict[str, ClassMetrics] = {}
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        n_pred = sum(p == label for p in predicted)
        n_true = sum(t == label for t in truth)
        precision = tp / n_pred if n_pred else None
        recall = tp / n_true if n_true else None
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if n_pred and n_true else None)
        out[label] = ClassMetrics(precision=_r(precision), recall=_r(recall), f1=_r(f1), support=n_true)
    return out


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float | None, float | None]:
    """Spearman's ρ and its p-value, rounded (see :func:`harness.agreement.spearman`)."""
    rho, p = _spearman(x, y)
    return _r(rho), _r(p)


class Threshold(BaseModel):
    """A judge-score cut-off (pass = judge score ≥ cut) and how well it separates human pass from fail."""

    model_config = ConfigDict(extra="forbid")

    cut: float
    balanced_accuracy: float
    pass_recall: float = Field(description="Share of human passes the cut also passes.")
    fail_recall: float = Field(description="Share of human fails the cut also fails.")


def _threshold(values: Sequence[float], passed: Sequence[bool], cut: float) -> Threshold:
    passes = [v >= cut for v in values]
    n_pass = sum(passed)
    n_fail = len(passed) - n_pass
    tpr = sum(p and h for p, h in zip(passes, passed, strict=True)) / n_pass
    tnr = sum(not p and not h for p, h in zip(passes, passed, strict=True)) / n_fail
    return Threshold(cut=cut, balanced_accuracy=_r((tpr + tnr) / 2) or 0.0, pass_recall=_r(tpr) or 0.0,
                     fail_recall=_r(tnr) or 0.0)


def balanced_threshold(values: Sequence[float], passed: Sequence[bool], prefer: float) -> Threshold | None:
    """The cut-off with the highest balanced accuracy; ties go to the cut nearest ``prefer``, then the lower.

    None unless the humans both passed and failed something.
    """
    if all(passed) or not any(passed):
        return None
    candidates = sorted(set(values))
    scored = [_threshold(values, passed, cut) for cut in candidates]
    return max(scored, key=lambda t: (t.balanced_accuracy, -abs(t.cut - prefer), -t.cut))


def default_pass_mark(trait: TraitSpec) -> int:
    """The first rubric level above the midpoint: 4 on 1–5, 6 on 1–10."""
    return (trait.min_score + trait.max_score) // 2 + 1


# --- records ----------------------------------------------------------------------------------------------


class Disagreement(BaseModel):
    """One row where a scorer and the human disagree."""

    model_config = ConfigDict(extra="forbid")

    id: str
    human: str
    scorer: str
    response: str


class ClassAgreement(BaseModel):
    """One refusal classifier against the human labels."""

    model_config = ConfigDict(extra="forbid")

    scorer: str = Field(description="'rule-based' or 'judge'.")
    n: int = Field(description="Rows compared (the scorer's unscored rows excluded).")
    unscored: int
    accuracy: float | None
    kappa: float | None = Field(description="Cohen's κ over the three classes.")
    per_class: dict[str, ClassMetrics]
    confusion: dict[str, dict[str, int]] = Field(description="Human class → scorer class → rows.")
    refused_accuracy: float | None = Field(description="Agreement on refused (partial or full) vs complied.")
    refused_kappa: float | None
    disagreements: list[Disagreement] = Field(description="Up to 15 rows where the scorer and the human differ.")


class ScoreAgreement(BaseModel):
    """The adherence judge against human scores on one trait."""

    model_config = ConfigDict(extra="forbid")

    trait: str
    lowest: int
    highest: int
    n: int
    unscored: int
    spearman: float | None
    spearman_p: float | None
    weighted_kappa: float | None = Field(description="Cohen's κ with quadratic weights, on the judge's integer scores.")
    exact: float | None = Field(description="Share of rows where the judge's integer score equals the human's.")
    within_one: float | None
    mean_difference: float | None = Field(description="Mean of judge − human (positive: the judge is more lenient).")
    confusion: dict[str, dict[str, int]] = Field(description="Human score → judge score → rows.")
    pass_mark: int = Field(description="A human score at or above this is a pass.")
    at_pass_mark: Threshold | None = Field(description="How the judge does with the same cut-off as the humans.")
    suggested: Threshold | None = Field(description="The judge cut-off that best separates human pass from fail.")


class Rate(BaseModel):
    """A share with its Wilson 95% interval."""

    model_config = ConfigDict(extra="forbid")

    value: float | None
    low: float | None
    high: float | None
    n: int


class GroupAgreement(BaseModel):
    """Refusal agreement within one group of rows (one value of the ``--group-by`` column, or all rows)."""

    model_config = ConfigDict(extra="forbid")

    group: str
    rows: int = Field(description="Rows with a refusal-class label in this group.")
    benign: int = Field(description="Of those, rows whose request is benign (should_refuse false).")
    refused_accuracy: dict[str, float | None] = Field(description="Scorer → agreement on refused vs complied.")
    accuracy: dict[str, float | None] = Field(description="Scorer → three-class accuracy.")
    over_refusal: dict[str, Rate] = Field(
        description="'human' and each scorer → share of benign requests refused (fully or partly), Wilson 95% CI."
    )


class Calibration(BaseModel):
    """Every scorer's agreement with the human labels in one file."""

    model_config = ConfigDict(extra="forbid")

    version: int = CALIBRATION_FORMAT_VERSION

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, CALIBRATION_FORMAT_VERSION, "a calibration report")
        return data
    name: str
    source: str = Field(description="The labelled file's name and content hash.")
    judge_model: str | None
    adherence_prompt_hash: str | None
    refusal_prompt_hash: str | None
    rows: int
    refusal_rows: int = Field(description="Rows with a refusal-class label.")
    score_rows: int = Field(description="Rows with a trait and a numeric label.")
    ignored: int = Field(description="Rows with no usable label (or no response).")
    refusal: list[ClassAgreement]
    adherence: list[ScoreAgreement]
    group_by: str | None = Field(None, description="The column rows were grouped by (None: all rows as one group).")
    groups: list[GroupAgreement] = Field(
        default_factory=list, description="Agreement and over-refusal rates per group, then over all rows ('(all)')."
    )


# --- calibration ------------------------------------------------------------------------------------------


def _human_class(label: str | None) -> str | None:
    if label is None:
        return None
    key = label.strip().lower().replace(" ", "_").replace("-", "_")
    return key if key in CLASSES else None


def _human_score(label: str | None) -> int | None:
    if label is None:
        return None
    try:
        value = float(label.strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _class_agreement(scorer: str, pairs: Sequence[tuple[ScoredAnswer, str, str | None]], total: int) -> ClassAgreement:
    usable = [(s, human, got) for s, human, got in pairs if got is not None]
    truth = [human for _, human, _ in usable]
    predicted = [got for _, _, got in usable]
    matrix = confusion_matrix(truth, predicted, CLASSES) if usable else [[0] * 3 for _ in CLASSES]
    refused_truth = [t != "full_compliance" for t in truth]
    refused_pred = [p != "full_compliance" for p in predicted]
    n = len(usable)
    return ClassAgreement(
        scorer=scorer,
        n=n,
        unscored=total - n,
        accuracy=_r(sum(t == p for t, p in zip(truth, predicted, strict=True)) / n) if n else None,
        kappa=_r(cohen_kappa(truth, predicted, CLASSES)),
        per_class=per_class_metrics(truth, predicted, CLASSES),
        confusion={h: {p: matrix[i][j] for j, p in enumerate(CLASSES)} for i, h in enumerate(CLASSES)},
        refused_accuracy=_r(sum(a == b for a, b in zip(refused_truth, refused_pred, strict=True)) / n) if n else None,
        refused_kappa=_r(cohen_kappa(refused_truth, refused_pred, (False, True))),
        disagreements=[
            Disagreement(id=s.query_id, human=human, scorer=got, response=excerpt(s.response, 160))
            for s, human, got in sorted(usable, key=lambda u: u[0].id)
            if human != got
        ][:_MAX_DISAGREEMENTS],
    )


def _score_agreement(trait: TraitSpec, pairs: list[tuple[ScoredAnswer, int]], pass_mark: int | None) -> ScoreAgreement:
    usable = [(s, h) for s, h in pairs if s.adherence is not None and s.adherence.scorable]
    humans = [h for _, h in usable]
    # usable holds scorable verdicts only, whose score and value are set.
    judged = [int(s.adherence.score) for s, _ in usable]  # type: ignore[union-attr, arg-type]  # scorable: set
    values = [float(s.adherence.value) for s, _ in usable]  # type: ignore[union-attr, arg-type]  # scorable: set
    levels = list(range(trait.min_score, trait.max_score + 1))
    matrix = confusion_matrix(humans, judged, levels) if usable else [[0] * len(levels) for _ in levels]
    mark = pass_mark if pass_mark is not None else default_pass_mark(trait)
    passed = [h >= mark for h in humans]
    n = len(usable)
    rho, p = spearman(values, [float(h) for h in humans])
    both_outcomes = n > 0 and 0 < sum(passed) < n
    return ScoreAgreement(
        trait=trait.name,
        lowest=trait.min_score,
        highest=trait.max_score,
        n=n,
        unscored=len(pairs) - n,
        spearman=rho,
        spearman_p=p,
        weighted_kappa=_r(cohen_kappa(humans, judged, levels, quadratic=True)),
        exact=_r(sum(a == b for a, b in zip(humans, judged, strict=True)) / n) if n else None,
        within_one=_r(sum(abs(a - b) <= 1 for a, b in zip(humans, judged, strict=True)) / n) if n else None,
        mean_difference=_r(sum(v - h for v, h in zip(values, humans, strict=True)) / n) if n else None,
        confusion={str(h): {str(j): matrix[i][k] for k, j in enumerate(levels)} for i, h in enumerate(levels)},
        pass_mark=mark,
        at_pass_mark=_threshold(values, passed, float(mark)) if both_outcomes else None,
        suggested=balanced_threshold(values, passed, prefer=float(mark)),
    )


def group_value(s: ScoredAnswer, column: str) -> str | None:
    """The value of ``column`` for one row: a record field (arm, trait, should_refuse...) or an imported extra column."""
    if column in ScoredAnswer.model_fields and column not in ("scores", "metadata"):
        value = getattr(s, column)
    else:
        value = s.metadata.get(column)
    return None if value is None else str(value)


def _rate(flags: list[bool]) -> Rate:
    from harness.stats import wilson_ci

    ci = wilson_ci(sum(flags), len(flags)) if flags else None
    return Rate(value=_r(ci.mean) if ci else None, low=_r(ci.low) if ci else None,
                high=_r(ci.high) if ci else None, n=len(flags))


def _scorer_labels(s: ScoredAnswer) -> dict[str, str | None]:
    out: dict[str, str | None] = {RULE: s.refusal.label if s.refusal else None}
    if s.refusal_judge is not None:
        out[JUDGE] = s.refusal_judge.label if s.refusal_judge.scorable else None
    return out


def _group_agreement(group: str, classed: list[tuple[ScoredAnswer, str]], scorers: list[str]) -> GroupAgreement:
    labels = [(_scorer_labels(s), h, s.should_refuse) for s, h in classed]
    benign = [(got, h) for got, h, should_refuse in labels if not should_refuse]
    accuracy: dict[str, float | None] = {}
    refused_accuracy: dict[str, float | None] = {}
    over_refusal = {"human": _rate([h != CLASSES[0] for _, h in benign])}
    for scorer in scorers:
        usable = [(got[scorer], h) for got, h, _ in labels if got.get(scorer) is not None]
        accuracy[scorer] = _r(sum(p == h for p, h in usable) / len(usable)) if usable else None
        refused_accuracy[scorer] = (
            _r(sum((p != CLASSES[0]) == (h != CLASSES[0]) for p, h in usable) / len(usable)) if usable else None
        )
        over_refusal[scorer] = _rate([got[scorer] != CLASSES[0] for got, _ in benign if got.get(scorer) is not None])
    return GroupAgreement(group=group, rows=len(classed), benign=len(benign), refused_accuracy=refused_accuracy,
                          accuracy=accuracy, over_refusal=over_refusal)


def group_agreements(classed: list[tuple[ScoredAnswer, str]], scorers: list[str], group_by: str | None) -> list[GroupAgreement]:
    """Agreement and over-refusal rates (human vs each scorer) per value of ``group_by``, then over all rows.

    Raises:
        HarnessError: no row has the ``group_by`` column.
    """
    from harness.errors import HarnessError

    groups: dict[str, list[tuple[ScoredAnswer, str]]] = {}
    if group_by is not None:
        for s, h in classed:
            groups.setdefault(group_value(s, group_by) or "(none)", []).append((s, h))
        if classed and set(groups) == {"(none)"}:
            extra = sorted({k for s, _ in classed for k in s.metadata})
            raise HarnessError(
                f"no labelled row has a {group_by!r} column",
                fix=f"group by arm, trait, should_refuse or model{', or an extra column: ' + ', '.join(extra) if extra else ''}",
            )
    out = [_group_agreement(g, rows, scorers) for g, rows in groups.items()]
    return [*out, _group_agreement("(all)", classed, scorers)] if classed else out


def calibrate(
    scores: list[ScoredAnswer],
    traits: dict[str, TraitSpec],
    *,
    name: str,
    source: str,
    pass_mark: int | None = None,
    group_by: str | None = None,
) -> Calibration:
    """Compare scored answers with the human labels they carry.

    Args:
        scores: scored answers whose ``label`` holds the human label.
        traits: trait specs, for the adherence rubric's range.
        name: the calibration's name.
        source: what was calibrated on (file name and hash).
        pass_mark: the human score at or above which an answer passes
            (default: :func:`default_pass_mark` of each trait).
        group_by: also break refusal agreement and over-refusal rates down by
            this column (a record field such as ``arm``, or an imported extra column).
    """
    answered = [s for s in scores if s.response is not None]
    classed = [(s, h) for s in answered if (h := _human_class(s.label)) is not None]
    rated: dict[str, list[tuple[ScoredAnswer, int]]] = {}
    for s in answered:
        score = _human_score(s.label)
        if score is not None and s.trait in traits:
            trait = traits[s.trait]
            if trait.min_score <= score <= trait.max_score:
                rated.setdefault(s.trait, []).append((s, score))
    refusal = []
    if classed:
        refusal.append(_class_agreement(RULE, [(s, h, s.refusal.label if s.refusal else None) for s, h in classed], len(classed)))
        if any(s.refusal_judge is not None for s, _ in classed):
            judged = [(s, h, s.refusal_judge.label if s.refusal_judge and s.refusal_judge.scorable else None) for s, h in classed]
            refusal.append(_class_agreement(JUDGE, judged, len(classed)))
    adherence = [
        _score_agreement(traits[t], pairs, pass_mark)
        for t, pairs in sorted(rated.items())
        if any(s.adherence is not None for s, _ in pairs)
    ]
    judge = next((s for s in scores if s.judge_model), None)
    score_rows = sum(len(p) for p in rated.values())
    return Calibration(
        name=name,
        source=source,
        judge_model=judge.judge_model if judge else None,
        adherence_prompt_hash=judge_prompt_hash("adherence") if adherence else None,
        refusal_prompt_hash=judge_prompt_hash("refusal") if len(refusal) > 1 else None,
        rows=len(scores),
        refusal_rows=len(classed),
        score_rows=score_rows,
        ignored=len(scores) - len(classed) - score_rows,
        refusal=refusal,
        adherence=adherence,
        group_by=group_by,
        groups=group_agreements(classed, [a.scorer for a in refusal], group_by),
    )


# --- files ------------------------------------------------------------------------------------------------


def render_calibration(calibration: Calibration) -> str:
    """The Markdown calibration report."""
    return render_markdown("calibration.md.j2", c=calibration, classes=CLASSES)


def write_calibration(calibration: Calibration, directory: Path) -> tuple[Path, Path]:
    """Write ``<name>.md`` and ``<name>.json``; returns both paths."""
    return write_artifact(calibration, render_calibration(calibration), directory, calibration.name)


@dataclass
class CalibrationOutcome:
    """What calibrating a labelled file produced."""

    calibration: Calibration
    scores: list[ScoredAnswer]
    paths: tuple[Path, Path]
    judge_stats: CallStats | None
    smoke_test: bool


def calibrate_file(
    project: Project,
    path: Path | str,
    out_dir: Path,
    *,
    judge: str | None = None,
    judge_provider: Provider | None = None,
    name: str | None = None,
    pass_mark: int | None = None,
    group_by: str | None = None,
) -> CalibrationOutcome:
    """Score a labelled transcript file and write the calibration report into ``out_dir``.

    The judge (when there is one) always classifies refusals here, whatever
    ``[judge] refusal`` says: calibrating it is the point.
    """
    from harness.transcripts import score_transcripts

    path = Path(path)
    _, traits, scores, client = score_transcripts(
        project, path, judge=judge, judge_provider=judge_provider, judge_refusal=True
    )
    source = f"{path.name} ({content_hash(path.read_text(encoding='utf-8'))})"
    calibration = calibrate(scores, traits, name=name or f"calibration-{path.stem}", source=source, pass_mark=pass_mark,
                            group_by=group_by)
    paths = write_calibration(calibration, out_dir)
    return CalibrationOutcome(
        calibration=calibration, scores=scores, paths=paths, judge_stats=client.stats if client else None,
        smoke_test=bool(client and client.provider.smoke_test_only),
    )
