"""Runs: answer every query under each prompt version, score, and report.

A run directory (``runs/<name>/``, not committed) keeps the exact
configuration (``run.json``), the full transcripts (``answers.jsonl``,
streamed), the per-answer scores (``scores.jsonl``), for conversations the
turn log (``turns.jsonl``, streamed) and the scored conversations
(``conversations.jsonl``), and the call accounting (``calls.json``). Re-running the same configuration resumes it, and the
on-disk cache makes finished calls free.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness import __version__
from harness.answers import Answer, collect_answers, plan_answers
from harness.config import Project
from harness.conversations.records import ScoredConversation, load_scored_conversations
from harness.conversations.runner import plan_conversations
from harness.conversations.scoring import ConversationScorer
from harness.conversations.stage import ConversationJob, attach_outcomes, conversation_prompt_hashes, with_conversations
from harness.errors import HarnessError
from harness.formats import check_version, content_hash, dump_jsonl
from harness.models.base import Provider
from harness.models.batch import BatchSettings
from harness.models.cache import ResponseCache
from harness.models.client import Budget, CallStats, ModelClient, Tally
from harness.models.pricing import price_known
from harness.models.registry import get_provider, resolve_model_name
from harness.queries import Query, load_query_files, mirror_queries
from harness.reports import Provenance, Report, build_report, write_report
from harness.scores.filler import DEFAULT_LEXICON, FillerLexicon
from harness.scores.judges import judge_prompt_hash, same_family_warning
from harness.scores.next_token_judge import uses_next_token
from harness.scores.records import ScoredAnswer
from harness.scores.score import Scorer, score_answers
from harness.system_prompts import SystemPrompt, list_prompts, load_prompt
from harness.traits import TraitSpec, load_traits
from harness.viewer.versions import version_comparisons, view_command

__all__ = [
    "RunOptions",
    "RunOutcome",
    "RunSpec",
    "call_summary",
    "aexecute_run",
    "execute_run",
    "lexicon_for",
    "make_client",
    "load_calls",
    "load_run",
    "make_judge_client",
    "rebuild_report",
]

RUN_FORMAT_VERSION = 1
CALLS_FORMAT_VERSION = 1

ProgressFactory = Callable[[str, int], Callable[[], None]]


class RunSpec(BaseModel):
    """The exact configuration of a run; its hash names the run by default."""

    model_config = ConfigDict(extra="forbid")

    version: int = RUN_FORMAT_VERSION

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, RUN_FORMAT_VERSION, "run.json")
        return data
    harness_version: str = __version__
    candidate: str
    judge: str | None
    prompts: dict[str, str] = Field(description="name@version → rendered prompt hash.")
    query_files: dict[str, str] = Field(description="Query file → content hash.")
    traits: dict[str, str] = Field(description="Trait → spec hash.")
    samples: int
    max_tokens: int
    temperature: float
    seed: int
    judge_temperature: float
    judge_seed: int
    judge_refusal: bool
    judge_prompts: dict[str, str]
    filler_lexicon_hash: str
    judge_logprobs_floor: float | None = Field(
        None, description="Valid-mass floor when judge scores are weighted by log-probabilities; None = not weighted."
    )
    user: str | None = Field(None, description="The model playing simulated users; None = no scenario in the run.")
    conversation_prompts: dict[str, str] | None = Field(
        None, description="Conversation judge and simulator prompt hashes; None = no conversation in the run."
    )

    def spec_hash(self) -> str:
        """Content hash of the configuration (the harness version excluded)."""
        # An unset option stays out of the hash, so adding it renamed no existing run.
        unset = {"judge_logprobs_floor"} if self.judge_logprobs_floor is None else set()
        unset |= {k for k in ("user", "conversation_prompts") if getattr(self, k) is None}
        data = self.model_dump(mode="json", exclude={"harness_version", *unset})
        return content_hash(json.dumps(data, sort_keys=True))


@dataclass
class RunOptions:
    """Overrides of the project config for one run (None = use the config)."""

    candidate: str | None = None
    judge: str | None = None
    prompts: list[str] | None = None
    evals: list[str] | None = None
    samples: int | None = None
    name: str | None = None
    report_name: str | None = None
    write_report: bool = True
    prompt_versions: list[SystemPrompt] | None = None  # already-loaded prompts (e.g. from a git revision)
    candidate_provider: Provider | None = None
    judge_provider: Provider | None = None
    max_cost: float | None = None  # USD budget for this run's calls; None = [run].max_cost
    batch: bool | None = None  # send calls through batch APIs; None = [batch].enabled
    user: str | None = None  # the model playing simulated users; None = [models].user
    user_provider: Provider | None = None


@dataclass
class RunOutcome:
    """What a run produced."""

    name: str
    directory: Path
    spec: RunSpec
    scores: list[ScoredAnswer]
    report: Report
    report_paths: tuple[Path, Path] | None
    candidate_stats: CallStats
    judge_stats: CallStats | None
    smoke_test: bool
    budget: Budget | None = None
    warnings: list[str] = field(default_factory=list)
    conversations: list[ScoredConversation] = field(default_factory=list)
    user_stats: CallStats | None = None

    @property
    def model_calls(self) -> int:
        """Calls actually sent to a model (cache hits excluded), all roles."""
        return sum(s.api_calls for s in (self.candidate_stats, self.judge_stats, self.user_stats) if s is not None)

    @property
    def not_attempted(self) -> int:
        """Calls not sent because the cost budget was spent, all roles."""
        return sum(s.not_attempted for s in (self.candidate_stats, self.judge_stats, self.user_stats) if s is not None)

    def costs(self) -> dict[str, object]:
        """Tokens and estimated cost of this invocation's calls: per role, per arm, in total."""
        return call_summary(self.candidate_stats, self.judge_stats, self.budget, self.user_stats)


