"""Finding a meaning in what was said: patterns over word classes, with room for
the words people put in between, a clause's end, and look-alikes taken out first.

Pure. A pattern is a line of the language data, for example
``{want} ~ {dying}``, which finds "ik wil dood", "soms wil ik gewoon dood" and
"ik wou eigenlijk liever dood", but not "ik wil niet dood". The syntax:

- ``word``: that word (compared folded: no case, no diacritics); ``word*``: a stem,
  every word that starts with it ("zelfmoord*": zelfmoordgedachten); a word of
  :data:`SPLIT_LENGTH` letters or more also matches it heard split ("zelf moord");
- ``{name}``: any entry of the word class ``name`` (an entry is a little pattern
  itself: several words, choices, other classes, but never its own class);
- ``(a|b c)``: a choice; ``[a|b]``: an optional choice; they nest;
- ``~``: room for up to :attr:`Grammar.gap` words in between, never a negation
  and never across a clause boundary, so "ik wil niet dood" is not "ik wil ~ dood"
  (commas do not count: "ik wil, eerlijk gezegd, dood"); ``~~``: twice as much room;
- ``...``: the rest of the clause, whatever it holds (for look-alikes whose scope
  is a whole clause: "nooit aan gedacht om ...");
- ``$``: the end of a clause (of the utterance, or before a boundary word or a comma).

A pattern is compiled once into a regular expression over
:attr:`~voice_coach.core.utterance.Utterance.text`, which holds the folded words
separated by single spaces, with :data:`~voice_coach.core.utterance.BREAK` at
every clause boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .templates import expand
from .utterance import BREAK, PAUSE, STEM, Utterance, fold, normalize

MAX_PATTERN_LENGTH = 400
"""A longer pattern line is a mistake in the data."""


class PatternError(ValueError):
    """A pattern, a class or a meaning table is malformed; the message quotes it."""


def said_forms(template: str) -> list[str]:
    """The phrases a one-piece pattern (no classes, no ``~``) stands for, in the
    recognizer's form, for a grammar: its ``$`` is no word."""
    return [normalize(p) for p in expand(template.replace("$", ""))]


@dataclass(frozen=True)
class Grammar:
    """The word classes and rules that patterns are written in."""

    classes: dict[str, tuple[str, ...]]
    """Class name -> its entries (each a little pattern of words, stems and choices)."""
    negations: frozenset[str]
    """Folded words that a gap ``~`` never spans: a negation changes the meaning."""
    gap: int
    """How many words a ``~`` may stand for."""


ONE_PIECE = Grammar({}, frozenset(), 0)
"""For phrasings said in one piece (commands, answers): no word classes, no room between words."""


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern line."""

    source: str
    """The line as written in the data."""
    concept: str
    """What it means (the name of the table it came from), for explanations and tests."""
    regex: re.Pattern[str]
    """Its compiled form, searched in :attr:`Utterance.text`."""

    def search(self, text: str) -> re.Match[str] | None:
        """Where the pattern occurs in an utterance's text, if anywhere."""
        return self.regex.search(text)


@dataclass(frozen=True)
class Found:
    """A meaning found in an utterance."""

    concept: str
    """The concept of the pattern that matched."""
    pattern: str
    """The pattern line that matched."""
    words: str
    """The words it matched."""


@dataclass(frozen=True)
class MeaningSet:
    """Patterns looked for anywhere in an utterance, after the look-alikes are taken out."""

    patterns: tuple[Pattern, ...]
    """The meaning's patterns, in the order of the data."""
    exclusions: tuple[Pattern, ...] = ()
    """Look-alikes: their words are replaced by a boundary before the patterns are looked for."""
    whole: tuple[Pattern, ...] = ()
    """Patterns looked for in the whole utterance, look-alikes and all: meanings that hold a
    look-alike as their part ("mijn man is overleden" before "en ik wil hem volgen")."""

    def find(self, utterance: Utterance) -> Found | None:
        """The first pattern found in ``utterance`` outside every look-alike, then the first
        of :attr:`whole` anywhere in it, or None."""
        text = self.without_look_alikes(utterance.text)
        for patterns, searched in ((self.patterns, text), (self.whole, utterance.text)):
            for pattern in patterns:
                match = pattern.search(searched)
                if match:
                    return Found(pattern.concept, pattern.source, match.group().strip())
        return None

    def without_look_alikes(self, text: str) -> str:
        """``text`` with every look-alike's words replaced by a clause boundary."""
        for exclusion in self.exclusions:
            text = exclusion.regex.sub(f" {BREAK}", text)
        return text


def compile_pattern(source: str, grammar: Grammar, concept: str = "") -> Pattern:
    """``source`` compiled; :class:`PatternError` names the line and what is wrong."""
    if len(source) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern {source[:40]!r}... is longer than {MAX_PATTERN_LENGTH} characters; split it")
    regex = re.compile(_Compiler(source, grammar).compile())
    if regex.search(" ") or regex.search(f" {BREAK} "):
        raise PatternError(f"pattern {source!r}: it matches when nothing is said; make at least one word required")
    return Pattern(source, concept, regex)


