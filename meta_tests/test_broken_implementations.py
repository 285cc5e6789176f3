"""Each deliberately broken implementation (one bug each) is rejected by its expected area."""

from pathlib import Path

import pytest

from conftest import IMPLS, expected_area, failed_areas

BROKEN = sorted(IMPLS.glob("broken_*.py"))


def test_there_are_enough_broken_implementations_in_every_area() -> None:
    from conformance.contract import AREAS

    per_area = {area: 0 for area in AREAS if area != "contract"}
    for path in BROKEN:
        per_area[expected_area(path)] += 1
    assert len(BROKEN) >= 30
    assert min(per_area.values()) >= 3, per_area


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem.removeprefix("broken_"))
def test_broken_implementation_is_rejected_by_its_area(run_suite, path: Path) -> None:
    area = expected_area(path)
    result = run_suite(f"--impl={path}", "-m", area)
    failed = failed_areas(result)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    assert area in failed, f"{path.name}: failed {failed}, expected {area}"
