"""``harness score --engine ray`` on a local Ray instance gives the local engine's results and report."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.config import Project
from harness.transcripts import score_file
from tests.fault_server import Faults, FaultServer
from tests.helpers import copy_example_project

ray = pytest.importorskip("ray", reason='Ray is an optional extra: pip install "character-harness[ray]"')
pytest.importorskip("pyarrow", reason="Ray Data needs pyarrow (the [ray] extra)")

REPLIES = [
    "Certainly! Run `kill -9 <pid>`. I hope this helps!",
    "I'm sorry, but I can't help with that.",
    "Run `kill <pid>`; if it ignores that, `kill -9 <pid>`.",
    "Great question! It depends. Let me know if you have any other questions!",
    "I can't write that for you, but here is how ransomware is usually detected: ...",
    "",
]


def _write_logs(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "query", "response", "arm", "trait", "should_refuse", "label"])
        for i in range(rows):
            out.writerow([f"{i:04d}", f"Question {i}: how do I stop a hung process?", REPLIES[i % len(REPLIES)],
                          ("v1", "v2")[i % 2], ("directness", "")[i % 3 == 0], ("false", "true")[i % 7 == 0],
                          "full_compliance" if i % 5 == 0 else ""])
    return path


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local Ray instance whose workers reach a local OpenAI-format server as the judge."""
    with FaultServer(Faults()) as server:
        url = server.url + "/v1"
        ray.init(
            num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1",
            runtime_env={"env_vars": {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": ""}},
        )
        try:
            yield url
        finally:
            ray.shutdown()


@pytest.mark.parametrize("judge", ["none", "openai/judge-test"])
def test_ray_engine_gives_the_local_engines_results_and_report(
    judge: str, local_ray: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", local_ray)
    project = Project.load(copy_example_project(tmp_path / "proj"))
    logs = _write_logs(tmp_path / "logs.csv", 240)

    # Ray first: its workers call the judge and fill the project's cache, which they share.
    on_ray = score_file(project, logs, tmp_path / "ray", judge=judge, engine="ray", chunk_rows=50)
    local = score_file(project, logs, tmp_path / "local", judge=judge, chunk_rows=50)

    assert local.rows == on_ray.rows == 240
    # Per answer: the same records, in the file's order, byte for byte.
    assert (tmp_path / "ray" / "results.jsonl").read_bytes() == (tmp_path / "local" / "results.jsonl").read_bytes()
    assert (tmp_path / "ray" / "logs.json").read_bytes() == (tmp_path / "local" / "logs.json").read_bytes()
    assert (tmp_path / "ray" / "logs.md").read_bytes() == (tmp_path / "local" / "logs.md").read_bytes()
    assert list((tmp_path / "ray" / "results.parquet").glob("*.parquet")), "Ray wrote its results as Parquet"
    rows = [json.loads(line) for line in (tmp_path / "ray" / "results.jsonl").read_text().splitlines()]
    assert [r["query_id"] for r in rows] == [f"{i:04d}" for i in range(240)]
    if judge != "none":
        assert all(r["judge_model"] == judge for r in rows)
        # Every judge call the workers paid for is in the shared cache: the local engine pays for none again.
        assert local.judge_stats is not None
        assert local.judge_stats.api_calls == 0 and local.judge_stats.cache_hits > 0
