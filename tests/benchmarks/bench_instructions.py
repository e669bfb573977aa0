"""How often the bundled model obeys simple, checkable system-prompt instructions, with and without them.

For each instruction, the same fixed queries are answered under a short base
prompt ("You are Sol, a helpful assistant.") and under the base prompt plus
that instruction, ``--samples`` samples each at temperature 1 (the run
default), through the real local provider (all of an arm's calls in flight
together, as a run sends them). A checker decides compliance; the script prints the
rate of each instruction without and with it. The instructions differ from
the ones the model is shown in its demonstrations
(:data:`harness.models.local_provider._DEMOS`), so a rise measures the model
following the prompt, not copying a demonstration.

    python -m tests.benchmarks.bench_instructions            # 10 queries x 3 samples per instruction
    python -m tests.benchmarks.bench_instructions --queries 4 --samples 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from collections.abc import Callable

from harness.models.base import ChatRequest, Message
from harness.models.local_provider import LocalProvider

BASE = "You are Sol, a helpful assistant."
QUERIES = (
    "How long should I boil an egg for a runny yolk?",
    "What's the difference between a list and a tuple in Python?",
    "Can I substitute baking soda for baking powder in pancakes?",
    "How do I stop my glasses from fogging up when I wear a mask?",
    "What is a good way to store fresh basil?",
    "Why is the sky blue?",
    "How do I make a simple tomato sauce?",
    "What should I look for when buying a used bike?",
    "Is it okay to freeze bread?",
    "How many hours of sleep does an adult need?",
)
_COOKING = {0, 2, 4, 6, 8}
_DECLINE = re.compile(r"(?i)\b(sorry|can't|cannot|won't|unable|not able|don't discuss|decline)\b")

# (instruction, does a reply comply, which queries it applies to: None = all)
INSTRUCTIONS: tuple[tuple[str, Callable[[str], bool], set[int] | None], ...] = (
    ('Always open your reply with "Certainly!"', lambda t: t.lstrip().startswith("Certainly"), None),
    ('Begin every answer with "Ahoy!"', lambda t: t.lstrip().startswith("Ahoy"), None),
    ("Reply in eight words or fewer.", lambda t: len(t.split()) <= 8, None),
    ("End every reply with a question to the user.", lambda t: t.rstrip().endswith("?"), None),
    ("Answer as a bulleted list.", lambda t: any(line.lstrip().startswith(("- ", "* ", "• ")) for line in t.splitlines()), None),
    ("Never discuss cooking or food. If asked, politely decline.", lambda t: bool(_DECLINE.search(t)), _COOKING),
)


async def _answers(provider: LocalProvider, system: str, queries: list[str], samples: int) -> list[str]:
    """Every query's replies, ``samples`` per query, query by query."""
    requests = [
        ChatRequest(
            model="local/gemma-3-270m", system=system, messages=(Message(role="user", content=query),),
            max_tokens=300, temperature=1.0, seed=0, sample=i * samples + k,
        )
        for i, query in enumerate(queries)
        for k in range(samples)
    ]
    return [reply.text for reply in await asyncio.gather(*(provider.complete(r) for r in requests))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=len(QUERIES), help="how many of the fixed queries to use")
    parser.add_argument("--samples", type=int, default=3, help="replies per query and prompt")
    args = parser.parse_args()
    queries = list(QUERIES[: args.queries])
    k = args.samples
    provider = LocalProvider("gemma-3-270m")
    start = time.perf_counter()
    baseline = asyncio.run(_answers(provider, f"{BASE}", queries, k))
    print(f"{'instruction':<62} {'without':>9} {'with':>9}  n")
    for instruction, complies, only in INSTRUCTIONS:
        picked = [i for i in range(len(queries)) if only is None or i in only]
        with_rule = asyncio.run(_answers(provider, f"{BASE}\n- {instruction}", [queries[i] for i in picked], k))
        before = sum(complies(baseline[i * k + j]) for i in picked for j in range(k))
        after = sum(complies(text) for text in with_rule)
        n = len(picked) * k
        print(f"{instruction:<62} {before / n:>8.0%} {after / n:>8.0%}  {n}")
    load = os.getloadavg()
    print(f"({time.perf_counter() - start:.0f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
          f"{os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
