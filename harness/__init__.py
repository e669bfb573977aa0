"""character-harness: evaluate an assistant's character and its system prompts.

The public API (see :mod:`harness.api`)::

    import harness

    run = harness.run(prompts=["assistant@v1", "assistant@v2"])   # or: await harness.arun(...)
    scored = harness.score("logs.csv")                           # judge=None: deterministic checks only
    comparison = harness.compare(run, arms=["v1", "v2"])
    df = harness.load("runs/my-run").to_pandas()

Importing this package is cheap and offline: the API, provider SDKs and the
local model are imported lazily, on first use.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing would double the cost of `import harness`.
TYPE_CHECKING = False

__version__ = "0.1.0"

# Public names served lazily from harness.api, so `import harness` stays light.
_API = ("Results", "Run", "Scored", "arun", "ascore", "compare", "load", "run", "score", "to_pandas")

__all__ = ["Results", "Run", "Scored", "__version__", "arun", "ascore", "compare", "load", "run", "score", "to_pandas"]

if TYPE_CHECKING:
    from typing import Any

    from harness.api import Results, Run, Scored, arun, ascore, compare, load, run, score, to_pandas


def __getattr__(name: str) -> Any:
    if name in _API:
        from harness import api

        return getattr(api, name)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