def lexicon_for(project: Project) -> FillerLexicon:
    """The default filler lexicon with the project's overrides applied."""
    f = project.config.filler
    return DEFAULT_LEXICON.with_overrides(add_openers=f.add_openers, add_closers=f.add_closers, remove=f.remove)


def _select_prompts(project: Project, refs: list[str]) -> list[SystemPrompt]:
    refs = refs or list_prompts(project.prompts_dir)
    if not refs:
        raise HarnessError(f"no system prompts found in {project.prompts_dir}", fix="add system_prompts/<name>/<version>.md")
    return [load_prompt(project.prompts_dir, ref, project.config.prompt_variables) for ref in refs]


def with_mirrors(queries: list[Query], traits: dict[str, TraitSpec]) -> list[Query]:
    """Add the mirrored requests of every trait the query files probe."""
    seen = {q.id for q in queries}
    probed = sorted({q.trait for q in queries if q.trait in traits})
    extra = [m for t in probed for m in mirror_queries(traits[t]) if m.id not in seen]
    return queries + extra


def check_traits(queries: list[Query], traits: dict[str, TraitSpec]) -> None:
    """Every trait the queries name has a spec; else an error naming them."""
    unknown = sorted({q.trait for q in queries if q.trait and q.trait not in traits})
    if unknown:
        raise HarnessError(
            f"queries name trait(s) with no spec: {', '.join(unknown)}",
            fix="add traits/<name>.yaml for each, or remove those query files from the run",
        )


def make_client(
    project: Project,
    model: str | Provider,
    cache: ResponseCache | None,
    budget: Budget | None = None,
    *,
    batch: bool = False,
) -> ModelClient:
    """A client for ``model`` (a model string or a provider) with the project's call settings.

    Concurrency, attempts, backoff delays and the reply timeout come from
    ``[run]`` in ``harness.toml``. With ``batch``, a model whose provider has a
    batch API is called through it, as ``[batch]`` says; others are called directly.
    """
    cfg = project.config.run
    provider = model if isinstance(model, Provider) else get_provider(resolve_model_name(model), timeout=cfg.timeout)
    b = project.config.batch
    settings = BatchSettings(max_size=b.max_size, window=b.window, poll_interval=b.poll_interval, max_wait=b.max_wait)
    return ModelClient(
        provider,
        cache,
        concurrency=cfg.concurrency,
        max_attempts=cfg.max_attempts,
        base_delay=cfg.retry_base_delay,
        max_delay=cfg.retry_max_delay,
        budget=budget,
        batch=settings if batch and provider.supports_batch else None,
    )


