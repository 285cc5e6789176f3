"""Notebooks for the kit's own tests, written with nbformat as Jupyter would save them."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
TUTORIAL = NOTEBOOKS / "tutorial-08-backprop.ipynb"

#: Top-level code a student leaves between definitions: none of it may run when the kit takes
#: the definitions (it would take minutes, draw, or write the marker file).
TOP_LEVEL_EXPERIMENTS = [
    """\
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    Y = np.array([[1, 0, 0, 1], [0, 1, 1, 0]], dtype=float)
    net = NeuralNetwork([2, 4, 2])
    losses = []
    for epoch in range(10**9):  # far too long to run at import
        losses.append(net.cross_entropy_loss(net.forward(X), Y))
        net.backward(Y)
        net.update(0.5)
    """,
    """\
    open(MARKER, "w").write("top-level code ran")
    print("final loss:", losses[-1])
    """,
    """\
    import matplotlib.pyplot as plt
    plt.plot(losses)
    plt.yscale("log")
    plt.show()
    """,
]


def write(path: Path, cells: list[str | tuple[str, str]]) -> Path:
    """A notebook of ``cells``: a string is a code cell, ("markdown", text) a markdown cell."""
    notebook = new_notebook()
    for cell in cells:
        if isinstance(cell, tuple):
            notebook.cells.append(new_markdown_cell(cell[1]))
        else:
            notebook.cells.append(new_code_cell(textwrap.dedent(cell)))
    nbformat.validate(notebook)
    nbformat.write(notebook, str(path))
    return path


def reference_definitions() -> list[str]:
    """The reference's functions and class, one cell each (its imports go in the first cell)."""
    cells = []
    for name in ("functions.py", "network.py"):
        source = (ROOT / "reference" / name).read_text()
        lines = source.splitlines(keepends=True)
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                cells.append("".join(lines[start - 1 : node.end_lineno]))
    return cells


def homework(path: Path, marker: Path) -> Path:
    """A correct homework notebook as students write them: markdown, magics and shell lines,
    a cell magic that is not Python, a timed cell holding a definition, help lines, and
    experiments (training, prints, plots) between the definitions."""
    definitions = reference_definitions()
    cells: list[str | tuple[str, str]] = [
        ("markdown", "# Homework 3: backpropagation from scratch"),
        """\
        %matplotlib inline
        !pip install -q numpy
        from __future__ import annotations
        from collections.abc import Callable, Sequence
        import numpy as np
        from numpy.typing import ArrayLike, NDArray
        """,
        f"MARKER = {str(marker)!r}\nEPS = 1e-10\nlr = 0.5\nrng = np.random.default_rng(0)",
        "%%bash\necho this cell is not Python\n",
        "np.dot?\nfiles = !ls\nprint(files)",
    ]
    half = len(definitions) // 2
    cells += definitions[:half]
    cells += ["%%time\n" + definitions[half]]
    cells += [TOP_LEVEL_EXPERIMENTS[1], ("markdown", "## The network")]
    cells += definitions[half + 1 :]
    cells += TOP_LEVEL_EXPERIMENTS
    return write(path, cells)


def definitions_as_module(notebook: Path, path: Path) -> Path:
    """The notebook's imports, functions and classes copied into a .py module, as a student
    would copy them by hand (magic lines left out)."""
    parts = []
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        source = "".join(
            line for line in cell.source.splitlines(keepends=True) if not line.startswith("%")
        )
        for node in ast.parse(source).body:
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
                parts.append(ast.get_source_segment(source, node, padded=True))
    path.write_text("\n\n".join(parts) + "\n")
    return path
