"""``harness check``: the CI gate for system-prompt edits.

The gate compares the working tree's prompts against a baseline and fails
only when an edit makes a metric worse by more than its non-inferiority
margin, with confidence: a metric fails when the worse bound of its 95%
interval (for B − A) crosses the margin. Holm-adjusted p-values decide which
failures are called *regressed* (significantly worse) rather than *not shown
non-inferior* (too few samples to rule a regression out).

Baselines:
- ``--base-ref REF`` (default from ``[check].base_ref``): the same prompt files
  at a git revision, e.g. the merge base. Only prompt files that differ from
  REF are evaluated; a new version file is compared with the latest version of
  the same prompt that exists at REF.
- ``--baseline RUN``: scored answers already on disk (a run directory or a
  ``harness score`` output); arms of the same ``name@version`` are compared.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from pydantic import BaseModel, ConfigDict, model_validator

from harness.compare import (
    Comparison,
    MetricComparison,
    compare_arms,
    default_margins,
    load_scored,
    render_comparison_markdown,
)
from harness.config import Project
from harness.errors import HarnessError
from harness.formats import check_version
from harness.rendering import render_markdown, write_artifact
from harness.runs import RunOptions, RunOutcome, execute_run
from harness.stats import holm
from harness.system_prompts import SystemPrompt, list_prompts, load_prompt, prompt_from_text

__all__ = [
    "CheckOutcome",
    "CheckReport",
    "GateResult",
    "changed_prompts",
    "render_check_markdown",
    "run_check",
    "write_check",
    "write_junit",
]


CHECK_FORMAT_VERSION = 1


class GateResult(BaseModel):
    """One metric of one prompt edit, judged against its margin."""

    model_config = ConfigDict(extra="forbid")

    prompt: str
    metric: MetricComparison
    margin: float | None
    holm_p: float
    passed: bool
    status: str


class CheckReport(BaseModel):
    """What the gate decided, as written to ``check.json`` beside the PR comment."""

    model_config = ConfigDict(extra="forbid")

    version: int = CHECK_FORMAT_VERSION

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, CHECK_FORMAT_VERSION, "a check report")
        return data
    passed: bool
    notes: list[str]
    results: list[GateResult]
    comparisons: list[Comparison]


@dataclass
class CheckOutcome:
    """Everything the gate decided, and the run it made."""

    comparisons: list[Comparison]
    results: list[GateResult]
    run: RunOutcome | None
    notes: list[str]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def report(self) -> CheckReport:
        """The decision as a typed, persistable model."""
        return CheckReport(passed=self.passed, notes=self.notes, results=self.results, comparisons=self.comparisons)


def _git(project: Project, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise HarnessError("git is not installed", fix="install git, or use --baseline RUN") from None
    if done.returncode != 0:
        raise HarnessError(f"git {' '.join(args)} failed: {done.stderr.strip()}", fix="check --base-ref names a revision")
    return done.stdout


def _top(project: Project) -> Path:
    return Path(_git(project, "rev-parse", "--show-toplevel").strip()).resolve()


def _prompts_rel(project: Project) -> str:
    """The prompts folder relative to the repository root, as git names it."""
    return project.prompts_dir.resolve().relative_to(_top(project)).as_posix()


def changed_prompts(project: Project, base_ref: str) -> list[str]:
    """``name@version`` of every prompt file that differs from ``base_ref`` (or is new)."""
    rel = _prompts_rel(project)
    top = _top(project)
    names = set(_git(project, "diff", "--name-only", base_ref, "--", rel).split())
    names |= set(_git(project, "ls-files", "--others", "--exclude-standard", "--", rel).split())
    refs = []
    for name in sorted(names):
        path = top / name
        if path.suffix == ".md" and path.is_file() and path.parent.parent.resolve() == project.prompts_dir.resolve():
            refs.append(f"{path.parent.name}@{path.stem}")
    return refs


def _at_revision(project: Project, ref: str, name: str, version: str) -> SystemPrompt | None:
    rel = _prompts_rel(project)
    listing = _git(project, "ls-tree", "--name-only", f"{ref}:{rel}/{name}") if _exists(project, ref, f"{rel}/{name}") else ""
    versions = sorted(Path(p).stem for p in listing.split() if p.endswith(".md"))
    if not versions:
        return None
    chosen = version if version in versions else versions[-1]
    text = _git(project, "show", f"{ref}:{rel}/{name}/{chosen}.md")
    prompt = prompt_from_text(f"{ref}:{rel}/{name}/{chosen}.md", name, chosen, text, project.config.prompt_variables)
    # The baseline arm is named after the revision so both arms can share a run.
    return prompt.model_copy(update={"version": f"{chosen}@{ref}"})


def _exists(project: Project, ref: str, rel: str) -> bool:
    done = subprocess.run(["git", "cat-file", "-e", f"{ref}:{rel}"], cwd=project.root, capture_output=True, check=False)
    return done.returncode == 0


def _gate(prompt: str, comparison: Comparison, margins: dict[str, float], alpha: float) -> list[GateResult]:
    gated = [m for m in comparison.metrics if m.family in margins]
    # One-sided p-value of "worse", for Holm: half the two-sided p in the worse direction.
    worse_p = []
    for m in gated:
        worse = m.delta is not None and (m.delta < 0 if m.higher_is_better else m.delta > 0)
        p = m.p_value if m.p_value is not None else 1.0
        worse_p.append(p / 2 if worse else 1 - p / 2)
    adjusted = holm(worse_p) if worse_p else []
    results = []
    for m, hp in zip(gated, adjusted, strict=True):
        margin = margins[m.family]
        bound = m.ci_low if m.higher_is_better else m.ci_high
        crossed = bound is None or (bound < -margin if m.higher_is_better else bound > margin)
        if not crossed:
            status = "pass"
        elif hp < alpha:
            status = "regressed"
        else:
            status = f"not shown non-inferior (MDE {m.mde})"
        results.append(GateResult(prompt=prompt, metric=m, margin=margin, holm_p=round(hp, 4), passed=not crossed, status=status))
    return results


def run_check(
    project: Project,
    *,
    base_ref: str | None = None,
    baseline: str | None = None,
    options: RunOptions | None = None,
    progress=None,
) -> CheckOutcome:
    """Evaluate the changed prompts against the baseline and apply the margins."""
    options = options or RunOptions()
    cfg = project.config
    notes: list[str] = []
    if baseline is not None:
        refs = options.prompts or cfg.run.prompts or list_prompts(project.prompts_dir)
        candidates = [load_prompt(project.prompts_dir, r, cfg.prompt_variables) for r in refs]
        pairs_source = load_scored(baseline)
        run = execute_run(project, _with(options, prompt_versions=candidates, name=options.name or "check"), progress)
        pairs = [(c.ref, [s for s in pairs_source if s.arm == c.ref], c.ref) for c in candidates]
    else:
        ref = base_ref or cfg.check.base_ref
        refs = changed_prompts(project, ref)
        if options.prompts:
            refs = [r for r in refs if r in options.prompts]
        if not refs:
            notes.append(f"no system prompt differs from {ref}: nothing to check")
            return CheckOutcome([], [], None, notes)
        candidates, bases = [], []
        for r in refs:
            name, version = r.split("@", 1)
            base = _at_revision(project, ref, name, version)
            if base is None:
                notes.append(f"{r} has no counterpart at {ref} (new prompt): not gated")
                continue
            candidates.append(load_prompt(project.prompts_dir, r, cfg.prompt_variables))
            bases.append(base)
        if not candidates:
            return CheckOutcome([], [], None, notes)
        run = execute_run(project, _with(options, prompt_versions=bases + candidates, name=options.name or "check"), progress)
        pairs = [(c.ref, [s for s in run.scores if s.arm == b.ref], b.ref) for b, c in zip(bases, candidates, strict=True)]
    comparisons, results = [], []
    for cand_ref, base_scores, base_name in pairs:
        if not base_scores:
            notes.append(f"baseline has no answers for {cand_ref}: not gated")
            continue
        cand_scores = [s for s in run.scores if s.arm == cand_ref]
        comparison = compare_arms(
            base_scores, cand_scores, a_name=base_name if baseline is None else f"baseline:{base_name}", b_name=cand_ref,
            alpha=cfg.compare.alpha, power=cfg.compare.power, min_effect=cfg.compare.min_effect,
        )
        comparisons.append(comparison)
        results.extend(_gate(cand_ref, comparison, {**default_margins(), **cfg.check.margins}, cfg.compare.alpha))
    return CheckOutcome(comparisons, results, run, notes)


def _with(options: RunOptions, **changes: Any) -> RunOptions:
    from dataclasses import replace

    return replace(options, write_report=False, **changes)


def render_check_markdown(outcome: CheckOutcome | CheckReport, view: str | None = None) -> str:
    """The pull-request comment: verdict first, then each comparison.

    ``view``: the file name of the HTML viewer written beside the comment; flips link into it.
    """
    report = outcome.report if isinstance(outcome, CheckOutcome) else outcome
    comparisons = [render_comparison_markdown(c, view) for c in report.comparisons]
    return render_markdown("check.md.j2", r=report, comparisons=comparisons, view=view)


def write_check(outcome: CheckOutcome, markdown: Path, view: str | None = None) -> tuple[Path, Path]:
    """Write the PR comment to ``markdown`` and the decision as JSON beside it (same stem).

    ``view``: the file name of the HTML viewer written beside them; the comment's flips link into it.
    """
    report = outcome.report
    return write_artifact(report, render_check_markdown(report, view), markdown.parent, markdown.stem)


def check_caveats(outcome: CheckOutcome) -> list[str]:
    """The caveats of every comparison the gate made (e.g. the smoke-test model), each once."""
    return list(dict.fromkeys(c for comparison in outcome.comparisons for c in comparison.caveats))


def write_junit(outcome: CheckOutcome, path: Path) -> None:
    """JUnit XML: one test case per prompt × gated metric, so CI systems show each."""
    suite = ET.Element(
        "testsuite", name="harness check", tests=str(len(outcome.results)),
        failures=str(sum(not r.passed for r in outcome.results)), errors="0", skipped="0",
    )
    caveats = check_caveats(outcome)
    if caveats:
        properties = ET.SubElement(suite, "properties")
        for caveat in caveats:
            ET.SubElement(properties, "property", name="caveat", value=caveat)
    for r in outcome.results:
        case = ET.SubElement(suite, "testcase", classname=f"harness.check.{r.prompt}", name=r.metric.metric)
        if not r.passed:
            m = r.metric
            failure = ET.SubElement(case, "failure", message=f"{r.status}: delta {m.delta} [{m.ci_low}, {m.ci_high}], margin {r.margin}")
            failure.text = f"a={m.a} b={m.b} p={m.p_value} holm_p={r.holm_p} n={m.n_pairs}"
            failure.text += "".join(f"\ncaveat: {caveat}" for caveat in caveats)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