def make_scorer(project: Project, judge: ModelClient | None, traits: dict[str, TraitSpec], **overrides: object) -> Scorer:
    """The project's scorer: judge settings from ``[judge]``, the filler lexicon with overrides.

    ``overrides`` replace single settings (e.g. ``judge_refusal=True`` to always
    classify refusals, or another seed for an independent judging).
    """
    cfg = project.config.judge
    settings: dict[str, object] = {
        "judge": judge, "traits": traits, "lexicon": lexicon_for(project), "judge_refusal": cfg.refusal,
        "temperature": cfg.temperature, "seed": cfg.seed, "max_tokens": cfg.max_tokens,
        "logprobs": cfg.logprobs, "min_valid_mass": cfg.min_valid_mass,
    }
    settings.update(overrides)
    return Scorer(**settings)  # type: ignore[arg-type]  # keys and types mirror Scorer's fields


def make_judge_client(
    project: Project,
    judge: str | None,
    provider: Provider | None,
    cache: ResponseCache,
    budget: Budget | None = None,
    *,
    batch: bool = False,
) -> ModelClient | None:
    """The judge client, or None when the judge is ``none``."""
    if provider is None and judge == "none":
        return None
    return make_client(project, provider or judge or project.config.models.judge, cache, budget, batch=batch)


def _budget(limit: float | None, *clients: ModelClient | None) -> Budget | None:
    """The run's budget, shared by its clients; every model in it must have a known price."""
    if limit is None:
        return None
    for client in clients:
        if client is not None and not price_known(client.model):
            raise HarnessError(
                f"a cost budget needs prices, and no price is known for {client.model}",
                fix="drop --max-cost / [run].max_cost for this model, or use one listed in harness/models/pricing.py",
            )
    budget = Budget(limit)
    for client in clients:
        if client is not None:
            client.budget = budget
    return budget


def call_summary(
    candidate: CallStats, judge: CallStats | None, budget: Budget | None = None, user: CallStats | None = None
) -> dict[str, object]:
    """Calls, tokens and estimated cost per role, per arm and in total (the content of ``calls.json``).

    Counts are of calls sent in this invocation: cache hits and answers
    resumed from an earlier invocation cost nothing.
    """
    total = Tally()
    by_arm: dict[str, Tally] = {}
    for stats in (candidate, judge, user):
        if stats is None:
            continue
        prompt_tokens = stats.input_tokens + stats.cache_read_tokens + stats.cache_write_tokens
        total.add(
            Tally(
                api_calls=stats.api_calls,
                cache_hits=stats.cache_hits,
                input_tokens=prompt_tokens,
                output_tokens=stats.output_tokens,
                cost_usd=stats.cost_usd,
                cost_unknown_calls=stats.cost_unknown_calls,
            )
        )
        for arm, tally in stats.by_group.items():
            by_arm.setdefault(arm, Tally()).add(tally)
    summary: dict[str, object] = {
        "version": CALLS_FORMAT_VERSION,
        "candidate": candidate.as_dict(),
        "judge": judge.as_dict() if judge else None,
    }
    if user is not None:  # only runs with simulated users have this role
        summary["user"] = user.as_dict()
    return summary | {
        "total": total.as_dict(),
        "by_arm": {arm: tally.as_dict() for arm, tally in sorted(by_arm.items())},
        "budget": None if budget is None else {
            "limit_usd": budget.limit_usd,
            "spent_usd": round(budget.spent_usd, 6),
            "exhausted": budget.exhausted,
            "calls_not_attempted": sum(s.not_attempted for s in (candidate, judge, user) if s is not None),
        },
    }


@contextmanager
def _no_progress() -> Iterator[ProgressFactory]:
    yield lambda _label, _total: (lambda: None)


