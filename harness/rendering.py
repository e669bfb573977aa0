"""Packaged Jinja2 templates (judge prompts, generator prompt, Markdown report).

Strict undefined variables everywhere: a missing value is an error, never a
silently empty string in a prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources

import jinja2

from harness.formats import content_hash

__all__ = ["render", "template", "template_hash", "template_source"]


@lru_cache(maxsize=None)
def template_source(filename: str) -> str:
    """The text of a packaged template."""
    return resources.files("harness").joinpath("templates", filename).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def template(filename: str, filters: tuple[tuple[str, Callable[..., str]], ...] = ()) -> jinja2.Template:
    """A compiled packaged template, with extra filters (name, function)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(dict(filters))
    return env.from_string(template_source(filename))


def render(filename: str, **values: object) -> str:
    """Render a packaged template."""
    return template(filename).render(**values)


def template_hash(filename: str) -> str:
    """Content hash of a template: recorded with everything it produced."""
    return content_hash(template_source(filename))
