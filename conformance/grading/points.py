"""The points table: ``points.toml`` beside this module, overridden key by key by ``--points``."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomllib

DEFAULT_POINTS = Path(__file__).with_name("points.toml")
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


@dataclass
class Table:
    areas: dict[str, float]
    checks: dict[str, float]
    hidden: list[str]
    hidden_visibility: str
    forbid: list[str]
    allow: list[str]
    call_timeout: float
    memory_mb: int

    def fixed_points(self, check: str) -> float | None:
        for pattern, points in self.checks.items():
            if fnmatch.fnmatchcase(check, pattern):
                return points
        return None

    def is_hidden(self, check: str) -> bool:
        return any(fnmatch.fnmatchcase(check, p) for p in self.hidden)


def load_table(path: str | None, areas: dict[str, str]) -> Table:
    """The default table, overridden key by key by ``path``; UsageError naming what is wrong."""
    data = tomllib.loads(DEFAULT_POINTS.read_text())
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text())
        except OSError as err:
            raise pytest.UsageError(f"--points={path}: cannot read it ({err.strerror})") from None
        except tomllib.TOMLDecodeError as err:
            raise pytest.UsageError(f"--points={path}: not valid TOML ({err})") from None
        unknown = set(user) - {"areas", "checks", "grading"}
        if unknown:
            raise pytest.UsageError(f"--points={path}: unknown table(s) {sorted(unknown)}")
        for key in ("areas", "checks", "grading"):
            if not isinstance(user.get(key, {}), dict):
                raise pytest.UsageError(f"--points={path}: [{key}] must be a table")
            data[key] = {**data.get(key, {}), **user.get(key, {})}
    where = path or str(DEFAULT_POINTS)
    bad_areas = set(data["areas"]) - set(areas)
    if bad_areas:
        raise pytest.UsageError(
            f"--points={where}: unknown area(s) {sorted(bad_areas)}; the areas are {list(areas)}"
        )
    for table in ("areas", "checks"):
        for key, value in data[table].items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise pytest.UsageError(f"--points={where}: [{table}] {key!r} must be points ≥ 0")
    grading = data["grading"]
    for key in ("hidden", "forbid", "allow"):
        if not isinstance(grading.get(key), list) or not all(
            isinstance(v, str) for v in grading[key]
        ):
            raise pytest.UsageError(f"--points={where}: [grading] {key} must be a list of strings")
    if grading.get("hidden_visibility") not in VISIBILITIES:
        raise pytest.UsageError(
            f"--points={where}: [grading] hidden_visibility must be one of {VISIBILITIES}"
        )
    return Table(
        areas={k: float(v) for k, v in data["areas"].items()},
        checks={k: float(v) for k, v in data["checks"].items()},
        hidden=grading["hidden"],
        hidden_visibility=grading["hidden_visibility"],
        forbid=grading["forbid"],
        allow=grading["allow"],
        call_timeout=float(grading.get("call_timeout", 10.0)),
        memory_mb=int(grading.get("memory_mb", 4096)),
    )
