"""Versioned system prompts: ``system_prompts/<name>/<version>.md``.

Each file is a Jinja2 template with YAML front matter. A prompt is addressed
as ``name@version``; its identity is the hash of the rendered text, so two
runs with the same hash saw exactly the same system prompt.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.errors import HarnessError
from harness.formats import FormatError, content_hash, load_model

__all__ = ["PromptFrontMatter", "SystemPrompt", "diff_prompts", "list_prompts", "load_prompt", "parse_ref"]

PROMPT_FORMAT_VERSION = 1
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.DOTALL)


class PromptFrontMatter(BaseModel):
    """The YAML block at the top of a prompt file."""

    model_config = ConfigDict(extra="forbid")

    version: int = PROMPT_FORMAT_VERSION
    description: str = ""
    variables: dict[str, Any] = Field(default_factory=dict, description="Default values for template variables.")

    @field_validator("version")
    @classmethod
    def _known(cls, v: int) -> int:
        if v != PROMPT_FORMAT_VERSION:
            raise ValueError(f"unsupported prompt format version {v}; expected {PROMPT_FORMAT_VERSION}")
        return v


class SystemPrompt(BaseModel):
    """A rendered system prompt version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    path: str
    description: str
    template: str
    text: str

    @property
    def ref(self) -> str:
        """``name@version``."""
        return f"{self.name}@{self.version}"

    @property
    def hash(self) -> str:
        """Hash of the rendered text: what the model actually saw."""
        return content_hash(self.text)


def parse_ref(ref: str) -> tuple[str, str]:
    """Split ``name@version``; raise a clear error otherwise."""
    name, sep, version = ref.partition("@")
    if not sep or not name or not version:
        raise HarnessError(
            f"bad system prompt reference {ref!r}",
            fix="write name@version, e.g. assistant@v2 for system_prompts/assistant/v2.md",
        )
    return name, version


def _split_front_matter(path: Path, raw: str) -> tuple[dict[str, Any], str]:
    import yaml

    match = _FRONT.match(raw)
    if not match:
        return {}, raw
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise FormatError(f"{path}: front matter is not valid YAML: {exc}") from None
    return data, match.group(2)


def render_template(path: Path | str, template: str, variables: dict[str, Any]) -> str:
    """Render with strict undefined variables: a missing one is a clear error."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)
    try:
        return env.from_string(template).render(**variables).strip() + "\n"
    except jinja2.UndefinedError as exc:
        missing = re.search(r"'([^']+)' is undefined", str(exc))
        var = missing.group(1) if missing else str(exc)
        raise HarnessError(
            f"{path}: template variable {var!r} is not defined",
            fix=f"add `{var}: ...` under `variables:` in the front matter, or set it in "
            "[prompt_variables] of harness.toml",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise HarnessError(f"{path}, line {exc.lineno}: template syntax error: {exc.message}") from None


def load_prompt(root: Path | str, ref: str, variables: dict[str, Any] | None = None) -> SystemPrompt:
    """Load and render ``name@version`` from ``root`` (the ``system_prompts/`` folder).

    Args:
        root: the system prompts directory.
        ref: ``name@version``.
        variables: values overriding the front matter's defaults.
    """
    name, version = parse_ref(ref)
    path = Path(root) / name / f"{version}.md"
    if not path.is_file():
        available = ", ".join(list_prompts(root)) or "none"
        raise HarnessError(f"system prompt {ref} not found at {path}", fix=f"available prompts: {available}")
    return prompt_from_text(path, name, version, path.read_text(encoding="utf-8"), variables)


def prompt_from_text(
    path: Path | str, name: str, version: str, raw: str, variables: dict[str, Any] | None = None
) -> SystemPrompt:
    """Build a :class:`SystemPrompt` from file contents (used for git revisions too)."""
    data, body = _split_front_matter(Path(path), raw)
    front = load_model(PromptFrontMatter, data, path, hint="front matter allows version, description, variables")
    merged = {**front.variables, **(variables or {})}
    text = render_template(path, body, merged)
    return SystemPrompt(
        name=name, version=version, path=str(path), description=front.description, template=body, text=text
    )


def list_prompts(root: Path | str) -> list[str]:
    """Every ``name@version`` under ``root``, sorted."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(f"{p.parent.name}@{p.stem}" for p in root.glob("*/*.md"))


def diff_prompts(a: SystemPrompt, b: SystemPrompt) -> str:
    """A unified diff of the two rendered prompts."""
    lines = difflib.unified_diff(
        a.text.splitlines(keepends=True),
        b.text.splitlines(keepends=True),
        fromfile=f"{a.ref} ({a.hash})",
        tofile=f"{b.ref} ({b.hash})",
    )
    return "".join(lines)
