"""Packaged Jinja2 templates (judge prompts, generator prompt, Markdown reports) and the one artifact writer.

Strict undefined variables everywhere: a missing value is an error, never a
silently empty string in a prompt. Every analysis (report, calibration,
trait quality, comparison, gate) is a typed model rendered to Markdown by a
template here and written, with its JSON beside it, by :func:`write_artifact`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import jinja2

from harness import formatting
from harness.formats import content_hash

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import BaseModel

__all__ = ["render", "render_markdown", "template", "template_hash", "template_source", "write_artifact"]

# Filters every template can use: the shared formatting helpers.
_COMMON_FILTERS: dict[str, Callable[..., str]] = {
    "excerpt": formatting.excerpt,
    "fmt": formatting.fmt,
    "num": formatting.fmt_num,
    "signed": formatting.signed,
    "pct1": formatting.pct,
    "p": formatting.format_p,
    "md": formatting.md_cell,
    "html": formatting.html_text,
}


@cache
def template_source(filename: str) -> str:
    """The text of a packaged template."""
    return resources.files("harness").joinpath("templates").joinpath(filename).read_text(encoding="utf-8")


@cache
def template(filename: str, filters: tuple[tuple[str, Callable[..., str]], ...] = ()) -> jinja2.Template:
    """A compiled packaged template, with extra filters (name, function)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(_COMMON_FILTERS)
    env.filters.update(dict(filters))
    return env.from_string(template_source(filename))


def render(filename: str, **values: object) -> str:
    """Render a packaged template."""
    return template(filename).render(**values)


def template_hash(filename: str) -> str:
    """Content hash of a template: recorded with everything it produced."""
    return content_hash(template_source(filename))


def render_markdown(filename: str, filters: tuple[tuple[str, Callable[..., str]], ...] = (), **values: object) -> str:
    """A Markdown artifact from its template: trailing whitespace trimmed, one final newline."""
    return template(filename, filters).render(**values).rstrip() + "\n"


def write_artifact(model: BaseModel, markdown: str, directory: Path, name: str) -> tuple[Path, Path]:
    """Write ``<name>.md`` (the rendering) and ``<name>.json`` (the model it was rendered from).

    The JSON holds everything the Markdown shows, so the pair can be re-rendered
    byte for byte. Returns both paths.
    """
    import json

    directory.mkdir(parents=True, exist_ok=True)
    md = directory / f"{name}.md"
    js = directory / f"{name}.json"
    md.write_text(markdown, encoding="utf-8")
    js.write_text(json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md, js
