"""Our traits as inspect-ai tasks, scored by our own scorers.

Run a trait under one system prompt version with any inspect model::

    inspect eval harness/inspect_tasks.py -T trait=directness -T prompt=assistant@v2 \\
        --model anthropic/claude-sonnet-4-5

or through the harness seam (our cache, our providers, the bundled model)::

    inspect eval harness/inspect_tasks.py -T trait=directness --model harness/local/gemma-3-270m

The task loads the trait's query file, the prompt version and the judge from
the project (:func:`harness.config.find_project`). Scores come from the same
code as ``harness run`` (:class:`harness.scores.score.Scorer`), the judge goes
through our model seam and cache, and each query is answered K times (epochs;
``[run].samples`` by default). Metrics are computed over every answer with
standard errors and t intervals clustered by query, as in our reports.

Importing this module imports inspect-ai; :mod:`harness` itself never does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.scorer import Metric, Score, Target, ci, grouped, mean, scorer, stderr
from inspect_ai.scorer import Scorer as InspectScorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from harness import __version__
from harness.answers import Answer, answer_id
from harness.config import Project, find_project
from harness.errors import HarnessError
from harness.inspect_model import API_NAME, SAMPLE_KEY
from harness.models.cache import ResponseCache
from harness.models.registry import resolve_model_name
from harness.queries import Query, load_query_files
from harness.reports import NO_TRAIT
from harness.runs import make_judge_client, make_scorer, with_mirrors
from harness.scores.checks import Check, all_checks, get_check
from harness.scores.records import ScoredAnswer
from harness.scores.score import Scorer
from harness.system_prompts import list_prompts, load_prompt
from harness.traits import TraitSpec, load_traits

__all__ = [
    "CLUSTER_KEY",
    "GROUP_KEY",
    "PROBES_FILE",
    "adherence",
    "answer",
    "answer_from_state",
    "answer_metric_definitions",
    "answer_metrics",
    "character",
    "check_scorer",
    "convert",
    "filler",
    "inspect_scores",
    "over_refusal",
    "over_refusal_judge",
    "score_names",
]

#: Sample metadata key that standard errors and intervals cluster on.
CLUSTER_KEY = "query_id"
#: Sample metadata key for the per-group means (a trait, or ``(probes)``).
GROUP_KEY = "group"
#: The over-refusal probe set, added with ``-T probes=true``.
PROBES_FILE = "over_refusal.jsonl"


# --- metrics --------------------------------------------------------------------


def answer_metrics() -> list[Metric]:
    """Mean, clustered standard error, clustered 95% t interval, and means per group.

    Tasks disable epoch reduction, so these see every answer (K per query);
    clustering by query keeps the K answers to one query from counting as K
    independent observations (CR1, t on queries - 1 degrees of freedom).
    """
    return [mean(), stderr(cluster=CLUSTER_KEY), ci(cluster=CLUSTER_KEY), grouped(mean(), GROUP_KEY)]


def answer_metric_definitions() -> list[dict[str, Any]]:
    """:func:`answer_metrics` as an inspect log header records them (for exported logs)."""
    return [
        {"name": "inspect_ai/mean", "options": {}},
        {"name": "inspect_ai/stderr", "options": {"cluster": CLUSTER_KEY}},
        {"name": "inspect_ai/ci", "options": {"cluster": CLUSTER_KEY}},
        {
            "name": "inspect_ai/grouped",
            "options": {"metric": {"type": "metric", "name": "mean", "params": {}}, "group_key": GROUP_KEY},
        },
    ]


# --- our scores as inspect scores -------------------------------------------------


def _missing(check: Check) -> str:
    if check.requires == "judge_refusal":
        return "the judge was not asked for a refusal class"
    if check.per_trait:
        return "a probe query: no trait to grade against"
    return f"{check.name} does not apply to this answer"


def convert(s: ScoredAnswer, check: Check) -> Score:
    """One of our scores of one answer as an inspect score.

    What has no value is ``Score.unscored`` with a reason: no answer, a check
    that does not apply (e.g. a request that should be refused), a judge
    reply that could not be parsed; never a pass or a fail.
    """
    if s.response is None:
        return Score.unscored(reason="no_response", explanation=s.error)
    ours = s.scores.get(check.name)
    if ours is None:
        return Score.unscored(reason="not_applicable", explanation=_missing(check))
    metadata: dict[str, Any] = {**ours.detail, "source": ours.source}
    if ours.model is not None:
        metadata.update(judge_model=ours.model, prompt_hash=ours.prompt_hash, trait_hash=s.trait_hash)
    if check.name == "over_refusal":
        metadata["should_refuse"] = s.should_refuse
    explanation = check.explain(ours)
    if not ours.scorable:
        metadata["error"] = ours.error
        return Score.unscored(reason="grader_failed", explanation=ours.reason or ours.error, metadata=metadata)
    if ours.value is None:
        return Score.unscored(reason=ours.skipped or "not_applicable", answer=ours.label, explanation=explanation, metadata=metadata)
    value: float | int = int(ours.value) if check.kind == "score" and float(ours.value).is_integer() else ours.value
    return Score(value=value, answer=ours.label, explanation=explanation, metadata=metadata)


def _exported(judge: bool, judge_refusal: bool) -> list[Check]:
    out = []
    for c in all_checks():
        if not c.inspect:
            continue
        if (c.requires == "judge" and not judge) or (c.requires == "judge_refusal" and not (judge and judge_refusal)):
            continue
        out.append(c)
    return out


def score_names(judge: bool, judge_refusal: bool) -> list[str]:
    """The inspect scores a task (or an exported run) has, in order: the registered checks that apply."""
    return [c.name for c in _exported(judge, judge_refusal)]


def inspect_scores(scored: ScoredAnswer, names: list[str]) -> dict[str, Score]:
    """Our scores of one answer as inspect scores, by check name (see :func:`convert`)."""
    checks = {c.name: c for c in all_checks()}
    return {name: convert(scored, checks[name]) for name in names}


# --- scorers ----------------------------------------------------------------------


def answer_from_state(state: TaskState) -> Answer:
    """Our answer record for an inspect sample's state."""
    md = state.metadata
    k = state.epoch - 1
    return Answer(
        id=answer_id(md["arm"], md["query_id"], k),
        arm=md["arm"],
        prompt_hash=md["prompt_hash"],
        query_id=md["query_id"],
        trait=md["trait"],
        sample=k,
        should_refuse=md["should_refuse"],
        mirror=md.get("mirror"),
        model=str(state.model),
        query=state.input_text,
        text=state.output.completion if state.output.choices else None,
    )


