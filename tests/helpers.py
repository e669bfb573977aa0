"""Shared test helpers: a copy of the example project and scripted fake models."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.models.base import ChatRequest
from harness.models.fake import ScriptedFakeModel

REPO = Path(__file__).resolve().parent.parent


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
