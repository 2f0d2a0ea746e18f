"""Answers in the person's own words (data in ``data/answers.toml``).

Pure: what was said and the answer words a step listens for in, the answers
found out, each with the words the person used and how to say them back.
"ik ben echt moe" answers vermoeidheid, said back as "moe"; "niet moe" does not
count; "geen idee" means the person has no answer, which is fine.

Phrasings are patterns of :mod:`voice_coach.core.meaning` (without room between
words: an answer is said in one piece), so ``$`` keeps a short word to the end of
a clause ("ik ben op", not "ik zit op de bank").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ..paths import DATA_DIR
from .inflection import attributive
from .meaning import ONE_PIECE, Pattern, PatternError, compile_pattern, said_forms
from .templates import TemplateError
from .utterance import Utterance, fold, normalize
from .tomlfile import read_toml_file

NEGATION_REACH = 2
"""A negation this many words or fewer before a phrasing cancels it."""
FORMS = ("adjective", "noun", "verb", "clause")
"""How a check-in phrasing is said back (see ``data/answers.toml``)."""
PLAIN = "phrase"
"""The form of a phrasing that is never said back (ja, nee, klaar)."""


class AnswerError(ValueError):
    """The answer data is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Phrasing:
    """One way of saying an answer word."""

    word: str
    """The answer word it means (``vermoeidheid``)."""
    form: str
    """One of :data:`FORMS`, or :data:`PLAIN`."""
    pattern: Pattern
    """The compiled phrasing."""
    length: int
    """How many words it spans: the longer of two phrasings found in one place wins."""
    back_as: str | None = None
    """The word said back for it where that is not what was said: an adjective said before
    a noun ("een verdrietige dag") is said back as it is said alone ("verdrietig")."""


@dataclass(frozen=True)
class Heard:
    """An answer found in an utterance, in the person's own words."""

    word: str
    """The answer word it means."""
    said: str
    """The words the person used for it, as they said them ("een knoop in mijn maag")."""
    back: str
    """Those words turned to "je", ready for a say-back frame ("een knoop in je maag")."""
    form: str
    """How to say it back: one of :data:`FORMS` or :data:`PLAIN`."""
    sentence: str | None = None
    """A whole sentence to say back instead of a frame (``[said_back]``: "Je bent op.")."""


@dataclass(frozen=True)
class _Found:
    heard: Heard
    start: int
    length: int


@dataclass(frozen=True)
class AnswerBook:
    """Every answer word's phrasings, the no-answer phrasings, the negations and the say-back data."""

    phrasings: dict[str, tuple[Phrasing, ...]]
    """Answer word -> its phrasings (the word itself always among them)."""
    none: tuple[Pattern, ...]
    """Phrasings meaning "I have no answer"."""
    negations: frozenset[str]
    """Folded words that cancel a phrasing shortly after them."""
    spoken: dict[str, tuple[str, ...]]
    """Answer word -> its phrasings as the recognizer writes them, for grammars."""
    pronouns: dict[str, str]
    """First-person word (recognizer form) -> the word said back ("mijn" -> "je")."""
    said_back: dict[str, str]
    """Phrasing (recognizer form) -> the whole sentence said back for it."""

    def phrasings_of(self, word: str) -> tuple[Phrasing, ...]:
        """The phrasings of ``word``; an answer word is always a phrasing of itself."""
        return self.phrasings.get(word) or (_phrasing(word, PLAIN, word),)

    def every_heard(self, word: str) -> tuple[Heard, ...]:
        """``word`` as each of its phrasings would be heard: what can be said back, for prerendering."""
        forms = {phrase: p.form for p in self.phrasings_of(word) for phrase in said_forms(p.pattern.source)}
        return tuple(Heard(word, said, self._back(said), form, self.said_back.get(said)) for said, form in forms.items())

    def grammar(self, words: tuple[str, ...]) -> list[str]:
        """Every phrasing of ``words`` in the recognizer's form."""
        return [p for w in words for p in (w, *self.spoken.get(w, ()))]

    def find(self, heard: Utterance, expected: tuple[str, ...]) -> tuple[Heard, ...]:
        """The expected answers in ``heard``, in the order said, each answer word once.

        Longer phrasings win over shorter ones inside them ("pijn in mijn hoofd"
        is hoofdpijn, not pijn); a negation just before one cancels it.
        """
        found = [f for w in expected for p in self.phrasings_of(w) for f in self._occurrences(heard, p)]
        kept: list[_Found] = []
        taken: set[int] = set()
        for f in sorted(found, key=lambda f: (-f.length, f.start)):
            span = set(range(f.start, f.start + f.length))
            if span & taken:
                continue
            taken |= span
            if not self._negated(heard.words, f.start):
                kept.append(f)
        first: dict[str, Heard] = {}
        for f in sorted(kept, key=lambda f: f.start):
            first.setdefault(f.heard.word, f.heard)
        return tuple(first.values())

    def means_none(self, heard: Utterance) -> bool:
        """True when ``heard`` says there is no answer ("niks", "weet ik niet")."""
        return any(p.search(heard.text) for p in self.none)

    def _occurrences(self, heard: Utterance, phrasing: Phrasing) -> list[_Found]:
        found = []
        for match in phrasing.pattern.regex.finditer(heard.text):
            start = heard.text.count(" ", 0, match.start())
            length = match.group().count(" ")
            said = " ".join(heard.spelled[start : start + length])
            back = phrasing.back_as or said
            found.append(_Found(Heard(phrasing.word, said, self._back(back), phrasing.form, self.said_back.get(back)), start, length))
        return found

    def _back(self, said: str) -> str:
        return " ".join(self.pronouns.get(w, w) for w in said.split())

    def _negated(self, words: tuple[str, ...], start: int) -> bool:
        return any(w in self.negations for w in words[max(0, start - NEGATION_REACH) : start])