class _Scoring:
    """Builds our :class:`Scorer` (judge client, traits, lexicon) once per event loop.

    Scorer arguments are plain strings so inspect records them in the log
    and a log can be re-scored; the judge client and its cache are built
    lazily because each ``eval()`` runs in a fresh event loop.
    """

    def __init__(self, project: str, judge: str, judge_refusal: bool = False) -> None:
        self._project = project
        self._judge = judge
        self._judge_refusal = judge_refusal
        self._state: tuple[asyncio.AbstractEventLoop, Scorer] | None = None

    def get(self) -> Scorer:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state[0] is not loop:
            project = find_project(self._project)
            cache = ResponseCache(project.cache_path) if self._judge != "none" else None
            client = make_judge_client(project, self._judge, None, cache) if cache is not None else None
            scorer_ = make_scorer(project, client, load_traits(project.traits_dir), judge_refusal=self._judge_refusal)
            self._state = (loop, scorer_)
        return self._state[1]

    async def score(self, state: TaskState, name: str) -> Score:
        ours = self.get()
        answer = answer_from_state(state)
        scored = ours.base(answer)
        check = get_check(name)
        if check is None:
            raise HarnessError(f"no check named {name!r} is registered")
        if check.requires == "judge":
            scored = ours.merge(scored, await ours.adherence(answer))
        elif check.requires == "judge_refusal":
            scored = ours.merge(scored, await ours.refusal(answer))
        return convert(scored, check)


