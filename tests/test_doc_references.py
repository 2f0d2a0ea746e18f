"""Docs and docstrings name only modules that exist: every dotted ``voice_coach.…`` name,
every ``voice_coach/….py`` path, and every ``….py`` file the README, the docs and the
package, bench and tools sources mention. Read statically (ast), nothing imported."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "voice_coach"
TEXT_SUFFIXES = {".py", ".md", ".sh", ".toml", ".service"}
SOURCES = sorted(
    p for folder in ("voice_coach", "bench", "tools", "tests", "docs", "systemd", ".ci")
    for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
    and (p.suffix in TEXT_SUFFIXES or p.parent.name == ".ci") and p != Path(__file__).resolve()
) + [REPO / name for name in ("README.md", "install.sh", "run-tests.sh", "pyproject.toml")]
"""Every text file that could name a module (but this one, which names wrong ones on purpose)."""
PROSE = [p for p in SOURCES if p.suffix == ".md" or p.relative_to(REPO).parts[0] in ("voice_coach", "bench", "tools")]
"""Where a bare ``name.py`` must be a file of the project (the tests make up files of their own)."""
DOTTED = re.compile(r"\bvoice_coach(?:\.\w+)+")
PACKAGE_PATH = re.compile(r"\bvoice_coach/[\w/]+\.py\b")
ANY_PATH = re.compile(r"(?<![\w./-])[\w./-]*\w\.py\b")
PROJECT_FILES = [str(p.relative_to(REPO)) for p in REPO.rglob("*.py") if not {".venv", "__pycache__"} & set(p.parts)]


@cache
def defined_names(module: Path) -> dict[str, set[str]]:
    """A module's top-level names, each with the members it defines (a class's fields and methods)."""
    names: dict[str, set[str]] = {}
    for node in ast.parse(module.read_text("utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = set(_assigned(node.body)) if isinstance(node, ast.ClassDef) else set()
        else:
            names.update(dict.fromkeys(_assigned([node]), set()))
    return names


def _assigned(body: list[ast.stmt]) -> list[str]:
    found = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node.name)
        elif isinstance(node, ast.Assign):
            found += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.append(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found += [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, (ast.If, ast.Try)):
            found += _assigned(node.body) + _assigned(getattr(node, "orelse", []))
    return found


def module_file(parts: list[str]) -> Path | None:
    """The file of the module ``parts`` names, if there is one."""
    base = REPO.joinpath(*parts)
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def dotted_problem(name: str) -> str | None:
    """Why ``voice_coach.a.b.Name.member`` names nothing; None when it names a module, or a name in one."""
    parts = name.split(".")
    split = next((i for i in range(len(parts), 0, -1) if module_file(parts[:i])), None)
    if split is None:
        return "no such module"
    rest = parts[split:]
    if not rest or rest[0].startswith("__"):
        return None
    names = defined_names(module_file(parts[:split]))
    if rest[0] not in names:
        return f"{'.'.join(parts[:split])} defines no {rest[0]}"
    if len(rest) > 1 and names[rest[0]] and rest[1] not in names[rest[0]]:
        return f"{rest[0]} has no {rest[1]}"
    return None


def mentions(pattern: re.Pattern, files: list[Path]) -> list[tuple[str, str]]:
    """(file:line, what) for every match of ``pattern``."""
    found = []
    for path in files:
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            found += [(f"{path.relative_to(REPO)}:{number}", m.group()) for m in pattern.finditer(line)]
    return found


def project_file(mention: str) -> bool:
    """``mention`` is a file of the project: its path from the checkout (after a folder such as
    ``$repo/``), from the package or from its own folder."""
    mention = mention.removeprefix("./")
    return any(f == mention or f.endswith("/" + mention) or mention.endswith("/" + f) for f in PROJECT_FILES)


def test_every_dotted_module_name_exists():
    wrong = [f"{where}: {name}: {why}" for where, name in mentions(DOTTED, SOURCES) if (why := dotted_problem(name))]
    assert not wrong, "\n".join(wrong)


def test_every_package_path_exists():
    wrong = [f"{where}: {path}" for where, path in mentions(PACKAGE_PATH, SOURCES) if not (REPO / path).is_file()]
    assert not wrong, "\n".join(wrong)


def test_every_python_file_the_docs_and_sources_name_exists():
    wrong = [f"{where}: {path}" for where, path in mentions(ANY_PATH, PROSE) if not project_file(path)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name, named", [
    ("voice_coach.core.script.PHASES", True),
    ("voice_coach.core.script.Script", True),
    ("voice_coach.core.script.Ask.question", True),
    ("voice_coach.speech.voices", True),
    ("voice_coach.__file__", True),
    ("voice_coach.script.PHASES", False),
    ("voice_coach.core.script.NO_SUCH_NAME", False),
    ("voice_coach.core.script.Ask.no_such_field", False),
    ("voice_coach.speech.no_such_module", False),
])
def test_a_moved_or_missing_name_is_found(name, named):
    assert (dotted_problem(name) is None) == named
