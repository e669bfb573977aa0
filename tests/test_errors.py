"""Bad input gets a short error naming the problem and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.models.registry import get_provider
from harness.system_prompts import load_prompt
from harness.traits import load_trait
from tests.helpers import REPO, copy_example_project


def _trait_text() -> str:
    return (REPO / "traits" / "directness.yaml").read_text()


def test_invalid_trait_names_file_field_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "directness.yaml"
    bad.write_text(_trait_text().replace("rubric:", "rubrik:"))
    with pytest.raises(HarnessError) as info:
        load_trait(bad)
    text = str(info.value)
    assert str(bad) in text and "rubrik" in text and "rubric" in text and "fix:" in text


def test_trait_with_non_consecutive_rubric_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "directness.yaml"
    bad.write_text(_trait_text().replace("- score: 3", "- score: 7"))
    with pytest.raises(HarnessError, match=r"rubric.*consecutive"):
        load_trait(bad)


def test_trait_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "directness.yaml"
    bad.write_text("name: directness\ntitle: [unclosed\n")
    with pytest.raises(HarnessError, match=r"directness.yaml is not valid YAML at line \d+"):
        load_trait(bad)


def test_trait_name_must_match_file(tmp_path: Path) -> None:
    bad = tmp_path / "other.yaml"
    bad.write_text(_trait_text())
    with pytest.raises(HarnessError, match="rename the file"):
        load_trait(bad)


def test_unknown_model_provider() -> None:
    with pytest.raises(HarnessError) as info:
        get_provider("gemini/pro")
    assert "unknown model provider 'gemini'" in info.value.message and "anthropic" in (info.value.fix or "")


def test_model_string_without_provider() -> None:
    with pytest.raises(HarnessError, match="provider/model"):
        get_provider("claude-sonnet")


def test_unknown_local_model() -> None:
    with pytest.raises(HarnessError, match="unknown local model"):
        get_provider("local/llama-70b")


def test_missing_template_variable(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "v1.md").write_text("---\nversion: 1\n---\nYou are {{ assistant_name }} from {{ company }}.\n")
    with pytest.raises(HarnessError) as info:
        load_prompt(tmp_path, "p@v1", {"assistant_name": "Sol"})
    assert "'company' is not defined" in info.value.message and "v1.md" in info.value.message
    assert "variables:" in (info.value.fix or "")


def test_bad_prompt_reference(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="name@version"):
        load_prompt(tmp_path, "assistant-v1")


@pytest.mark.parametrize(
    ("model", "var"), [("anthropic/claude-sonnet-4-5", "ANTHROPIC_API_KEY"), ("openai/gpt-4.1-mini", "OPENAI_API_KEY")]
)
def test_missing_api_key_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], model: str, var: str) -> None:
    copy_example_project(tmp_path)
    code = main(["--project", str(tmp_path), "run", "--model", model, "--judge", "none", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{var} is not set" in err and "fix:" in err and "Traceback" not in err


def test_cli_reports_invalid_trait_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_example_project(tmp_path)
    path = tmp_path / "traits" / "directness.yaml"
    path.write_text(path.read_text().replace("title:", "titel:"))
    assert main(["--project", str(tmp_path), "validate"]) == 2
    err = capsys.readouterr().err
    assert "directness.yaml" in err and "titel" in err and "Traceback" not in err


def test_cli_unknown_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_example_project(tmp_path)
    assert main(["--project", str(tmp_path), "run", "--model", "nope/x", "--judge", "none", "--quiet"]) == 2
    assert "unknown model provider 'nope'" in capsys.readouterr().err


def test_query_file_error_names_line(tmp_path: Path) -> None:
    from harness.queries import load_query_file

    path = tmp_path / "q.jsonl"
    path.write_text('{"version": 1, "id": "a", "text": "hi"}\n{"version": 1, "id": "b", "txt": "hi"}\n')
    with pytest.raises(HarnessError, match=r"q.jsonl:2"):
        load_query_file(path)
