"""Reading and validating exercise scripts (TOML) into :class:`~voice_coach.core.script.Script`.

Every problem is collected, not just the first, so a coach fixes a file in one go.
Nothing here raises anything but :class:`ScriptError`, whatever the input.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .answers import FORMS
from .script import (
    KIND_OF,
    NEXT,
    PHASES,
    Ask,
    Breathe,
    Chime,
    Goto,
    Pause,
    Record,
    Reflect,
    Say,
    Script,
    Step,
    StepBody,
)
from .tomlfile import TomlFileError, read_toml_file

MAX_SILENCE = 600.0
"""Longest single pause or reflection silence (10 minutes)."""
MAX_PHASE = 60.0
"""Longest single breathing phase."""
MAX_ROUNDS = 200
MAX_GOTO_TIMES = 100
TIMEOUT_RANGE = (2.0, 120.0)
VOICE_RATE_RANGE = (0.5, 1.5)
MINUTES_RANGE = (0.1, 120.0)
MAX_SENTENCE_WORDS = 15
"""Sentences longer than this get a warning: hard to follow with eyes closed."""
MAX_SPOKEN_NAME_WORDS = 8
"""A spoken name is said inside a question ("Wil je ... doen?"): a few words at most."""

SoundCheck = Callable[[Path], str | None]
"""Why a sound file cannot be played (None: it can); reading files is the audio adapter's part."""

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SAYABLE_PATTERN = re.compile(r"^[a-zà-ÿ]+( [a-zà-ÿ]+)*$")

