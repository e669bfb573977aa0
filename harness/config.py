"""Project configuration: ``harness.toml`` at the project root.

Every field has a default, so a project works with an empty file; the file
exists to pin choices (models, prompts under test, samples) for a team.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.errors import HarnessError
from harness.formats import load_model

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

__all__ = [
    "CONFIG_FILE",
    "FillerConfig",
    "ModelsConfig",
    "Project",
    "ProjectConfig",
    "RunConfig",
    "find_project",
    "validate_project",
]

CONFIG_FILE = "harness.toml"
CONFIG_FORMAT_VERSION = 1


class ModelsConfig(BaseModel):
    """Which model plays each role. ``auto`` picks Claude, then GPT, then the local model."""

    model_config = ConfigDict(extra="forbid")

    candidate: str = "auto"
    judge: str = "auto"
    generator: str = "auto"
    user: str = Field("auto", description="Plays simulated users in conversation scenarios.")


class RunConfig(BaseModel):
    """What ``harness run`` evaluates, and how."""

    model_config = ConfigDict(extra="forbid")

    prompts: list[str] = Field(default_factory=list, description="name@version refs; empty = every version found.")
    evals: list[str] = Field(default_factory=lambda: ["evals/*.jsonl"], description="Query files (globs allowed).")
    samples: int = Field(2, ge=1, le=100, description="Answers per query and prompt version (K).")
    max_tokens: int = Field(400, ge=1)
    temperature: float = Field(1.0, ge=0, le=2)
    seed: int = 0
    mirrors: bool = Field(True, description="Also answer the mirrored requests of the traits under test.")
    concurrency: int = Field(4, ge=1, le=256)
    max_attempts: int = Field(5, ge=1, le=20)
    retry_base_delay: float = Field(1.0, gt=0, le=60, description="First backoff wait in seconds; doubles each retry.")
    retry_max_delay: float = Field(60.0, gt=0, le=600, description="Longest wait between tries (caps retry-after too).")
    timeout: float = Field(180.0, gt=0, le=3600, description="Seconds to wait for one API reply before retrying.")
    max_cost: float | None = Field(
        None, ge=0, description="Budget in USD: no new calls once the estimated spend reaches it; None = no limit."
    )


class BatchConfig(BaseModel):
    """Batch mode: calls go through the providers' batch APIs, at half price, answered within hours."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="Send calls as batches (models whose provider has a batch API).")
    window: float = Field(1.0, gt=0, le=600, description="Seconds with no new request before a batch is sent.")
    max_size: int = Field(5000, ge=1, le=50_000, description="Most requests in one batch.")
    poll_interval: float = Field(30.0, gt=0, le=3600, description="Seconds between checks on a running batch.")
    max_wait: float = Field(
        3600.0, ge=0, description="Seconds to wait for a batch; then stop, and collect it by id on the next run."
    )


class JudgeConfig(BaseModel):
    """Judge sampling. Temperature 0 and a fixed seed make scores repeatable."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(0.0, ge=0, le=2)
    seed: int = 0
    max_tokens: int = Field(400, ge=16)
    refusal: bool = Field(True, description="Also ask the judge to classify refusals (beside the rule-based check).")
    logprobs: bool = Field(
        False,
        description="Ask the judge for log-probabilities and report probability-weighted adherence scores where the "
        "provider returns them (OpenAI and compatible servers; reasoning models reject the option).",
    )
    min_valid_mass: float = Field(
        0.5, ge=0, le=1, description="With logprobs: a verdict with less probability than this on valid scores is unscored."
    )


class FillerConfig(BaseModel):
    """Project-level changes to the filler-phrase lexicon."""

    model_config = ConfigDict(extra="forbid")

    add_openers: list[str] = Field(default_factory=list)
    add_closers: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class CompareConfig(BaseModel):
    """How comparisons decide. Effects are in each metric's units (score points, or rate)."""

    model_config = ConfigDict(extra="forbid")

    alpha: float = Field(0.05, gt=0, lt=1)
    power: float = Field(0.8, gt=0, lt=1)
    min_effect: dict[str, float] = Field(
        default_factory=lambda: {"adherence": 0.3, "over_refusal": 0.05, "filler": 0.05},
        description="Smallest difference worth detecting per metric family: a null result powered to "
        "detect it is 'no_change', otherwise 'inconclusive'.",
    )


class CheckConfig(BaseModel):
    """The CI gate: non-inferiority margins per metric family."""

    model_config = ConfigDict(extra="forbid")

    base_ref: str = Field("HEAD", description="Git revision whose prompts are the baseline.")
    margins: dict[str, float] = Field(
        default_factory=lambda: {"adherence": 0.5, "over_refusal": 0.1, "filler": 0.1},
        description="Largest tolerated worsening per metric family (score points or rate).",
    )


