"""The README's main job, timed per stage: the shipped demo with the bundled model, from an empty cache.

Copies the project (traits, prompts, query files, harness.toml) to a temporary
folder, so the run starts with no cache and writes nothing into the
repository, then runs exactly what ``harness run`` runs for it (same traits,
prompt versions, samples and judge) and prints when each stage (answering,
judging, talking, judging talks) started and finished, the calls made, the
total time, and the machine's load average, which matters: llama.cpp on a
busy machine is several times slower.

    python -m tests.benchmarks.bench_main_job
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from harness.config import Project
from harness.runs import RunOptions, execute_run

REPO = Path(__file__).resolve().parents[2]


def _copy_project(dest: Path) -> Path:
    for folder in ("traits", "system_prompts", "evals"):
        shutil.copytree(REPO / folder, dest / folder)
    shutil.copy(REPO / "harness.toml", dest / "harness.toml")
    return dest


def main() -> None:
    stages: dict[str, dict[str, float]] = {}
    clock = {"start": time.perf_counter(), "cpu": time.process_time()}

    def progress(label: str, total: int):  # type: ignore[no-untyped-def]
        now = time.perf_counter()
        stages[label] = {"start": now, "cpu0": time.process_time(), "total": total, "done": 0, "end": now}
        print(f"[{now - clock['start']:6.1f} s] {label}: {total} to do", flush=True)

        def advance() -> None:
            stage = stages[label]
            stage["done"] += 1
            stage["end"] = time.perf_counter()
            stage["cpu"] = time.process_time()

        return advance

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.load(_copy_project(Path(tmp)))
        outcome = execute_run(project, RunOptions(candidate="local/gemma-3-270m", judge="local/gemma-3-270m"), progress)
    total = time.perf_counter() - clock["start"]
    cpu_total = time.process_time() - clock["cpu"]
    load_after = os.getloadavg()
    cand, judge = outcome.candidate_stats, outcome.judge_stats
    print(f"cores: {os.cpu_count()}, llama.cpp threads: {os.environ.get('HARNESS_LOCAL_THREADS', 'all cores')}, "
          f"engines: {os.environ.get('HARNESS_LOCAL_ENGINES', 'one per two cores')}, "
          f"calls decoded together: {os.environ.get('HARNESS_LOCAL_BATCH', '8')}")
    print(f"load average (1/5/15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
          f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print("Stages overlap (judging starts on the first answers; conversations run beside single answers), so each")
    print("stage is shown from its start to its last item, measured from the start of the run (model load included).")
    for label, stage in stages.items():
        print(f"  {label:<14} {int(stage['done']):4d}/{int(stage['total']):<4d} from {stage['start'] - clock['start']:6.1f} s "
              f"to {stage['end'] - clock['start']:6.1f} s")
    print(f"candidate: {cand.api_calls} calls ({cand.input_tokens} prompt tokens sent, {cand.output_tokens} generated)")
    if judge is not None:
        print(f"judge:     {judge.api_calls} calls ({judge.by_purpose})")
    _print_engine_work()
    print(f"total:     {total:6.1f} s wall, {cpu_total:6.1f} s CPU of this process  ({len(outcome.scores)} answers scored)")


def _print_engine_work() -> None:
    """What the bundled model's engines did: tokens evaluated and output rows read, by kind of call."""
    from harness.models.local_provider import BUNDLED_MODEL, _load, _model_path

    engines = _load(_model_path(BUNDLED_MODEL))[1]  # already loaded by the run: cached
    totals: dict[str, float] = {}
    for engine in engines:
        for key, value in engine.counters.items():
            totals[key] = totals.get(key, 0) + value
    if not totals:
        return
    steps, seconds = totals.pop("steps", 0), totals.pop("decode seconds", 0.0)
    work = ", ".join(f"{key} {int(value)}" for key, value in sorted(totals.items()))
    print(f"engines:   {len(engines)}; {int(steps)} steps, {seconds:.1f} s inside llama_decode (summed); {work}")


if __name__ == "__main__":
    main()