@scorer(metrics=answer_metrics(), name="adherence")
def adherence(project: str, judge: str) -> InspectScorer:
    """The judge's grade of the answer against the trait's rubric (our adherence judge).

    Args:
        project: project directory (traits, judge settings, cache).
        judge: judge model string, e.g. ``anthropic/claude-opus-4-5``.
    """
    scoring = _Scoring(project, judge)

    async def score(state: TaskState, target: Target) -> Score:
        return await scoring.score(state, "adherence")

    return score


@scorer(metrics=answer_metrics(), name="over_refusal")
def over_refusal(project: str) -> InspectScorer:
    """1.0 when a benign request was refused in full or part (our rule-based classifier)."""
    scoring = _Scoring(project, "none")

    async def score(state: TaskState, target: Target) -> Score:
        return await scoring.score(state, "over_refusal")

    return score


@scorer(metrics=answer_metrics(), name="over_refusal_judge")
def over_refusal_judge(project: str, judge: str) -> InspectScorer:
    """The judge's refusal class, as over-refusal (beside the rule-based one)."""
    scoring = _Scoring(project, judge, judge_refusal=True)

    async def score(state: TaskState, target: Target) -> Score:
        return await scoring.score(state, "over_refusal_judge")

    return score


@scorer(metrics=answer_metrics(), name="filler")
def filler(project: str) -> InspectScorer:
    """1.0 when the answer opens or closes with a stock filler phrase (project lexicon)."""
    scoring = _Scoring(project, "none")

    async def score(state: TaskState, target: Target) -> Score:
        return await scoring.score(state, "filler")

    return score


def check_scorer(name: str, project: str, judge: str = "none") -> InspectScorer:
    """An inspect scorer for any registered check (user checks included), named after it."""
    check = get_check(name)
    if check is None:
        raise HarnessError(f"no check named {name!r} is registered")
    scoring = _Scoring(project, judge if check.requires else "none", judge_refusal=check.requires == "judge_refusal")

    def make() -> InspectScorer:
        async def score(state: TaskState, target: Target) -> Score:
            return await scoring.score(state, name)

        return score

    return scorer(metrics=answer_metrics(), name=name)(make)()


# --- the task -----------------------------------------------------------------------


@solver
def answer(system: str, seed: int = 0) -> Solver:
    """Answer the query under ``system``, sample k (epoch k+1) with seed ``seed + k``, as ``harness run`` does."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        # Not inspect's system_message(): it would treat {braces} in the
        # (already rendered) prompt as template fields.
        state.messages.insert(0, ChatMessageSystem(content=system))
        k = state.epoch - 1
        extra_body = {SAMPLE_KEY: k} if state.model.api == API_NAME else None
        state = await generate(state, seed=seed + k, extra_body=extra_body)
        # A conversation's follow-ups (fixed or pressure turns) are sent after each reply, whatever it said.
        for text in state.metadata.get("follow_ups") or []:
            state.messages.append(ChatMessageUser(content=text))
            state = await generate(state, seed=seed + k, extra_body=extra_body)
        return state

    return solve


def _query_files(project: Project, trait: str | None, probes: bool) -> list:
    if trait is None:
        return project.eval_files()
    names = [f"{trait}.jsonl"] + ([PROBES_FILE] if probes else [])
    files = [project.evals_dir / n for n in names]
    for f in files:
        if not f.is_file():
            fix = f"run `harness generate {trait}`" if f.name == names[0] else "add the over-refusal probe set"
            raise HarnessError(f"query file {f} does not exist", fix=fix)
    return files


def _input(query: Query) -> str | list:
    """The query, after its prior turns when it continues a conversation."""
    if not query.messages:
        return query.text
    prior = [ChatMessageUser(content=t.content) if t.role == "user" else ChatMessageAssistant(content=t.content)
             for t in query.messages]
    return [*prior, ChatMessageUser(content=query.text)]


def _sample(query: Query, arm: str, prompt_hash: str, follow_ups: list[str] | None = None) -> Sample:
    return Sample(
        id=query.id,
        input=_input(query),
        metadata={
            "follow_ups": follow_ups or [],
            "reference": query.reference,
            CLUSTER_KEY: query.id,
            GROUP_KEY: query.trait or NO_TRAIT,
            "arm": arm,
            "prompt_hash": prompt_hash,
            "trait": query.trait,
            "should_refuse": query.should_refuse,
            "mirror": query.mirror,
            "tempts_violation": query.tempts_violation,
            "dimensions": query.dimensions,
        },
    )


def _follow_up_texts(query: Query, traits: dict[str, TraitSpec]) -> list[str]:
    """The follow-up turns' texts (named pressure turns resolved). Simulated users are not played here."""
    from harness.conversations.pressure import resolve_follow_ups

    return [f.text for f in resolve_follow_ups(query.follow_ups, traits.get(query.trait or ""), f"query {query.id}")]


