"""Trait specs: what a character trait is, how to probe it, how to judge it.

A trait spec is a YAML file in ``traits/``. It is validated against
:class:`TraitSpec`; ``traits/trait.schema.json`` is the published JSON Schema
(regenerate with ``harness schema``).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.errors import HarnessError
from harness.formats import content_hash, load_model, load_yaml
from harness.queries import Scenario

__all__ = [
    "Example",
    "MirrorPair",
    "PressureTurn",
    "RubricLevel",
    "TraitSpec",
    "load_trait",
    "load_traits",
    "trait_json_schema",
]

TRAIT_FORMAT_VERSION = 1
_FIX = "see traits/trait.schema.json, or compare with traits/directness.yaml"


class Example(BaseModel):
    """A short illustration of expressing or violating the trait."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, description="A user message.")
    response: str = Field(min_length=1, description="An assistant reply.")
    why: str | None = Field(default=None, description="Why this reply expresses or violates the trait.")


class Behaviour(BaseModel):
    """What expressing (or violating) the trait looks like."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1)
    examples: list[Example] = Field(default_factory=list)


class RubricLevel(BaseModel):
    """One anchored level of the judge's scale."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=10)
    description: str = Field(min_length=1)


class MirrorSide(BaseModel):
    """One side of a mirrored request."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, description="The side, e.g. 'for' or 'left'.")
    text: str = Field(min_length=1, description="The user message.")


class MirrorPair(BaseModel):
    """The same request made from opposite sides of a contested issue."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", description="Stable identifier of the pair.")
    topic: str = Field(min_length=1)
    a: MirrorSide
    b: MirrorSide


class PressureTurn(BaseModel):
    """A named user turn that pushes back on the assistant's previous answer.

    Query files name it in ``follow_ups`` (``{"pressure": "<name>"}``); a name
    here overrides a built-in one of the same name.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_\-]*$", description="How follow-ups refer to it.")
    text: str = Field(min_length=1, description="The user's message.")
    evidence: bool = Field(
        default=False, description="It brings new evidence or a real argument (changing position after it is recovery, not capitulation)."
    )


def _unique(what: str, values: list[str]) -> None:
    """Raise naming the repeated values, so a spec's author sees which to rename."""
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"{what} must be unique; repeated: {', '.join(dupes)}")


class TraitSpec(BaseModel):
    """A character trait: its description, behaviours, query dimensions and judge rubric."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(TRAIT_FORMAT_VERSION, description="Format version of this file.")
    name: str = Field(pattern=r"^[a-z][a-z0-9_\-]*$", description="Identifier; matches the file name.")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1, description="One line up to a detailed portrait.")
    expresses: Behaviour
    violates: Behaviour
    dimensions: dict[str, list[str]] = Field(
        description="Variation dimensions for generated queries, e.g. topic, user_mood, stakes, phrasing."
    )
    rubric: list[RubricLevel] = Field(min_length=2, description="Anchored score levels, lowest first.")
    mirrors: list[MirrorPair] = Field(
        default_factory=list,
        description="Mirrored requests (the same request from opposite sides); reports show the asymmetry "
        "between sides in refusal, hedging and adherence. This is how even-handedness is measured.",
    )
    pressure_turns: list[PressureTurn] = Field(
        default_factory=list,
        description="Named pushback turns for conversations (added to the built-in doubt, authority, social, "
        "emotional and insistence).",
    )
    scenarios: list[Scenario] = Field(
        default_factory=list,
        description="Simulated users that queries can name (scenario: <id>); the simulator never sees the rubric.",
    )

    @field_validator("version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v != TRAIT_FORMAT_VERSION:
            raise ValueError(f"unsupported trait format version {v}; this harness reads version {TRAIT_FORMAT_VERSION}")
        return v

    @field_validator("dimensions")
    @classmethod
    def _dimensions_nonempty(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if not v:
            raise ValueError("give at least one variation dimension, e.g. topic: [cooking, code]")
        for key, values in v.items():
            if not values:
                raise ValueError(f"dimension {key!r} has no values")
        return v

    @field_validator("mirrors")
    @classmethod
    def _unique_mirror_ids(cls, v: list[MirrorPair]) -> list[MirrorPair]:
        _unique("mirror ids", [m.id for m in v])
        return v

    @field_validator("pressure_turns")
    @classmethod
    def _unique_pressure_names(cls, v: list[PressureTurn]) -> list[PressureTurn]:
        _unique("pressure turn names", [p.name for p in v])
        return v

    @field_validator("scenarios")
    @classmethod
    def _scenario_ids(cls, v: list[Scenario]) -> list[Scenario]:
        ids = [s.id for s in v]
        if None in ids:
            raise ValueError("every scenario in a trait spec needs an id, which queries use to name it")
        _unique("scenario ids", [i for i in ids if i is not None])
        return v

    @model_validator(mode="after")
    def _rubric_contiguous(self) -> TraitSpec:
        scores = [level.score for level in self.rubric]
        expected = list(range(scores[0], scores[0] + len(scores)))
        if scores != expected:
            raise ValueError(f"rubric scores must be consecutive and ascending, e.g. 1..5; got {scores}")
        return self

    @property
    def min_score(self) -> int:
        return self.rubric[0].score

    @property
    def max_score(self) -> int:
        return self.rubric[-1].score

    def spec_hash(self) -> str:
        """Content hash of the spec's meaning (key order and formatting ignored)."""
        data = self.model_dump(mode="json")
        # Fields added later stay out of the hash while empty, so existing specs keep their hashes.
        for name in ("pressure_turns", "scenarios"):
            if not data[name]:
                del data[name]
        return content_hash(json.dumps(data, sort_keys=True))


def load_trait(path: Path | str) -> TraitSpec:
    """Load and validate one trait spec.

    Raises:
        HarnessError: naming the file, the field and the fix.
    """
    path = Path(path)
    spec = load_model(TraitSpec, load_yaml(path), path, hint=_FIX)
    if spec.name != path.stem:
        raise HarnessError(
            f"{path}: name {spec.name!r} does not match the file name {path.stem!r}",
            fix=f"rename the file to {spec.name}.yaml or set name: {path.stem}",
        )
    return spec


def load_traits(directory: Path | str) -> dict[str, TraitSpec]:
    """All trait specs in a directory, by name, in name order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise HarnessError(f"trait directory {directory} does not exist", fix="run `harness init` or create traits/")
    specs = [load_trait(p) for p in sorted(directory.glob("*.yaml"))]
    return {spec.name: spec for spec in specs}


def trait_json_schema() -> dict:
    """The JSON Schema of trait spec files, for editors."""
    schema = TraitSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "character-harness trait spec"
    return schema
