"""Published list prices, USD per million tokens, for cost estimates.

Estimates only: a model missing here has an unknown cost (reported as such,
never as zero). Local models are free.
"""

from __future__ import annotations

from harness.models.base import Usage

__all__ = ["estimate_cost", "price_known"]

# (input, output) USD per 1M tokens.
PRICES: dict[str, tuple[float, float]] = {
    "anthropic/claude-opus-4-1": (15.0, 75.0),
    "anthropic/claude-opus-4-5": (5.0, 25.0),
    "anthropic/claude-sonnet-4-5": (3.0, 15.0),
    "anthropic/claude-sonnet-4-0": (3.0, 15.0),
    "anthropic/claude-haiku-4-5": (1.0, 5.0),
    "anthropic/claude-3-5-haiku-latest": (0.8, 4.0),
    "openai/gpt-4.1": (2.0, 8.0),
    "openai/gpt-4.1-mini": (0.4, 1.6),
    "openai/gpt-4.1-nano": (0.1, 0.4),
    "openai/gpt-4o": (2.5, 10.0),
    "openai/gpt-4o-mini": (0.15, 0.6),
    "openai/text-embedding-3-small": (0.02, 0.0),
    "openai/text-embedding-3-large": (0.13, 0.0),
}


# Prompt-cache reads and writes as multiples of the input price (Anthropic's rates).
CACHE_READ_FACTOR = 0.1
CACHE_WRITE_FACTOR = 1.25
# Both providers' batch APIs bill half the list price.
BATCH_FACTOR = 0.5


def estimate_cost(model: str, usage: Usage, *, batch: bool = False) -> float | None:
    """Estimated USD cost of one call (``batch``: made through a batch API), or None when the price is unknown."""
    if model.startswith("local/"):
        return 0.0
    price = PRICES.get(model)
    if price is None:
        return None
    prompt = (
        usage.input_tokens
        + usage.cache_read_tokens * CACHE_READ_FACTOR
        + usage.cache_write_tokens * CACHE_WRITE_FACTOR
    )
    cost = (prompt * price[0] + usage.output_tokens * price[1]) / 1_000_000
    return cost * BATCH_FACTOR if batch else cost


def price_known(model: str) -> bool:
    """Whether :func:`estimate_cost` can price calls to ``model``."""
    return estimate_cost(model, Usage()) is not None
