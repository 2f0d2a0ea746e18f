"""The command phrasings: every phrasing Dutch speakers use means what it should,
and nothing is ambiguous unless on purpose."""

from __future__ import annotations

import tomllib

import pytest

from voice_coach.core.answers import load_answers
from voice_coach.core.loader import SAYABLE_PATTERN
from voice_coach.core.meaning import said_forms
from voice_coach.paths import DATA_DIR
from voice_coach.core.phrases import SESSION_COMMANDS, SLOT, Intent, load_phrases
from voice_coach.core.utterance import Utterance, fold, normalize

BOOK = load_phrases()
ANSWERS = load_answers()
TRIGGERS = ["ademoefening", "adem oefening", "vier zeven acht", "check in"]

# What people say during an exercise, with the command each must be.
SESSION = {
    "stop": "stop", "stoppen": "stop", "hou op": "stop", "houd op": "stop", "stop maar": "stop",
    "ik wil stoppen": "stop", "genoeg": "stop", "laat maar": "stop", "afbreken": "stop", "ophouden": "stop",
    "pauze": "pause", "wacht even": "pause", "momentje": "pause", "even wachten": "pause", "even pauze": "pause",
    "verder": "resume", "ga door": "resume", "ga maar door": "resume", "ik ben er weer": "resume", "doorgaan": "resume",
    "herhaal": "repeat", "nog een keer": "repeat", "nog eens": "repeat", "wat zei je": "repeat", "sorry": "repeat",
    "pardon": "repeat", "opnieuw": "repeat",
    "langzamer": "slower", "iets langzamer": "slower", "niet zo snel": "slower", "rustig aan": "slower",
    "sneller": "faster", "iets sneller": "faster",
    "overslaan": "skip", "volgende": "skip", "sla over": "skip",
    "zachter": "softer", "iets zachter": "softer", "minder hard": "softer",
    "harder": "louder", "iets harder": "louder", "ik hoor je niet": "louder", "luider": "louder",
}


@pytest.mark.parametrize("said,command", SESSION.items())
def test_session_phrasings(said, command):
    assert BOOK.match_session(Utterance.of(said)) == Intent(command)


@pytest.mark.parametrize("said,command", SESSION.items())
def test_session_phrasings_inside_a_sentence(said, command):
    assert BOOK.match_session(Utterance.of(f"eh, {said.capitalize()} alsjeblieft!")) == Intent(command)


# Said during an exercise, and no command: recovery news, answers, the rest of a sentence.
NO_COMMAND = [
    "ik wil stoppen met roken", "ik wil stoppen met drinken", "stoppen met roken", "ik wil ophouden met gebruiken",
    "ik ben aan het stoppen met blowen", "genoeg water drinken", "ophouden met piekeren lukt niet",
]


@pytest.mark.parametrize("said", NO_COMMAND)
def test_stopping_something_else_is_no_command(said):
    assert BOOK.match_session(Utterance.of(said)) is None


def test_phrasings_that_count_only_at_a_clause_end_are_never_taken_at_a_pause():
    # "ik wil stoppen" ... "met roken": a recognizer that took the phrase at the pause would stop.
    assert {"ik wil stoppen", "stoppen", "ophouden", "genoeg"} <= set(BOOK.clause_ends)
    assert "stop" not in BOOK.clause_ends and "pauze" not in BOOK.clause_ends


IDLE_STARTS = [
    "start {}", "begin {}", "doe de {}", "start de {}", "begin met {}", "{}", "ik wil {} doen", "ik wil de {}",
    "ik wil de {} doen", "laten we {} doen", "doe maar {}",
]


@pytest.mark.parametrize("template", IDLE_STARTS)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_idle_start_phrasings(template, trigger):
    assert BOOK.match_idle(Utterance.of(template.format(trigger)), TRIGGERS) == Intent("start", trigger)


IDLE = {
    "welke oefeningen zijn er": "list", "wat kan ik kiezen": "list", "welke oefeningen heb je": "list",
    "noem de oefeningen": "list",
    "help": "help", "hulp": "help", "help me": "help", "wat moet ik zeggen": "help", "hoe werkt het": "help",
}


@pytest.mark.parametrize("said,intent", IDLE.items())
def test_idle_list_and_help(said, intent):
    assert BOOK.match_idle(Utterance.of(said), TRIGGERS) == Intent(intent)


