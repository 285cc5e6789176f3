"""Each deliberately broken implementation (one bug each) is rejected by its expected area, in
a whole run whose diagnosis names, first, the function the bug is in, and which stays short:
the root cause in full, its consequences a line each."""

from pathlib import Path

import pytest
from bug_sites import bug_sites
from test_failure_output import diagnosis

from conftest import IMPLS, expected_area, failed_areas

BROKEN = sorted(IMPLS.glob("broken_*.py"))
#: Lines of a whole run (pytest -q) with one bug. The bar for the kit is a median of 150 in a
#: default run; every run here stays within it, -q leaving out only the header.
MAX_LINES = 150


def test_there_are_enough_broken_implementations_in_every_area() -> None:
    from conformance.contract import AREAS

    per_area = {area: 0 for area in AREAS if area != "contract"}
    for path in BROKEN:
        per_area[expected_area(path)] += 1
    assert len(BROKEN) >= 30
    assert min(per_area.values()) >= 3, per_area


def test_every_broken_implementation_says_where_its_bug_is() -> None:
    for path in BROKEN:
        assert bug_sites(path), f"{path.name}: no function of its own and no BUG_IN"


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem.removeprefix("broken_"))
def test_broken_implementation_is_rejected_by_its_area_and_diagnosed(run_suite, path: Path) -> None:
    area = expected_area(path)
    result = run_suite(f"--impl={path}")
    failed = failed_areas(result)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    assert area in failed, f"{path.name}: failed {failed}, expected {area}"
    # A cheat tampers with the kit or numpy: the diagnosis blames the module as a whole.
    sites = bug_sites(path) | ({str(path)} if path.stem.startswith("broken_cheat_") else set())
    entries = diagnosis(result.outlines)
    assert entries[0].split(": ", 1)[0] in sites, f"{path.name}: {entries}"
    assert len(result.outlines) <= MAX_LINES, f"{path.name}: {len(result.outlines)} lines"
