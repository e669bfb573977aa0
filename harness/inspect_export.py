"""Export a harness run directory as an inspect-ai eval log.

``harness export inspect runs/<name>`` writes ``runs/<name>/<name>.eval``;
``inspect view --log-dir runs/<name>`` then shows every transcript (system
prompt, query, answer) with our scores. One inspect sample per answer: its id
is ``<arm>|<query id>`` and its epoch the sample number + 1, so the K samples
of a query are the epochs of one inspect sample. Scores are converted exactly
as the inspect task converts them (:func:`harness.inspect_tasks.inspect_scores`)
and the log's metrics are computed by inspect itself from those scores.

Importing this module imports inspect-ai; :mod:`harness` itself never does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from inspect_ai.log import (
    EvalConfig,
    EvalDataset,
    EvalError,
    EvalLog,
    EvalPlan,
    EvalPlanStep,
    EvalSample,
    EvalSpec,
    EvalStats,
    recompute_metrics,
    write_eval_log,
)
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ModelOutput,
    ModelUsage,
)

from harness import __version__
from harness.answers import load_answers
from harness.config import Project, find_project
from harness.conversations.inspect import conversation_messages, conversation_score_names, with_transcript
from harness.errors import HarnessError
from harness.inspect_tasks import (
    CLUSTER_KEY,
    GROUP_KEY,
    answer_metric_definitions,
    inspect_scores,
    score_names,
)
from harness.models.base import Usage
from harness.reports import NO_TRAIT
from harness.runs import RunSpec, load_run
from harness.scores.checks import all_checks
from harness.scores.records import ScoredAnswer
from harness.system_prompts import load_prompt

__all__ = ["export_inspect_log", "sample_id"]


def sample_id(arm: str, query_id: str) -> str:
    """The inspect sample id of a query under an arm (its K answers are the epochs)."""
    return f"{arm}|{query_id}"


def _system_prompts(project: Project, spec: RunSpec) -> dict[str, str]:
    """Prompt text by ref, for the refs whose file still renders to the run's hash."""
    found: dict[str, str] = {}
    for ref, expected in spec.prompts.items():
        try:
            prompt = load_prompt(project.prompts_dir, ref, project.config.prompt_variables)
        except HarnessError:
            continue
        if prompt.hash == expected:
            found[ref] = prompt.text
    return found


def _messages(s: ScoredAnswer, system: str | None) -> list[ChatMessage]:
    messages: list[ChatMessage] = [ChatMessageSystem(content=system)] if system is not None else []
    messages.append(ChatMessageUser(content=s.query))
    if s.response is not None:
        messages.append(ChatMessageAssistant(content=s.response, model=s.model))
    return messages


def _usage(usage: Usage) -> ModelUsage:
    return ModelUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.input_tokens + usage.output_tokens,
    )


def _sample(s: ScoredAnswer, system: str | None, usage: Usage | None, names: list[str]) -> EvalSample:
    answered = s.response is not None
    output = ModelOutput.from_content(model=s.model, content=s.response) if s.response is not None else ModelOutput(model=s.model)
    return EvalSample(
        id=sample_id(s.arm, s.query_id),
        epoch=s.sample + 1,
        input=s.query,
        target="",
        messages=_messages(s, system),
        output=output,
        # A failed call is an errored sample, as in inspect: counted apart, never scored.
        scores=inspect_scores(s, names) if answered else None,
        error=EvalError(message=s.error, traceback="", traceback_ansi="") if s.error else None,
        model_usage={s.model: _usage(usage)} if usage is not None else {},
        metadata={
            CLUSTER_KEY: s.query_id,
            GROUP_KEY: f"{s.arm} {s.trait or NO_TRAIT}",
            "arm": s.arm,
            "trait": s.trait,
            "should_refuse": s.should_refuse,
            "label": s.label,
            "answer_id": s.id,
            "prompt_hash": s.prompt_hash,
            "system_prompt": "as run" if system is not None else "unavailable: the prompt file no longer renders to this hash",
        },
    )


def _timestamp(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).isoformat()


def _total_usage(usages: list[Usage]) -> ModelUsage:
    return _usage(Usage(input_tokens=sum(u.input_tokens for u in usages), output_tokens=sum(u.output_tokens for u in usages)))


def build_eval_log(run_dir: Path, project: Project) -> EvalLog:
    """The inspect :class:`EvalLog` of a finished run directory, metrics included."""
    spec, scores = load_run(run_dir)
    systems = _system_prompts(project, spec)
    usage = {a.id: a.usage for a in load_answers(run_dir / "answers.jsonl").values()}
    names = score_names(spec.judge is not None, spec.judge_refusal)
    names += conversation_score_names(scores)  # capitulation, ...: when the run had conversations
    samples = [_sample(s, systems.get(s.arm), usage.get(s.id), names) for s in scores]
    # A conversation's sample (its first turn's answer) shows every turn of it.
    samples = with_transcript(samples, conversation_messages(run_dir))
    ids = list(dict.fromkeys(sample_id(s.arm, s.query_id) for s in scores))
    generate = GenerateConfig(max_tokens=spec.max_tokens, temperature=spec.temperature, seed=spec.seed)
    judged = {c.name for c in all_checks() if c.requires}
    log = EvalLog(
        status="success",
        eval=EvalSpec(
            eval_id=f"harness-{spec.spec_hash()}",
            run_id=run_dir.name,
            created=_timestamp(run_dir / "run.json"),
            task=run_dir.name,
            task_display_name=f"harness run {run_dir.name}",
            task_args={"prompts": list(spec.prompts), "samples": spec.samples},
            dataset=EvalDataset(name=run_dir.name, location=str(run_dir), samples=len(ids), sample_ids=ids),
            model=spec.candidate,
            model_generate_config=generate,
            config=EvalConfig(epochs=spec.samples, epochs_reducer=[]),
            packages={"character-harness": __version__},
            metadata={"harness_run": spec.model_dump(mode="json")},
            # The scorers and arguments the inspect task records, so the log can be re-scored.
            scorers=[
                {
                    "name": n,
                    "options": {"project": str(project.root), **({"judge": spec.judge} if n in judged else {})},
                    "metrics": answer_metric_definitions(),
                }
                for n in names
            ],
        ),
        plan=EvalPlan(steps=[EvalPlanStep(solver="harness/answer", params={"prompts": spec.prompts})], config=generate),
        stats=EvalStats(
            started_at=_timestamp(run_dir / "run.json"),
            completed_at=_timestamp(run_dir / "scores.jsonl"),
            model_usage={spec.candidate: _total_usage(list(usage.values()))},
        ),
        samples=samples,
    )
    recompute_metrics(log)
    return log


def export_inspect_log(run_dir: Path | str, out: Path | str | None = None, project: Project | None = None) -> Path:
    """Write a run directory as an inspect eval log and return its path.

    Args:
        run_dir: ``runs/<name>`` from ``harness run``.
        out: the log file; ``.eval`` (default: ``<run_dir>/<name>.eval``) or ``.json``.
        project: the project whose system prompts fill in the transcripts
            (default: the project containing ``run_dir``).
    """
    run_dir = Path(run_dir)
    path = Path(out) if out else run_dir / f"{run_dir.name}.eval"
    if path.suffix not in (".eval", ".json"):
        raise HarnessError(f"cannot write an inspect log to {path}", fix="name the file *.eval or *.json")
    log = build_eval_log(run_dir, project or find_project(run_dir))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_eval_log(log, path)
    return path