@task
def character(
    trait: str | None = None,
    prompt: str | None = None,
    probes: bool = False,
    judge: str | None = None,
    judge_refusal: bool | None = None,
    project: str | None = None,
) -> Task:
    """One system prompt version on a trait's queries, scored by the harness.

    Args:
        trait: answer ``evals/<trait>.jsonl``; None = every query file ``harness run`` uses.
        prompt: system prompt version ``name@version`` (default: the first in ``[run].prompts``).
        probes: also answer the over-refusal probes (``evals/over_refusal.jsonl``).
        judge: judge model string, or ``none`` for the deterministic checks only
            (default: ``[models].judge`` in ``harness.toml``).
        judge_refusal: also ask the judge for a refusal class (default: ``[judge].refusal``).
        project: project directory (default: the nearest ``harness.toml``).
    """
    proj = find_project(project)
    cfg = proj.config
    ref = prompt or next(iter(cfg.run.prompts or list_prompts(proj.prompts_dir)), None)
    if ref is None:
        raise HarnessError(f"no system prompts found in {proj.prompts_dir}", fix="add system_prompts/<name>/<version>.md")
    system = load_prompt(proj.prompts_dir, ref, cfg.prompt_variables)
    traits = load_traits(proj.traits_dir)
    queries = load_query_files(_query_files(proj, trait, probes))
    # The same query set as `harness run`: the traits' mirrored requests included.
    queries = with_mirrors(queries, traits) if cfg.run.mirrors else queries
    unknown = sorted({q.trait for q in queries if q.trait and q.trait not in traits})
    if unknown:
        raise HarnessError(f"queries name trait(s) with no spec: {', '.join(unknown)}", fix="add traits/<name>.yaml for each")

    judge_model = judge or cfg.models.judge
    judge_model = judge_model if judge_model == "none" else resolve_model_name(judge_model)
    with_judge = judge_model != "none"
    ask_refusal = cfg.judge.refusal if judge_refusal is None else judge_refusal
    root = str(proj.root)
    make = {
        "adherence": lambda: adherence(root, judge_model),
        "over_refusal": lambda: over_refusal(root),
        "over_refusal_judge": lambda: over_refusal_judge(root, judge_model),
        "filler": lambda: filler(root),
    }
    return Task(
        dataset=MemoryDataset(
            [_sample(q, system.ref, system.hash, _follow_up_texts(q, traits)) for q in queries], name=trait or "all"
        ),
        solver=answer(system.text, seed=cfg.run.seed),
        scorer=[make[name]() if name in make else check_scorer(name, root, judge_model)
                for name in score_names(with_judge, ask_refusal)],
        # Metrics see every answer, clustered by query, instead of per-query means.
        epochs=Epochs(cfg.run.samples, reducer=[]),
        config=GenerateConfig(max_tokens=cfg.run.max_tokens, temperature=cfg.run.temperature),
        metadata={
            "harness_version": __version__,
            "prompt": system.ref,
            "prompt_hash": system.hash,
            "traits": {t: traits[t].spec_hash() for t in sorted({q.trait for q in queries if q.trait})},
            "judge": judge_model,
        },
    )
