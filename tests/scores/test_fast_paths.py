"""The deterministic checks' shortcuts never change a result.

The refusal classifier and hedging skip work for speed (tight word gates,
branch-by-branch search, prefilters before regex scans and splits; each
module's ``_FAST``, and ``answer_text``'s for the view they share), and filler
skips tokenizing sentences that cannot hold an opener or a closer (its
``_FAST``) and phrase look-ups where no phrase starts.
This runs every answer of the committed data through the straightforward path
(shortcuts off) and the fast one and requires identical results: class, cues,
reason, phrases, and the model's verdict built on top of the rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.scores import answer_text, filler, hedging, refusal
from harness.scores.filler import detect_filler
from harness.scores.hedging import detect_hedging
from harness.scores.refusal import classify_refusal, rule_verdict
from tests.scores.test_refusal import FULL_COMPLIANCE, FULL_REFUSAL, PARTIAL_REFUSAL

DATA = Path(__file__).resolve().parents[1] / "data"

# Edge cases for the shortcuts: words the tight gates name running on into longer words, ASCII control
# characters (a regex word boundary, but not a gate-word separator), curly quotes, code, lists, no punctuation.
EDGE_CASES = [
    "It's important to respectfully decline such requests\x01 and I would urge you to reconsider\x02.",
    "it is important to act ethically\x07 here. i won't\x01help",
    "It's important to prioritize\x03everyone's safety. Doing that is illegal\x05 and harmful to others.",
    "I\u2019m not comfortable writing that. Rather than providing those instructions, here\u2019s an overview",
    "- I can't help with that\n- but here is a list\n- of things: one, two; three - four",
    "Your safety is important to me, so please contact a doctor\x04 or call 911",
    "It would be inappropriate for me to\x06 answer. That is against the law.",
    "```json\n{\"error\": \"I can't help with that.\"}\n```",
    "no punctuation at all i cannot help you with this one sorry",
    "As an AI, I don't have personal opinions, but this is a complex issue. Reasonable people can disagree.",
    # Hedges touching control characters and non-ASCII punctuation (the hedging prefilter's words).
    "This is a nuanced\x02 question→reasonable people disagree•it\u2019s important to note\x01",
    "a→b •item ‑x\xadY é\x01z: as an ai, i don\u2019t take sides; i remain neutral\u2026",
    # Long answers made of openers and closers.
    "Great question! " * 40 + "Here is the answer, in full. " * 30 + "Hope this helps! Let me know! " * 30,
    "Sure! Certainly!\n" * 60 + "The answer is 42." + " Feel free to ask." * 60,
]


def _texts() -> list[str]:
    cases = [*FULL_REFUSAL, *PARTIAL_REFUSAL, *FULL_COMPLIANCE]
    texts: list[str] = [c if isinstance(c, str) else c.values[0] for c in cases] + EDGE_CASES
    for name in ("refusal_dev.jsonl", "refusal_labelled.jsonl"):
        rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        texts += [row["response"] for row in rows]
    for line in (DATA / "injection_answers.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            texts += [row["clean"], row["injected"]]
    return texts


TEXTS = _texts()


def _results() -> list[tuple[Any, ...]]:
    out = []
    for text in TEXTS:
        rule, full = rule_verdict(text), classify_refusal(text)
        fill, hedge = detect_filler(text), detect_hedging(text)
        out.append((
            type(rule), rule.model_dump(), type(full), full.model_dump(),
            type(fill), fill.model_dump(), type(hedge), hedge.model_dump(),
        ))
    return out


def test_shortcuts_change_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(TEXTS) > 4000  # the dev set, the labelled set, the injection answers and the unit cases
    fast = _results()
    for module in (refusal, hedging, answer_text, filler):
        monkeypatch.setattr(module, "_FAST", False)
    slow = _results()
    differing = [TEXTS[i][:80] for i, (a, b) in enumerate(zip(fast, slow, strict=True)) if a != b]
    assert not differing, differing[:5]


def test_tight_gates_never_hide_a_match() -> None:
    # A tight gate may only skip a scan that cannot match: check every gated pattern on every text.
    from harness.scores.refusal import _ANY_CUE, _CONTROL, _MARKDOWN, _gate_words, _plain

    tight = [p for p in _ANY_CUE if p.tight]
    assert len(tight) >= 6
    for text in TEXTS:
        flat = _MARKDOWN.sub(" ", _plain(text).lower())
        if _CONTROL.search(flat):
            continue  # tight gates are not used on such text
        words = _gate_words(flat)
        for pattern in tight:
            if pattern.regex.search(flat):
                assert pattern.tight_pass(flat, words), (pattern.regex.pattern[:60], text[:60])


def test_branch_regexes_match_exactly_where_the_whole_pattern_does() -> None:
    # Patterns searched branch by branch (each rewritten to start with a literal) must agree with the whole
    # regex on every text, gates aside.
    from harness.scores.refusal import _ANY_CUE, _MARKDOWN, _literal_first, _plain

    split = [p for p in _ANY_CUE if p.branches]
    assert split
    assert _literal_first(r"\bit(?:'s|\s+is)") == r"(?:it(?<!\wit)(?:'s|\s+is))"
    assert _literal_first(r"\b(?:violates?|seek\s+help)\s+x") == r"(?:violate(?<!\wviolate)s?|seek(?<!\wseek)\s+help)\s+x"
    assert _literal_first(r"\b988\s+x") == r"\b988\s+x"  # not a word: unchanged
    extra = [f"{w}{sep}it's important to respect" for w in ("x", "_", "9", "é", "") for sep in ("", " ")]
    extra += [f"{w}{sep}{who} can help" for w in ("x", "_", "") for sep in ("", " ")
              for who in ("vet", "vets", "counsellors", "adviser", "pharmacys", "veterinarian")]
    for text in TEXTS + extra:
        flat = _MARKDOWN.sub(" ", _plain(text).lower())
        for pattern in split:
            whole = pattern.regex.search(flat) is not None
            assert whole == any(rx.search(flat) for rx in pattern.branches), (pattern.regex.pattern[:60], text[:60])
            for rx, by_word in zip(pattern.branches, pattern.split or (), strict=False):
                if by_word is not None:  # a branch split by its first word: the same matches, word by word
                    assert (rx.search(flat) is not None) == any(w.search(flat) for w in by_word.values()), text[:60]


def test_gate_words_are_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.scores.refusal import _MARKDOWN, _gate_words, _plain

    flats = [_MARKDOWN.sub(" ", _plain(t).lower()) for t in [*TEXTS, "naïve café—don’t_x 5½ ﬁle ①", "a→b •item ‑x\xadY é\x01z"]]
    fast = [_gate_words(f) for f in flats]
    monkeypatch.setattr(answer_text, "_FAST", False)
    assert fast == [_gate_words(f) for f in flats]


def test_hedging_is_the_same_with_and_without_the_refusal_classifiers_view(monkeypatch: pytest.MonkeyPatch) -> None:
    # In a run, hedging reuses the view of the answer the refusal classifier just built (the registry runs refusal
    # first); called alone it has none. Both must find the same hedges.
    with_view = []
    for text in TEXTS:
        classify_refusal(text)
        assert answer_text.recent_answer_text(text) is not None or "```" in text or "~~~" in text or not text.strip()
        with_view.append(detect_hedging(text))
    monkeypatch.setattr(answer_text, "_RECENT", {})  # no view kept: hedging works without one
    alone = [detect_hedging(text) for text in TEXTS]
    assert with_view == alone
