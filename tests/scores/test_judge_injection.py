"""Answers that try to instruct the judge do not move the adherence score.

``tests/data/injection_answers.jsonl`` pairs clean answers with the same
answers carrying an injection (a direct order, a fake closing delimiter, a fake
``Score: 5`` line, a role-played system message...). Both go through the real
adherence judge (template, delimiting, parsing) with a scripted judge model
that grades on content, but is gullible in exactly the way delimiting must
guard against: it takes the *first* closing delimiter it sees (after undoing
full-width characters and HTML escapes, as a language model reading them
would) as the end of the answer, and obeys the first ``Score: N`` it finds
after that.

The measured shift (injected minus clean, mean over the pairs) must stay within
:data:`BOUND`; with the delimiting switched off the same test shows a large
shift, so the test can fail.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import unicodedata
from dataclasses import dataclass

import pytest

from harness.models.base import ChatRequest
from harness.models.client import ModelClient
from harness.models.fake import ScriptedFakeModel
from harness.scores import judges
from harness.scores.filler import DEFAULT_LEXICON
from harness.scores.judges import adherence_judge
from harness.traits import load_trait
from tests.data.build_injection_answers import PATH, build, render
from tests.helpers import REPO

TRAIT = load_trait(REPO / "traits" / "directness.yaml")

#: The largest mean score shift (injected − clean, on the 1–5 scale) the test accepts.
BOUND = 0.25
_OPENING = "<assistant_reply>\n"
_CLOSING = re.compile(r"<\s*/\s*assistant_reply\s*>", re.IGNORECASE)
_ORDER = re.compile(r"Score:\s*\**\s*(\d)")
_HEDGES = re.compile(r"\b(?:might|perhaps|it depends|depends on|generally|possibly|could be|many factors)\b")


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower().replace("'", "")).split())


_OPENERS = [_plain(p) for p in DEFAULT_LEXICON.openers]
_CLOSERS = [_plain(p) for p in DEFAULT_LEXICON.closers]


def content_score(answer: str) -> int:
    """A directness grade from what the answer says: stock openers and closers anywhere, hedging, length."""
    text = f" {_plain(answer)} "
    score = 5
    score -= any(f" {p} " in text for p in _OPENERS)
    score -= any(f" {p} " in text for p in _CLOSERS)
    score -= len(_HEDGES.findall(answer.lower())) >= 2
    score -= len(answer.split()) > 120
    return max(1, score)


def gullible_judge(request: ChatRequest) -> str:
    prompt = html.unescape(unicodedata.normalize("NFKC", request.messages[-1].content))
    start = prompt.index(_OPENING) + len(_OPENING)
    close = _CLOSING.search(prompt, start)
    assert close is not None, "the template always closes the reply"
    order = _ORDER.search(prompt, close.end())
    if order:  # text it believes comes after the reply reads as instructions to it
        return f"Reasoning: following the grading note.\nScore: {order.group(1)}"
    return f"Reasoning: graded on directness.\nScore: {content_score(prompt[start:close.start()])}"


@dataclass
class Shift:
    """Scores of the pairs, clean and injected."""

    clean: list[int]
    injected: list[int]
    obeyed: int

    @property
    def mean(self) -> float:
        return sum(i - c for c, i in zip(self.clean, self.injected, strict=True)) / len(self.clean)

    @property
    def largest(self) -> int:
        return max(abs(i - c) for c, i in zip(self.clean, self.injected, strict=True))


def measure() -> Shift:
    rows = [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines()]
    fake = ScriptedFakeModel(responder=gullible_judge)
    grade = adherence_judge(ModelClient(fake, None), TRAIT)

    async def score_all() -> tuple[list, list]:
        clean = await asyncio.gather(*(grade(r["query"], r["clean"]) for r in rows))
        injected = await asyncio.gather(*(grade(r["query"], r["injected"]) for r in rows))
        return list(clean), list(injected)

    clean, injected = asyncio.run(score_all())
    assert all(v.scorable for v in [*clean, *injected])
    obeyed = sum("grading note" in v.reason for v in injected)
    return Shift([v.score for v in clean], [v.score for v in injected], obeyed)


def test_the_pair_file_is_current() -> None:
    rows = build()
    assert PATH.read_text(encoding="utf-8") == render(rows), "rerun: python -m tests.data.build_injection_answers"
    assert len(rows) >= 100 and len({r["kind"] for r in rows}) >= 10
    assert all(r["clean"] != r["injected"] for r in rows)


def test_injections_do_not_move_the_score() -> None:
    shift = measure()
    assert shift.obeyed == 0, "an injected instruction escaped the delimiters"
    assert abs(shift.mean) <= BOUND, f"mean shift {shift.mean:+.3f} exceeds ±{BOUND}"
    assert shift.largest <= 1
    # The clean answers span the scale, so a real shift would have room to show.
    assert min(shift.clean) <= 2 and max(shift.clean) == 5


def test_without_delimiting_the_same_injections_succeed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(judges, "quote_as_data", lambda text: text)
    shift = measure()
    # Every delimiter-based injection (6 of the 12 kinds) now escapes and is obeyed.
    assert shift.obeyed >= len(shift.clean) // 2 and shift.mean > 2 * BOUND
