"""Published list prices, USD per million tokens, for cost estimates.

Estimates only: a model missing here has an unknown cost (reported as such,
never as zero). Local models are free.
"""

from __future__ import annotations

from harness.models.base import Usage

__all__ = ["estimate_cost"]

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
}


def estimate_cost(model: str, usage: Usage) -> float | None:
    """Estimated USD cost of one call, or None when the price is unknown."""
    if model.startswith("local/"):
        return 0.0
    price = PRICES.get(model)
    if price is None:
        return None
    return (usage.input_tokens * price[0] + usage.output_tokens * price[1]) / 1_000_000
