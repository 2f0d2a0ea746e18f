"""The set of exercises: every script in a folder, checked against each other."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .loader import Problem, check_script
from .script import Script
from .utterance import normalize


@dataclass
class Library:
    """The valid exercises, and what was wrong with the rest."""

    scripts: dict[str, Script] = field(default_factory=dict)
    """Valid scripts by id, in file name order."""
    problems: list[Problem] = field(default_factory=list)
    """Errors and warnings of every file read."""

    @property
    def errors(self) -> list[Problem]:
        """The problems that made a script invalid."""
        return [p for p in self.problems if not p.warning]

    def trigger_map(self) -> dict[str, str]:
        """Spoken trigger -> exercise id."""
        return {t: s.id for s in self.scripts.values() for t in s.triggers}

    def find(self, name: str) -> Script | None:
        """The exercise called ``name``: its id or any of its triggers."""
        if name in self.scripts:
            return self.scripts[name]
        script_id = self.trigger_map().get(normalize(name))
        return self.scripts.get(script_id) if script_id else None

    def suggest(self, name: str) -> list[str]:
        """Exercise ids that look like ``name``, for a "did you mean"."""
        names = {**{i: i for i in self.scripts}, **self.trigger_map()}
        close = difflib.get_close_matches(normalize(name), list(names), n=5, cutoff=0.7)
        return list(dict.fromkeys(names[c] for c in close))


def script_files(paths: Iterable[Path]) -> list[Path]:
    """The .toml files named, folders expanded (sorted)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    return files


def load_library(paths: Iterable[Path], audio_dir: Path, between_files: Callable[[], None] | None = None) -> Library:
    """Load every script; a bad one is reported and left out, the rest still load.
    ``between_files`` is called before each file (the daemon feeds its watchdog there)."""
    library = Library()
    owner: dict[str, str] = {}  # trigger or id -> the file that has it
    for path in script_files(paths):
        if between_files is not None:
            between_files()
        script, problems = check_script(path, audio_dir)
        library.problems.extend(problems)
        if script is None:
            continue
        clashes = _clashes(script, owner)
        library.problems.extend(clashes)
        if clashes:
            continue
        owner.update({t: script.source for t in script.triggers})
        owner[f"id:{script.id}"] = script.source
        library.scripts[script.id] = script
    return library


def _clashes(script: Script, owner: dict[str, str]) -> list[Problem]:
    problems = []
    if f"id:{script.id}" in owner:
        problems.append(Problem(script.source, f"id {script.id!r} is also used by {owner[f'id:{script.id}']}; ids must be unique", field="id"))
    for trigger in script.triggers:
        if trigger in owner:
            problems.append(
                Problem(script.source, f"trigger {trigger!r} also starts {owner[trigger]}; give each exercise its own triggers", field="triggers")
            )
    return problems
