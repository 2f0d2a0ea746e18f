"""Everything the coach can say is rendered before it is needed: nothing is synthesized
between hearing something and answering it."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FixedTiming
from daemon_harness import DaemonProcess
from voice_coach.core.engine import Speak, question_of
from voice_coach.core.interpret import Interpreter
from voice_coach.core.library import load_library
from voice_coach.core.timeline import simulate
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
from voice_coach.speech.speech_cache import sentences

SLOW_SCRIPT = """
id = "traag"
title = "Traag"
spoken_name = "een trage oefening"
triggers = ["traag"]
summary = "Een korte oefening, trager gesproken."
minutes = 1
voice_rate = 0.8

[[step]]
say = "Welkom."

[[step]]
pause = 30
"""
"""A library of one exercise spoken slower than normal: what is said outside it (the list,
help, a declined start) is at the normal rate, and must be rendered at that rate too."""


def rendered(cache: Path) -> set[Path]:
    return set(cache.rglob("*.wav"))


def test_the_daemon_synthesizes_nothing_while_it_answers_a_start_a_list_and_help(tmp_path):
    scripts, cache = tmp_path / "scripts", tmp_path / "cache"
    scripts.mkdir()
    (scripts / "traag.toml").write_text(SLOW_SCRIPT)
    with DaemonProcess(tmp_path, "--cache", str(cache), scripts=scripts, start_check="always") as daemon:
        daemon.ready()
        total = int(re.search(r"prerendered (\d+) sentences", daemon.wait_log(r"prerendered \d+ sentences", 60)).group(1))
        before = rendered(cache)
        assert len(before) == total
        for said, done in [
            ("start traag", "asked whether to start traag"), ("ja", "exercise traag started"),
            ("stop", "exercise traag ended: stopped"), ("start traag", "asked whether to start traag"),
            ("nee", "heard 'nee'"), ("welke oefeningen zijn er", "idle command list"), ("help", "idle command help"),
        ]:
            daemon.say(said)
            daemon.wait_log(re.escape(done))
        daemon.say("niets")  # the loop has answered everything before it reads this
        daemon.wait_log("heard 'niets'")
        assert daemon.stop() == 0
    assert rendered(cache) == before


COMMANDS = ["pauze", "verder", "nog een keer", "langzamer", "sneller", "zachter", "harder", "volgende", "help", "stop"]


def test_every_sentence_an_exercise_says_on_its_ways_is_prerendered():
    library = load_library([SCRIPTS_DIR], AUDIO_DIR)
    language = Interpreter.load()
    known = set(sentences(library.scripts.values(), language.phrases.replies, language.care, language.answers))
    for script in library.scripts.values():
        words = [w for step in script.steps for w in question_of(step.body)[0]]
        ways = [
            simulate(script, FixedTiming()),
            *(simulate(script, FixedTiming(), answers=[word] * 10) for word in dict.fromkeys(words)),
            simulate(script, FixedTiming(), answers=["blabla"] * 10), simulate(script, FixedTiming(), answers=["ik heb hulp nodig"] * 10),
            simulate(script, FixedTiming(), said=[(3.0 + i, c) for i, c in enumerate(["langzamer"] * 4 + ["sneller"] * 8)]),
            simulate(script, FixedTiming(), said=[(3.0, "ik kan niet meer"), (6.0, "ja")]),
            simulate(script, FixedTiming(), said=[(3.0, "ik kan niet meer"), (6.0, "nee")]),
            simulate(script, FixedTiming(), said=[(3.0, "ik wil dood")]),
            *(simulate(script, FixedTiming(), said=[(20.0, c), (25.0, "verder")]) for c in COMMANDS),
        ]
        said = {(a.text, a.rate) for way in ways for a in way.actions if isinstance(a, Speak)}
        assert said - known == set(), script.id
