"""The ``harness`` command: parse arguments, call the library, render with rich.

Library errors (:class:`HarnessError`) become a short message and exit code 2
here, in one place.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from harness import __version__
from harness.errors import HarnessError

if TYPE_CHECKING:  # rich is imported by the commands that draw, not at startup
    from rich.progress import ProgressColumn, Task

__all__ = ["main"]


def _console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output (CI logs) would otherwise be squeezed to 80 columns.
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def _project(args: argparse.Namespace):
    from harness.config import find_project

    return find_project(args.project)


def _smoke_notice() -> None:
    from harness.models.smoke_test import SMOKE_TEST_NOTICE

    _console(stderr=True).print(f"[bold yellow]note:[/] {SMOKE_TEST_NOTICE}")


def _uses_bundled(*models: str | None) -> bool:
    from harness.models.registry import DEFAULT_LOCAL, resolve_model_name

    return any(m != "none" and resolve_model_name(m) == DEFAULT_LOCAL for m in models)


def _judge_role(args: argparse.Namespace, project) -> str:
    """The judge from ``--judge``, else the config; says so when it is the smoke-test model."""
    judge = args.judge or project.config.models.judge
    if _uses_bundled(judge):
        _smoke_notice()
    return judge


def _user_role(args: argparse.Namespace, project) -> str:
    """The simulated user's model from ``--user``, else the config (used only by runs with scenarios)."""
    return getattr(args, "user", None) or project.config.models.user


def _roles(args: argparse.Namespace, project) -> tuple[str, str]:
    """Candidate and judge from the flags, else the config; says so when the smoke-test model plays one."""
    candidate = args.model or project.config.models.candidate
    judge = args.judge or project.config.models.judge
    if _uses_bundled(candidate, judge):
        _smoke_notice()
    return candidate, judge