@cache
def _phrasing(word: str, form: str, template: str) -> Phrasing:
    pattern = compile_pattern(template, ONE_PIECE, word)
    return Phrasing(word, form, pattern, max(len(p.split()) for p in said_forms(template)))


def _inflected(word: str, adjectives: list[str], listed: set[str]) -> tuple[Phrasing, ...]:
    """Each one-word adjective of ``word`` as it is said before a noun, said back as it is
    said alone; forms already ``listed`` among the word's phrasings are left to them."""
    found = []
    for adjective in (p for t in adjectives for p in said_forms(t) if " " not in p):
        form = attributive(fold(adjective))
        if form is not None and form not in listed:
            found.append(replace(_phrasing(word, "adjective", form), back_as=adjective))
    return tuple(found)


def _forms(word: str, entry: list | dict, path: Path) -> dict[str, list[str]]:
    """Form -> templates of one answer word; a plain list is never said back."""
    if isinstance(entry, list):
        return {PLAIN: entry}
    unknown = sorted(set(entry) - set(FORMS))
    if unknown:
        raise AnswerError(f"{path}: [words.{word}] has {', '.join(unknown)}; the forms are {', '.join(FORMS)}")
    return entry


def _check_template(word: str, form: str, template: str, said_back: dict[str, str], path: Path) -> None:
    if "~" in template or "..." in template:
        raise AnswerError(f"{path}: [words.{word}] {template!r}: an answer is said in one piece; no '~' or '...'")
    for phrase in said_forms(template):
        if form in ("adjective", "noun", "verb") and phrase.split()[0] == "ik":
            raise AnswerError(f"{path}: [words.{word}] {template!r}: leave out 'ik ...', the phrasing is found inside it")
        if form == "clause" and "ik" in phrase.split() and phrase not in said_back:
            raise AnswerError(f"{path}: [words.{word}] {template!r}: a clause with 'ik' needs a [said_back] line for {phrase!r}")


@cache
def load_answers(path: Path = DATA_DIR / "answers.toml") -> AnswerBook:
    """The answer book in ``path`` (by default the shipped Dutch one); :class:`AnswerError`
    names the file and the entry that is wrong."""
    data = read_toml_file(path)
    said_back = {normalize(k): v for k, v in data.get("said_back", {}).items()}
    phrasings: dict[str, tuple[Phrasing, ...]] = {}
    spoken: dict[str, tuple[str, ...]] = {}
    try:
        for word, entry in data["words"].items():
            forms = _forms(word, entry, path)
            for form, templates in forms.items():
                for template in templates:
                    _check_template(word, form, template, said_back, path)
            listed = any(fold(word) == fold(p) for ts in forms.values() for t in ts for p in said_forms(t))
            own = [] if listed else [("noun" if isinstance(entry, dict) else PLAIN, word)]
            pairs = [*own, *((form, t) for form, ts in forms.items() for t in ts)]
            inflected = _inflected(word, forms.get("adjective", []), {fold(p) for _, t in pairs for p in said_forms(t)})
            phrasings[word] = (*(_phrasing(word, form, t) for form, t in pairs), *inflected)
            spoken[word] = tuple(dict.fromkeys([*(p for _, t in pairs for p in said_forms(t)), *(p.pattern.source for p in inflected)]))
        none = tuple(compile_pattern(t, ONE_PIECE, "none") for t in data["none"])
    except (PatternError, TemplateError) as err:
        raise AnswerError(f"{path}: {err}") from None
    return AnswerBook(
        phrasings,
        none,
        frozenset(fold(w) for w in data["negations"]),
        spoken,
        {normalize(k): v for k, v in data.get("pronouns", {}).items()},
        said_back,
    )


def said_back(heard: tuple[Heard, ...], frames: dict[str, str]) -> tuple[str, ...]:
    """The sentences that say ``heard`` back in the person's own words: a frame per
    form ("Je voelt je {answer}."), answers of one form together ("moe en gespannen"),
    a phrasing's own sentence where it has one. Forms without a frame are not said back."""
    sentences: list[str] = []
    together: dict[str, list[str]] = {}
    for answer in heard:
        if answer.sentence is not None:
            sentences.append(answer.sentence)
        elif answer.form in frames:
            together.setdefault(answer.form, []).append(answer.back)
    for form, words in together.items():
        sentence = frames[form].replace("{answer}", " en ".join(words))
        sentences.append(sentence[:1].upper() + sentence[1:])
    return tuple(sentences)