TOP_LEVEL_FIELDS = ("id", "title", "spoken_name", "triggers", "summary", "minutes", "voice_rate", "step")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a script, located precisely enough to fix it."""

    file: str
    """The script file (or the name it was given)."""
    message: str
    """What is wrong and what to do about it."""
    step: int | None = None
    """1-based step number, None for the file as a whole."""
    kind: str | None = None
    """The step kind, when known."""
    field: str | None = None
    """The field at fault, when there is one."""
    warning: bool = False
    """True for advice that does not make the script invalid."""

    def __str__(self) -> str:
        where = [self.file]
        if self.step is not None:
            where.append(f"step {self.step}" + (f" ({self.kind})" if self.kind else ""))
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = "warning: " if self.warning else ""
        return f"{': '.join(where)}: {prefix}{self.message}"


class ScriptError(Exception):
    """A script (or a set of scripts) is invalid; ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every way it can be unreadable into a ScriptError."""
    try:
        return read_toml_file(path)
    except TomlFileError as err:
        raise ScriptError([Problem(str(path), err.reason)]) from None


def check_script(path: Path, sound_folders: Sequence[Path], sound_problem: SoundCheck | None = None) -> tuple[Script | None, list[Problem]]:
    """Load one script file: the script (None when invalid) and every problem found."""
    try:
        data = read_toml(path)
    except ScriptError as err:
        return None, err.problems
    return parse_script(data, str(path), sound_folders, expected_id=path.stem, sound_problem=sound_problem)


def parse_script(
    data: dict[str, Any], source: str, sound_folders: Sequence[Path], expected_id: str | None = None,
    sound_problem: SoundCheck | None = None,
) -> tuple[Script | None, list[Problem]]:
    """Validate parsed TOML data: the script (None when any error) and all problems.
    A sound the script names is looked for in ``sound_folders``, first match wins, and
    stored as the path of the file found; ``sound_problem`` (an audio adapter's) then
    says whether that file can be played."""
    reader = _Reader(source, tuple(sound_folders), sound_problem)
    script = reader.script(data, expected_id)
    errors = [p for p in reader.problems if not p.warning]
    return (None if errors else script), reader.problems


class _Reader:
    """Walks the TOML data, building the script and collecting problems."""

    def __init__(self, source: str, sound_folders: tuple[Path, ...], sound_problem: SoundCheck | None = None):
        self.source = source
        self.sound_folders = sound_folders
        self.sound_problem = sound_problem
        self.problems: list[Problem] = []
        self.step_no: int | None = None
        self.kind: str | None = None
        self.table_name = ""  # set while reading a nested table such as breathe = { ... }

    # -- reporting -------------------------------------------------------
    def problem(self, message: str, field: str | None = None, warning: bool = False) -> None:
        if field and self.table_name:
            field = f"{self.table_name}.{field}"
        self.problems.append(Problem(self.source, message, self.step_no, self.kind, field, warning))

    def unknown_fields(self, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                self.problem(f"unknown field {key!r}{_did_you_mean(str(key), allowed)}; allowed here: {', '.join(allowed)}", str(key))

    # -- typed fields ----------------------------------------------------
    def text(self, table: dict[str, Any], key: str, required: bool = True) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem("missing; add it as text in quotes", key)
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem("must be non-empty text in quotes", key)
            return None
        return value.strip()

    def sentence(self, table: dict[str, Any], key: str, required: bool = True) -> str | None:
        """Text that will be spoken: each sentence of it checked for length as well."""
        text = self.text(table, key, required)
        longest = max((len(s.split()) for s in re.split(r"(?<=[.?!])\s+", text)), default=0) if text else 0
        if longest > MAX_SENTENCE_WORDS:
            self.problem(
                f"a sentence of {longest} words is long to follow with eyes closed; "
                f"keep a spoken sentence to about {MAX_SENTENCE_WORDS} words",
                key,
                warning=True,
            )
        return text

    def number(
        self, table: dict[str, Any], key: str, low: float, high: float, default: float | None = None, integer: bool = False
    ) -> float | None:
        value = table.get(key)
        if value is None:
            if default is None:
                self.problem(f"missing; give a number from {_fmt(low)} to {_fmt(high)}", key)
            return default
        wanted = "a whole number" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            self.problem(f"must be {wanted} (without quotes), not {value!r}", key)
            return None
        if not math.isfinite(value) or not low <= value <= high:
            what = "negative" if value < 0 else f"{_fmt(value)} is out of range"
            self.problem(f"{what}; use {wanted} from {_fmt(low)} to {_fmt(high)}", key)
            return None
        return value

    def name(self, table: dict[str, Any], key: str, required: bool = True) -> str | None:
        value = self.text(table, key, required)
        if value is not None and not NAME_PATTERN.match(value):
            self.problem(f"{value!r} is not a valid name; use lowercase letters, digits, '-' and '_'", key)
            return None
        return value

    def sayable(self, value: Any, key: str) -> str | None:
        if not isinstance(value, str) or not SAYABLE_PATTERN.match(value.strip()):
            self.problem(
                f"{value!r} cannot be recognized as speech; use lowercase words separated by single spaces",
                key,
            )
            return None
        return value.strip()

    def audio(self, table: dict[str, Any], key: str, missing_is_warning: bool = False) -> str | None | bool:
        """The path of the named sound file; None when invalid. With ``missing_is_warning``
        (a recorded clip, which has the voice to fall back on) a missing file is only
        a warning and gives "", an invalid one False."""
        value = table.get(key)
        invalid = False if missing_is_warning else None
        where = " or ".join(map(str, self.sound_folders))
        if not isinstance(value, str) or not value.strip():
            self.problem(f"must be the name of a .wav file in {where}, in quotes", key)
            return invalid
        if "\0" in value:
            self.problem(f"{value!r} holds a NUL character (\\u0000); write the file name without it", key)
            return invalid
        roots = [folder.resolve() for folder in self.sound_folders]
        targets = [(root / value).resolve() for root in roots]
        if Path(value).is_absolute() or not all(t.is_relative_to(r) for t, r in zip(targets, roots)):
            self.problem(f"{value!r} lies outside the sound folders; put the file in {where} and give its name", key)
            return invalid
        if Path(value).suffix.lower() != ".wav":
            self.problem(f"{value!r} is not a .wav file; convert it to WAV", key)
            return invalid
        found = next((t for t in targets if t.exists()), None)  # a FIFO or folder there: sound_problem names it
        if found is None:
            if missing_is_warning:
                self.problem(f"recorded clip {value!r} not found in {where}; the synthesized voice speaks instead", key, warning=True)
                return ""
            self.problem(f"audio file {value!r} not found in {where}; add it there or fix the name", key)
            return None
        unplayable = self.sound_problem(found) if self.sound_problem else None
        if unplayable:
            self.problem(unplayable, key)
            return invalid
        return str(found)

    # -- the script ------------------------------------------------------
    def script(self, data: dict[str, Any], expected_id: str | None) -> Script | None:
        self.unknown_fields(data, TOP_LEVEL_FIELDS)
        script_id = self.name(data, "id")
        if script_id and expected_id and script_id != expected_id:
            self.problem(f"is {script_id!r} but the file is named {expected_id}.toml; make them the same", "id")
        title = self.text(data, "title")
        spoken_name = self.spoken_name(data)
        summary = self.text(data, "summary")
        minutes = self.number(data, "minutes", *MINUTES_RANGE)
        voice_rate = self.number(data, "voice_rate", *VOICE_RATE_RANGE, default=1.0)
        triggers = self.triggers(data.get("triggers"))
        steps = self.steps(data.get("step"))
        if steps:
            self.check_flow(steps)
        if None in (script_id, title, summary, minutes, voice_rate, triggers, steps):
            return None
        return Script(script_id, title, triggers, summary, minutes, steps, voice_rate, self.source, spoken_name)

    def spoken_name(self, data: dict[str, Any]) -> str | None:
        """The optional name said inside "Wil je ... doen?": a few words, no sentence of its own."""
        value = self.text(data, "spoken_name", required=False)
        if value is not None and (re.search(r"[.?!{}]", value) or len(value.split()) > MAX_SPOKEN_NAME_WORDS):
            self.problem(
                f"{value!r} is said inside the question 'Wil je ... doen?'; give a name of at most "
                f'{MAX_SPOKEN_NAME_WORDS} words without . ? ! or braces, e.g. spoken_name = "een ademoefening"',
                "spoken_name",
            )
        return value

    def triggers(self, value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not value:
            self.problem('missing or empty; list the spoken names, e.g. triggers = ["adem oefening"]', "triggers")
            return None
        triggers = [self.sayable(t, "triggers") for t in value]
        if None in triggers:
            return None
        if len(set(triggers)) != len(triggers):
            self.problem("lists the same trigger twice; remove the copy", "triggers")
        return tuple(triggers)

    def steps(self, value: Any) -> tuple[Step, ...] | None:
        if not isinstance(value, list) or not value or not all(isinstance(s, dict) for s in value):
            self.problem("the script has no steps; add at least one [[step]] table", "step")
            return None
        steps = []
        for number, table in enumerate(value, start=1):
            self.step_no, self.kind = number, None
            steps.append(self.step(table))
        self.step_no = self.kind = None
        return None if None in steps else tuple(steps)

    def step(self, table: dict[str, Any]) -> Step | None:
        kinds = [key for key in table if key in _STEP_READERS]
        if len(kinds) != 1:
            unknown = [str(k) for k in table if k not in _ALL_STEP_FIELDS]
            if kinds:
                self.problem(f"has several kinds ({', '.join(kinds)}); split it into one step per kind")
            elif unknown:
                hint = _did_you_mean(unknown[0], tuple(_STEP_READERS))
                self.problem(f"unknown step kind {unknown[0]!r}{hint}; use one of {', '.join(_STEP_READERS)}", unknown[0])
            else:
                self.problem(f"says nothing to do; start it with one of {', '.join(_STEP_READERS)}")
            return None
        self.kind = kinds[0]
        read, extra = _STEP_READERS[self.kind]
        self.unknown_fields(table, (self.kind, "label", *extra))
        label = self.name(table, "label", required=False)
        body = read(self, table)
        return None if body is None else Step(body, label)

    # -- step kinds ------------------------------------------------------
    def say(self, table: dict[str, Any]) -> StepBody | None:
        text = self.sentence(table, "say")
        clip = self.audio(table, "clip", missing_is_warning=True) if "clip" in table else None
        at_night = self.sentence(table, "at_night", required=False) if "at_night" in table else None
        without = self.sentence(table, "without_answers", required=False) if "without_answers" in table else None
        if text is None or clip is False or ("at_night" in table and at_night is None):
            return None
        if "without_answers" in table and without is None:
            return None
        return Say(text, clip or None, at_night, without)

    def pause(self, table: dict[str, Any]) -> StepBody | None:
        seconds = self.number(table, "pause", 0.1, MAX_SILENCE)
        return None if seconds is None else Pause(seconds)

    def chime(self, table: dict[str, Any]) -> StepBody | None:
        sound = self.audio(table, "chime")
        return None if sound is None else Chime(sound)

    def breathe(self, table: dict[str, Any]) -> StepBody | None:
        spec = table.get("breathe")
        if not isinstance(spec, dict):
            self.problem("must be a table of phase seconds, e.g. breathe = { in = 4, out = 6 }", "breathe")
            return None
        phases = self.nested("breathe", lambda: self.phase_seconds(spec))
        rounds = self.number(table, "rounds", 1, MAX_ROUNDS, integer=True)
        cue_rounds = self.number(table, "cue_rounds", 0, MAX_ROUNDS, default=-1, integer=True)
        cues = self.phase_table(table, "cues", self.sentence)
        tones = self.phase_table(table, "tones", self.audio)
        if None in phases.values() or None in (rounds, cue_rounds, cues, tones):
            return None
        if sum(phases.values()) <= 0:
            self.problem("all phases are 0 seconds; give 'in' and 'out' some seconds", "breathe")
            return None
        for phase in list(cues) + list(tones):
            if not phases[phase]:
                self.problem(f"has a cue or tone for '{phase}', which lasts 0 seconds; give it seconds or remove it", "breathe")
                return None
        return Breathe(phases, int(rounds), cues, tones, None if cue_rounds < 0 else int(cue_rounds))

    def phase_seconds(self, spec: dict[str, Any]) -> dict[str, float | None]:
        self.unknown_fields(spec, PHASES)
        return {p: self.number(spec, p, 0, MAX_PHASE, default=0) for p in PHASES}

    def phase_table(self, table: dict[str, Any], key: str, read: Callable) -> dict[str, str] | None:
        spec = table.get(key, {})
        if not isinstance(spec, dict):
            self.problem(f"must be a table per phase, e.g. {key} = {{ in = \"...\" }}", key)
            return None

        def read_all() -> dict[str, str] | None:
            self.unknown_fields(spec, PHASES)
            values = {p: read(spec, p) for p in PHASES if p in spec}
            return None if None in values.values() else values

        return self.nested(key, read_all)

    def nested(self, name: str, read: Callable[[], Any]) -> Any:
        """Run ``read`` with problems reported as ``name.field``."""
        self.table_name = name
        try:
            return read()
        finally:
            self.table_name = ""

    def ask(self, table: dict[str, Any]) -> StepBody | None:
        question = self.sentence(table, "ask")
        answers = table.get("answers")
        if not isinstance(answers, dict) or not answers:
            self.problem('missing; map each answer to a label, e.g. answers = { ja = "rondes", nee = "next" }', "answers")
            return None
        targets = {}
        for raw, target in answers.items():
            word = self.sayable(raw, "answers")
            if not isinstance(target, str) or not (target == NEXT or NAME_PATTERN.match(target)):
                self.problem(f"answer {raw!r} must lead to a label or \"{NEXT}\", not {target!r}", "answers")
            elif word:
                targets[word] = target
        default = self.text(table, "default")
        if default is not None and default not in targets:
            self.problem(f"{default!r} is not one of the answers ({', '.join(map(str, answers))}); pick one of them", "default")
            default = None
        timeout = self.number(table, "timeout", *TIMEOUT_RANGE, default=Ask.timeout)
        retry = self.sentence(table, "retry", required=False)
        other = self.text(table, "other", required=False)
        if other is not None and not (other == NEXT or NAME_PATTERN.match(other)):
            self.problem(f'must be a label or "{NEXT}" (where anything else said leads), not {other!r}', "other")
            return None
        if None in (question, default, timeout) or len(targets) != len(answers):
            return None
        return Ask(question, targets, default, timeout, retry, other)

    def reflect(self, table: dict[str, Any]) -> StepBody | None:
        question = self.sentence(table, "reflect")
        silence = self.number(table, "silence", 1, MAX_SILENCE)
        return None if None in (question, silence) else Reflect(question, silence)

    def record(self, table: dict[str, Any]) -> StepBody | None:
        question = self.sentence(table, "record")
        key = self.name(table, "key")
        words = table.get("answers")
        if not isinstance(words, list) or not words:
            self.problem('missing; list the answer words to listen for, e.g. answers = ["rust", "verdriet"]', "answers")
            return None
        answers = [self.sayable(w, "answers") for w in words]
        confirm = self.sentence(table, "confirm", required=False)
        timeout = self.number(table, "timeout", *TIMEOUT_RANGE, default=Record.timeout)
        retry = self.sentence(table, "retry", required=False)
        if confirm is not None and "{" in confirm.replace("{answer}", ""):
            self.problem("may only contain the placeholder {answer}", "confirm")
            return None
        say_back = self.say_back(table)
        if None in (question, key, timeout, say_back) or None in answers:
            return None
        return Record(question, key, tuple(answers), confirm, timeout, retry, say_back)

    def say_back(self, table: dict[str, Any]) -> tuple[tuple[str, str], ...] | None:
        """The optional ``say_back`` table: a sentence with ``{answer}`` per form."""
        frames = table.get("say_back", {})
        if not isinstance(frames, dict):
            self.problem('must be a table, e.g. say_back = { adjective = "Je voelt je {answer}." }', "say_back")
            return None
        unknown = sorted(set(frames) - set(FORMS))
        if unknown:
            self.problem(f"has {', '.join(map(repr, unknown))}; the forms are {', '.join(FORMS)}", "say_back")
            return None
        pairs = []
        for form in frames:
            sentence = self.sentence(frames, form)
            if sentence is None or "{answer}" not in sentence or "{" in sentence.replace("{answer}", ""):
                self.problem("needs the placeholder {answer} and no other", f"say_back.{form}")
                return None
            pairs.append((form, sentence))
        return tuple(pairs)

    def goto(self, table: dict[str, Any]) -> StepBody | None:
        target = self.name(table, "goto")
        times = self.number(table, "times", 1, MAX_GOTO_TIMES, default=0, integer=True)
        return None if None in (target, times) else Goto(target, int(times) or None)

    # -- control flow ----------------------------------------------------
    def check_flow(self, steps: tuple[Step, ...]) -> None:
        """Labels unique and present, jumps resolvable, no loop a silent person never leaves."""
        labels: dict[str, int] = {}
        for index, step in enumerate(steps):
            if step.label in labels:
                self._at(index, step)
                self.problem(f"label {step.label!r} is also on step {labels[step.label] + 1}; labels must be unique", "label")
            elif step.label:
                labels[step.label] = index
        flow_ok = True
        for index, step in enumerate(steps):
            self._at(index, step)
            for field, target in _jump_targets(step.body):
                if target != NEXT and target not in labels:
                    hint = _did_you_mean(target, tuple(labels))
                    self.problem(f"jumps to label {target!r}{hint}, which no step has; add the label or fix the name", field)
                    flow_ok = False
        self.step_no = self.kind = None
        if flow_ok:
            self.check_endless(steps, labels)

    def check_endless(self, steps: tuple[Step, ...], labels: dict[str, int]) -> None:
        """A cycle along the edges taken when nobody answers never ends."""
        follow = [_silent_successor(i, steps[i].body, labels) for i in range(len(steps))]
        cycle = _first_cycle(follow)
        if cycle is None:
            return
        path = " -> ".join(str(i + 1) for i in cycle + [cycle[0]])
        jumper = next(i for i in cycle if isinstance(steps[i].body, (Goto, Ask)))
        self._at(jumper, steps[jumper])
        self.problem(
            f"loops forever when nobody answers (steps {path}); give the goto a 'times' "
            "or let the ask's default lead out of the loop"
        )
        self.step_no = self.kind = None

    def _at(self, index: int, step: Step) -> None:
        self.step_no, self.kind = index + 1, step.kind


def _jump_targets(body: StepBody) -> list[tuple[str, str]]:
    if isinstance(body, Goto):
        return [("goto", body.target)]
    if isinstance(body, Ask):
        return [("answers", target) for target in body.answers.values()] + ([("other", body.other)] if body.other else [])
    return []


def _first_cycle(follow: list[int]) -> list[int] | None:
    """The cycle through the lowest step, in order from it, of the graph where step i
    goes on to ``follow[i]`` (past the end: out); None when there is none. Linear: every
    step is walked once."""
    new, on_path, done = 0, 1, 2
    state = [new] * len(follow)
    cycles = []
    for start in range(len(follow)):
        path, index = [], start
        while index < len(follow) and state[index] == new:
            state[index] = on_path
            path.append(index)
            index = follow[index]
        if index < len(follow) and state[index] == on_path:
            cycles.append(path[path.index(index) :])
        for visited in path:
            state[visited] = done
    if not cycles:
        return None
    cycle = min(cycles, key=min)
    first = cycle.index(min(cycle))
    return cycle[first:] + cycle[:first]


def _silent_successor(index: int, body: StepBody, labels: dict[str, int]) -> int:
    """The step that follows ``index`` when nobody says anything."""
    if isinstance(body, Goto) and body.times is None:
        return labels[body.target]
    if isinstance(body, Ask):
        target = body.answers[body.default]
        return index + 1 if target == NEXT else labels[target]
    return index + 1


_STEP_READERS: dict[str, tuple[Callable[[_Reader, dict], StepBody | None], tuple[str, ...]]] = {
    "say": (_Reader.say, ("clip", "at_night", "without_answers")),
    "pause": (_Reader.pause, ()),
    "chime": (_Reader.chime, ()),
    "breathe": (_Reader.breathe, ("rounds", "cues", "tones", "cue_rounds")),
    "ask": (_Reader.ask, ("answers", "default", "timeout", "retry", "other")),
    "reflect": (_Reader.reflect, ("silence",)),
    "record": (_Reader.record, ("key", "answers", "confirm", "timeout", "retry", "say_back")),
    "goto": (_Reader.goto, ("times",)),
}
assert set(_STEP_READERS) == set(KIND_OF.values())
_ALL_STEP_FIELDS = {"label", *_STEP_READERS, *(f for _, extra in _STEP_READERS.values() for f in extra)}


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else nothing."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _fmt(value: float) -> str:
    return f"{value:g}"
