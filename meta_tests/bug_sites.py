"""Where the bug of a broken implementation in meta_tests/impls is: the function or method
it replaces, read from its source (``BUG_IN = "name"`` where that is not enough)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conformance.contract import FUNCTIONS, NETWORK

_DECLARED = re.compile(r'^BUG_IN = "([^"]+)"', re.MULTILINE)


def bug_sites(path: Path) -> set[str]:
    """The contract names (``softmax``, ``NeuralNetwork.backward``) the module defines
    itself; each of these files re-exports the reference and replaces one of them."""
    source = path.read_text()
    if declared := _DECLARED.search(source):
        return {declared.group(1)}
    sites: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS:
            sites.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name == NETWORK:
            sites |= {f"{NETWORK}.{f.name}" for f in node.body if isinstance(f, ast.FunctionDef)}
    return sites