def meaning_set(
    concepts: dict[str, list[str]], exclusions: list[str], grammar: Grammar, whole: dict[str, list[str]] | None = None
) -> MeaningSet:
    """Concept name -> its pattern lines, the look-alike lines, and concept name -> the lines
    looked for in the whole utterance (:attr:`MeaningSet.whole`), compiled."""

    def compiled(table: dict[str, list[str]]) -> tuple[Pattern, ...]:
        return tuple(compile_pattern(line, grammar, concept) for concept, lines in table.items() for line in lines)

    exclusions_compiled = tuple(compile_pattern(line, grammar, "look-alike") for line in exclusions)
    return MeaningSet(compiled(concepts), exclusions_compiled, compiled(whole or {}))


# -- the compiler ---------------------------------------------------------------

_TOKEN = re.compile(r"\s*(\(|\)|\[|\]|\||~~|~|\.\.\.|…|\$|\{[^{}\s]*\}|[^\s()\[\]|~${}.…]+)")


SPLIT_LENGTH = 6
"""A word this long may be a compound heard as two words or more ("auto mutilatie", "me
zelf"): a recognizer writes the word breaks it hears, and a person says none."""
SPLIT_PART = 2
"""The first and the last part of a compound heard split are at least this long (checking
the middle parts too made the patterns twice as slow to compile)."""


def _spaced(word: str) -> str:
    """``word`` as a regular expression that also matches it heard split into parts."""
    if len(word) < SPLIT_LENGTH:
        return re.escape(word)
    return "".join(re.escape(c) + (" ?" if SPLIT_PART <= i + 1 <= len(word) - SPLIT_PART else "") for i, c in enumerate(word))


class _Compiler:
    """A recursive-descent compiler from one pattern line to a regular expression."""

    def __init__(self, source: str, grammar: Grammar, within: tuple[str, ...] = ()):
        self.source = source
        self.grammar = grammar
        self.within = within
        """The classes whose entries this compiles: a class may not hold itself."""
        self.tokens = self._tokens(source)
        self.at = 0

    def compile(self) -> str:
        if not self.tokens:
            self._fail("it is empty")
        regex = self._choices()
        if self.at != len(self.tokens):
            self._fail(f"unexpected {self.tokens[self.at]!r}")
        return regex

    def _tokens(self, source: str) -> list[str]:
        tokens, at = [], 0
        while at < len(source):
            match = _TOKEN.match(source, at)
            if match is None:
                if source[at:].strip():
                    raise PatternError(f"pattern {source!r}: cannot read {source[at:]!r}")
                break
            tokens.append(match.group(1))
            at = match.end()
        return tokens

    def _fail(self, what: str) -> None:
        raise PatternError(f"pattern {self.source!r}: {what}")

    def _choices(self) -> str:
        options = [self._sequence()]
        while self.at < len(self.tokens) and self.tokens[self.at] == "|":
            self.at += 1
            options.append(self._sequence())
        if any(not o for o in options):
            self._fail("a choice is empty (use [a|b] for an optional choice)")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    def _sequence(self) -> str:
        parts = []
        while self.at < len(self.tokens) and self.tokens[self.at] not in ")]|":
            parts.append(self._item())
        return "".join(parts)

    def _item(self) -> str:
        token = self.tokens[self.at]
        self.at += 1
        if token in "([":
            inner = self._choices()
            closing = ")" if token == "(" else "]"
            if self.at >= len(self.tokens) or self.tokens[self.at] != closing:
                self._fail(f"missing {closing!r}")
            self.at += 1
            return f"(?:{inner})" + ("?" if token == "[" else "")
        if token in ("~", "~~"):
            return self._gap(self.grammar.gap * len(token))
        if token in ("...", "…"):
            return rf"(?: [^ \{BREAK}{PAUSE}]+)*(?= (?:\{BREAK}|{PAUSE}|$))"
        if token == "$":
            return rf"(?= (?:\{BREAK}|{PAUSE}|$))"
        if token.startswith("{"):
            return self._class(token[1:-1])
        return self._word(token)

    def _word(self, token: str) -> str:
        """A word; one written with a hyphen or an apostrophe ("me-time", "m'n") is the
        words it folds to, as what is heard is folded."""
        stem = token.endswith(STEM)
        words = fold(token.rstrip(STEM)).split()
        if not words:
            self._fail(f"{token!r} holds no word")
        pieces = [" " + _spaced(w) + "(?= )" for w in words]
        if stem:
            pieces[-1] = " " + _spaced(words[-1]) + rf"[^ \{BREAK}{PAUSE}]*(?= )"
        return "".join(pieces)

    def _gap(self, words: int) -> str:
        negation = "|".join(re.escape(n) for n in sorted(self.grammar.negations)) or "(?!)"
        word = rf" (?!(?:{negation}) )[^ \{BREAK}{PAUSE}]+(?= )"
        return rf"(?: {PAUSE})*(?:{word}(?: {PAUSE})*){{0,{words}}}"

    def _class(self, name: str) -> str:
        if name in self.within:
            self._fail(f"the class {{{name}}} holds itself ({' -> '.join(self.within + (name,))})")
        if name not in self.grammar.classes:
            self._fail(f"no word class {{{name}}} (the classes are: {', '.join(sorted(self.grammar.classes))})")
        entries = [_Compiler(e, self.grammar, self.within + (name,)).compile() for e in self.grammar.classes[name]]
        return "(?:" + "|".join(entries) + ")"
