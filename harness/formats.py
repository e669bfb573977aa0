"""Shared helpers for loading versioned, schema-checked files.

Every file format is a pydantic model with ``extra="forbid"`` and a
``version``. Loading goes through :func:`load_model` so a bad file always
produces the same kind of error: the file, the field, what was expected.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from harness.errors import HarnessError

__all__ = [
    "FormatError",
    "check_version",
    "content_hash",
    "dump_jsonl",
    "json_error",
    "load_model",
    "load_yaml",
    "validation_error",
]

M = TypeVar("M", bound=BaseModel)


class FormatError(HarnessError):
    """A file does not match its format."""


def check_version(data: Any, current: int, what: str) -> None:
    """Refuse data written by a newer harness, before its fields are misread.

    Args:
        data: the parsed record (a mapping with an optional ``version``; 1 when absent).
        current: the newest version this harness reads.
        what: the format or file, for the message.

    Raises:
        FormatError: the version is newer than ``current``.
    """
    if isinstance(data, dict):
        version = data.get("version", 1)
        if isinstance(version, int) and not isinstance(version, bool) and version > current:
            raise FormatError(
                f"{what} has format version {version}; this harness reads versions up to {current}",
                fix="upgrade character-harness (pip install -U character-harness)",
            )


def json_error(where: str, exc: json.JSONDecodeError) -> FormatError:
    """A broken JSON line as a whole sentence naming its line and column."""
    msg = exc.msg + (f" column {exc.colno}" if exc.msg.endswith(" at") else "")
    return FormatError(f"{where}, column {exc.colno}: not valid JSON ({msg})", fix="each line must be one JSON object")


def content_hash(text: str, length: int = 12) -> str:
    """A short, stable content hash (sha256 hex prefix)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def validation_error(path: Path | str, exc: ValidationError, hint: str | None = None) -> FormatError:
    """Turn a pydantic error into one that names file, field and expectation."""
    lines = []
    for err in exc.errors()[:5]:
        field = _field_path(tuple(err["loc"]))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (typo? see the JSON Schema for allowed fields)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        lines.append(f"  {field}: {msg}")
    more = len(exc.errors()) - 5
    if more > 0:
        lines.append(f"  ... and {more} more")
    return FormatError(
        f"{path} contains data that does not match the schema:\n" + "\n".join(lines),
        fix=hint,
    )


def load_yaml(path: Path) -> Any:
    """Parse a YAML file, naming the file and line on a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(f"{path} does not exist") from None
    try:
        # libyaml's parser when PyYAML has it: the pure-Python one takes ~60 ms per trait spec.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FormatError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None


def load_model(model: type[M], data: Any, path: Path | str, hint: str | None = None) -> M:
    """Validate ``data`` as ``model``, raising :class:`FormatError` naming ``path``."""
    if not isinstance(data, dict):
        raise FormatError(f"{path} must contain a mapping at the top level, not {type(data).__name__}", fix=hint)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, exc, hint) from None


def dump_jsonl(records: Sequence[BaseModel], path: Path) -> None:
    """Write records one JSON object per line, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(_json_line(record.model_dump(mode="json")) + "\n")
    tmp.replace(path)


def _json_line(data: Any) -> str:
    # JSON has no NaN or infinity (a user check may score NaN): they are written null, as pydantic's own JSON does,
    # so every line stays readable by any JSON tool (``jq``, pandas) and reads back as None.
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(data), ensure_ascii=False, allow_nan=False)


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    return data
