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


def test_bounds_without_an_interval_fail_instead_of_using_the_point_estimate() -> None:
    from harness.pytest_plugin import EvalResult
    from harness.reports import CheckInfo, Estimate, Provenance, Report, Row

    prov = Provenance(candidate_models=["m"], judge_model=None, adherence_prompt_hash=None, refusal_prompt_hash=None,
                      prompts={}, traits={})
    one_query = Estimate(value=4.0, low=None, high=None, n=1)
    report = Report(
        name="r", provenance=prov, checks=[CheckInfo(name="adherence", label="adherence", kind="score", higher_is_better=True)],
        rows=[Row(arm="a@v1", trait="(all)", n=1, failed=0, unscored=0, metrics={"adherence": one_query})], examples=[],
    )
    result = EvalResult(report, "a@v1")
    assert result.value("adherence") == 4.0
    with pytest.raises(AssertionError, match="no 95% interval for adherence"):
        result.lower("adherence")
    with pytest.raises(AssertionError, match="no 95% interval for adherence"):
        result.upper("adherence")
