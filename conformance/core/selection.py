"""What an ``--impl`` run collects: the suite, wherever pytest was started.

Given ``--impl`` and no test paths, a run is the conformance suite and nothing else: the
installed package is the one test path, whatever folder the student stands in (their own
``test_*.py`` files and ``testpaths`` are left alone), and conftest files above the package
(a clone's root ``conftest.py``, seen from the folder that holds the clone) are not loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.contract import AREAS

#: The package folder: the checks, the benchmarks and the suite's conftest.py.
SUITE_DIR = Path(__file__).resolve().parent.parent


def point_at_suite(early_config: pytest.Config, args: list[str]) -> None:
    """Before the initial conftests load: with --impl and no test paths (nor --pyargs), make
    the package the run's one test path."""
    namespace: Any = early_config.known_args_namespace
    if getattr(namespace, "impl", None) is None or namespace.file_or_dir or namespace.pyargs:
        return
    args.append(str(SUITE_DIR))
    namespace.file_or_dir = [str(SUITE_DIR)]
    namespace.confcutdir = str(SUITE_DIR)


def nothing_selected(session: pytest.Session) -> str | None:
    """An --impl run that selected no check is a usage error, never exit code 5: the message
    says what selected nothing."""
    config = session.config
    if config.getoption("impl") is None or session.exitstatus != pytest.ExitCode.NO_TESTS_COLLECTED:
        return None
    chosen = [
        f"{flag} {value!r}"
        for flag, value in (
            ("-m", config.getoption("markexpr")),
            ("-k", config.getoption("keyword")),
        )
        if value
    ]
    if chosen:
        return f"no check matches {' and '.join(chosen)}; the areas (-m) are: " + ", ".join(AREAS)
    return (
        f"no checks were collected from {', '.join(map(str, config.args))}; "
        "give no test paths to run the whole suite"
    )
