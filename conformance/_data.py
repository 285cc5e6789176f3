"""The golden data and shared fixtures: ``conformance.fixtures`` once installed, ``fixtures/``
beside this package in a clone that was not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

try:
    import conformance.fixtures as fixtures
except ModuleNotFoundError:  # a plain clone: pyproject.toml maps fixtures/ only at install
    _init = Path(__file__).resolve().parent.parent / "fixtures" / "__init__.py"
    _spec = importlib.util.spec_from_file_location(
        "conformance.fixtures", _init, submodule_search_locations=[str(_init.parent)]
    )
    assert _spec is not None and _spec.loader is not None, f"fixtures missing at {_init}"
    fixtures = importlib.util.module_from_spec(_spec)
    sys.modules["conformance.fixtures"] = fixtures
    _spec.loader.exec_module(fixtures)

__all__ = ["fixtures"]
