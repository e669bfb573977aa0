"""Per-answer scores: judge verdicts and deterministic checks."""
