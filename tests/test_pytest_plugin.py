"""The pytest plugin: prompt-behaviour checks as ordinary tests, on the same engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import copy_example_project

pytest_plugins = ["pytester"]

CONFTEST = '''
from harness.models.fake import ScriptedFakeModel
from harness.models.registry import register_provider

def _answer(request):
    body = "Run kill PID."
    return body if "Don't open with" in (request.system or "") else "Certainly! " + body + " I hope this helps!"

register_provider("scripted", lambda model: ScriptedFakeModel(model, responder=_answer))
'''

TESTS = '''
def test_v2_has_little_filler(harness_eval):
    result = harness_eval("assistant@v2", evals=["evals/directness.jsonl"], model="scripted/x", judge="none", samples=3)
    assert result.value("filler") == 0.0
    assert result.upper("filler") < 0.2   # 95% upper bound (18 answers)

def test_v1_fails_the_same_check(harness_eval):
    result = harness_eval("assistant@v1", evals=["evals/directness.jsonl"], model="scripted/x", judge="none", samples=3)
    assert result.upper("filler") < 0.2
'''


def test_fixture_runs_the_engine_and_bounds_can_fail(pytester: pytest.Pytester, tmp_path: Path) -> None:
    copy_example_project(pytester.path, evals=("directness",))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_prompts=TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    # The same engine and on-disk cache as `harness run`.
    assert (pytester.path / ".harness" / "cache.sqlite").is_file()
