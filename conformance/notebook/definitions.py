"""Which top-level statements of a notebook are its definitions: imports, functions, classes,
module-level constants (and ``try``/``if`` blocks of only those); the rest is top-level code,
skipped."""

from __future__ import annotations

import ast

#: Builtins a constant may call: ``INF = float("inf")``.
CONSTANT_BUILTINS = frozenset(
    {"float", "int", "complex", "bool", "str", "tuple", "list", "dict", "set", "frozenset",
     "range", "abs", "min", "max", "round", "pow", "len", "sum"}
)  # fmt: skip


class Picker:
    """Decides which top-level statements are definitions, tracking the names bound so far
    (imported modules and constants, which a later constant may use)."""

    def __init__(self, needed: set[str]) -> None:
        #: Globals the notebook's functions and classes use: a constant whose value calls
        #: something (``rng = np.random.default_rng(0)``) is taken only if one of them needs
        #: it, so that ``fig, ax = plt.subplots()`` and data loading stay skipped.
        self.needed = needed
        #: Names bound by imports and by constants: what a constant's calls may start from.
        self.data: set[str] = set()
        #: Names of the notebook's functions and classes: a constant may name them
        #: (``ACTIVATION = relu``) but not call them.
        self.defined: set[str] = set()

    def take(self, node: ast.stmt) -> str | None:
        """``"import"``, ``"definition"``, ``"constant"``, or None to skip the statement."""
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.data.update(
                (a.asname or a.name.split(".")[0]) for a in node.names if a.name != "*"
            )
            return "import"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.defined.add(node.name)
            return "definition"
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            names = [n for t in targets(node) for n in bound_names(t)]
            if (
                names
                and node.value is not None
                and self.simple(node.value)
                and (not _calls(node.value) or self.needed.intersection(names))
            ):
                self.data.update(names)
                return "constant"
            return None
        if isinstance(node, (ast.Try, ast.If)) and self._all_taken(node):
            return "definition"
        return None

    def _all_taken(self, node: ast.Try | ast.If) -> bool:
        """``try: import torch / except ImportError: torch = None`` and the like."""
        if isinstance(node, ast.If) and not self.simple(node.test):
            return False
        blocks = [node.body, node.orelse]
        if isinstance(node, ast.Try):
            blocks += [h.body for h in node.handlers] + [node.finalbody]
        return all(
            isinstance(s, ast.Pass) or is_docstring(s) or self.take(s) is not None
            for block in blocks
            for s in block
        )

    def simple(self, node: ast.expr) -> bool:
        """A literal, or an expression of literals, known names and imported modules (a call
        only of a builtin constructor or of something an import brought in)."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.data or node.id in self.defined or node.id in CONSTANT_BUILTINS
        if isinstance(node, ast.Attribute):
            return self.simple(node.value)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return all(self.simple(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(k is None or self.simple(k) for k in node.keys) and all(
                self.simple(v) for v in node.values
            )
        if isinstance(node, ast.UnaryOp):
            return self.simple(node.operand)
        if isinstance(node, ast.BinOp):
            return self.simple(node.left) and self.simple(node.right)
        if isinstance(node, ast.BoolOp):
            return all(self.simple(v) for v in node.values)
        if isinstance(node, ast.Compare):
            return self.simple(node.left) and all(self.simple(c) for c in node.comparators)
        if isinstance(node, ast.Subscript):
            return self.simple(node.value) and self.simple(node.slice)
        if isinstance(node, ast.Slice):
            return all(p is None or self.simple(p) for p in (node.lower, node.upper, node.step))
        if isinstance(node, ast.Call):
            func = node.func
            callee_ok = (isinstance(func, ast.Name) and func.id in CONSTANT_BUILTINS) or (
                isinstance(func, ast.Attribute) and _root(func) in self.data and self.simple(func)
            )
            return (
                callee_ok
                and all(self.simple(a) for a in node.args)
                and all(self.simple(k.value) for k in node.keywords)
            )
        return False


def _calls(node: ast.AST) -> bool:
    """Whether the expression calls something other than a builtin constructor."""
    return any(
        isinstance(n, ast.Call)
        and not (isinstance(n.func, ast.Name) and n.func.id in CONSTANT_BUILTINS)
        for n in ast.walk(node)
    )


def globals_needed(nodes: list[ast.stmt]) -> set[str]:
    """The names the functions and classes among ``nodes`` read but do not bind themselves
    (and, in turn, the names read by the assignments of those names): the module-level
    constants the definitions depend on. Scopes are not told apart: a name bound anywhere in a
    definition counts as its own, an over-approximation that only ever takes a harmless
    constant too many or, for a name both local and global, one too few."""
    needed: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            reads, binds = set(), set()
            for n in ast.walk(node):
                if isinstance(n, ast.Name):
                    (reads if isinstance(n.ctx, ast.Load) else binds).add(n.id)
                elif isinstance(n, ast.arg):
                    binds.add(n.arg)
            needed |= reads - binds
    assignments = [n for n in nodes if isinstance(n, (ast.Assign, ast.AnnAssign))]
    grown = True
    while grown:
        grown = False
        for node in assignments:
            names = {n for t in targets(node) for n in bound_names(t)}
            if names & needed and node.value is not None:
                reads = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
                if not reads <= needed:
                    needed |= reads
                    grown = True
    return needed


def _root(node: ast.expr) -> str | None:
    """``np`` for ``np.random.default_rng``."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def bound_names(target: ast.expr) -> list[str]:
    """The names an assignment target binds, or [] if it binds anything else (an attribute,
    an item), which is top-level code, not a constant."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        names = [bound_names(e) for e in target.elts]
        return [n for group in names for n in group] if all(names) else []
    return []


def is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AnnAssign):
        return [node.target]
    return []
