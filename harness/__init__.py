"""character-harness: evaluate an assistant's character and its system prompts.

Importing this package is cheap and offline: provider SDKs and the local model
are imported lazily, only when a model of that provider is first used.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
