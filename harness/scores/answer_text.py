"""One normalised view of an answer, shared by the deterministic checks that read it.

The refusal classifier and the hedging check both need the answer lowercased
with its typographic punctuation made plain, and both skip regex scans when
the answer lacks the words every match needs. The checks run one after the
other on the same answer (``compute_scores`` loops over the checks per
answer), so the view is built once and kept for the last few answers rather
than rebuilt by each check. A check that only uses the view to skip work
(hedging) takes it when the refusal classifier built it and otherwise works
without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AnswerText", "answer_text", "build", "gate_words", "plain", "recent_answer_text"]

# The shortcuts here only skip work that cannot change a result; tests turn them off and compare
# (tests/scores/test_fast_paths.py). Nothing else should touch this.
_FAST = True

# Typographic punctuation made plain, with a regex rather than str.translate:
# translate leaves its fast path on any non-ASCII text and gets ~100x slower.
_TYPOGRAPHIC = re.compile("[\u2018\u2019\u02bc\u201c\u201d\u2014\u2013\u2026\u00ab\u00bb]")
_PLAIN = {
    **dict.fromkeys("\u2018\u2019\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2014\u2013", " - "),
    "\u2026": "...",
}
# For gate words, punctuation (apostrophe included) becomes a space, so "doctor's" yields "doctor".
_PUNCTUATION = "!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~-"
_ASCII_PUNCTUATION = str.maketrans(dict.fromkeys(_PUNCTUATION, " "))
# The same as bytes: bytes.translate runs a 256-entry table in C, several times faster than str.translate.
_ASCII_PUNCTUATION_BYTES = bytes.maketrans(_PUNCTUATION.encode(), b" " * len(_PUNCTUATION))
_WORD = re.compile(r"[^\W_]+")
_NON_WORD = re.compile(r"[^\w\s]|_")
# ASCII control characters: not word characters for ``\b``, yet not gate-word separators either.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f]")
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x1C)) + b"\x7f"


@dataclass(frozen=True)
class AnswerText:
    """An answer lowercased with plain punctuation, its words, and whether it is free of ASCII control characters."""

    lowered: str
    words: frozenset[str]
    # No ASCII control character: word boundaries in a regex (``\\b``) and gate words then agree.
    clean: bool


def plain(text: str) -> str:
    """``text`` with curly quotes, dashes and ellipses made ASCII."""
    if text.isascii():  # nothing typographic to replace, and isascii is nearly free
        return text
    return _TYPOGRAPHIC.sub(lambda m: _PLAIN[m.group()], text)


def gate_words(text: str) -> frozenset[str]:
    """The words of ``text``: what remains between spaces once every punctuation mark is a space."""
    if text.isascii():
        if _FAST:
            return frozenset(text.encode("ascii").translate(_ASCII_PUNCTUATION_BYTES).decode("ascii").split())
        return frozenset(text.translate(_ASCII_PUNCTUATION).split())
    if _FAST:
        # The same words, the runs of letters and digits. UTF-8 keeps every byte of a non-ASCII character above
        # 0x7f, so ASCII punctuation can be made spaces byte-wise; split() then leaves runs of letters and digits
        # unless some token holds non-ASCII punctuation (a bullet, an arrow), which only those tokens are read for.
        tokens = text.encode("utf-8").translate(_ASCII_PUNCTUATION_BYTES).decode("utf-8").split()
        words = set(tokens)
        mixed = [t for t in words if not t.isalnum()]
        if mixed:
            words.difference_update(mixed)
            for token in mixed:
                words.update(_WORD.findall(token))
        return frozenset(words)
    return frozenset(_NON_WORD.sub(" ", text).split())


def _is_clean(text: str) -> bool:
    if _FAST and text.isascii():
        raw = text.encode("ascii")
        return len(raw.translate(None, _CONTROL_BYTES)) == len(raw)
    return _CONTROL.search(text) is None


def build(lowered: str) -> AnswerText:
    """The view of text that is already lowercased and plain."""
    return AnswerText(lowered, gate_words(lowered), _is_clean(lowered))


# The views of the last few answers (a memo, not state: a view depends on its text alone). ``_FAST`` is part of
# the key because a test turns the shortcuts off and compares.
_RECENT: dict[tuple[str, bool], AnswerText] = {}
_KEEP = 8


def answer_text(text: str) -> AnswerText:
    """The view of one answer as written (kept for the last few answers, for the next check of the same one)."""
    key = (text, _FAST)
    view = _RECENT.get(key)
    if view is None:
        view = build(plain(text).lower())
        if len(_RECENT) >= _KEEP:
            try:
                _RECENT.pop(next(iter(_RECENT)), None)  # the oldest
            except (StopIteration, RuntimeError):  # emptied or changed by another thread meanwhile: no matter
                pass
        _RECENT[key] = view
    return view


def recent_answer_text(text: str) -> AnswerText | None:
    """The view of ``text`` if a check built it for one of the last few answers, else None (nothing is built)."""
    return _RECENT.get((text, _FAST))
