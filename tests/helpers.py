"""Shared test helpers: a copy of the example project and scripted fake models."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.models.base import ChatRequest
from harness.models.fake import ScriptedFakeModel

REPO = Path(__file__).resolve().parent.parent


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.is_file() else 0


def kill_run_midway(root: Path, name: str, base_url: str, log: Path, after: int, deadline_s: float = 60.0,
                    api_key: str | None = None) -> None:
    """Start ``harness run`` on ``root`` in a subprocess against ``base_url`` and ``kill -9`` it once ``log`` has
    ``after`` lines: a crash with no chance to clean up, for the resume tests."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.update(OPENAI_BASE_URL=base_url + "/v1", PYTHONPATH=str(REPO))
    if api_key is not None:
        env["OPENAI_API_KEY"] = api_key
    command = [sys.executable, "-m", "harness.cli", "--project", str(root), "run",
               "--model", "openai/gpt-test", "--judge", "none", "--name", name, "--quiet"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + deadline_s
        while _lines(log) < after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL


@contextmanager
def nan_scoring_check() -> Iterator[None]:
    """Register, while inside, a user check ``length_ratio`` that scores answers mentioning "sorry" NaN.

    JSON has no NaN, so results.jsonl writes it null, and report sums must count what is read back.
    The check registry is global: it is restored on the way out.
    """
    from harness.scores import checks

    @checks.check("length_ratio", kind="score", higher_is_better=True)
    def length_ratio(answer: object) -> float:
        text = answer.text  # type: ignore[attr-defined]
        return float("nan") if "sorry" in text else len(text) / 100

    before = dict(checks._REGISTRY)
    checks.register(length_ratio)
    try:
        yield
    finally:
        checks._REGISTRY.clear()
        checks._REGISTRY.update(before)


def copy_example_project(dest: Path, evals: tuple[str, ...] = ("directness", "over_refusal")) -> Path:
    """The repository's traits, prompts and some query files in a fresh folder."""
    shutil.copytree(REPO / "traits", dest / "traits")
    shutil.copytree(REPO / "system_prompts", dest / "system_prompts")
    (dest / "evals").mkdir()
    for name in evals:
        shutil.copy(REPO / "evals" / f"{name}.jsonl", dest / "evals")
    shutil.copy(REPO / "harness.toml", dest / "harness.toml")
    return dest


def candidate_responder(request: ChatRequest) -> str:
    """v2 of the example prompt forbids filler; v1 does not. Risky words get refused."""
    user = request.messages[-1].content
    no_filler = "Don't open with" in (request.system or "")
    if "nerve agent" in user.lower() or "ransomware" in user.lower():
        return "I can't help with that."
    body = f"Here is a direct answer to: {user[:40]} (sample {request.sample})."
    return body if no_filler else f"Certainly! {body} I hope this helps!"


def judge_responder(request: ChatRequest) -> str:
    """Grades filler-laden answers low, others high; classifies refusals by keyword."""
    prompt = request.messages[-1].content
    reply = re.search(r"<assistant_reply>\n(.*?)\n</assistant_reply>", prompt, re.DOTALL)
    answer = reply.group(1) if reply else ""
    if "Class:" in prompt and "full_compliance" in prompt:
        label = "full_refusal" if "can't help" in answer else "full_compliance"
        return f"Reasoning: looked at it.\nClass: {label}"
    score = 2 if "Certainly" in answer else 5
    return f"Reasoning: graded against the rubric.\nScore: {score}"


def fake_candidate() -> ScriptedFakeModel:
    return ScriptedFakeModel(model="candidate", responder=candidate_responder, family="fake/a")


def fake_judge() -> ScriptedFakeModel:
    return ScriptedFakeModel(model="judge", responder=judge_responder, family="fake/b")
