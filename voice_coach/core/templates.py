"""Sentence templates, so the language data stays short and readable.

``(a|b)`` is a choice, ``[a|b]`` an optional choice, and they nest:
``ik wil [gewoon|echt] (dood|sterven)`` stands for six phrases. Everything
else is literal. Expansion is pure and checked: an unbalanced bracket or a
template that would expand to too many phrases raises :class:`TemplateError`.
"""

from __future__ import annotations

from itertools import product

MAX_EXPANSIONS = 512
"""More phrases than this from one template is a mistake in the data."""


class TemplateError(ValueError):
    """A template is malformed; the message quotes it."""


def expand(template: str) -> list[str]:
    """Every phrase ``template`` stands for, spaces collapsed, in a stable order."""
    alternatives, end = _sequence(template, 0, template)
    if end != len(template):
        raise TemplateError(f"unbalanced {template[end]!r} in template {template!r}")
    return list(dict.fromkeys(" ".join(p.split()) for p in alternatives if p.strip()))


def _sequence(text: str, at: int, template: str) -> tuple[list[str], int]:
    """Alternatives ``|``-separated from ``at`` up to a closing bracket (not consumed)."""
    options: list[str] = []
    current = [""]
    while at < len(text) and text[at] not in ")]":
        char = text[at]
        if char in "([":
            closing = ")" if char == "(" else "]"
            inner, at = _sequence(text, at + 1, template)
            if at >= len(text) or text[at] != closing:
                raise TemplateError(f"missing {closing!r} in template {template!r}")
            if char == "[":
                inner = [*inner, ""]
            current = [a + b for a, b in product(current, inner)]
        elif char == "|":
            options += current
            current = [""]
        else:
            current = [a + char for a in current]
        if len(current) + len(options) > MAX_EXPANSIONS:
            raise TemplateError(f"template {template!r} stands for more than {MAX_EXPANSIONS} phrases; split it")
        at += 1
    return options + current, at
