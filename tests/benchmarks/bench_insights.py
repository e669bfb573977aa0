"""``harness insights`` on the offline path at scale: 100,000 answers in under 60 s.

Not a test (pytest does not collect it). Builds a scored-results file of N
answers (two arms answering the same queries; five known failure themes plus
noise, scored by the real deterministic checks, see ``tests/insights/mixture.py``),
then times what ``harness insights FILE --arms v1 v2 --judge none`` does: load
the file, select, facets, embed (TF-IDF + SVD), cluster (two levels), name
(c-TF-IDF), compare the arms, write the Markdown and JSON. Prints seconds per
stage, the total, the adjusted Rand index against the known themes, and the
peak resident memory (RSS) of the process::

    .venv/bin/python -m tests.benchmarks.bench_insights [--answers 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def build(path: Path, answers: int) -> dict[str, str]:
    """Write a results file of about ``answers`` answers (two arms); returns each id's true theme."""
    from harness.formats import dump_jsonl
    from tests.insights.mixture import THEMES, mixture

    per_arm = answers // 2
    noise = per_arm // 10
    scores, truth = mixture((per_arm - noise) // len(THEMES), noise, arms=("v1", "v2"), context=True)
    dump_jsonl(scores, path)
    return truth


def run(path: Path, out: Path) -> tuple[dict[str, float], object]:
    """The offline insights pipeline on ``path``, timed per stage."""
    from harness.insights import InsightsOptions, find_insights, write_insights
    from harness.insights.sources import load_sources

    timings: dict[str, float] = {}
    start = time.perf_counter()
    scores = load_sources([str(path)])
    timings["load"] = time.perf_counter() - start
    options = InsightsOptions(name="bench", sources=[path.name], arms=("v1", "v2"), timings=timings)
    insights = find_insights(scores, options)
    start = time.perf_counter()
    write_insights(insights, out)
    timings["write"] = time.perf_counter() - start
    return timings, insights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="offline insights benchmark")
    parser.add_argument("--answers", type=int, default=100_000)
    args = parser.parse_args(argv)
    from sklearn.metrics import adjusted_rand_score

    from harness.insights import insights_frame

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.jsonl"
        start = time.perf_counter()
        truth = build(path, args.answers)
        print(f"built {len(truth):,} scored answers in {time.perf_counter() - start:.1f} s (not timed below)")
        rss_before = peak_rss_mb()
        timings, insights = run(path, Path(tmp) / "reports")
        total = sum(timings.values())
        frame = insights_frame(insights)  # type: ignore[arg-type]
        ari = adjusted_rand_score([truth[i] for i in frame.answer_id], list(frame.theme_id))
        sizes = [f.stat().st_size for f in (Path(tmp) / "reports").iterdir()]
    print(f"{'stage':<10} {'seconds':>8}")
    for stage, seconds in timings.items():
        print(f"{stage:<10} {seconds:8.2f}")
    print(f"{'total':<10} {total:8.2f}   (target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'NOT met'})")
    print(f"selected {insights.selection.n_selected:,} of {insights.selection.n_scored:,}; "  # type: ignore[attr-defined]
          f"{len(insights.themes)} themes, k = {insights.method.k}; ARI vs known themes {ari:.3f}")  # type: ignore[attr-defined]
    print(f"outputs: {sum(sizes) / 2**20:.1f} MiB (Markdown + JSON)")
    print(f"peak RSS: {peak_rss_mb():.0f} MiB (after building the input: {rss_before:.0f} MiB)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average when done: {load:.1f} on {os.cpu_count()} cores (other jobs slow every stage)")
    return 0 if total < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
