"""Filler-phrase detection: stock openers at the start, stock closers at the end."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from harness.errors import HarnessError
from harness.scores.filler import DEFAULT_LEXICON, FillerLexicon, FillerResult, detect_filler

BODY = "Python lists are mutable, so `append` changes the list in place and returns None."


@pytest.mark.parametrize(
    ("text", "openers", "closers"),
    [
        pytest.param("Certainly! " + BODY, ["Certainly!"], [], id="gpt-certainly"),
        pytest.param("**Certainly!** " + BODY, ["Certainly!"], [], id="bold-emphasis"),
        pytest.param("__Absolutely.__ " + BODY, ["Absolutely!"], [], id="underscore-emphasis-and-period"),
        pytest.param("# Sure!\n\n" + BODY, ["Sure!"], [], id="markdown-heading"),
        pytest.param("> Of course, " + BODY, ["Of course!"], [], id="blockquote-and-comma"),
        pytest.param("Of course the answer is 4.", ["Of course!"], [], id="multiword-opener-without-punctuation"),
        pytest.param("GREAT QUESTION!!! " + BODY, ["Great question!"], [], id="shouting"),
        pytest.param("I’d be happy to help with that. " + BODY, ["I'd be happy to help"], [], id="curly-apostrophe"),
        pytest.param(
            "Absolutely! Great question! I'd be happy to help. " + BODY,
            ["Absolutely!", "Great question!", "I'd be happy to help"],
            [],
            id="chained-openers",
        ),
        pytest.param("Oh, what a great question! " + BODY, ["What a great question!"], [], id="leading-interjection"),
        pytest.param(BODY + "\n\nI hope this helps!", [], ["I hope this helps!"], id="closer-last-sentence"),
        pytest.param(
            BODY + " Hope that helps! Let me know if you have any other questions.",
            [],
            ["Hope that helps!", "Let me know if you have any other questions"],
            id="chained-closers",
        ),
        pytest.param(
            BODY + "\n\nLet me know if you have any other questions. Good luck!",
            [],
            ["Let me know if you have any other questions"],
            id="closer-before-sign-off",
        ),
        pytest.param(
            "Sure! " + BODY + "\n\nIf you have any other questions, feel free to ask!",
            ["Sure!"],
            ["If you have any other questions", "Feel free to ask"],
            id="opener-and-two-closers-in-one-sentence",
        ),
        pytest.param(
            "Let me know if you have any other questions!",
            [],
            ["Let me know if you have any other questions"],
            id="closer-only-answer-is-filler",
        ),
        pytest.param(
            "Sure! Here's the fix:\n\n```python\nitems.append(x)\n```",
            ["Sure!"],
            [],
            id="opener-before-code-block",
        ),
        # Negatives.
        pytest.param("Sure.", [], [], id="one-word-yes-answer"),
        pytest.param("Absolutely!", [], [], id="whole-answer-is-affirmation"),
        pytest.param("Of course not. " + BODY, [], [], id="negated-opener"),
        pytest.param("Surely you don't need a loop here. " + BODY, [], [], id="surely-is-not-sure"),
        pytest.param("Certainly the biggest factor is cost. " + BODY, [], [], id="certainly-as-adverb"),
        pytest.param("You can certainly do that. " + BODY, [], [], id="certainly-mid-sentence"),
        pytest.param("The result is, of course, the same. " + BODY, [], [], id="of-course-mid-text"),
        pytest.param(BODY + " Great question! Many people ask it.", [], [], id="great-question-mid-text"),
        pytest.param(
            "I hope this helps you see why. " + BODY + " Lists also support slicing.",
            [],
            [],
            id="closer-phrase-at-start-is-not-a-closer",
        ),
        pytest.param(
            "Here's a greeting script:\n\n```python\nprint('Sure! Hope this helps!')\n```",
            [],
            [],
            id="phrases-inside-code-block",
        ),
        pytest.param("Run `echo sure` to test. " + BODY + " Then run `echo hope this helps`.", [], [], id="inline-code"),
        pytest.param(
            BODY + " I hope this helps. " + BODY + " " + BODY + " The end.",
            [],
            [],
            id="closer-mid-text",
        ),
        pytest.param("", [], [], id="empty"),
    ],
)
def test_detect_filler(text: str, openers: list[str], closers: list[str]) -> None:
    result = detect_filler(text)
    assert (result.openers, result.closers) == (openers, closers)
    assert result.phrases == openers + closers
    assert result.has_filler is bool(openers or closers)


def test_long_answer_finds_both_ends() -> None:
    middle = " ".join([BODY] * 200)
    result = detect_filler(f"Great question! {middle}\n\nHappy coding!")
    assert result.phrases == ["Great question!", "Happy coding!"]


def test_repeated_phrase_is_reported_once() -> None:
    result = detect_filler(BODY + " Hope this helps! Hope this helps!")
    assert result.closers == ["Hope this helps!"]


def test_override_adds_an_opener() -> None:
    lexicon = DEFAULT_LEXICON.with_overrides(add_openers=["Ah, the classic dilemma"])
    text = "Ah, the classic dilemma! " + BODY
    assert detect_filler(text).openers == []
    assert detect_filler(text, lexicon).openers == ["Ah, the classic dilemma"]


def test_override_adds_a_closer() -> None:
    lexicon = DEFAULT_LEXICON.with_overrides(add_closers=["Cheers"])
    assert detect_filler(BODY + " Cheers!", lexicon).closers == ["Cheers"]


def test_override_removes_case_insensitively() -> None:
    lexicon = DEFAULT_LEXICON.with_overrides(remove=["certainly", "HOPE THIS HELPS"])
    assert "Certainly!" not in lexicon.openers
    assert "Hope this helps!" not in lexicon.closers
    result = detect_filler("Certainly! " + BODY + " Hope this helps!", lexicon)
    assert result.phrases == []
    # The default lexicon is untouched.
    assert detect_filler("Certainly! " + BODY).openers == ["Certainly!"]


def test_override_rejects_unknown_removal() -> None:
    with pytest.raises(HarnessError, match="Certianly"):
        DEFAULT_LEXICON.with_overrides(remove=["Certianly"])


def test_override_does_not_duplicate_existing_phrase() -> None:
    lexicon = DEFAULT_LEXICON.with_overrides(add_openers=["certainly"])
    assert lexicon.openers == DEFAULT_LEXICON.openers


def test_lexicon_rejects_unknown_fields_and_empty_phrases() -> None:
    with pytest.raises(ValidationError):
        FillerLexicon(openers=[], closers=[], extra=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="no words"):
        FillerLexicon(openers=["!!!"], closers=[])


def test_lexicon_round_trips_through_json() -> None:
    data = DEFAULT_LEXICON.model_dump(mode="json")
    assert FillerLexicon.model_validate(data) == DEFAULT_LEXICON
    assert data["version"] == 1


def test_result_forbids_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        FillerResult(has_filler=False, phrases=[], openers=[], closers=[], score=0)  # type: ignore[call-arg]
