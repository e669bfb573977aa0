"""The real bundled local model (Gemma 3 270M through llama.cpp): no fakes here."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="needs the [local] extra (the README's test command installs it)")

from harness.config import Project
from harness.models.base import ChatRequest, Message
from harness.models.registry import get_provider
from harness.runs import RunOptions, execute_run
from tests.helpers import copy_example_project

pytestmark = pytest.mark.local_model


def _ask(text: str, **kw: object) -> ChatRequest:
    return ChatRequest(model="local/gemma-3-270m", messages=(Message(role="user", content=text),), max_tokens=40, **kw)


def test_local_model_answers_and_is_reproducible() -> None:
    provider = get_provider("local/gemma-3-270m")
    assert provider.smoke_test_only
    request = _ask("What is the capital of France?", temperature=0.8, seed=3)
    first = asyncio.run(provider.complete(request))
    again = asyncio.run(provider.complete(request))
    assert first.text and first.usage.input_tokens > 10 and first.usage.output_tokens > 0
    assert again.text == first.text  # same seed, same sample → same text
    other = asyncio.run(provider.complete(_ask("What is the capital of France?", temperature=0.8, seed=3, sample=1)))
    assert other.model == "local/gemma-3-270m"


def test_grammar_constrains_the_reply() -> None:
    provider = get_provider("local/gemma-3-270m")
    grammar = 'root ::= "Score: " [1-5]\n'
    reply = asyncio.run(provider.complete(_ask("Rate this reply from 1 to 5: 'Paris.'", temperature=0.0, grammar=grammar)))
    assert reply.text.startswith("Score: ") and reply.text[-1] in "12345"


def test_prefix_is_evaluated_once_for_calls_that_share_it() -> None:
    provider = get_provider("local/gemma-3-270m")
    system = "You are Sol, a helpful assistant.\n- Keep replies short."
    first = asyncio.run(provider.complete(_ask("What is 2 + 2?", system=system, temperature=0.0)))
    again = asyncio.run(provider.complete(_ask("What is 3 + 3?", system=system, temperature=0.0)))
    from harness.models.local_provider import _load, _model_path

    engines = _load(_model_path("gemma-3-270m"))[1]
    decoded: list[int] = []

    def counting(engine):  # type: ignore[no-untyped-def]
        real = engine._decode
        return lambda items: (decoded.append(len(items)), real(items))[1]

    for engine in engines:
        engine._decode = counting(engine)
    try:
        asyncio.run(provider.complete(_ask("What is 4 + 4?", system=system, temperature=0.0).model_copy(update={"max_tokens": 1})))
    finally:
        for engine in engines:
            del engine._decode  # the instance attribute goes; the method shows through again
    # The demonstrations and the system prompt (hundreds of tokens) were not evaluated again:
    # only the new question, for the prompt and the plain reference of guidance.
    assert first.usage.input_tokens > 300 and sum(decoded) < 40, decoded
    assert again.text


def test_end_to_end_run_with_the_local_model(tmp_path: Path) -> None:
    root = copy_example_project(tmp_path, evals=())
    lines = (Path(__file__).resolve().parents[2] / "evals" / "directness.jsonl").read_text().splitlines()[:2]
    (root / "evals" / "small.jsonl").write_text("\n".join(lines) + "\n")
    project = Project.load(root)
    outcome = execute_run(
        project,
        RunOptions(candidate="local/gemma-3-270m", judge="local/gemma-3-270m", prompts=["assistant@v2"], samples=1),
    )
    assert outcome.smoke_test and len(outcome.scores) == 2
    assert all(s.response is not None and s.filler is not None for s in outcome.scores)
    # The tiny judge reads its verdict off its next-token distribution: an expected score, no reason.
    assert all(s.adherence is not None and s.adherence.scorable for s in outcome.scores)
    assert all(s.adherence.expected_score is not None and s.adherence.reason == "" and s.adherence.note
               for s in outcome.scores)
    assert all(s.refusal_judge is not None and s.refusal_judge.note for s in outcome.scores)
    md = outcome.report_paths[0].read_text()
    assert "Smoke test" in md
    data = json.loads(outcome.report_paths[1].read_text())
    assert data["provenance"]["smoke_test"] is True and data["provenance"]["candidate_models"] == ["local/gemma-3-270m"]


def test_loading_from_several_threads_at_once_leaves_stdout_where_it_was() -> None:
    """llama-cpp-python points fds 1 and 2 at /dev/null while it loads; loads at once used to leave them there."""
    import os
    import threading

    from harness.models import local_provider

    before = os.fstat(1)
    local_provider._load.cache_clear()  # a cold load in each thread, as two first calls of a run make
    try:
        threads = [threading.Thread(target=local_provider._loaded, args=(local_provider._model_path("gemma-3-270m"),))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = os.fstat(1)
    finally:
        local_provider._load.cache_clear()
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
