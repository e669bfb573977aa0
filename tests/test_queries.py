"""Query generation: coverage of dimensions, cleaning, near-duplicate removal, stable files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from harness.cli import main
from harness.models.client import ModelClient
from harness.models.fake import ScriptedFakeModel
from harness.models.registry import register_provider
from harness.queries import (
    Query,
    clean_generated,
    dedupe,
    dimension_grid,
    generate_queries,
    load_query_file,
    make_query_id,
    merge_generated,
    save_queries,
)
from harness.traits import load_trait
from tests.helpers import REPO, copy_example_project

TRAIT = load_trait(REPO / "traits" / "directness.yaml")


def test_grid_uses_every_value_before_repeating() -> None:
    cells = dimension_grid(TRAIT, 12, seed=1)
    for key, values in TRAIT.dimensions.items():
        seen = [dims[key] for dims, _ in cells[: len(values)]]
        assert sorted(seen) == sorted(values)
    assert sum(tempt for _, tempt in cells) == 6


def test_clean_generated_strips_labels_and_quotes() -> None:
    assert clean_generated('User: "How long does rice keep?"') == "How long does rice keep?"
    assert clean_generated("ok") is None


def test_near_duplicates_removed() -> None:
    a = Query(id="1", text="How long do leftovers keep in the fridge?")
    b = Query(id="2", text="How long do leftovers keep in the fridge??")
    c = Query(id="3", text="What is a good beginner bicycle?")
    assert [q.id for q in dedupe([a, b, c])] == ["1", "3"]


_OPENINGS = [
    "Quick one about", "I keep getting confused by", "Can you settle an argument on", "My boss asked me about",
    "Explain like I'm five:", "Honestly stuck with", "Before my exam, tell me about", "Thoughts on",
]


def _responder(request):  # type: ignore[no-untyped-def]
    # The prompt names the dimension values; echo them into a distinct message.
    lines = [ln for ln in request.messages[0].content.splitlines() if ln.startswith("- topic:")]
    return f"{_OPENINGS[request.sample % 8]} {lines[0][9:]}? ({request.sample})"


def test_generate_produces_queries_with_dimensions_and_ids() -> None:
    fake = ScriptedFakeModel(responder=_responder)
    queries = asyncio.run(generate_queries(ModelClient(fake, None), TRAIT, 8))
    assert len(queries) == 8 and len(fake.requests) == 8
    for q in queries:
        assert q.id == make_query_id("directness", q.text) and q.source == "generated"
        assert set(q.dimensions) == set(TRAIT.dimensions)
        assert q.dimensions["topic"] in q.text
    assert any(q.tempts_violation for q in queries) and not all(q.tempts_violation for q in queries)
    assert "tempt" in fake.requests[0].messages[0].content


def test_regeneration_keeps_hand_written_and_is_stable(tmp_path: Path) -> None:
    hand = Query(id="h1", trait="directness", text="A hand-written query about taxes.")
    old_gen = Query(id="g-old", trait="directness", text="An old generated one.", source="generated")
    new = [
        Query(id=make_query_id("directness", t), trait="directness", text=t, source="generated")
        for t in ("zeta query here", "alpha query here")
    ]
    merged = merge_generated([hand, old_gen], new)
    assert {q.id for q in merged} == {"h1", *(q.id for q in new)}
    path = tmp_path / "q.jsonl"
    save_queries(merged, path)
    first = path.read_bytes()
    save_queries(list(reversed(load_query_file(path))), path)
    assert path.read_bytes() == first


def test_generate_cli_writes_file(tmp_path: Path) -> None:
    register_provider("fake", lambda model: ScriptedFakeModel(model, responder=_responder))
    copy_example_project(tmp_path)
    out = tmp_path / "evals" / "gen.jsonl"
    assert main(["--project", str(tmp_path), "generate", "directness", "-n", "5", "--model", "fake/gen", "--out", str(out)]) == 0
    assert len(load_query_file(out)) == 5


def test_harness_generate_uses_the_projects_client_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness import runs
    from harness.cli import main
    from harness.models import registry
    from tests.helpers import copy_example_project

    root = copy_example_project(tmp_path / "p", evals=())
    toml = (root / "harness.toml").read_text().replace("[run]\n", "[run]\nmax_attempts = 2\ntimeout = 7.0\n")
    (root / "harness.toml").write_text(toml)
    fake = ScriptedFakeModel(model="gen", responder=lambda r: "How long does cooked rice keep in the fridge?")
    monkeypatch.setitem(registry._REGISTERED, "gentest", lambda name: fake)
    built = []
    make_client = runs.make_client

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        client = make_client(*args, **kwargs)
        built.append(client)
        return client

    monkeypatch.setattr(runs, "make_client", spy)
    assert main(["--project", str(root), "generate", "directness", "-n", "2", "--model", "gentest/gen"]) == 0
    assert [c._max_attempts for c in built] == [2]  # [run].max_attempts, not the client's default