class PathsConfig(BaseModel):
    """Where the project's files live, relative to the project root."""

    model_config = ConfigDict(extra="forbid")

    traits: str = "traits"
    system_prompts: str = "system_prompts"
    evals: str = "evals"
    reports: str = "reports"
    runs: str = "runs"
    cache: str = ".harness/cache.sqlite"


class ChecksConfig(BaseModel):
    """User-defined checks, added to every report and comparison."""

    model_config = ConfigDict(extra="forbid")

    extra: list[str] = Field(
        default_factory=list,
        description="Checks to load, as 'package.module:name' (a module in the project root is importable).",
    )


class ProjectConfig(BaseModel):
    """The whole ``harness.toml``."""

    model_config = ConfigDict(extra="forbid")

    version: int = CONFIG_FORMAT_VERSION
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    batch: BatchConfig = Field(default_factory=BatchConfig)
    filler: FillerConfig = Field(default_factory=FillerConfig)
    compare: CompareConfig = Field(default_factory=CompareConfig)
    check: CheckConfig = Field(default_factory=CheckConfig)
    checks: ChecksConfig = Field(default_factory=ChecksConfig)
    paths: PathsConfig = Field(default_factory=PathsConfig)
    prompt_variables: dict[str, Any] = Field(default_factory=dict)

    @field_validator("version")
    @classmethod
    def _known(cls, v: int) -> int:
        if v != CONFIG_FORMAT_VERSION:
            raise ValueError(f"unsupported config version {v}; expected {CONFIG_FORMAT_VERSION}")
        return v


class Project:
    """A project root and its configuration, with its paths resolved."""

    def __init__(self, root: Path, config: ProjectConfig) -> None:
        self.root = root
        self.config = config

    def path(self, relative: str) -> Path:
        """Resolve a path from the config against the project root."""
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    @property
    def traits_dir(self) -> Path:
        return self.path(self.config.paths.traits)

    @property
    def prompts_dir(self) -> Path:
        return self.path(self.config.paths.system_prompts)

    @property
    def evals_dir(self) -> Path:
        return self.path(self.config.paths.evals)

    @property
    def reports_dir(self) -> Path:
        return self.path(self.config.paths.reports)

    @property
    def runs_dir(self) -> Path:
        return self.path(self.config.paths.runs)

    @property
    def cache_path(self) -> Path:
        return self.path(self.config.paths.cache)

    def eval_files(self, patterns: list[str] | None = None) -> list[Path]:
        """Query files matching the configured globs, sorted and de-duplicated."""
        found: set[Path] = set()
        for pattern in patterns or self.config.run.evals:
            p = Path(pattern)
            if p.is_absolute():
                matches = sorted(p.parent.glob(p.name))
            else:
                matches = sorted(self.root.glob(pattern))
            if not matches:
                raise HarnessError(f"no query files match {pattern!r} under {self.root}", fix="check [run].evals")
            found.update(m.resolve() for m in matches)
        return sorted(found)

    @classmethod
    def load(cls, root: Path | str) -> Project:
        """Load ``root/harness.toml`` (an absent file means all defaults)."""
        root = Path(root).resolve()
        path = root / CONFIG_FILE
        data: dict[str, Any] = {}
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise HarnessError(f"{path} is not valid TOML: {exc}") from None
        config = load_model(ProjectConfig, data, path, hint="see the harness.toml section of README.md")
        if config.checks.extra:
            _load_project_checks(root, config.checks.extra, path)
        return cls(root, config)


def _load_project_checks(root: Path, specs: list[str], path: Path) -> None:
    """Register the project's own checks; modules in the project root are importable."""
    import sys

    from harness.scores.checks import load_checks

    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    load_checks(specs, where=f"{path} [checks] extra")


def find_project(start: Path | str | None = None) -> Project:
    """The project containing ``start`` (default: the working directory).

    Walks up to the nearest ``harness.toml``; with none, the start directory
    itself is the project (all defaults).
    """
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_FILE).is_file():
            return Project.load(candidate)
    return Project.load(here)


def validate_project(project: Project) -> dict[str, int]:
    """Load every trait, prompt version and query file; raise on the first problem.

    Returns counts: ``traits``, ``prompts``, ``queries``, ``files``, ``conversations``.
    """
    from harness.queries import load_query_files
    from harness.runs import check_traits
    from harness.system_prompts import list_prompts, load_prompt
    from harness.traits import load_traits

    traits = load_traits(project.traits_dir)
    prompts = [load_prompt(project.prompts_dir, r, project.config.prompt_variables) for r in list_prompts(project.prompts_dir)]
    files = project.eval_files()
    queries = load_query_files(files)
    check_traits(queries, traits)
    from harness.conversations.runner import check_conversations  # pressure turns and scenarios resolve

    conversations = check_conversations(queries, traits)
    return {"traits": len(traits), "prompts": len(prompts), "queries": len(queries), "files": len(files),
            "conversations": conversations}
