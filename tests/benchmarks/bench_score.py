"""``harness score --judge none`` at scale: answers per second, and peak memory as files grow.

Not a test (pytest does not collect it). Writes transcript files of N rows to
a temporary folder (never committed), then runs the real command on each in a
fresh interpreter pinned to one CPU core, and reports the wall time, answers
per second (all deterministic checks: refusal, filler, and the checks derived
from them; reading, writing results.jsonl and building the report included)
and the process's peak resident memory::

    .venv/bin/python -m tests.benchmarks.bench_score                      # 10,000 and 1,000,000 rows
    .venv/bin/python -m tests.benchmarks.bench_score --rows 10000 200000  # quicker
    .venv/bin/python -m tests.benchmarks.bench_score --format parquet     # csv (default), jsonl or parquet

Targets: at least 5,000 answers/s, and peak memory at the largest file within
1.5x of peak memory at the smallest.

After each run, the same process times the checks alone (their own
functions, on answers already read) on up to ``--checks-sample`` answers of
the same file, and prints the command's CPU per answer split into the checks'
share and the pipeline's (reading, building records, writing JSON, the
report, start-up): the pipeline is this repository's ``harness score``
machinery, the checks are ``harness/scores/refusal.py``, ``filler.py`` and
``hedging.py``.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Replies of every kind (compliant, refusals, partial refusals, filler), as the labelled refusal set has them.
REPLIES = [json.loads(line)["response"] for line in (REPO / "tests/data/refusal_labelled.jsonl").open(encoding="utf-8")]
FILLER = ("Certainly! ", "Great question! ", "", "", "")
CLOSERS = (" I hope this helps!", " Let me know if you have any other questions.", "", "", "")


def write_file(path: Path, rows: int) -> Path:
    """A transcript file of ``rows`` rows in the format its suffix names."""
    columns = ["id", "query", "response", "arm", "trait", "should_refuse", "label"]

    def row(i: int) -> list[str]:
        reply = FILLER[i % 5] + REPLIES[i % len(REPLIES)] + CLOSERS[(i // 5) % 5]
        return [f"r{i:08d}", f"Question {i}: how do I get this done?", reply, ("v1", "v2")[i % 2],
                ("directness", "")[i % 3 == 0], ("false", "true")[i % 11 == 0], ""]

    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(columns)
            out.writerows(row(i) for i in range(rows))
    elif path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for i in range(rows):
                fh.write(json.dumps(dict(zip(columns, row(i), strict=True))) + "\n")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        with pq.ParquetWriter(path, pa.schema([(c, pa.string()) for c in columns])) as writer:
            for start in range(0, rows, 100_000):
                chunk = [row(i) for i in range(start, min(rows, start + 100_000))]
                writer.write_table(pa.table({c: [r[k] for r in chunk] for k, c in enumerate(columns)}))
    return path


def checks_alone(path: str, project: str, rows: int) -> tuple[int, float]:
    """CPU seconds the deterministic checks alone take on the file's first ``rows`` answers, and how many.

    Only the checks' own functions are timed (each registered check that
    computes from the answer: refusal, filler, hedging), on answers read
    beforehand; what the command spends besides is the pipeline's.
    """
    from harness.config import Project
    from harness.runs import lexicon_for
    from harness.scores.checks import CheckContext, all_checks
    from harness.transcripts import iter_answers, iter_frames

    context = CheckContext(lexicon=lexicon_for(Project.load(Path(project))))
    computes = [c.compute for c in all_checks() if c.compute is not None]
    answers = []
    for frame in iter_frames(path, min(rows, 10_000)):
        answers.extend(iter_answers(frame, path))
        if len(answers) >= rows:
            break
    answers = answers[:rows]
    t0 = time.process_time()
    for answer in answers:
        for compute in computes:
            compute(answer, context)
    return len(answers), time.process_time() - t0


def child(path: str, project: str, out: str, sample: str = "0") -> None:
    """Run the command in this process; print its wall time and this process's peak RSS as JSON.

    Then, in the same process (its peak memory already taken), time the checks
    alone on the first ``sample`` answers of the same file.
    """
    from harness.cli import main as harness

    t0 = time.perf_counter()
    code = harness(["--project", project, "score", path, "--judge", "none", "--out", out])
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    n, checks_cpu = checks_alone(path, project, int(sample)) if int(sample) else (0, 0.0)
    print(json.dumps({"code": code, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": rss / 2**20,
                      "checks_n": n, "checks_cpu_s": checks_cpu}))


def measure(path: Path, project: Path, out: Path, sample: int = 0) -> dict[str, float]:
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []  # one core
    proc = subprocess.run(
        [*pin, sys.executable, "-m", "tests.benchmarks.bench_score", "_child", str(path), str(project), str(out), str(sample)],
        cwd=REPO, capture_output=True, text=True, timeout=7200, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise RuntimeError(f"harness score exited {result['code']}: {proc.stderr[-3000:]}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", nargs="*")
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv")
    parser.add_argument("--checks-sample", type=int, default=50_000,
                        help="answers on which the checks alone are timed after each run (0: skip)")
    args = parser.parse_args(argv)
    if args.which[:1] == ["_child"]:
        child(*args.which[1:5])
        return 0
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"character-harness `harness score --judge none` (python {sys.version.split()[0]}, one core of "
          f"{os.cpu_count()}, load average {load}); {args.format} files of {', '.join(f'{n:,}' for n in args.rows)} rows")
    # Byte-compiled, as pip leaves an installed package (this shell may set PYTHONDONTWRITEBYTECODE,
    # and a module compiled from source at every start is not what users run).
    compileall.compile_dir(REPO / "harness", quiet=1)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(REPO / "traits", project / "traits")
        shutil.copy(REPO / "harness.toml", project / "harness.toml")
        for n in args.rows:
            path = write_file(Path(tmp) / f"logs-{n}.{args.format}", n)
            r = measure(path, project, Path(tmp) / f"out-{n}", min(n, args.checks_sample))
            lines = sum(1 for _ in (Path(tmp) / f"out-{n}" / "results.jsonl").open(encoding="utf-8"))
            assert lines == n, f"{lines} results for {n} rows"
            results.append((n, r))
            print(f"    {n:>9,} rows: {r['wall_s']:8.1f} s = {n / r['wall_s']:7,.0f} answers/s "
                  f"({n / r['cpu_s']:,.0f} per CPU-second); peak RSS {r['peak_rss_mb']:6.0f} MB  "
                  f"(file {path.stat().st_size / 2**20:,.0f} MB)")
            if r["checks_n"]:
                per_answer, checks = 1e6 * r["cpu_s"] / n, 1e6 * r["checks_cpu_s"] / r["checks_n"]
                print(f"    {'':>9}       CPU per answer {per_answer:6.1f} µs = checks alone {checks:6.1f} µs "
                      f"({1e6 / checks:,.0f} answers/s, timed on {r['checks_n']:,} of the answers) "
                      f"+ pipeline {per_answer - checks:6.1f} µs (reading, records, JSON, report; start-up included)")
            path.unlink()
            shutil.rmtree(Path(tmp) / f"out-{n}")
    (small, rs), (large, rl) = results[0], results[-1]
    ratio = rl["peak_rss_mb"] / rs["peak_rss_mb"]
    rate = large / rl["wall_s"]
    print(f"    peak memory ×{ratio:.2f} for ×{large / small:,.0f} rows: "
          f"{'met' if ratio <= 1.5 else 'MISSED'} (target ≤ ×1.5)")
    per_cpu = large / rl["cpu_s"]
    print(f"    {rate:,.0f} answers/s at {large:,} rows: {'met' if rate >= 5000 else 'MISSED'} (target ≥ 5,000/s); "
          f"by CPU time, which load on a shared machine does not stretch: {per_cpu:,.0f} per CPU-second, "
          f"{'met' if per_cpu >= 5000 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
