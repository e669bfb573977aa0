"""The README stays true: its config example loads, and every command it shows exists."""

from __future__ import annotations

import re

import tomllib

from harness.cli import build_parser
from harness.config import ProjectConfig
from tests.helpers import REPO

README = (REPO / "README.md").read_text()


def test_config_example_is_valid() -> None:
    block = README.split("### Project configuration (`harness.toml`)")[1].split("```toml")[1].split("```")[0]
    ProjectConfig.model_validate(tomllib.loads(block))


def test_every_documented_command_exists() -> None:
    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    documented = set(re.findall(r"^\s*(?:\$ )?harness ([a-z][a-z-]+)", README, re.MULTILINE))
    assert documented and documented <= commands, documented - commands
    # and every command is documented
    assert commands <= documented, commands - documented


def test_the_two_commands_open_the_readme() -> None:
    head = README[:1500]
    assert 'pip install -e ".[local]" && .venv/bin/harness run' in head
    assert 'pip install -e ".[local,test]" && .venv/bin/pytest' in head
    ci = (REPO / ".ci" / "run").read_text()
    assert 'python3 -m venv .venv && .venv/bin/pip install -e ".[local,test]" && .venv/bin/pytest' in ci
