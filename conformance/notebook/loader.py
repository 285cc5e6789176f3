"""Running a notebook's definitions, cell by cell, into a module, and the header line that says
what was taken."""

from __future__ import annotations
import __future__

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .cells import NotebookError, cell_filename, parse_cell, read_cells
from .definitions import Picker, bound_names, globals_needed, is_docstring, targets

#: The module attribute that carries the header line (what was taken and skipped).
SUMMARY_ATTR = "__notebook__"


@dataclass
class Summary:
    """What was taken from the notebook, by cell."""

    definitions: int = 0
    taken_cells: set[int] = field(default_factory=set)
    skipped_cells: set[int] = field(default_factory=set)
    magic_cells: set[int] = field(default_factory=set)
    #: Constants whose value raised when evaluated (``data = np.load("train.npy")``).
    failed: list[str] = field(default_factory=list)

    def line(self, path: Path) -> str:
        parts = [
            f"notebook {path.name}: {self.definitions} definition"
            f"{'s' if self.definitions != 1 else ''} from {_cells(self.taken_cells)}"
        ]
        if self.skipped_cells:
            parts.append(f"skipped top-level code in {_cells(self.skipped_cells)}")
        if self.magic_cells:
            parts.append(f"dropped magics and shell lines in {_cells(self.magic_cells)}")
        if self.failed:
            parts.append("skipped constants that raised: " + ", ".join(self.failed))
        return "; ".join(parts)


def _cells(numbers: set[int]) -> str:
    """``cells 2–5, 8`` (runs of consecutive cells joined)."""
    if not numbers:
        return "no cell"
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    text = ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)
    return f"cell{'s' if len(numbers) > 1 else ''} {text}"


def load_notebook(path: str | Path, name: str | None = None) -> ModuleType:
    """The module made of the notebook's definitions, registered in ``sys.modules`` under
    ``name``; its ``__notebook__`` attribute is the line saying what was taken. Raises
    NotebookError for a file that is not a notebook, a cell that is not Python, or a notebook
    that takes nothing (one of imports only is taken: it may be ``from hw3 import *``). An
    exception raised by a definition (an import that fails, a class body that raises)
    propagates with the cell's file name in its traceback."""
    path = Path(path)
    if name is None:
        name = "impl_under_test_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    summary = Summary()
    cells: list[tuple[int, ast.Module]] = []
    for number, source in read_cells(path):
        try:
            tree, dropped = parse_cell(path, number, source)
        except SyntaxError as err:
            raise NotebookError(
                f"{path.name}, cell {number}, line {err.lineno}: {err.msg} (the cell is not "
                "Python; the kit drops only magics and shell lines)"
            ) from None
        if dropped:
            summary.magic_cells.add(number)
        if tree is not None:
            cells.append((number, tree))
    picker = Picker(globals_needed([node for _, tree in cells for node in tree.body]))
    plan: list[tuple[int, ast.stmt, str]] = []
    for number, tree in cells:
        for node in tree.body:
            kind = picker.take(node)
            if kind is None:
                if not (is_docstring(node) or isinstance(node, ast.Pass)):
                    summary.skipped_cells.add(number)
                continue
            plan.append((number, node, kind))
    if not plan:
        raise NotebookError(
            f"{path.name}: its code cells define nothing (no imports, functions, classes or "
            "constants)"
        )
    module = ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        _run(plan, path, module, summary)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    module.__dict__[SUMMARY_ATTR] = summary.line(path)
    return module


def _run(
    plan: list[tuple[int, ast.stmt, str]], path: Path, module: ModuleType, summary: Summary
) -> None:
    namespace: dict[str, Any] = module.__dict__
    # As IPython does, a ``from __future__`` import holds for the cells after it; nothing is
    # inherited from this module's own future imports.
    flags = 0
    for number, node, kind in plan:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                flags |= getattr(__future__, alias.name).compiler_flag
        code = compile(
            ast.Module(body=[node], type_ignores=[]),
            cell_filename(path, number),
            "exec",
            flags=flags,
            dont_inherit=True,
        )
        if kind == "constant":
            try:
                exec(code, namespace)
            except Exception as err:  # a data file that is not there, and the like
                names = [n for t in targets(node) for n in bound_names(t)]
                summary.failed.append(
                    f"{', '.join(names)} (cell {number}, line {node.lineno}: {type(err).__name__})"
                )
                continue
        else:
            exec(code, namespace)
        if kind != "import":
            summary.definitions += 1
        summary.taken_cells.add(number)
