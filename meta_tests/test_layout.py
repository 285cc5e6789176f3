"""The kit's layout, measured by walking the tree and its imports: modules small enough to read,
folders small enough to scan, no import cycle, and a reference that imports nothing of the kit.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("conformance", "reference")
#: Longest module, in lines.
MAX_LINES = 400
#: Most modules in one folder of conformance/.
MAX_MODULES = 12


def module_files() -> dict[str, Path]:
    """Every module of the kit by its dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = module_files()


def imported(name: str, path: Path) -> Iterator[str]:
    """The kit modules that ``name`` imports, anywhere in it (in functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import frames, from .frames import x
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a.b import c` imports module a.b.c if there is one, else a name of a.b.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


GRAPH = {name: sorted(set(imported(name, path))) for name, path in MODULES.items()}


def test_no_module_is_over_400_lines() -> None:
    long = {n: len(p.read_text().splitlines()) for n, p in MODULES.items()}
    assert {n: k for n, k in long.items() if k > MAX_LINES} == {}


def test_no_folder_holds_more_than_12_modules() -> None:
    folders = {p.parent for p in MODULES.values()}
    counts = {str(f.relative_to(ROOT)): len(list(f.glob("*.py"))) for f in folders}
    assert {f: k for f, k in counts.items() if k > MAX_MODULES} == {}


def test_the_reference_imports_nothing_of_the_kit() -> None:
    for name in (n for n in GRAPH if n.split(".")[0] == "reference"):
        assert [t for t in GRAPH[name] if t.split(".")[0] != "reference"] == [], name


def test_no_import_cycle() -> None:
    """Lower layers never import upper ones; a cycle is reported as the path around it."""
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in GRAPH[node]:
            # Importing a.b.c runs a/__init__ and a/b/__init__ first, but those are not the
            # module's own import: only the edges written in its source count.
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for name in GRAPH:
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_walk_sees_imports() -> None:
    """The graph is not empty by accident: known edges are in it."""
    assert "conformance.core.implementation" in GRAPH["conformance.helpers.pytest_helpers"]
    assert "reference.functions" in GRAPH["reference.network"]