def _rate_column() -> ProgressColumn:
    """A progress column with the rate in calls per second (rich has one for bytes only)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("  —/s" if speed is None else f"{speed:5.2f}/s", style="progress.data.speed")

    return RateColumn()


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int], Callable[[], None]]]:
    """A rich progress bar factory: ``factory(label, total)`` returns an advance callback."""
    if not enabled:
        yield lambda _label, _total: (lambda: None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), _rate_column(), TimeElapsedColumn(),
        TextColumn("eta"), TimeRemainingColumn(),
        console=_console(stderr=True), transient=False,
    ) as bar:

        def factory(label: str, total: int) -> Callable[[], None]:
            task = bar.add_task(label, total=total)
            return lambda: bar.advance(task)

        yield factory


def _print_calls(label: str, stats) -> None:
    if stats is None:
        return
    cost = f"${stats.cost_usd:.4f}" + (" (+ unknown-price calls)" if stats.cost_unknown_calls else "")
    batches = f" in {stats.batches} batch(es)" if stats.batches else ""
    _console().print(
        f"{label}: {stats.api_calls} model calls{batches}, {stats.cache_hits} cache hits, {stats.retries} retries, "
        f"{stats.failures} failures, {stats.input_tokens}+{stats.output_tokens} tokens, est. cost {cost}"
    )


def _print_costs(outcome) -> None:
    """Tokens and estimated cost of this invocation, per arm and in total; the budget, if any."""
    costs = outcome.costs()

    def money(tally: dict) -> str:
        return f"${tally['cost_usd']:.4f}" + (" (+ unknown-price calls)" if tally["cost_unknown_calls"] else "")

    for arm, tally in costs["by_arm"].items():
        _console().print(
            f"  arm {arm}: {tally['api_calls']} model calls, {tally['input_tokens']}+{tally['output_tokens']} tokens, "
            f"est. cost {money(tally)}"
        )
    total = costs["total"]
    _console().print(
        f"Model calls this run: {outcome.model_calls} ({total['input_tokens']}+{total['output_tokens']} tokens, "
        f"est. cost {money(total)})"
    )
    budget = costs["budget"]
    if budget and (budget["exhausted"] or budget["calls_not_attempted"]):
        _console(stderr=True).print(
            f"[bold yellow]budget reached:[/] est. ${budget['spent_usd']:.4f} of ${budget['limit_usd']:g} spent; "
            f"{budget['calls_not_attempted']} call(s) not attempted (their answers count as failed, their "
            "judgements as unscored). Run the same command with a higher --max-cost to resume."
        )


def _print_warnings(warnings: list[str]) -> None:
    from rich.text import Text

    for warning in warnings:
        # Text, not markup: warnings quote model names, which may contain [brackets].
        _console(stderr=True).print(Text.assemble(("warning: ", "bold yellow"), warning))


def _arm_legend(labels: dict[str, str]) -> str | None:
    shortened = {full: short for full, short in labels.items() if short != full}
    return "arms: " + ", ".join(f"{s} = {f}" for f, s in shortened.items()) if shortened else None


def _summary_table(report) -> None:
    from rich import box
    from rich.table import Table

    from harness.formatting import format_estimate, format_rate, short_labels

    console = _console()
    # In a narrow terminal (80 columns): short arm labels, columns with no data left out (the
    # report file has them), each interval on its own line, and cells folded, never ellipsized.
    narrow = console.width < 120
    rows = report.rows
    metrics = [c for c in report.checks if c.reported and any(row.metric(c.name) is not None for row in rows)]
    per_1k = [c for c in metrics if c.per_1k_tokens]
    counts = [name for name in ("unscored", "failed") if not narrow or any(getattr(row, name) for row in rows)]
    labels = short_labels(sorted({row.arm for row in rows}))
    notes = [n for n in (_arm_legend(labels), "no failed or unscored answers" if not counts else None) if n]
    if report.provenance.smoke_test:
        from harness.models.smoke_test import SMOKE_TEST_CAVEAT

        notes.append(SMOKE_TEST_CAVEAT)
    table = Table(title=f"report {report.name} (95% intervals)", caption="; ".join(notes) or None,
                  box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD, padding=(0, 1))
    table.add_column("arm", overflow="fold")
    table.add_column(report.group_by or "trait", overflow="fold")
    table.add_column("n", justify="right")
    for c in metrics:
        table.add_column(c.label, overflow="fold")
    for c in per_1k:
        table.add_column(f"{c.label}/1k tok", justify="right", overflow="fold")
    for name in counts:
        table.add_column(name, justify="right", overflow="fold")

    def cell(c, row) -> str:
        est = row.metric(c.name)
        text = format_estimate(est) if c.kind == "score" else format_rate(est, with_n=not narrow)
        return text.replace(" [", "\n[", 1) if narrow else text

    for row in rows:
        rates = ["—" if row.per_1k_tokens.get(c.name) is None else f"{row.per_1k_tokens[c.name]:.1f}" for c in per_1k]
        table.add_row(labels[row.arm], row.trait, str(row.n), *(cell(c, row) for c in metrics), *rates,
                      *(str(getattr(row, name)) for name in counts))
    console.print(table)


def _conversation_table(report) -> None:
    """The per-conversation summary, when the report has conversations."""
    from rich.table import Table

    from harness.reports import conversation_cells

    if report.conversations is None:
        return
    table = Table(title="conversations")
    for col in ("arm", "trait", "conversations", "capitulation ↓", "recovery ↑", "persona drift ↑", "conv. adherence", "failed"):
        table.add_column(col)
    for row in report.conversations.rows:
        table.add_row(row.arm, row.trait, str(row.conversations), *conversation_cells(row), str(row.failed))
    _console().print(table)


# --- commands -----------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from harness.runs import RunOptions, execute_run

    project = _project(args)
    candidate, judge = _roles(args, project)
    options = RunOptions(
        candidate=candidate, judge=judge, prompts=args.prompts, evals=args.evals, samples=args.samples,
        name=args.name, report_name=args.report_name, max_cost=args.max_cost, batch=args.batch,
        user=_user_role(args, project),
    )
    with _progress(not args.quiet) as progress:
        outcome = execute_run(project, options, progress)
    _summary_table(outcome.report)
    _conversation_table(outcome.report)
    _print_calls("candidate", outcome.candidate_stats)
    _print_calls("judge", outcome.judge_stats)
    _print_calls("user (simulated)", outcome.user_stats)
    _print_costs(outcome)
    _console().print(f"Run directory: {outcome.directory}")
    if outcome.report_paths:
        _console().print(f"Report: {outcome.report_paths[0]} and {outcome.report_paths[1]}")
    if outcome.smoke_test:
        _smoke_notice()
    _print_warnings(outcome.warnings)
    # 3: the run stopped at its budget; the report covers only what was done.
    return 3 if outcome.not_attempted else 0


def cmd_report(args: argparse.Namespace) -> int:
    from harness.reports import write_report
    from harness.runs import rebuild_report

    project = _project(args)
    run_dir = Path(args.run)
    if not run_dir.exists():
        run_dir = project.runs_dir / args.run
    report = rebuild_report(run_dir, args.name)
    # Where `harness run` put it: a report named on purpose in reports/, the others with their run.
    named = bool(args.name) or report.name != run_dir.name
    out = Path(args.out) if args.out else project.reports_dir if named else run_dir
    md, js = write_report(report, out)
    _summary_table(report)
    _conversation_table(report)
    _console().print(f"Report: {md} and {js}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from harness.transcripts import score_file

    project = _project(args)
    judge = _judge_role(args, project)
    out = Path(args.out) if args.out else project.reports_dir / Path(args.file).stem
    outcome = score_file(
        project, args.file, out, judge=judge, name=args.name, group_by=args.group_by,
        engine=args.engine, chunk_rows=args.chunk_rows, ray_address=args.ray_address,
    )
    _summary_table(outcome.report)
    _conversation_table(outcome.report)
    _print_calls("judge", outcome.judge_stats)
    _console().print(f"Per-answer results: {outcome.results_path}")
    _console().print(f"Report: {outcome.report_paths[0]} and {outcome.report_paths[1]}")
    return 0


def _print_calibration_groups(cal) -> None:
    """Over-refusal by the labels vs each classifier, and refused/complied agreement, per group."""
    from rich.table import Table

    def rate(r) -> str:
        return "—" if r is None or r.value is None else f"{r.value:.3f} [{r.low:.3f}, {r.high:.3f}]"

    scorers = [a.scorer for a in cal.refusal]
    table = Table(title=f"over-refusal on benign requests and agreement, by {cal.group_by}")
    for col in (cal.group_by, "rows", "benign", "human", *scorers, *(f"agree {s}" for s in scorers)):
        table.add_column(col, justify="left" if col == cal.group_by else "right")
    for g in cal.groups:
        agreement = ["—" if g.refused_accuracy.get(s) is None else f"{g.refused_accuracy[s]:.3f}" for s in scorers]
        table.add_row(g.group, str(g.rows), str(g.benign), rate(g.over_refusal["human"]),
                      *(rate(g.over_refusal.get(s)) for s in scorers), *agreement)
    _console().print(table)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from rich.table import Table

    from harness.calibration import calibrate_file

    project = _project(args)
    judge = _judge_role(args, project)
    out = Path(args.out) if args.out else project.reports_dir
    outcome = calibrate_file(project, args.file, out, judge=judge, name=args.name, pass_mark=args.pass_mark,
                             group_by=args.group_by)
    cal = outcome.calibration

    def num(x: float | None, digits: int = 3) -> str:
        return "—" if x is None else f"{x:.{digits}f}"

    table = Table(title=f"refusal classes vs human labels ({cal.refusal_rows} rows)")
    for col in ("scorer", "n", "accuracy", "κ", "F1 compliance", "F1 partial", "F1 refusal", "unscored"):
        table.add_column(col, justify="left" if col == "scorer" else "right")
    for a in cal.refusal:
        f1 = [num(a.per_class[c].f1, 2) for c in ("full_compliance", "partial_refusal", "full_refusal")]
        table.add_row(a.scorer, str(a.n), num(a.accuracy), num(a.kappa), *f1, str(a.unscored))
    _console().print(table)
    if cal.group_by and cal.groups:
        _print_calibration_groups(cal)
    if cal.adherence:
        table = Table(title=f"adherence judge vs human scores ({cal.score_rows} rows)")
        for col in ("trait", "n", "Spearman ρ", "weighted κ", "exact", "suggested pass cut", "unscored"):
            table.add_column(col, justify="left" if col == "trait" else "right")
        for s in cal.adherence:
            cut = f"≥ {s.suggested.cut:g} (bal. acc. {s.suggested.balanced_accuracy:.2f})" if s.suggested else "—"
            table.add_row(s.trait, str(s.n), num(s.spearman), num(s.weighted_kappa), num(s.exact), cut, str(s.unscored))
        _console().print(table)
    _print_calls("judge", outcome.judge_stats)
    _console().print(f"Calibration: {outcome.paths[0]} and {outcome.paths[1]}")
    if outcome.smoke_test:
        _smoke_notice()
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from harness.queries import generate_for_project, load_query_file, merge_generated, save_queries

    project = _project(args)
    model = args.model or project.config.models.generator
    if _uses_bundled(model):
        _smoke_notice()
    generated, stats = generate_for_project(project, args.trait, args.n, model=model, seed=args.seed)
    out = Path(args.out) if args.out else project.evals_dir / f"{args.trait}.jsonl"
    existing = load_query_file(out) if out.is_file() else []
    merged = merge_generated(existing, generated)
    save_queries(merged, out)
    _console().print(
        f"Wrote {len(merged)} queries to {out} ({len(generated)} generated of {args.n} asked, "
        f"after removing unusable replies and near-duplicates)."
    )
    _print_calls("generator", stats)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from harness.scaffold import init_project

    written = init_project(Path(args.dir), force=args.force)
    _console().print(f"Created a character-harness project in {args.dir}:")
    for path in written:
        _console().print(f"  {path}")
    _console().print("Next: cd into it and run `harness run`.")
    return 0


def cmd_prompts(args: argparse.Namespace) -> int:
    from harness.system_prompts import diff_prompts, list_prompts, load_prompt

    project = _project(args)
    variables = project.config.prompt_variables
    if args.action == "list":
        for ref in list_prompts(project.prompts_dir):
            prompt = load_prompt(project.prompts_dir, ref, variables)
            _console().print(f"{ref}  {prompt.hash}  {prompt.description}")
    elif args.action == "show":
        _require(args.refs, 1, "harness prompts show NAME@VERSION")
        sys.stdout.write(load_prompt(project.prompts_dir, args.refs[0], variables).text)
    else:
        _require(args.refs, 2, "harness prompts diff NAME@V1 NAME@V2")
        a, b = (load_prompt(project.prompts_dir, r, variables) for r in args.refs)
        sys.stdout.write(diff_prompts(a, b) or "(no difference)\n")
    return 0


def _require(values: list[str], n: int, usage: str) -> None:
    if len(values) != n:
        raise HarnessError(f"expected {n} prompt reference(s)", fix=f"usage: {usage}")


def _print_caveats(caveats: list[str]) -> None:
    from rich.text import Text

    for caveat in caveats:
        _console().print(Text.assemble(("caveat: ", "bold yellow"), caveat))


def _comparison_table(comparison) -> None:
    from rich.table import Table

    from harness.compare import format_delta, format_p, format_value
    from harness.formatting import excerpt, short_labels

    styles = {"improved": "green", "regressed": "red", "no_change": "dim", "inconclusive": "yellow"}
    labels = short_labels([comparison.a, comparison.b])
    a, b = labels[comparison.a], labels[comparison.b]
    table = Table(title=f"{comparison.b} vs {comparison.a}", caption=_arm_legend(labels))
    for col in ("metric", a, b, "Δ (B − A) [95% CI]", "p", "q", "n"):
        table.add_column(col, overflow="fold")
    # The verdict is the point of the table: never folded or cut.
    table.add_column("verdict", no_wrap=True, min_width=len("inconclusive"))
    for r in comparison.metrics:
        table.add_row(
            r.metric + (" ↑" if r.higher_is_better else " ↓"), format_value(r, r.a), format_value(r, r.b),
            format_delta(r), format_p(r.p_value), format_p(r.q_value), str(r.n_pairs),
            f"[{styles[r.verdict]}]{r.verdict}[/]",
        )
    _console().print(table)
    _print_caveats(comparison.caveats)
    if comparison.flips:
        from rich.text import Text

        _console().print(Text("Biggest flips (B − A):", style="bold"))
        for f in comparison.flips:
            # Text, not markup: queries and answers may contain [brackets].
            _console().print(Text(f"  {f.metric} {f.change:+.2f} · {f.trait or 'probe'} · {excerpt(f.query, 100)}"))
            _console().print(Text(f"    {a}: {excerpt(f.a_answer, 160)}"))
            _console().print(Text(f"    {b}: {excerpt(f.b_answer, 160)}"))


def cmd_compare(args: argparse.Namespace) -> int:
    from harness.compare import compare_arms, pair_arms, render_comparison_markdown

    project = _project(args)
    name_a, a, name_b, b = pair_arms(args.sources, args.arms)
    cfg = project.config.compare
    comparison = compare_arms(
        a, b, a_name=name_a, b_name=name_b, alpha=cfg.alpha, power=cfg.power, min_effect=cfg.min_effect, flips=args.flips
    )
    view = _compare_view(args, project, (name_a, a), (name_b, b)) if args.view else None
    text = (
        comparison.model_dump_json(indent=2) + "\n" if args.format == "json"
        else render_comparison_markdown(comparison, view) if args.format == "markdown" else None
    )
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            text if text is not None else render_comparison_markdown(comparison, view), encoding="utf-8"
        )
    if text is None:
        _comparison_table(comparison)
    elif not args.out:
        sys.stdout.write(text)
    return 0


def _compare_view(args: argparse.Namespace, project, arm_a: tuple, arm_b: tuple) -> str:
    """Write the viewer for a comparison (``compare --view FILE``); returns its path as the Markdown links it."""
    import os

    from harness.viewer import view_for_arms, write_page

    data = view_for_arms(arm_a, arm_b, project, args.sources)
    path = write_page(data, Path(args.view))
    _console(stderr=True).print(f"Viewer: {path}")
    return Path(os.path.relpath(path, Path(args.out).parent)).as_posix() if args.out else path.as_posix()


def cmd_view(args: argparse.Namespace) -> int:
    from harness.config import find_project
    from harness.viewer import open_page, serve_page, view_from_sources, write_page

    project = find_project(args.project)
    data = view_from_sources(args.sources, arms=args.arms, project=project, title=args.title, insights=args.insights)
    out = Path(args.out) if args.out else project.reports_dir / f"{Path(args.sources[0]).name}.html"
    path = write_page(data, out)
    size = path.stat().st_size / 1e6
    answers = sum(len(v) for q in data.queries for v in q.answers.values())
    _console().print(f"Viewer: {path} ({len(data.queries)} queries, {answers} answers, {len(data.arms)} arms, {size:.1f} MB)")
    if args.open:
        open_page(path)
    if args.serve:
        serve_page(path, port=args.port)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from harness.check import run_check, write_check, write_junit
    from harness.runs import RunOptions

    project = _project(args)
    candidate, judge = _roles(args, project)
    options = RunOptions(candidate=candidate, judge=judge, prompts=args.prompts, evals=args.evals, samples=args.samples)
    with _progress(not args.quiet) as progress:
        outcome = run_check(project, base_ref=args.base_ref, baseline=args.baseline, options=options, progress=progress)
    for comparison in outcome.comparisons:
        _comparison_table(comparison)
    markdown_path = Path(args.markdown) if args.markdown else project.reports_dir / "check.md"
    view_path = _check_view(outcome, project, args.baseline, markdown_path.with_suffix(".html"))
    write_check(outcome, markdown_path, view_path.name if view_path else None)
    if args.junit:
        write_junit(outcome, Path(args.junit))
    for note in outcome.notes:
        _console().print(f"note: {note}")
    failed = [r for r in outcome.results if not r.passed]
    for r in failed:
        m = r.metric
        _console().print(
            f"[red]FAIL[/] {r.prompt} {m.metric}: Δ {m.delta:+.3f} [{m.ci_low}, {m.ci_high}] vs margin {r.margin}: {r.status}"
        )
    verdict = "[red]check failed[/]" if failed else "[green]check passed[/]"
    _console().print(f"{verdict}: {len(outcome.results) - len(failed)}/{len(outcome.results)} gated metrics within margins. "
                     f"PR comment: {markdown_path}" + (f", JUnit: {args.junit}" if args.junit else "")
                     + (f", viewer: {view_path}" if view_path else ""))
    return 1 if failed else 0


def _check_view(outcome, project, baseline: str | None, path: Path) -> Path | None:
    """Write the check's HTML viewer beside its PR comment (None when nothing was compared)."""
    from harness.viewer import view_for_check, write_page

    data = view_for_check(outcome, project, baseline)
    return write_page(data, path) if data is not None else None


