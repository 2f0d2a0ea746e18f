"""The architecture the README describes, checked on the source: no import cycle inside
the voice_coach package, each package depending only on those above it (core, audio,
speech, service), and a module table that lists every module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "voice_coach"
LAYERS = ("core", "audio", "speech", "service")
"""The packages in the README's order: each may import only those before it (and itself)."""


def module_name(path: Path, root: Path) -> str:
    """``voice_coach/speech/voices.py`` -> ``voice_coach.speech.voices`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules(package: Path) -> dict[str, Path]:
    """Every module of ``package`` by its dotted name."""
    return {module_name(p, package.parent): p for p in sorted(package.rglob("*.py")) if "__pycache__" not in p.parts}


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The package's own modules that ``name`` imports, each with the line of its first import.

    Every import statement counts, wherever it stands: a lazy import inside a function
    and one under ``if TYPE_CHECKING`` still tie the two modules together, and a lazy
    import that only hides a cycle is the very thing this check is for. ``from a import b``
    names the module ``a.b`` when there is one, else ``a``.
    """
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            if target in modules and target != name:
                found.setdefault(target, node.lineno)
    return found


def import_graph(package: Path) -> dict[str, dict[str, int]]:
    """Module -> the package's modules it imports (with the line)."""
    modules = package_modules(package)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = stack[stack.index(module):]
            del stack[stack.index(module):]
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return cycles


def describe(cycles: list[list[str]], graph: dict[str, dict[str, int]]) -> str:
    """Each cycle with the import lines that close it."""
    return "\n".join(
        f"{module} imports {target} (line {line})"
        for group in cycles for module in group for target, line in graph[module].items() if target in group
    )


def test_the_package_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert len(graph) > 60  # every module was read
    cycles = import_cycles(graph)
    assert not cycles, describe(cycles, graph)


def test_the_cycle_check_finds_a_cycle_closed_by_a_lazy_import(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from .sub import b\n")
    (package / "sub" / "b.py").write_text("def later():\n    from .. import a\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.d\n")
    (package / "d.py").write_text("from pkg.c import something\n")
    (package / "e.py").write_text("from . import a\n")
    assert import_cycles(import_graph(package)) == [["pkg.a", "pkg.sub.b"], ["pkg.c", "pkg.d"]]


def test_each_package_imports_only_those_above_it_in_the_readme():
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(LAYERS)
    parts = {name: name.split(".") for name in package_modules(PACKAGE)}
    layer = {name: LAYERS.index(p[1]) for name, p in parts.items() if len(p) > 1 and p[1] in LAYERS}
    wrong = [
        f"{module} imports {target} (line {line})"
        for module, targets in import_graph(PACKAGE).items() if module in layer
        for target, line in targets.items() if target in layer and layer[target] > layer[module]
    ]
    assert not wrong, "\n".join(wrong)


def readme_module_table() -> list[tuple[str, str, str]]:
    """(package folder, module file, concept) for each row of the README's module table."""
    text = (REPO / "README.md").read_text("utf-8")
    table = text.split("\n## How it is built\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w/]+)/` \| `(\w+\.py)` \| (.*) \|$", table, re.MULTILINE)
    assert rows, "the README's module table was not found under 'How it is built'"
    return rows


def test_the_readme_module_table_lists_every_module_once_and_nothing_else():
    """A package's ``__init__`` is the package itself, so it has no row of its own."""
    listed = [str(PACKAGE.joinpath(*([] if folder == "voice_coach" else [folder]), module).relative_to(REPO))
              for folder, module, _ in readme_module_table()]
    modules = [str(p.relative_to(REPO)) for p in package_modules(PACKAGE).values() if p.name != "__init__.py"]
    assert sorted(set(listed)) == sorted(listed), "listed twice: " + ", ".join({m for m in listed if listed.count(m) > 1})
    assert not set(modules) - set(listed), "missing from the README's module table: " + ", ".join(sorted(set(modules) - set(listed)))
    assert not set(listed) - set(modules), "in the README's module table but not in voice_coach/: " + ", ".join(sorted(set(listed) - set(modules)))
    assert all(concept.strip() for *_, concept in readme_module_table())
