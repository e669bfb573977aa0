"""The README's main job, timed per stage: the shipped demo with the bundled model, from an empty cache.

Copies the project (traits, prompts, query files, harness.toml) to a temporary
folder, so the run starts with no cache and writes nothing into the
repository, then runs exactly what ``harness run`` runs for it (same traits,
prompt versions, samples and judge) and prints the answering, judging and
total times, the calls of each stage, and the machine's load average, which
matters: llama.cpp on a busy machine is several times slower.

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
        if label == "judging" and "answering" in stages:  # printed now, in case the run is stopped later
            done = stages["answering"]
            print(f"(answering finished after {time.perf_counter() - clock['start']:.1f} s wall, "
                  f"{time.process_time() - clock['cpu']:.1f} s CPU, {int(done['done'])} answers)", flush=True)
        stages[label] = {"start": time.perf_counter(), "total": total, "done": 0}

        def advance() -> None:
            stages[label]["done"] += 1
            stages[label]["end"] = time.perf_counter()
            stages[label]["cpu"] = time.process_time()

        return advance

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.load(_copy_project(Path(tmp)))
        outcome = execute_run(project, RunOptions(candidate="local/gemma-3-270m", judge="local/gemma-3-270m"), progress)
    total = time.perf_counter() - clock["start"]
    cpu_total = time.process_time() - clock["cpu"]
    load_after = os.getloadavg()
    answering = stages["answering"]
    judging = stages.get("judging", {})
    answer_s = answering.get("end", answering["start"]) - clock["start"]
    judge_s = judging.get("end", judging.get("start", 0.0)) - answering.get("end", answering["start"])
    answer_cpu = answering.get("cpu", clock["cpu"]) - clock["cpu"]
    judge_cpu = judging.get("cpu", answering.get("cpu", clock["cpu"])) - answering.get("cpu", clock["cpu"])
    cand, judge = outcome.candidate_stats, outcome.judge_stats
    print(f"cores: {os.cpu_count()}, llama.cpp threads: {os.environ.get('HARNESS_LOCAL_THREADS', 'all cores')}")
    print(f"load average (1/5/15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
          f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print("wall-clock seconds, and CPU seconds of this process (all its threads): on a busy machine the wall")
    print("clock stretches with the load while the CPU time does not, so CPU / cores estimates a quiet machine")
    print(f"answering: {answer_s:6.1f} s wall, {answer_cpu:6.1f} s CPU  {cand.api_calls} calls ({cand.input_tokens} prompt tokens sent, "
          f"{cand.output_tokens} generated), model load included")
    if judge is not None:
        print(f"judging:   {judge_s:6.1f} s wall, {judge_cpu:6.1f} s CPU  {judge.api_calls} calls ({judge.by_purpose})")
    print(f"total:     {total:6.1f} s wall, {cpu_total:6.1f} s CPU  ({len(outcome.scores)} answers scored)")


if __name__ == "__main__":
    main()