def cmd_power(args: argparse.Namespace) -> int:
    from rich.table import Table

    from harness.compare import load_scored, select_arm
    from harness.power import plan_power

    project = _project(args)
    scores = load_scored(args.pilot)
    arms = args.arms or [None]
    _, a = select_arm(scores, arms[0], args.pilot)
    b = select_arm(scores, arms[1], args.pilot)[1] if len(arms) > 1 else None
    cfg = project.config.compare
    plan = plan_power(args.metric, args.effect, a, b, alpha=cfg.alpha, power=cfg.power)
    table = Table(title=f"queries needed to detect Δ = {plan.effect} in {plan.metric} ({plan.power:.0%} power, α = {plan.alpha})")
    table.add_column("samples per query (K)", justify="right")
    table.add_column("queries needed (Q)", justify="right")
    table.add_column("answers per arm", justify="right")
    for k, q in plan.rows:
        table.add_row(str(k), str(q), str(k * q))
    _console().print(table)
    between = f"{plan.between_var:.4f}" if plan.between_estimated else "0 (assumed: one-arm pilot)"
    _console().print(
        f"pilot: {plan.pilot_queries} queries; within-query variance {plan.within_var:.4f}; "
        f"between-query effect variance {between}"
    )
    return 0


def _rank_pairwise(project, pairs, judge: str):
    """Re-decide pairs with the pairwise judge in both orders; print its position bias."""
    from harness.preferences import rerank_pairwise

    if _uses_bundled(judge):
        _smoke_notice()
    kept, summary = rerank_pairwise(project, pairs, judge)
    _console().print(
        f"pairwise judge kept {len(kept)} of {len(pairs)} pairs; {summary.inconsistent} inconsistent (ties); "
        f"position-bias rate {summary.position_bias_rate}"
    )
    return kept


