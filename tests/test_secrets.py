"""Secrets never leak into caches, transcripts, reports, logs or exceptions."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from tests.helpers import copy_example_project
from tests.wire_servers import (  # noqa: F401 - wire_server is a fixture
    ScriptedResponse,
    ScriptedServer,
    openai_chat_completion,
    openai_error,
    wire_server,
)

KEY = "sk-proj-SECRETKEY1234567890abcdef"


def test_key_appears_nowhere_after_a_run_with_failures(
    tmp_path: Path, wire_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", wire_server.url + "/v1")
    root = copy_example_project(tmp_path, evals=("directness",))
    (root / "harness.toml").write_text(
        (root / "harness.toml").read_text().replace("[run]\n", "[run]\nmax_attempts = 1\n")
    )
    # 24 slots: most succeed, some fail with an error that echoes the key back.
    for i in range(24):
        if i % 6 == 0:
            wire_server.enqueue(ScriptedResponse(400, openai_error(f"Incorrect API key provided: {KEY}")))
        else:
            wire_server.enqueue(ScriptedResponse(200, openai_chat_completion(f"Answer {i}.")))
    code = main(["--project", str(root), "run", "--model", "openai/gpt-4.1-mini", "--judge", "none", "--quiet"])
    out = capsys.readouterr()
    assert code == 0
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in wire_server.requests)  # the key was used
    leaked = [p for p in root.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]
    assert leaked == []
    assert KEY not in out.out and KEY not in out.err
    transcript = next((root / "runs").glob("*/answers.jsonl")).read_text()
    assert "Incorrect API key provided" in transcript and "[REDACTED]" in transcript  # recorded, scrubbed