def test_while_idle_every_command_must_be_the_whole_utterance():
    # A conversation or the radio in the bedroom must not make the coach speak: the bench
    # heard "help" inside ordinary speech dozens of times an hour when it counted there.
    assert BOOK.match_idle(Utterance.of("ik weet het niet, help me"), TRIGGERS) is None
    assert BOOK.match_idle(Utterance.of("ik zei gisteren start ademoefening tegen haar"), TRIGGERS) is None
    assert BOOK.match_idle(Utterance.of("start ademoefening [unk]"), TRIGGERS) is None
    assert BOOK.match_idle(Utterance.of("[unk] hulp"), TRIGGERS) is None


def test_during_an_exercise_help_is_heard_inside_a_sentence():
    assert BOOK.is_help(Utterance.of("ik weet het niet, help me"))


def test_idle_ignores_unknown_exercises_and_chatter():
    assert BOOK.match_idle(Utterance.of("start de auto"), TRIGGERS) is None
    assert BOOK.match_idle(Utterance.of("het regent"), TRIGGERS) is None


def test_normalize_gives_the_recognizer_form_and_fold_the_comparison_form():
    assert normalize("  Start, de ADEM-oefening! ") == "start de adem oefening"
    assert normalize("ÉÉN keer [unk]") == "één keer [unk]"
    assert fold("Eén SUÏCIDE") == "een suicide"


def all_phrases():
    for intent, phrases in BOOK.idle.items():
        yield from ((f"idle.{intent}", p.replace(SLOT, "x")) for p in phrases)
    yield from (("help", p) for p in BOOK.help)
    for command, phrases in BOOK.session.items():
        yield from ((f"session.{command}", p) for p in phrases)


def test_every_phrase_is_sayable():
    bad = [(owner, p) for owner, p in all_phrases() if not SAYABLE_PATTERN.match(p.replace("x", "a"))]
    assert bad == []


def test_no_phrase_belongs_to_two_intents():
    seen: dict[str, str] = {}
    clashes = []
    for owner, phrase in all_phrases():
        if phrase in seen and seen[phrase] != owner:
            clashes.append((phrase, seen[phrase], owner))
        seen[phrase] = owner
    assert clashes == []


# Said while a question expects an answer, these mean the answer; otherwise the command.
DELIBERATE = {
    "nog een keer": ("ja", "repeat"), "sla over": ("no answer", "skip"), "sla maar over": ("no answer", "skip"),
    "genoeg zo": ("nee", "stop"), "rustiger": ("tevredenheid", "slower"),
}


def test_answers_and_commands_overlap_only_where_decided():
    commands = {p: c for c, phrases in BOOK.session.items() for p in phrases}
    answers = {fold(p): w for w in ANSWERS.spoken for p in (w, *ANSWERS.spoken[w])}
    none = tomllib.loads((DATA_DIR / "answers.toml").read_text("utf-8"))["none"]
    answers.update({fold(p): "no answer" for t in none for p in said_forms(t)})
    overlap = {p: (answers[fold(p)], commands[p]) for p in commands if fold(p) in answers}
    assert overlap == DELIBERATE


def test_every_session_command_has_phrasings_and_a_handler():
    from voice_coach.core.engine import COMMANDS

    assert tuple(BOOK.session) == SESSION_COMMANDS
    assert sorted(COMMANDS) == sorted((*SESSION_COMMANDS, "help"))
    assert len(set(COMMANDS.values())) == len(COMMANDS)  # no command borrows another's handler


def test_idle_phrases_hold_every_phrasing():
    idle = BOOK.idle_phrases(TRIGGERS)
    assert idle["start adem oefening"] == Intent("start", "adem oefening")
    assert idle["doe de check in"] == Intent("start", "check in")
    assert idle["hulp"] == Intent("help")
    assert {"stop", "wacht even", "help", "sla over"} <= set(BOOK.session_phrases())


def test_fillers_are_no_word_of_anything_that_means_something():
    from voice_coach.core.care import load_care
    from voice_coach.core.library import load_library
    from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR

    library = load_library([SCRIPTS_DIR], AUDIO_DIR)
    meaningful = [*BOOK.idle_phrases(list(library.trigger_map())), *BOOK.session_phrases(), *load_care().grammar]
    meaningful += [p for word in ANSWERS.spoken for p in (word, *ANSWERS.spoken[word])]
    words = {fold(w) for phrase in meaningful for w in phrase.split()}
    assert [f for f in BOOK.fillers if fold(f) in words] == []
    assert all(len(f) >= 4 for f in BOOK.fillers)
