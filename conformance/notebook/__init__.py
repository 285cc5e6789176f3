"""A Jupyter notebook as an implementation: the module its definitions make.

In a notebook, the implementation is spread over cells between the student's experiments. The
kit takes, from the code cells in order, what a module would define: imports, functions,
classes, and module-level constants (``definitions``). It skips all other top-level code
(training loops, plots, prints, calls of the student's own code) and drops IPython magics and
shell lines (``cells``). A later definition of a name replaces an earlier one, as running the
notebook top to bottom would (``loader``).

Cells are counted from the top of the notebook, markdown cells included. Each is compiled under
its own file name (``hw3.ipynb, cell 4``) registered in ``linecache``, so tracebacks, failures
and import errors point at the cell and the line within it.

The package imports only the standard library and nbformat, its modules each other only
relatively: the grading worker, which cannot import the kit, loads it by its path.
"""

from .cells import SUFFIX, NotebookError, is_notebook, where
from .loader import SUMMARY_ATTR, load_notebook

__all__ = ["SUFFIX", "SUMMARY_ATTR", "NotebookError", "is_notebook", "load_notebook", "where"]
