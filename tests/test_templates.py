"""Sentence templates: the short notation every language data file uses."""

from __future__ import annotations

import pytest

from voice_coach.core.templates import MAX_EXPANSIONS, TemplateError, expand


@pytest.mark.parametrize(
    "template,phrases",
    [
        ("stop", ["stop"]),
        ("stop [maar]", ["stop maar", "stop"]),
        ("(hou|houd) op", ["hou op", "houd op"]),
        ("ik wil [de] {oefening} [doen]", ["ik wil de {oefening} doen", "ik wil de {oefening}", "ik wil {oefening} doen", "ik wil {oefening}"]),
        ("[ik] wil [gewoon|echt] dood", ["ik wil gewoon dood", "ik wil echt dood", "ik wil dood", "wil gewoon dood", "wil echt dood", "wil dood"]),
        ("ga [maar] (door|verder)", ["ga maar door", "ga maar verder", "ga door", "ga verder"]),
        ("a (b [c|d]|e)", ["a b c", "a b d", "a b", "a e"]),
        ("zelfmoord*", ["zelfmoord*"]),
    ],
)
def test_expansion(template, phrases):
    assert expand(template) == phrases


@pytest.mark.parametrize("template", ["(a|b", "a]", "[a", "a)", "((a)"])
def test_unbalanced_brackets_are_named(template):
    with pytest.raises(TemplateError, match="template"):
        expand(template)


def test_a_template_that_explodes_is_refused():
    with pytest.raises(TemplateError, match=f"more than {MAX_EXPANSIONS}"):
        expand("(a|b) " * 10)
