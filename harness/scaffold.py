"""``harness init``: scaffold a project of one's own in another repository."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from harness.errors import HarnessError

__all__ = ["init_project"]

# Package-data names that differ from their place in the new project
# (a file named .gitignore would be skipped by some packaging tools).
_RENAMES = {"gitignore": ".gitignore"}


def _walk(node: Traversable, prefix: Path) -> list[tuple[Path, Traversable]]:
    out: list[tuple[Path, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        target = prefix / _RENAMES.get(child.name, child.name)
        if child.is_dir():
            out.extend(_walk(child, target))
        else:
            out.append((target, child))
    return out


def init_project(directory: Path, force: bool = False) -> list[Path]:
    """Write the example project into ``directory``; returns the files written.

    Raises:
        HarnessError: a file would be overwritten and ``force`` is False.
    """
    files = _walk(resources.files("harness").joinpath("scaffold"), Path())
    clashes = [rel for rel, _ in files if (directory / rel).exists()]
    if clashes and not force:
        raise HarnessError(
            f"{directory} already has {', '.join(str(c) for c in clashes[:3])}"
            + (" and more" if len(clashes) > 3 else ""),
            fix="choose an empty directory, or pass --force to overwrite",
        )
    written = []
    for rel, source in files:
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        written.append(target)
    (directory / "reports").mkdir(parents=True, exist_ok=True)
    return written