def cmd_preferences(args: argparse.Namespace) -> int:
    from harness.compare import load_scored
    from harness.formats import dump_jsonl
    from harness.preferences import best_of_n, preference_pairs

    scores = [s for source in args.runs for s in load_scored(source)]
    system = Path(args.system[1:]).read_text(encoding="utf-8") if args.system.startswith("@") else args.system
    pairs = preference_pairs(scores, min_margin=args.min_margin, strategy=args.pairs, system=system)
    if args.pairwise:
        pairs = _rank_pairwise(_project(args), pairs, args.pairwise)
    dump_jsonl(pairs, Path(args.out))
    _console().print(f"Wrote {len(pairs)} preference pairs (margin ≥ {args.min_margin}) to {args.out}")
    if args.conversation_pairs:
        from harness.conversations.preferences import conversation_pairs
        from harness.conversations.records import load_scored_conversations

        talks = [t for source in args.runs for t in load_scored_conversations(source)]
        talk_pairs = conversation_pairs(talks, min_margin=args.min_margin, system=system)
        dump_jsonl(talk_pairs, Path(args.conversation_pairs))
        _console().print(
            f"Wrote {len(talk_pairs)} conversation pairs (at the first turn where answers part ways) to {args.conversation_pairs}"
        )
    if args.sft:
        examples = best_of_n(scores, min_score=args.sft_min_score, system=system)
        dump_jsonl(examples, Path(args.sft))
        _console().print(f"Wrote {len(examples)} best-of-N examples to {args.sft}")
    return 0


