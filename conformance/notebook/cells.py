"""Reading a notebook's code cells with nbformat, and parsing each as Python once its IPython
magics and shell lines are dropped."""

from __future__ import annotations

import ast
import linecache
import re
import warnings
from pathlib import Path

SUFFIX = ".ipynb"
#: Cell magics whose body is Python (timed or captured): the body is read as a cell.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

#: The end of a cell's file name (see cell_filename).
_CELL_NAME = re.compile(r", cell \d+$")
# A line IPython would run as a magic, a shell command or a help request.
_MAGIC_LINE = re.compile(r"^\s*([%!]|\w+\s*=\s*[%!])|\?\s*$")


class NotebookError(Exception):
    """The notebook cannot be read, or a cell is not Python; the message is one line that names
    the file (and the cell)."""


def is_notebook(spec: str | Path) -> bool:
    return str(spec).endswith(SUFFIX)


def cell_filename(path: Path, cell: int) -> str:
    return f"{path}, cell {cell}"


def where(filename: str, lineno: int | None) -> str:
    """``hw3.ipynb, cell 4, line 2`` for a notebook cell's file name, else ``file:line``."""
    if _CELL_NAME.search(filename or ""):
        return f"{filename}, line {lineno}"
    return f"{filename}:{lineno}"


def read_cells(path: Path) -> list[tuple[int, str]]:
    """(cell number, source) of each code cell, read and validated with nbformat."""
    try:
        import nbformat
    except ImportError:  # pragma: no cover - nbformat is a dependency of the kit
        raise NotebookError(
            f"{path.name}: reading notebooks needs nbformat (pip install nbformat)"
        ) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing cell ids and the like: not the student's
            notebook = nbformat.read(str(path), as_version=4)
            nbformat.validate(notebook)
    except OSError as err:
        raise NotebookError(f"{path.name}: cannot be read ({err.strerror or err})") from None
    except Exception as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise NotebookError(
            f"{path.name} is not a Jupyter notebook nbformat can read (version 4, or older ones it "
            f"converts): {first[:200]}"
        ) from None
    return [
        (number, cell.source)
        for number, cell in enumerate(notebook.cells, 1)
        if cell.cell_type == "code"
    ]


def parse_cell(path: Path, number: int, source: str) -> tuple[ast.Module | None, bool]:
    """The cell's statements (None for a cell magic that is not Python), and whether magics or
    shell lines were dropped. Such lines are dropped only from a cell that is not Python as
    written, so that Python that merely looks like them (``a % b`` on its own line inside
    brackets) is left alone."""
    filename = cell_filename(path, number)
    lines = source.splitlines(keepends=True)
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    dropped = False
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return None, True
        lines[first] = "\n"  # keep the line numbers of the body
        dropped = True
    text = "".join(lines)
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError:
        blanked = [_blank(line) if _MAGIC_LINE.search(line) else line for line in lines]
        if blanked == lines:
            raise
        text, dropped = "".join(blanked), True
        tree = ast.parse(text, filename=filename)  # still not Python: the caller reports it
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    return tree, dropped


def _blank(line: str) -> str:
    """A magic line replaced by ``pass`` at its indentation (a block stays a block), or by an
    empty line at the top level (where ``from __future__`` may have to come first)."""
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass\n" if indent else "\n"