async def _answer_and_score(
    project: Project,
    run_dir: Path,
    candidate: ModelClient,
    scorer: Scorer,
    plans: list,
    progress: ProgressFactory,
    owned: list[ModelClient],
    conversations: ConversationJob | None = None,
) -> tuple[list[Answer], list[ScoredAnswer], list[ScoredConversation]]:
    try:
        # Each new answer's deterministic checks run while other calls are in flight, after the replies
        # waiting to be handled: a reply's next request goes out before the checks of the last one.
        bases: list[ScoredAnswer | None] = [None] * len(plans)
        arrived: list[tuple[int, Answer]] = []
        woken = asyncio.Event()

        def check(index: int, answer: Answer) -> None:
            arrived.append((index, answer))
            woken.set()

        async def score_arrivals() -> None:
            while True:
                await woken.wait()
                woken.clear()
                while arrived:
                    index, answer = arrived.pop()
                    bases[index] = scorer.base(answer)
                    await asyncio.sleep(0)  # let the loop handle what came in meanwhile

        async def prepare_report() -> None:
            # Compiling the report's template (about 40 ms) is done while the first calls are in flight
            # rather than after the last reply; a run with nothing to send is over before this starts.
            await asyncio.sleep(0.1)
            from harness.reports import prepare_rendering

            # Replies answered in this turn of the loop are on disk in answers.jsonl; commit them to the cache
            # before blocking, so that a kill during the compile cannot leave an answer the cache lacks.
            if candidate.cache is not None:
                candidate.cache.flush()
            prepare_rendering()

        checking = asyncio.create_task(score_arrivals())
        preparing = asyncio.create_task(prepare_report())
        try:
            answers = await collect_answers(
                candidate, plans, run_dir / "answers.jsonl", progress("answering", len(plans)), on_answer=check
            )
        finally:
            checking.cancel()
            preparing.cancel()
            if checking.done() and not checking.cancelled():
                checking.exception()  # a check that raised there raises again below, for its answer
        done = [b if b is not None else scorer.base(a) for a, b in zip(answers, bases, strict=True)]
        scores = await score_answers(scorer, answers, progress("judging", scorer.judge_calls(answers)), bases=done)
        talks = await conversations.play_and_score(candidate, run_dir, progress) if conversations else []
    finally:
        # On this loop, while it runs: an SDK client closed after the loop has gone
        # raises from the garbage collector. Providers the caller passed in stay open.
        for client in owned:
            await client.aclose()
    return answers, scores, talks


def execute_run(project: Project, options: RunOptions | None = None, progress: ProgressFactory | None = None) -> RunOutcome:
    """Run the whole pipeline (sync; works inside a running event loop too): see :func:`aexecute_run`."""
    from harness._sync import run_sync

    return run_sync(aexecute_run(project, options, progress))


