"""Filler-phrase detection: stock openers and closers, without a model.

Chat models pad answers with set phrases ("Certainly!", "Great question!",
"I hope this helps!"). This check finds them deterministically, so it can run
on every answer of every run for free.

How matching works:

* Text is compared as normalized word sequences: lowercased, apostrophes
  (straight or curly) deleted, all other punctuation and markdown dropped. So
  ``**Certainly!**``, ``certainly.`` and ``Certainly,`` are the same opener,
  ``I’d`` equals ``I'd``, and "Surely" never matches "Sure" (whole words only).
* Fenced and inline code are replaced by a placeholder word before matching:
  a phrase inside code is never filler, and code counts as content.
* **Openers** count only at the very start of the answer. Matching begins at
  the first word and chains through consecutive openers ("Certainly! Great
  question! I'd be happy to help."); the first word that is not part of an
  opener ends the chain. "Great question" in the middle of a text is never an
  opener. Leading interjections ("Oh,", "Well,", "Hi there!") are skipped but
  not reported.
* A one-word opener ("Sure", "Certainly") must be followed by punctuation or
  the end of its sentence: "Certainly! Here's..." and "Sure, ..." count, while
  "Certainly the biggest factor is..." is an ordinary sentence. Longer openers
  need no punctuation: "Of course the answer is 4" counts as "Of course".
* An opener directly followed by "not" is an answer, not filler:
  "Of course not." / "Absolutely not, ...".
* An answer that consists *only* of openers is an answer, not filler: "Sure."
  or "Absolutely!" in reply to a yes/no question says yes. Such an answer
  reports no openers.
* **Closers** count only at the end: in the last sentence, or in the sentence
  before it when the last one is something else (a sign-off like "Good luck!",
  or a code block). Once a closing sentence is found, directly preceding
  sentences with closers count too ("I hope this helps! Let me know if you
  have any other questions."). A closer in the middle of the answer is not
  counted.
* An answer that is *only* a closer ("Let me know if you have any other
  questions!") is still filler: unlike "Sure.", a closer never answers
  anything. The check sees one answer without its conversation, so a closer
  after a "thanks" turn is reported too; callers that care can skip such turns.
* Within a sentence phrases match without overlap, longest first, so
  "I hope this helps" is reported once, not also as "Hope this helps".

Speed: all regular expressions are compiled at import, and each lexicon is
compiled once into word-indexed tables (cached by content). A call finds code
over the whole answer, then splits only the first and last 1,000 characters
into sentences and tokenizes just the few sentences at either end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.errors import HarnessError

__all__ = [
    "DEFAULT_LEXICON",
    "FILLER_LEXICON_VERSION",
    "TOKENS_PER_WORD",
    "FillerLexicon",
    "FillerResult",
    "approx_tokens",
    "detect_filler",
]

FILLER_LEXICON_VERSION = 1
#: Approximate tokens per whitespace-separated word: English prose averages about
#: 1.3 with current GPT and Claude tokenizers (code and other languages run higher).
TOKENS_PER_WORD = 1.3

# Apostrophes are deleted (not turned into spaces) so "I'd" and "I’d" both
# become the single word "id", and a quote mark never splits a word.
_APOSTROPHE = re.compile("['\u2018\u2019\u02bc\u2032\u00b4]")
# A word is a run of letters or digits; these punctuation marks are pauses.
_TOKEN = re.compile(r"[^\W_]+|[,;:!?.\u2026\u2014\u2013]")
_WORD = re.compile(r"[^\W_]+")
# A sentence ends at . ! ? or … (plus any closing quotes, brackets or markdown
# emphasis) before whitespace, or at a line break. "3.14" is not split.
# (Written as one character class then a run, not an alternation: 4x faster.)
_SENTENCE_SPLIT = re.compile(r"[.!?\u2026\n][.!?\u2026\"'\u201d\u2019)\]*_~\n]*(?:(?=\s)|$|(?<=\n))")
_FENCED_CODE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
# Stands in for code: a word no phrase contains, so code is content, never filler.
_CODE_WORD = "codeblock"
# Only this much of each end of a long answer is split into sentences: openers
# and closers live within a few sentences of the ends.
_WINDOW = 1000
# Prefilters that skip tokenizing sentences which cannot hold a phrase; tests turn them off and compare.
_FAST = True
_INTERJECTIONS = ("Oh", "Ah", "Ooh", "Hey", "Hi", "Hello", "Well", "Hi there", "Hey there", "Hello there")


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(_APOSTROPHE.sub("", phrase.lower())))


def _key(phrase: str) -> str:
    return " ".join(_words(phrase))


class FillerLexicon(BaseModel):
    """The stock phrases that count as filler, as canonical strings."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(FILLER_LEXICON_VERSION, description="Format version of the lexicon.")
    openers: list[str] = Field(description="Phrases that are filler at the start of an answer.")
    closers: list[str] = Field(description="Phrases that are filler at the end of an answer.")

    @field_validator("version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v != FILLER_LEXICON_VERSION:
            raise ValueError(f"unsupported filler lexicon version {v}; this harness reads {FILLER_LEXICON_VERSION}")
        return v

    @field_validator("openers", "closers")
    @classmethod
    def _phrases_have_words(cls, v: list[str]) -> list[str]:
        for phrase in v:
            if not _words(phrase):
                raise ValueError(f"phrase {phrase!r} has no words to match")
        return v

    def with_overrides(
        self,
        add_openers: Iterable[str] = (),
        add_closers: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> FillerLexicon:
        """A new lexicon with a project's additions and removals.

        Removal matches the canonical phrase ignoring case, punctuation and
        apostrophe style ("certainly" removes "Certainly!") in both lists, and
        happens before additions. Adding a phrase already present is a no-op.

        Raises:
            HarnessError: if a phrase to remove is in neither list (a typo would
                otherwise silently keep the phrase).
        """
        drop = {_key(p): p for p in remove}
        present = {_key(p) for p in (*self.openers, *self.closers)}
        missing = [p for k, p in drop.items() if k not in present]
        if missing:
            raise HarnessError(
                f"cannot remove {', '.join(repr(p) for p in missing)}: not in the filler lexicon",
                fix="check the spelling against the lexicon's openers and closers",
            )

        def merged(base: list[str], added: Iterable[str]) -> list[str]:
            kept = [p for p in base if _key(p) not in drop]
            seen = {_key(p) for p in kept}
            for phrase in added:
                if _key(phrase) not in seen:
                    seen.add(_key(phrase))
                    kept.append(phrase)
            return kept

        return FillerLexicon(
            version=self.version,
            openers=merged(self.openers, add_openers),
            closers=merged(self.closers, add_closers),
        )


class FillerResult(BaseModel):
    """The filler found in one answer, as canonical lexicon phrases."""

    model_config = ConfigDict(extra="forbid")

    has_filler: bool
    phrases: list[str] = Field(description="Openers then closers, in order found, without duplicates.")
    openers: list[str]
    closers: list[str]


DEFAULT_LEXICON = FillerLexicon(
    openers=[
        "Certainly!",
        "Absolutely!",
        "Of course!",
        "Sure!",
        "Sure thing!",
        "Definitely!",
        "No problem!",
        "Great question!",
        "Good question!",
        "Excellent question!",
        "What a great question!",
        "What an interesting question!",
        "That's a great question!",
        "That's a good question!",
        "That's an excellent question!",
        "I'd be happy to help",
        "I'd be glad to help",
        "I'd love to help",
        "I'm happy to help",
        "Happy to help!",
        "Thanks for asking!",
        "Thank you for your question",
        "I'm glad you asked",
    ],
    closers=[
        "I hope this helps!",
        "Hope this helps!",
        "I hope that helps!",
        "Hope that helps!",
        "I hope this is helpful",
        "Let me know if you have any other questions",
        "Let me know if you have any questions",
        "Let me know if you have any further questions",
        "Let me know if you need anything else",
        "Let me know if you need any more help",
        "If you have any other questions",
        "Feel free to ask",
        "Feel free to reach out",
        "Don't hesitate to ask",
        "Don't hesitate to reach out",
        "Happy to help further",
        "Is there anything else I can help you with?",
        "Happy coding!",
    ],
)

# First word -> candidate (words, canonical phrase) pairs, longest first.
_Index = dict[str, tuple[tuple[tuple[str, ...], str], ...]]


def _index(phrases: Iterable[str]) -> _Index:
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    seen: set[tuple[str, ...]] = set()
    for phrase in phrases:
        words = _words(phrase)
        if words and words not in seen:
            seen.add(words)
            by_first.setdefault(words[0], []).append((words, phrase))
    return {first: tuple(sorted(c, key=lambda c: -len(c[0]))) for first, c in by_first.items()}


@dataclass(frozen=True)
class _Compiled:
    openers: _Index
    closers: _Index
    interjections: _Index
    # The longest word of each closer: a sentence holding none of them (as text) holds no closer.
    closer_keys: tuple[str, ...] = ()


@lru_cache(maxsize=64)
def _compile(openers: tuple[str, ...], closers: tuple[str, ...]) -> _Compiled:
    closer_index = _index(closers)
    keys = {max(words, key=len) for candidates in closer_index.values() for words, _ in candidates}
    return _Compiled(_index(openers), closer_index, _index(_INTERJECTIONS), tuple(sorted(keys)))


@dataclass
class _Sentence:
    words: list[str]
    # pause_after[i]: punctuation or the end of the sentence follows words[i].
    pause_after: list[bool]


def _tokenize(raw: str) -> _Sentence:
    words: list[str] = []
    pause_after: list[bool] = []
    for token in _TOKEN.findall(_APOSTROPHE.sub("", raw.lower())):
        if token[0].isalnum():
            words.append(token)
            pause_after.append(False)
        elif pause_after:
            pause_after[-1] = True
    if pause_after:
        pause_after[-1] = True
    return _Sentence(words, pause_after)


class _Sentences:
    """The answer's sentences, tokenized lazily: only the ends are ever looked at."""

    def __init__(self, text: str) -> None:
        if "```" in text or "~~~" in text:
            text = _FENCED_CODE.sub(f"\n{_CODE_WORD}\n", text)
        if "`" in text:
            text = _INLINE_CODE.sub(f" {_CODE_WORD} ", text)
        if len(text) > 2 * _WINDOW:
            # The middle cannot hold an opener or a closer; the line break keeps
            # the two ends from joining into one sentence.
            text = f"{text[:_WINDOW]}\n{text[-_WINDOW:]}"
        self._raw = _SENTENCE_SPLIT.split(text)
        self._cache: dict[int, _Sentence] = {}

    def __len__(self) -> int:
        return len(self._raw)

    def has_words(self, i: int) -> bool:
        """Whether sentence ``i`` has any word (what tokenizing it would find), without tokenizing it."""
        return _WORD.search(self._raw[i]) is not None

    def first_word(self, i: int) -> str | None:
        """Sentence ``i``'s first word as tokenized (lowercased, apostrophes removed), without tokenizing it all."""
        found = _WORD.search(_APOSTROPHE.sub("", self._raw[i].lower()))
        return found.group() if found else None

    def may_hold(self, i: int, keys: tuple[str, ...]) -> bool:
        """False when sentence ``i`` spells none of ``keys`` (lowercased, apostrophes removed)."""
        text = _APOSTROPHE.sub("", self._raw[i].lower())
        for key in keys:
            if key in text:
                return True
        return False

    def __getitem__(self, i: int) -> _Sentence:
        sentence = self._cache.get(i)
        if sentence is None:
            sentence = self._cache[i] = _tokenize(self._raw[i])
        return sentence


def _match(sentence: _Sentence, i: int, index: _Index) -> tuple[tuple[str, ...], str] | None:
    words = sentence.words
    for candidate, phrase in index.get(words[i], ()):
        n = len(candidate)
        if tuple(words[i : i + n]) != candidate:
            continue
        if n == 1 and not sentence.pause_after[i]:
            continue  # "Certainly the biggest factor..." is a sentence, not a flourish
        return candidate, phrase
    return None


def _openers(sentences: _Sentences, table: _Compiled) -> tuple[list[str], int]:
    """Openers at the start, and the index of the first sentence they leave unconsumed."""
    if _FAST:
        # Most answers open with a word that starts no opener and no interjection: then nothing is consumed,
        # which the loop below would find after tokenizing the first sentence.
        first = next((s for s in range(len(sentences)) if sentences.has_words(s)), None)
        if first is not None:
            word = sentences.first_word(first)
            if word not in table.openers and word not in table.interjections:
                return [], first
    found: list[str] = []
    s, i = 0, 0
    while s < len(sentences):
        sentence = sentences[s]
        if i >= len(sentence.words):
            s, i = s + 1, 0
            continue
        hit = _match(sentence, i, table.openers)
        if hit is not None:
            end = i + len(hit[0])
            negated = end < len(sentence.words) and not sentence.pause_after[end - 1] and sentence.words[end] == "not"
            if negated:
                break  # "Of course not." answers the question
            found.append(hit[1])
            i = end
            continue
        skip = _match(sentence, i, table.interjections)
        if skip is None:
            break
        i += len(skip[0])
    if s == len(sentences):
        # Nothing but openers: "Sure." as a whole answer is a yes, not filler.
        return [], s
    return found, s


def _closers_in(sentence: _Sentence, index: _Index) -> list[str]:
    found: list[str] = []
    words = sentence.words
    i = 0
    while i < len(words):
        if words[i] not in index:  # no phrase starts here (what _match would find): skip the call
            i += 1
            continue
        hit = _match(sentence, i, index)
        if hit is None:
            i += 1
        else:
            found.append(hit[1])
            i += len(hit[0])
    return found


def _closers(sentences: _Sentences, first: int, table: _Compiled) -> list[str]:
    """Closers in the trailing sentences, at or after sentence ``first``, in text order."""
    groups: list[list[str]] = []
    skipped_one = False
    for s in range(len(sentences) - 1, first - 1, -1):
        if _FAST and not sentences.may_hold(s, table.closer_keys):
            # No closer's longest word in it: no closer, as tokenizing it would find.
            if not sentences.has_words(s):
                continue
            hits = []
        else:
            sentence = sentences[s]
            if not sentence.words:
                continue  # blank line, a horizontal rule, an emoji
            hits = _closers_in(sentence, table.closers)
        if hits:
            groups.append(hits)
        elif groups or skipped_one:
            break
        else:
            skipped_one = True  # one trailing sign-off or code block may follow the closer
    return [phrase for group in reversed(groups) for phrase in group]


def _dedupe(phrases: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(phrases))


def approx_tokens(text: str) -> float:
    """An answer's length in tokens, approximated as whitespace words × :data:`TOKENS_PER_WORD`.

    Filler per 1,000 tokens divides by this, so rates compare across models
    without calling any tokenizer; it is an approximation, close for English
    prose, low for code and for languages written without spaces.
    """
    return len(text.split()) * TOKENS_PER_WORD


def detect_filler(text: str, lexicon: FillerLexicon = DEFAULT_LEXICON) -> FillerResult:
    """Find stock openers and closers in one answer.

    Args:
        text: The answer, as the model wrote it (markdown allowed).
        lexicon: The phrases that count as filler.

    Returns:
        The canonical phrases found; see the module docstring for the rules.
    """
    table = _compile(tuple(lexicon.openers), tuple(lexicon.closers))
    sentences = _Sentences(text)
    openers, first_unconsumed = _openers(sentences, table)
    closers = _closers(sentences, first_unconsumed, table)
    openers, closers = _dedupe(openers), _dedupe(closers)
    phrases = _dedupe([*openers, *closers])
    return FillerResult(has_filler=bool(phrases), phrases=phrases, openers=openers, closers=closers)
