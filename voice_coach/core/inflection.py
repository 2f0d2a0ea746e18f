"""Dutch adjectives as they are said before a noun: "een verdrietige dag", "angstige gedachten".

Pure spelling rules, on folded words: the attributive form adds -e, with the
spelling that needs (a long vowel written once, s and f voiced, a short stressed
vowel's consonant doubled). Words the rules cannot spell safely get no form.
"""

from __future__ import annotations

VOWELS = "aeiou"
DOUBLE_VOWELS = ("aa", "ee", "oo", "uu")
"""Long vowels written twice in a closed syllable and once before -e ("boos", "boze")."""
LONG_VOWELS = ("ie", "oe", "eu", "ui", "ei", "ij", "ou", "au")
"""Vowels written with two letters that stay as they are before -e."""
UNSTRESSED_ENDINGS = ("ig", "er", "el", "em")
"""Endings of an unstressed last syllable: their consonant is not doubled ("rustige", "sombere")."""
VOICED = {"s": "z", "f": "v"}
"""Between vowels s and f are voiced in writing ("boze", "lieve")."""


def attributive(word: str) -> str | None:
    """The adjective ``word`` (one folded word) with the -e it takes before a noun; None where
    it takes none ("gespannen", "moe") or the rules do not know its spelling."""
    if not word.isalpha() or not word.isascii() or _foreign(word) or word.endswith(("en", "e")):
        return None
    if word[-1] in VOWELS:
        return None
    vowel, consonants = _last_syllable(word)
    if not consonants:
        return word + "e" if vowel == "ij" else None
    if len(consonants) > 1:
        return word + "e"
    stem = word[: -len(vowel) - 1]
    voiced = VOICED.get(consonants, consonants)
    if vowel in DOUBLE_VOWELS:
        return stem + vowel[0] + voiced + "e"
    if len(vowel) > 1:
        return stem + vowel + voiced + "e"
    if word.endswith(UNSTRESSED_ENDINGS):
        return word + "e"
    return word + consonants + "e"


def _foreign(word: str) -> bool:
    """Spellings of loanwords ("relaxed", "down", "hyper"), which these rules do not know:
    q, x or y anywhere, c outside ch, w at the end or after o."""
    return any(letter in "qxy" for letter in word) or "c" in word.replace("ch", "") or word.endswith("w") or "ow" in word


def _last_syllable(word: str) -> tuple[str, str]:
    """The last vowel (one letter or a digraph) and the consonants after it."""
    end = len(word)
    while end and word[end - 1] not in VOWELS + "j":
        end -= 1
    consonants = word[end:]
    if word[:end].endswith("ij"):
        return "ij", consonants
    for long_vowel in (*LONG_VOWELS, *DOUBLE_VOWELS):
        if word[:end].endswith(long_vowel):
            return long_vowel, consonants
    return (word[end - 1], consonants) if end and word[end - 1] in VOWELS else ("", consonants)
