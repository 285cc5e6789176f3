"""Starting a conformance session: loading the implementation under test, once, and the
header lines that say what was loaded.

``activate`` runs at configure time with ``--impl``, else when the suite's ``conftest.py`` is
collected (``pytest --pyargs conformance``), else from the report on xdist's controller.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.errors import InvalidArgument

from conformance.conventions import COLUMNS, DECLARATIONS, HIDDEN_OPTION, TEMPLATE
from conformance.conventions.detect import row_layout
from conformance.core import profiles
from conformance.core.deadline import ImplTimeout, deadline
from conformance.core.guard import describe, guard, import_kit
from conformance.core.implementation import ImplementationError, impl

#: The grading plugin, registered by ``conformance.plugin``; looked up, not imported, since
#: grading builds on this module.
GRADING_PLUGIN = "conformance.grading.plugin"


#: Set on a run of the suite: the subsystems' hooks stay idle in any other run (the kit's own
#: tests, or another project's), even though the implementation is loaded process-wide.
ACTIVE = pytest.StashKey[bool]()


def active(config: pytest.Config) -> bool:
    return config.stash.get(ACTIVE, False)


def activate(config: pytest.Config, spec: str | None) -> None:
    """Load the implementation (a bad --impl is a usage error of one line) and the suite's
    Hypothesis profile, unless --hypothesis-profile chose another."""
    config.stash[ACTIVE] = True
    if impl.module is not None:
        return
    if config.getoption("grading", False):
        config.pluginmanager.get_plugin(GRADING_PLUGIN).activate(config, spec)
        return
    # Before the checks are imported: a check's own @settings inherits the profile loaded
    # when its module runs.
    # (Hypothesis's own plugin loads --hypothesis-profile after this runs at configure time.)
    with contextlib.suppress(InvalidArgument):  # an unknown name: Hypothesis's plugin says so
        settings.load_profile(config.getoption("hypothesis_profile", None) or "conformance")
    # Every module of the kit is imported before the implementation, so the guard knows it as
    # it was (and an implementation cannot import and patch one first).
    import_kit()
    guard.arm()
    # Bound now: an implementation that replaces the guard's methods while it imports is
    # still checked by the originals.
    check_and_restore, disarm = guard.check_and_restore, guard.disarm

    def imported() -> None:
        # Checked as soon as the import returns, before the conventions and adapters (kit
        # code) run: they then run as the kit has them, never as the import left them.
        if changed := check_and_restore():
            impl.tampered = f"importing {impl.name} replaced {describe(changed)}"

    try:
        impl.load(spec, Path(config.invocation_params.dir), convention_options(config), imported)
        wrong_layout = recognise_rows(config)
    except ImplementationError as err:
        disarm()
        raise pytest.UsageError(str(err)) from None
    if wrong_layout:
        disarm()
        raise pytest.UsageError(f"--impl={impl.name}: {wrong_layout}")


def convention_options(config: pytest.Config) -> dict[str, Any]:
    """The conventions' options as given (None where not)."""
    names = [d.option for d in DECLARATIONS] + [HIDDEN_OPTION, "adapter"]
    names += [option for option, _ in TEMPLATE.values()]
    return {name: config.getoption(name, None) for name in names}


def recognise_rows(config: pytest.Config) -> str | None:
    """The one line that says a network is in the row layout when nothing said so (the run
    is then refused: every network check would fail on shapes). Under the check time limit;
    a network that does not build, or hangs, is left to the checks to report."""
    if impl.layout != COLUMNS or config.getoption("layout", None) is not None:
        return None
    try:
        with deadline(config.getoption("impl_timeout"), "building NeuralNetwork hung"):
            return row_layout(impl.own_module, impl.name, impl.conventions.hidden)
    except ImplTimeout:
        return None


def header_lines(config: pytest.Config) -> list[str]:
    lines = [
        f"conformance: impl={impl.name} file={impl.file}",
        f"conformance: hypothesis profile={settings.default._current_profile} "  # type: ignore[attr-defined]
        f"seed={config.getoption('impl_seed')} timeout={config.getoption('impl_timeout'):g}s"
        + (f" (×{scale:g} for property checks)" if (scale := profiles.timeout_scale()) > 1 else ""),
    ]
    if impl.notebook:
        lines.append(f"conformance: {impl.notebook}")
    lines += impl.conventions.header()
    if impl.remote is not None:
        s = impl.remote.settings
        lines.append(
            f"conformance: grading: isolated worker, {s.call_timeout:g} s per call, "
            f"{s.memory_mb} MiB, forbidden imports: {', '.join(s.forbid) or 'none'}"
        )
        if impl.remote.plan is not None:
            lines.append(f"conformance: isolation: {impl.remote.plan.isolation.line()}")
    if impl.missing:
        lines.append(f"conformance: MISSING from {impl.name}: {', '.join(impl.missing)}")
    return lines
