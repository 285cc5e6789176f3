"""Keeping an implementation that runs in the pytest process from switching the checks off.

This is not a sandbox (see the README, "Trust"). It catches the cheap tricks: replacing
functions of numpy, math, builtins, pytest, Hypothesis, the reference or the kit itself (any
module of it, found by walking its packages, and any method of a class defined there),
swapping their entries in ``sys.modules``, and ending the process with ``os._exit(0)`` so that
the run reports success. Each is undone and fails the check during which it happened.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from types import ModuleType
from typing import Any, NoReturn

#: The modules whose functions the checks call. Internal modules of pytest and Hypothesis are
#: left out: they rebind their own globals while tests run.
WATCHED = {
    "numpy",
    "numpy.linalg",
    "math",
    "builtins",
    "pytest",
    "_pytest.outcomes",
    "hypothesis",
    "hypothesis.strategies",
    "hypothesis.extra.numpy",
}
#: ... and every module of these packages: the kit. Walked, never listed by hand, so that a
#: module added later is watched too.
WATCHED_PACKAGES = ("reference", "conformance")
#: Names whose values legitimately change while tests run. Lazily imported submodules are
#: added, never replaced, so they are not reported at all.
IGNORED = {("builtins", "_")}


def kit_module_names() -> list[str]:
    """Every module of the kit's packages, found by walking them (``__main__`` modules, which
    run a command when imported, aside)."""
    names = []
    for package_name in WATCHED_PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if info.name.rsplit(".", 1)[-1] != "__main__":
                names.append(info.name)
    return names


#: Kit modules that cannot be imported here, with why (an optional dependency is missing):
#: nothing imports them in this process, so one appearing later is an implementation's.
unavailable: dict[str, str] = {}


def import_kit() -> None:
    """Import every module of the kit, so that the guard knows each as it was before an
    implementation runs. import_module, not ``from conformance import ...``, which would take a
    stale package attribute left by an earlier session in this process."""
    import pytest

    unavailable.clear()
    for name in kit_module_names():
        try:
            importlib.import_module(name)
        except (ImportError, pytest.skip.Exception) as err:  # torch or matplotlib missing
            unavailable[name] = str(err).split("\n")[0]


def _is_watched(name: str) -> bool:
    return name in WATCHED or name.split(".")[0] in WATCHED_PACKAGES


def _kit_classes(module: ModuleType) -> list[type]:
    """The classes a kit module defines: their methods are the kit's functions too."""
    if module.__name__.split(".")[0] not in WATCHED_PACKAGES:
        return []
    return [
        v
        for v in vars(module).values()
        if isinstance(v, type) and getattr(v, "__module__", None) == module.__name__
    ]


def describe(changes: list[str], most: int = 6) -> str:
    """What was replaced, for a failure message: the first few, and how many more."""
    more = f" and {len(changes) - most} more" if len(changes) > most else ""
    return ", ".join(changes[:most]) + more


class ImplExit(BaseException):
    """The implementation tried to end the process; a BaseException so nothing swallows it."""


def _refuse_exit(status: int = 0) -> NoReturn:
    raise ImplExit(
        f"the implementation called os._exit({status}): ending the process from "
        "inside a check is not allowed"
    )


class Guard:
    """Remembers the watched modules at ``arm()``; ``check_and_restore()`` puts back whatever
    was replaced since. Its checking uses only what it holds and builtins, never this
    module's other functions, so that replacing those cannot switch it off."""

    def __init__(self) -> None:
        self.modules: dict[str, ModuleType] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, list[tuple[type, dict[str, Any]]]] = {}
        self.exits: list[tuple[ModuleType, Any]] = []
        self.ignored: set[tuple[str, str]] = set()
        self.unavailable: list[str] = []
        self.refuse = _refuse_exit

    def arm(self) -> None:
        """Remember the watched modules as they are now, and refuse os._exit from now on."""
        for name, module in list(sys.modules.items()):
            if isinstance(module, ModuleType) and _is_watched(name):
                self.modules[name] = module
                self.attributes[name] = dict(vars(module))
                self.classes[name] = [(c, dict(vars(c))) for c in _kit_classes(module)]
        self.ignored, self.unavailable = set(IGNORED), list(unavailable)
        for module in (os, sys.modules.get("posix")):
            if module is not None and getattr(module, "_exit", None) is not _refuse_exit:
                self.exits.append((module, module._exit))
                module._exit = _refuse_exit  # type: ignore[assignment]

    def disarm(self) -> None:
        for module, original in self.exits:
            module._exit = original
        self.exits.clear()
        self.modules.clear()
        self.attributes.clear()
        self.classes.clear()

    def check_and_restore(self) -> list[str]:
        """What was replaced since arm(), each put back; [] when nothing was touched."""
        changes = []
        missing = object()
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                changes.append(f"sys.modules[{name!r}]")
                sys.modules[name] = module
            current = vars(module)
            for key, value in self.attributes[name].items():
                if (name, key) in self.ignored:
                    continue
                now = current.get(key, missing)
                if now is value or (
                    # A submodule imported again (pytester, importlib.reload) is no tampering.
                    isinstance(now, ModuleType) and sys.modules.get(f"{name}.{key}") is now
                ):
                    continue
                changes.append(f"{name}.{key}")
                setattr(module, key, value)
            for cls, attributes in self.classes[name]:
                where = f"{name}.{cls.__qualname__}"
                held = vars(cls)
                for key, value in attributes.items():
                    if held.get(key, missing) is not value:
                        changes.append(f"{where}.{key}")
                        setattr(cls, key, value)
                for key in [k for k in held if k not in attributes]:
                    changes.append(f"{where}.{key}")
                    delattr(cls, key)
        for name in self.unavailable:
            if sys.modules.get(name) is not None:  # the kit could not import it: who did?
                changes.append(f"sys.modules[{name!r}]")
                del sys.modules[name]
        for module, _ in self.exits:
            if getattr(module, "_exit", None) is not self.refuse:
                changes.append(f"{module.__name__}._exit")
                module._exit = self.refuse  # type: ignore[assignment]
        return changes


_MISSING = object()
guard = Guard()
