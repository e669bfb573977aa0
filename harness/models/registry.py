"""Model strings (``provider/model``) to providers.

The registry is the harness's only global state: a map from provider prefix
to a factory. Provider modules are imported when first used, so importing
:mod:`harness` never loads an SDK or the local model.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import import_module

from harness.errors import HarnessError
from harness.models.base import Provider

__all__ = [
    "DEFAULT_ANTHROPIC",
    "DEFAULT_LOCAL",
    "DEFAULT_OPENAI",
    "get_provider",
    "known_providers",
    "register_provider",
    "resolve_model_name",
]

DEFAULT_ANTHROPIC = "anthropic/claude-sonnet-4-5"
DEFAULT_OPENAI = "openai/gpt-4.1-mini"
DEFAULT_LOCAL = "local/gemma-3-270m"

ProviderFactory = Callable[[str], Provider]

_BUILTIN: dict[str, str] = {
    "anthropic": "harness.models.anthropic_provider:AnthropicProvider",
    "openai": "harness.models.openai_provider:OpenAIProvider",
    "local": "harness.models.local_provider:LocalProvider",
}
_REGISTERED: dict[str, ProviderFactory] = {}
# Built-in providers that call over the network, and so take a ``timeout``.
_NETWORKED = frozenset({"anthropic", "openai"})


def register_provider(prefix: str, factory: ProviderFactory) -> None:
    """Make ``prefix/<model>`` strings resolve through ``factory(model)``.

    Plugins and tests use this; the built-in providers need no registration.
    """
    _REGISTERED[prefix] = factory


def known_providers() -> list[str]:
    """Provider prefixes that model strings may start with."""
    return sorted({*_BUILTIN, *_REGISTERED})


def resolve_model_name(name: str | None) -> str:
    """Turn ``auto`` (or None) into a concrete model string.

    ``auto`` prefers Claude when ``ANTHROPIC_API_KEY`` is set, then GPT when
    ``OPENAI_API_KEY`` is set, and otherwise the bundled local smoke-test model,
    so the harness works offline with no key at all.
    """
    if name and name != "auto":
        return name
    if os.environ.get("ANTHROPIC_API_KEY"):
        return DEFAULT_ANTHROPIC
    if os.environ.get("OPENAI_API_KEY"):
        return DEFAULT_OPENAI
    return DEFAULT_LOCAL


def get_provider(name: str, *, timeout: float | None = None) -> Provider:
    """Build the provider for a model string such as ``anthropic/claude-sonnet-4-5``.

    ``timeout`` (seconds to wait for one reply) applies to API providers; None
    keeps their default.

    Raises:
        HarnessError: the string is malformed, the provider unknown, or its
            configuration (e.g. API key) missing.
    """
    name = resolve_model_name(name)
    prefix, sep, model = name.partition("/")
    if not sep or not model:
        raise HarnessError(
            f"unknown model {name!r}: model strings look like 'provider/model'",
            fix=f"use one of the providers {', '.join(known_providers())}, "
            f"e.g. {DEFAULT_ANTHROPIC}, {DEFAULT_OPENAI} or {DEFAULT_LOCAL}",
        )
    if prefix in _REGISTERED:
        return _REGISTERED[prefix](model)
    if prefix not in _BUILTIN:
        raise HarnessError(
            f"unknown model provider {prefix!r} in {name!r}",
            fix=f"use one of {', '.join(known_providers())}; for an OpenAI-compatible "
            "server (vLLM, Ollama, llama.cpp) use openai/<model> with OPENAI_BASE_URL set",
        )
    module_name, _, class_name = _BUILTIN[prefix].partition(":")
    factory = getattr(import_module(module_name), class_name)
    if timeout is not None and prefix in _NETWORKED:
        return factory(model, timeout=timeout)
    return factory(model)
