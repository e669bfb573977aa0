"""What conversations cost with the bundled model: wall time and calls per role.

Not a test (pytest does not collect it). Runs in a fresh copy of the repository's
project (fresh cache), with the bundled local model in every role::

    .venv/bin/python -m tests.benchmarks.bench_conversations            # the 3 conversations in the main job
    .venv/bin/python -m tests.benchmarks.bench_conversations --full     # the README's conversation example

``--main`` prints what the conversation queries add to the main job: the
main job's prompts and samples on ``evals/steadfastness.jsonl`` alone.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from harness.config import Project
from harness.runs import RunOptions, execute_run

REPO = Path(__file__).resolve().parents[2]


def _project(dest: Path) -> Project:
    for name in ("traits", "system_prompts", "evals"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "harness.toml", dest / "harness.toml")
    return Project.load(dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the README example: evals/conversations/*.jsonl, 1 sample")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp))
        if args.full:
            options = RunOptions(evals=["evals/conversations/*.jsonl"], samples=1, name="bench")
        else:
            options = RunOptions(evals=["evals/steadfastness.jsonl"], name="bench")
        start = time.perf_counter()
        outcome = execute_run(project, options)
        elapsed = time.perf_counter() - start
        costs = outcome.costs()
        print(f"query files: {', '.join(outcome.spec.query_files)}; samples {outcome.spec.samples}; "
              f"prompts {', '.join(outcome.spec.prompts)}")
        print(f"answers {len(outcome.scores)}, conversations {len(outcome.conversations)}, "
              f"assistant turns {sum(len(t.turn_scores) for t in outcome.conversations)}")
        for role in ("candidate", "judge", "user"):
            tally = costs.get(role)
            if tally:
                print(f"  {role}: {tally['api_calls']} model calls, {tally['cache_hits']} cache hits")  # type: ignore[index]
        print(f"wall time {elapsed:.1f} s (bundled model; note the machine's load)")
        again = time.perf_counter()
        execute_run(project, options)
        print(f"repeat run (all cached): {time.perf_counter() - again:.1f} s")


if __name__ == "__main__":
    main()
