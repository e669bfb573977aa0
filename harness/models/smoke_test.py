"""Which results rest on the bundled smoke-test model, and the caveat every output carries.

Kept apart from :mod:`harness.models.local_provider` so that reports,
comparisons and the CI gate can check for the smoke-test model without
importing llama.cpp or asyncio.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BUNDLED_MODEL", "SMOKE_TEST_CAVEAT", "SMOKE_TEST_MODEL", "SMOKE_TEST_NOTICE", "smoke_test_caveat"]

BUNDLED_MODEL = "gemma-3-270m"
#: The full model string of the bundled model.
SMOKE_TEST_MODEL = f"local/{BUNDLED_MODEL}"
SMOKE_TEST_NOTICE = (
    "Using the bundled local model local/gemma-3-270m: a tiny 270M-parameter base model for smoke tests only. "
    "Its answers and grades say nothing about character. For real results set ANTHROPIC_API_KEY or "
    "OPENAI_API_KEY (or pass --model/--judge, e.g. anthropic/claude-sonnet-4-5, or openai/<model> "
    "with OPENAI_BASE_URL for a vLLM/Ollama/llama.cpp server)."
)
#: One line for tables, comments and JSON: what rests on the smoke-test model.
SMOKE_TEST_CAVEAT = (
    "smoke test: these results come from the bundled local model (local/gemma-3-270m, a tiny base model); "
    "they show the pipeline works and say nothing about character. Its judge scores from its next-token "
    "distribution and gives no reasons."
)


def smoke_test_caveat(models: Iterable[str | None]) -> str | None:
    """The caveat when any of ``models`` (candidate or judge model strings) is the smoke-test model, else None."""
    return SMOKE_TEST_CAVEAT if any(m == SMOKE_TEST_MODEL for m in models) else None
