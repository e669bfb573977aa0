"""Throughput of the offline refusal classifier and of all deterministic checks together, on one core.

    python -m tests.benchmarks.bench_refusal [--repeat 3]

The answers are the 3,300 real chat-model answers of
``tests/data/refusal_dev.jsonl`` (mean ~1,100 characters: Claude, GPT,
Llama, Mistral and Zephyr answers, refusals and full answers mixed). Prints
answers per second of this process's CPU time (what one core does, and
less disturbed by other load than the wall clock, also shown), best of
``--repeat`` passes, for: the rules alone, the
shipped classifier (rules + n-gram model), filler, hedging, and refusal +
filler + hedging together, which is what ``harness score --judge none`` runs
per answer (in that order, as the check registry does: hedging reuses the
view of the answer the refusal classifier built, ``harness/scores/answer_text.py``).
The classifier and the checks together get each answer's request too
(``harness score`` passes it: the classifier's relevance reading).
Target: at least 5,000 answers/s together. Run it on a quiet machine: the
figure scales with the core's speed and with other load.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from harness.scores.filler import DEFAULT_LEXICON, detect_filler
from harness.scores.hedging import detect_hedging
from harness.scores.refusal import classify_refusal, rule_verdict

DATA = Path(__file__).resolve().parents[1] / "data" / "refusal_dev.jsonl"
TARGET = 5000


def _answers() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["response"], r["query"]) for r in rows]


def _rate(fn: Callable[[str, str], object], answers: list[tuple[str, str]], repeat: int) -> tuple[float, float]:
    """Answers/s by CPU time of this process (what one core does) and by wall time, best of ``repeat``."""
    cpu = wall = float("inf")
    for _ in range(repeat):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for a, q in answers:
            fn(a, q)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return len(answers) / cpu, len(answers) / wall


def _all_checks(text: str, query: str) -> None:
    classify_refusal(text, query)
    detect_filler(text, DEFAULT_LEXICON)
    detect_hedging(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    answers = _answers()
    classify_refusal(*answers[0])  # load the model once, outside the timing
    mean_chars = sum(len(a) for a, _ in answers) / len(answers)
    print(f"{len(answers)} real answers, mean {mean_chars:.0f} characters; best of {args.repeat} passes, one core")
    for name, fn in (
        ("rules alone", lambda t, q: rule_verdict(t)),
        ("refusal classifier, answer alone", lambda t, q: classify_refusal(t)),
        ("refusal classifier (rules + n-gram model)", classify_refusal),
        ("filler", lambda t, q: detect_filler(t, DEFAULT_LEXICON)),
        ("hedging", lambda t, q: detect_hedging(t)),
    ):
        cpu, wall = _rate(fn, answers, args.repeat)
        print(f"  {name:45} {cpu:8.0f} answers/s of CPU time ({wall:.0f}/s wall clock)")
    cpu, wall = _rate(_all_checks, answers, args.repeat)
    verdict = "meets" if cpu >= TARGET else "BELOW"
    print(f"  {'all deterministic checks together':45} {cpu:8.0f} answers/s of CPU time ({wall:.0f}/s wall clock; "
          f"{verdict} the {TARGET}/s target)")


if __name__ == "__main__":
    main()