async def aexecute_run(
    project: Project, options: RunOptions | None = None, progress: ProgressFactory | None = None
) -> RunOutcome:
    """Run the whole pipeline for a project and write the run directory and report.

    Args:
        project: the project (config and paths).
        options: per-run overrides.
        progress: ``progress(label, total)`` returns a callback to advance a bar.
    """
    options = options or RunOptions()
    cfg = project.config
    if options.samples is not None and options.samples < 1:
        raise HarnessError(
            f"samples must be at least 1, not {options.samples}", fix="pass --samples 1 or more (answers per query and prompt)"
        )
    traits = load_traits(project.traits_dir)
    prompts = options.prompt_versions or _select_prompts(
        project, options.prompts if options.prompts is not None else cfg.run.prompts
    )
    files = project.eval_files(options.evals)
    queries = with_mirrors(load_query_files(files), traits) if cfg.run.mirrors else load_query_files(files)
    check_traits(queries, traits)
    used_traits = {q.trait for q in queries if q.trait}
    lexicon = lexicon_for(project)
    cache = ResponseCache(project.cache_path)

    batch = options.batch if options.batch is not None else cfg.batch.enabled
    max_cost = options.max_cost if options.max_cost is not None else cfg.run.max_cost
    if batch and max_cost is not None:
        raise HarnessError(
            "a cost budget cannot be kept in batch mode: a batch's cost is known only when it ends",
            fix="drop --max-cost / [run].max_cost, or run without --batch",
        )
    candidate_model = options.candidate_provider or options.candidate or cfg.models.candidate
    candidate = make_client(project, candidate_model, cache, batch=batch)
    candidate_provider = candidate.provider
    judge = make_judge_client(project, options.judge, options.judge_provider, cache, batch=batch)
    samples = options.samples if options.samples is not None else cfg.run.samples
    talk_plans = plan_conversations(
        queries, prompts, candidate.model, traits,
        samples=samples, max_tokens=cfg.run.max_tokens, temperature=cfg.run.temperature, seed=cfg.run.seed,
    )
    user = None
    if any(p.scenario is not None for p in talk_plans):
        user = make_client(project, options.user_provider or options.user or cfg.models.user, cache)
    budget = _budget(max_cost, candidate, judge, user)

    spec = RunSpec(
        candidate=candidate.model,
        judge=judge.model if judge else None,
        prompts={p.ref: p.hash for p in prompts},
        query_files={_relative(project, f): content_hash(f.read_text(encoding="utf-8")) for f in files},
        traits={t: traits[t].spec_hash() for t in sorted(used_traits)},
        samples=samples,
        max_tokens=cfg.run.max_tokens,
        temperature=cfg.run.temperature,
        seed=cfg.run.seed,
        judge_temperature=cfg.judge.temperature,
        judge_seed=cfg.judge.seed,
        judge_refusal=cfg.judge.refusal,
        judge_prompts={k: judge_prompt_hash(k, judge) for k in ("adherence", "refusal")},
        filler_lexicon_hash=content_hash(lexicon.model_dump_json()),
        judge_logprobs_floor=cfg.judge.min_valid_mass if judge and cfg.judge.logprobs else None,
        user=user.model if user else None,
        conversation_prompts=conversation_prompt_hashes(bool(user), uses_next_token(judge)) if talk_plans else None,
    )
    name = options.name or f"run-{spec.spec_hash()}"
    run_dir = project.runs_dir / name
    _write_spec(run_dir, spec)

    plans = plan_answers(
        queries, prompts, candidate.model,
        samples=samples, max_tokens=cfg.run.max_tokens, temperature=cfg.run.temperature, seed=cfg.run.seed,
    )
    scorer = make_scorer(project, judge, traits, lexicon=lexicon)
    progress = progress or (lambda _label, _total: (lambda: None))
    talk_job = None
    if talk_plans:
        talk_scorer = ConversationScorer(
            judge, traits, lexicon, temperature=cfg.judge.temperature, seed=cfg.judge.seed, max_tokens=cfg.judge.max_tokens
        )
        talk_job = ConversationJob(talk_plans, user, talk_scorer, parallel=4 * cfg.run.concurrency)
    try:
        owned = [c for c, given in ((candidate, options.candidate_provider), (judge, options.judge_provider),
                                    (user, options.user_provider))
                 if c is not None and given is None]
        _, scores, talks = await _answer_and_score(project, run_dir, candidate, scorer, plans, progress, owned, talk_job)
    finally:
        cache.close()
    scores = attach_outcomes(scores, talks)  # conversation outcomes are checks of the first turn's answer
    dump_jsonl(scores, run_dir / "scores.jsonl")
    if talk_plans:
        dump_jsonl(talks, run_dir / "conversations.jsonl")
    smoke = candidate_provider.smoke_test_only or bool(judge and judge.provider.smoke_test_only)
    same_family = same_family_warning(candidate_provider, judge.provider) if judge else None
    warnings = [same_family] if same_family else []
    user_stats = user.stats if user else None
    stats = call_summary(candidate.stats, judge.stats if judge else None, budget, user_stats)
    (run_dir / "calls.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")

    provenance = provenance_for(spec, smoke, warnings)
    report_name = options.report_name or name
    inputs = ReportInputs(
        report_name=report_name, provenance=provenance, compare=cfg.compare.model_dump(),
        view_source=_relative(project, run_dir), view_dir=_relative(project, project.reports_dir),
        smoke_test_user=bool(user and user.provider.smoke_test_only),
    )
    _write_json(run_dir / REPORT_INPUTS_FILE, inputs)
    report = _report_from(inputs, scores, report_name, talks)
    # Only a report named on purpose goes to the (committed) reports folder; others stay with their run.
    report_dir = project.reports_dir if options.report_name else run_dir
    paths = write_report(report, report_dir) if options.write_report else None
    return RunOutcome(
        name=name, directory=run_dir, spec=spec, scores=scores, report=report, report_paths=paths,
        candidate_stats=candidate.stats, judge_stats=judge.stats if judge else None, smoke_test=smoke,
        budget=budget, warnings=warnings, conversations=talks, user_stats=user_stats,
    )