def cmd_trait_quality(args: argparse.Namespace) -> int:
    from harness.runs import RunOptions
    from harness.trait_quality import trait_quality, write_quality

    project = _project(args)
    candidate, judge = _roles(args, project)
    options = RunOptions(candidate=candidate, judge=judge, samples=args.samples)
    with _progress(not args.quiet) as progress:
        quality = trait_quality(project, args.trait, embody=args.embody, oppose=args.oppose, options=options,
                                min_separation=args.min_separation, progress=progress)
    md, js = write_quality(quality, Path(args.out) if args.out else project.reports_dir)
    s = quality.separation
    _console().print(f"separation (embody − oppose): {s.difference} [{s.low}, {s.high}], effect size {s.effect_size}")
    _console().print(f"judge consistency: weighted κ {quality.consistency.weighted_kappa}, exact {quality.consistency.exact}")
    _console().print(f"near-duplicate rate {quality.diversity.near_duplicate_rate:.0%}; "
                     f"{len(quality.non_discriminating)} non-discriminating queries")
    for reason in quality.reasons:
        _console().print(f"[yellow]flag:[/] {reason}")
    _console().print(("[red]spec flagged[/]" if quality.flagged else "[green]spec looks usable[/]") + f": {md} and {js}")
    return 1 if quality.flagged and args.strict else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from harness.config import validate_project

    summary = validate_project(_project(args))
    _console().print(
        f"OK: {summary['traits']} traits, {summary['prompts']} prompt versions, {summary['queries']} queries in "
        f"{summary['files']} files" + (f" ({summary['conversations']} conversations)." if summary.get("conversations") else ".")
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from harness.traits import trait_json_schema

    text = json.dumps(trait_json_schema(), indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        _console().print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    try:
        from harness.inspect_export import export_inspect_log
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("inspect_ai"):
            raise
        raise HarnessError("inspect-ai is not installed", fix='pip install "character-harness[inspect]"') from None

    project = _project(args)
    run_dir = Path(args.run)
    if not run_dir.exists():
        run_dir = project.runs_dir / args.run
    path = export_inspect_log(run_dir, args.out, project)
    _console().print(f"Inspect log: {path}")
    _console().print(f"Open it with: inspect view --log-dir {path.parent}")
    return 0


def cmd_insights(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from harness.insights.sources import insights_for_files

    project = _project(args)
    if args.judge is None and _uses_bundled(project.config.models.judge):
        # A 270M base model cannot summarise or name anything: hundreds of its
        # calls would prove nothing the offline path does not. Asked for by
        # name (--judge local/gemma-3-270m), it is used.
        _console(stderr=True).print("note: the configured judge is the bundled smoke-test model; "
                                    "using the offline path (--judge MODEL for an analyst model)")
        judge = "none"
    else:
        judge = _judge_role(args, project)
    out = Path(args.out) if args.out else project.reports_dir
    outcome = insights_for_files(
        project, args.sources, out, arms=args.arms, select=args.select, judge=judge, embed=args.embed,
        min_cluster_size=args.min_cluster_size, low_adherence=args.low_adherence, name=args.name,
    )
    ins = outcome.insights
    table = Table(title=f"insights {ins.name}: {ins.selection.n_selected} of {ins.selection.n_scored} answers selected")
    for col in ("theme", "name", "answers", "queries"):
        table.add_column(col, justify="right" if col in ("answers", "queries") else "left")
    for theme in ins.themes:
        # Text, not markup: names come from queries and models and may hold [brackets].
        table.add_row(theme.id, Text(theme.name), str(theme.n_answers), str(theme.n_queries))
        for sub in theme.subthemes:
            table.add_row(f"  {sub.id}", Text(sub.name), str(sub.n_answers), str(sub.n_queries))
    if ins.other.n_answers:
        table.add_row("other", Text(f"under {ins.method.min_cluster_size} distinct queries"), str(ins.other.n_answers), "—")
    _console().print(table)
    if ins.arms:
        shifts = Table(title=f"theme share: {ins.arms.b} vs {ins.arms.a} (largest increase first)")
        for col in ("theme", ins.arms.a, ins.arms.b, "Δ (B − A) [95% CI]"):
            shifts.add_column(col)
        for r in ins.arms.rows:
            shifts.add_row(
                Text(f"{r.theme_id} {r.theme}" if r.theme_id != "other" else "other"),
                f"{100 * r.a_share:.1f}%", f"{100 * r.b_share:.1f}%",
                f"{100 * r.delta:+.1f} pp [{100 * r.ci_low:+.1f}, {100 * r.ci_high:+.1f}]",
            )
        _console().print(shifts)
    _console().print(f"facets: {ins.method.facets}; embedding: {ins.method.embedding}")
    _print_calls("analyst", outcome.analyst_stats)
    _print_calls("embeddings", outcome.embed_stats)
    _print_warnings(ins.method.warnings)
    _console().print(f"Insights: {outcome.paths[0]} and {outcome.paths[1]}")
    return 0


# --- parser -------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for docs and tests)."""
    parser = argparse.ArgumentParser(prog="harness", description="Evaluate an assistant's character and system prompts.")
    parser.add_argument("--version", action="version", version=f"character-harness {__version__}")
    parser.add_argument("--project", default=None, help="project directory (default: nearest with harness.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="answer every query under each prompt version, score, and write a report")
    p.add_argument("--model", help="candidate model, e.g. anthropic/claude-sonnet-4-5 (default: config, auto)")
    p.add_argument("--judge", help="judge model, or 'none' for deterministic checks only (default: config, auto)")
    p.add_argument("--user", help="model playing simulated users in conversation scenarios (default: config, auto)")
    p.add_argument("--prompts", nargs="+", metavar="NAME@VERSION", help="prompt versions to evaluate")
    p.add_argument("--evals", nargs="+", metavar="GLOB", help="query files (default: config)")
    p.add_argument("--samples", type=int, help="answers per query and prompt (K)")
    p.add_argument("--name", help="run name (default: run-<config hash>)")
    p.add_argument("--report-name", help="write the report to reports/NAME.md|json (default: runs/<name>/<name>.md|json, kept out of git)")
    p.add_argument(
        "--max-cost", type=float, metavar="USD",
        help="stop sending calls once the estimated spend reaches USD; re-run to resume (default: [run].max_cost)",
    )
    p.add_argument(
        "--batch", action=argparse.BooleanOptionalAction, default=None,
        help="send calls through the providers' batch APIs: half price, answered within hours; a stopped run "
        "collects its batches by id when run again (default: [batch].enabled)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="(re)write the report of a run directory")
    p.add_argument("run", help="runs/<name> or a run name")
    p.add_argument("--name", help="report name (default: the name the run gave its report)")
    p.add_argument("--out", help="directory (default: reports/ for a named report, else the run directory)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("score", help="score an existing CSV/JSONL/Parquet file of responses")
    p.add_argument("file")
    p.add_argument("--judge", help="judge model, or 'none' for deterministic checks only")
    p.add_argument("--out", help="output directory (default: reports/<file stem>)")
    p.add_argument("--name", help="report name (default: the file stem)")
    p.add_argument("--group-by", metavar="COLUMN", help="group report rows by this extra column (e.g. user_tier) instead of trait")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="where to score: this process, chunk by chunk (default), or a Ray cluster")
    p.add_argument("--ray-address", help="Ray cluster to join (as ray.init(address=...)); default: RAY_ADDRESS or a local instance")
    p.add_argument("--chunk-rows", type=int, default=10_000, help="rows read and scored at a time (a Ray batch)")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("calibrate", help="measure each scorer's agreement with human labels in a CSV/JSONL")
    p.add_argument("file", help="columns as for `score`; label = a refusal class, or a score for rows with a trait")
    p.add_argument("--judge", help="judge model, or 'none' to calibrate the rule-based checks only")
    p.add_argument("--out", help="output directory (default: reports/)")
    p.add_argument("--name", help="report name (default: calibration-<file stem>)")
    p.add_argument("--pass-mark", type=int, help="human score counted as a pass (default: first level above the midpoint)")
    p.add_argument("--group-by", metavar="COLUMN",
                   help="break refusal agreement and over-refusal rates down by a column (e.g. arm, or an extra column)")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("generate", help="generate queries for a trait into evals/<trait>.jsonl")
    p.add_argument("trait")
    p.add_argument("-n", type=int, default=20, help="how many queries to ask for")
    p.add_argument("--model", help="generator model (default: config, auto)")
    p.add_argument("--out", help="output file (default: evals/<trait>.jsonl)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("init", help="scaffold a new project in DIR")
    p.add_argument("dir")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("prompts", help="list, show or diff system prompt versions")
    p.add_argument("action", choices=["list", "show", "diff"])
    p.add_argument("refs", nargs="*", metavar="NAME@VERSION")
    p.set_defaults(func=cmd_prompts)

    p = sub.add_parser("compare", help="A/B compare two runs, or two arms of one run or scored file")
    p.add_argument("sources", nargs="+", metavar="RUN_OR_RESULTS", help="run dirs, `harness score` dirs or results JSONL")
    p.add_argument("--arms", nargs="+", metavar="ARM", help="arms to compare (name@version or just the version)")
    p.add_argument("--format", choices=["table", "markdown", "json"], default="table")
    p.add_argument("--out", help="also write the Markdown (or JSON with --format json) to this file")
    p.add_argument("--flips", type=int, default=5, help="how many flipped queries to show")
    p.add_argument("--view", metavar="FILE", help="also write the HTML viewer of both arms here; flips link into it")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("view", help="write one self-contained HTML page: answers side by side, diffs, comparisons")
    p.add_argument("sources", nargs="+", metavar="RUN_OR_RESULTS", help="run dirs, `harness score` dirs or results JSONL")
    p.add_argument("--arms", nargs="+", metavar="ARM", help="arms to show (name@version or just the version); two are compared B vs A")
    p.add_argument("--out", help="HTML file to write (default: reports/<first source name>.html)")
    p.add_argument("--title", help="page title")
    p.add_argument("--insights", metavar="FILE", help="an insights-<name>.json from `harness insights`: show its themes")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.add_argument("--serve", action="store_true", help="serve the page on a loopback port until Ctrl-C")
    p.add_argument("--port", type=int, default=0, help="port for --serve (default: any free port)")
    p.set_defaults(func=cmd_view)

    p = sub.add_parser("check", help="CI gate: fail when a prompt edit makes a metric worse beyond its margin")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--base-ref", help="git revision whose prompts are the baseline (default: [check].base_ref)")
    group.add_argument("--baseline", help="a run or scored-results directory to compare against instead")
    p.add_argument("--model", help="candidate model (default: config)")
    p.add_argument("--judge", help="judge model, or 'none' (default: config)")
    p.add_argument("--prompts", nargs="+", metavar="NAME@VERSION", help="limit the check to these prompts")
    p.add_argument("--evals", nargs="+", metavar="GLOB", help="query files (default: config)")
    p.add_argument("--samples", type=int, help="answers per query and prompt (K)")
    p.add_argument("--markdown", help="where to write the PR-comment Markdown (default: reports/check.md)")
    p.add_argument("--junit", help="also write a JUnit XML file here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("power", help="how many queries × samples detect a given difference, from a pilot run")
    p.add_argument("pilot", metavar="RUN_OR_RESULTS")
    p.add_argument(
        "--metric", default="adherence",
        help="a compared check: adherence, adherence:<trait>, over_refusal, filler, hedging, or your own",
    )
    p.add_argument("--effect", type=float, required=True, help="smallest difference to detect (score points or rate)")
    p.add_argument("--arms", nargs="+", metavar="ARM", help="one arm, or two to estimate effect heterogeneity")
    p.set_defaults(func=cmd_power)

    p = sub.add_parser("preferences", help="export DPO preference pairs (and best-of-N SFT data) from scored runs")
    p.add_argument("runs", nargs="+", metavar="RUN_OR_RESULTS", help="one or more runs (merged by query)")
    p.add_argument("--out", required=True, help="DPO pairs JSONL")
    p.add_argument("--min-margin", type=float, default=1.0, help="smallest score difference kept (default 1)")
    p.add_argument("--pairs", choices=["best-worst", "all"], default="best-worst")
    p.add_argument("--system", default="", help="system field of every example, or @FILE (default: empty)")
    p.add_argument("--sft", help="also write best-of-N examples here")
    p.add_argument("--conversation-pairs", metavar="FILE",
                   help="also write DPO pairs from conversations, at the first turn where two answers part ways")
    p.add_argument("--sft-min-score", type=float, help="keep best-of-N examples scoring at least this")
    p.add_argument("--pairwise", metavar="JUDGE", help="re-decide each pair with this pairwise judge, in both orders")
    p.set_defaults(func=cmd_preferences)

    p = sub.add_parser("trait-quality", help="is a trait spec any good? contrast embodying vs opposing prompts")
    p.add_argument("trait")
    p.add_argument("--embody", metavar="NAME@VERSION", help="prompt embodying the trait (default: generated from the spec)")
    p.add_argument("--oppose", metavar="NAME@VERSION", help="prompt opposing the trait (default: generated from the spec)")
    p.add_argument("--model", help="candidate model (default: config)")
    p.add_argument("--judge", help="judge model (default: config)")
    p.add_argument("--samples", type=int, help="answers per query and arm")
    p.add_argument("--min-separation", type=float, default=1.0, help="flag below this lower bound (score points)")
    p.add_argument("--out", help="directory for the report (default: reports/)")
    p.add_argument("--strict", action="store_true", help="exit 1 when the spec is flagged")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_trait_quality)

    p = sub.add_parser("insights", help="what kinds of answers go wrong: failure themes, found bottom-up (Clio-style)")
    p.add_argument("sources", nargs="+", metavar="RUN_OR_RESULTS", help="run dirs, `harness score` dirs or results JSONL")
    p.add_argument("--arms", nargs=2, metavar=("A", "B"), help="compare each theme's share in arm A vs arm B")
    p.add_argument("--select", default="failures",
                   help="failures (default), all, or an expression, e.g. \"over_refusal or adherence <= 2\"")
    p.add_argument("--judge", help="analyst model for summaries and names, or 'none' for the offline path (default: config)")
    p.add_argument("--embed", default="auto",
                   help="auto (the analyst provider's embedding model, else local), local (TF-IDF + SVD), or a model")
    p.add_argument("--min-cluster-size", type=int, default=5,
                   help="privacy floor: clusters with fewer distinct queries are never named or quoted (default 5)")
    p.add_argument("--low-adherence", type=float, default=2.0, help="adherence at or below this is a failure (default 2)")
    p.add_argument("--name", help="report name: insights-<name>.md|json (default: from the sources)")
    p.add_argument("--out", help="directory (default: reports/)")
    p.set_defaults(func=cmd_insights)

    p = sub.add_parser("validate", help="check traits, prompts and query files")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print (or write) the trait spec JSON Schema")
    p.add_argument("--out")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("export", help="export a run directory in another tool's format (inspect: an inspect-ai eval log)")
    p.add_argument("format", choices=["inspect"])
    p.add_argument("run", help="runs/<name> or a run name")
    p.add_argument("--out", help="log file, *.eval or *.json (default: runs/<name>/<name>.eval)")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``harness`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except HarnessError as exc:
        from rich.text import Text

        console = _console(stderr=True)
        # Text, not markup: messages quote user input that may contain [brackets].
        console.print(Text.assemble(("error: ", "bold red"), exc.message))
        if exc.fix:
            console.print(Text.assemble(("  fix: ", "bold"), exc.fix))
        return 2
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted: finished answers are saved; run the same command again to resume")
        return 130


def entry() -> NoReturn:
    """The ``harness`` console script (and ``python -m harness.cli``): :func:`main`, then a quick exit.

    Tearing the interpreter down after a command (freeing every module of
    pydantic, the provider SDKs, pandas...) takes 0.15-0.4 s, longer than a
    fully cached ``harness run`` itself spends on its work. Every command has
    closed its files and its cache by the time :func:`main` returns, so once
    the output is flushed and the exit handlers have run, there is nothing left
    to save, and the process leaves at once. If a thread is still running, a
    profiler or debugger is attached, or the output cannot be flushed, the
    ordinary exit happens instead.
    """
    import atexit
    import os
    import threading

    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or a debugger writes its results as the interpreter ends
    if any(t is not threading.main_thread() and t.is_alive() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)  # a thread the interpreter would wait for
    atexit._run_exitfuncs()  # logging's flush and the like, as a normal exit runs them (once: it clears them)
    try:
        sys.stdout.flush()  # after the handlers: what they print is kept too
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    entry()
