"""The set of exercises: the shipped scripts and the coach's own, checked against each other."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .loader import Problem, SoundCheck, check_script
from .script import Script
from .utterance import fold


@dataclass
class Library:
    """The valid exercises, and what was wrong with the rest."""

    scripts: dict[str, Script] = field(default_factory=dict)
    """Valid scripts by id: the shipped order, then the coach's own."""
    problems: list[Problem] = field(default_factory=list)
    """Errors and warnings of every file read."""
    replaced: dict[str, str] = field(default_factory=dict)
    """Id -> the file of the script that a later folder's script of that id replaced."""

    @property
    def errors(self) -> list[Problem]:
        """The problems that made a script invalid."""
        return [p for p in self.problems if not p.warning]

    def trigger_map(self) -> dict[str, str]:
        """Spoken trigger -> exercise id."""
        return {t: s.id for s in self.scripts.values() for t in s.triggers}

    def find(self, name: str) -> Script | None:
        """The exercise called ``name``: its id or any of its triggers, compared as the matcher
        compares what is said (:func:`~.utterance.fold`)."""
        if name in self.scripts:
            return self.scripts[name]
        script_id = {fold(t): i for t, i in self.trigger_map().items()}.get(fold(name))
        return self.scripts.get(script_id) if script_id else None

    def suggest(self, name: str) -> list[str]:
        """Exercise ids that look like ``name``, for a "did you mean"."""
        names = {**{i: i for i in self.scripts}, **{fold(t): i for t, i in self.trigger_map().items()}}
        close = difflib.get_close_matches(fold(name), list(names), n=5, cutoff=0.7)
        return list(dict.fromkeys(names[c] for c in close))


def script_files(path: Path) -> list[Path]:
    """The .toml files of a folder (sorted), or the one file named."""
    return sorted(path.glob("*.toml")) if path.is_dir() else [path]


def load_library(
    layers: Iterable[Path], shared_sounds: Path, between_files: Callable[[], None] | None = None,
    sound_problem: SoundCheck | None = None,
) -> Library:
    """Load every script of ``layers`` (folders or files), in order: a valid script
    replaces one of the same id from an earlier layer, so a coach's own folder adds
    exercises or replaces shipped ones. A bad script is reported and left out, and
    never hides the one it would have replaced. A script's sounds are looked for
    beside it, then in ``shared_sounds``. ``between_files`` is called before each
    file (the daemon feeds its watchdog there). ``sound_problem`` checks every sound
    file found (see :func:`~voice_coach.audio.sound.sound_problem`); without it they are
    only looked for."""
    library = Library()
    owner: dict[str, str] = {}  # folded trigger -> the id of the exercise it starts
    for layer in layers:
        for path in script_files(layer):
            if between_files is not None:
                between_files()
            script, problems = check_script(path, (path.parent, shared_sounds), sound_problem)
            library.problems.extend(problems)
            if script is not None:
                _add(library, owner, script)
    return library


def _add(library: Library, owner: dict[str, str], script: Script) -> None:
    """Add ``script``, replacing the one with its id, unless a trigger of it starts another
    exercise already: what was loaded first keeps its triggers. Triggers are compared
    folded, as what is said is matched ("véilig" is "veilig")."""
    taken = [t for t in script.triggers if owner.get(fold(t), script.id) != script.id]
    for trigger in taken:
        other = library.scripts[owner[fold(trigger)]]
        theirs = next(t for t in other.triggers if fold(t) == fold(trigger))
        alike = "" if theirs == trigger else f" (its {theirs!r}: accents do not count when listening)"
        library.problems.append(Problem(
            script.source, f"trigger {trigger!r} also starts {other.source}{alike}; give each exercise its own triggers", field="triggers",
        ))
    if taken:
        return
    previous = library.scripts.get(script.id)
    if previous is not None:
        library.replaced[script.id] = previous.source
        for trigger in previous.triggers:
            owner.pop(fold(trigger), None)
    owner.update(dict.fromkeys(map(fold, script.triggers), script.id))
    library.scripts[script.id] = script