def provenance_for(spec: RunSpec, smoke_test: bool, warnings: list[str] | None = None) -> Provenance:
    """Report provenance from a run's configuration (and caveats found while running it)."""
    return Provenance(
        candidate_models=[spec.candidate],
        judge_model=spec.judge,
        adherence_prompt_hash=spec.judge_prompts.get("adherence") if spec.judge else None,
        refusal_prompt_hash=spec.judge_prompts.get("refusal") if spec.judge and spec.judge_refusal else None,
        prompts=spec.prompts,
        traits=spec.traits,
        query_files=spec.query_files,
        samples=spec.samples,
        smoke_test=smoke_test,
        warnings=list(warnings or []),
    )


def _relative(project: Project, path: Path) -> str:
    try:
        return path.resolve().relative_to(project.root).as_posix()
    except ValueError:
        return path.as_posix()


def _write_spec(run_dir: Path, spec: RunSpec) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "run.json").write_text(spec.model_dump_json(indent=2) + "\n", encoding="utf-8")


REPORT_INPUTS_FILE = "report_inputs.json"
REPORT_INPUTS_FORMAT_VERSION = 1


class ReportInputs(BaseModel):
    """What a run's report was made from besides its scores: name and provenance, caveats included.

    Kept in the run directory so ``harness report`` re-renders the same bytes.
    """

    model_config = ConfigDict(extra="forbid")

    version: int = REPORT_INPUTS_FORMAT_VERSION
    report_name: str
    provenance: Provenance
    compare: dict[str, object] | None = Field(None, description="[compare] settings of the version comparisons.")
    view_source: str | None = Field(None, description="The run directory, as `harness view` is told it.")
    view_dir: str | None = Field(None, description="Where the report (and its viewer page) is written.")
    smoke_test_user: bool = Field(False, description="The bundled smoke-test model played the simulated users.")

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, REPORT_INPUTS_FORMAT_VERSION, REPORT_INPUTS_FILE)
        return data


def _report_from(
    inputs: ReportInputs, scores: list[ScoredAnswer], name: str, talks: list[ScoredConversation] | None = None
) -> Report:
    """The report from its inputs: with each prompt version compared with the previous one, the viewer named,
    and the conversation section when the run held conversations."""
    viewer = None
    if inputs.view_source is not None and inputs.view_dir is not None:
        viewer = view_command(inputs.view_source, f"{inputs.view_dir}/{name}.html")
    comparisons = version_comparisons(scores, inputs.compare)
    report = build_report(name, scores, inputs.provenance, comparisons=comparisons, viewer=viewer)
    return with_conversations(report, talks or [], smoke_test_user=inputs.smoke_test_user)


def _write_json(path: Path, model: BaseModel) -> None:
    path.write_text(model.model_dump_json(indent=2) + "\n", encoding="utf-8")


def rebuild_report(directory: Path, name: str | None = None) -> Report:
    """A run's report, re-built from its directory: the same bytes as when it ran (given the same name).

    Args:
        directory: ``runs/<name>``.
        name: the report name (default: the name the run gave its report).
    """
    from harness.formats import load_model

    spec, scores = load_run(directory)
    path = directory / REPORT_INPUTS_FILE
    if path.is_file():
        inputs = load_model(ReportInputs, _read_json(path), path)
    else:  # a run from before report inputs were kept: no caveats known
        smoke = "local/gemma-3-270m" in (spec.candidate, spec.judge)
        inputs = ReportInputs(report_name=directory.name, provenance=provenance_for(spec, smoke))
    return _report_from(inputs, scores, name or inputs.report_name, load_scored_conversations(directory))


def load_run(directory: Path) -> tuple[RunSpec, list[ScoredAnswer]]:
    """Read a run directory's configuration and scores (for ``harness report``), checking their versions."""
    from harness.compare import load_scored
    from harness.formats import load_model

    spec_path = directory / "run.json"
    scores_path = directory / "scores.jsonl"
    if not spec_path.is_file() or not scores_path.is_file():
        raise HarnessError(f"{directory} is not a finished run directory", fix="pass runs/<name> from `harness run`")
    spec = load_model(RunSpec, _read_json(spec_path), spec_path)
    return spec, load_scored(scores_path)


def load_calls(directory: Path) -> dict[str, Any]:
    """A run's ``calls.json`` (calls, tokens and cost per role and arm), checking its version."""
    path = directory / "calls.json"
    data = _read_json(path)
    check_version(data, CALLS_FORMAT_VERSION, str(path))
    return data


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
