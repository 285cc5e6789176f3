"""Guards of log in the information measures: at most 1e-10 is accepted with a note, the
forms code really uses (the tutorial's clip, + ε, a clip into [ε, 1 − ε]); a guard large
enough to matter fails the information area."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import failed_areas

#: The measures with a guard of ``{eps}``, in each form; ``{clip}`` clips p into [eps, 1] or
#: [eps, 1 − eps].
FORMS = {
    "tutorial_clip": """
        def entropy(p):
            p = np.clip(p, {eps}, 1)
            return -np.sum(p * np.log(p))

        def cross_entropy(p, q):
            q = np.clip(q, {eps}, 1)
            return -np.sum(p * np.log(q))

        def kl_divergence(p, q):
            p = np.clip(p, {eps}, 1)
            q = np.clip(q, {eps}, 1)
            return np.sum(p * np.log(p / q))

        def binary_entropy(p):
            p = np.clip(p, {eps}, 1 - {eps})
            return -p * np.log(p) - (1 - p) * np.log(1 - p)
    """,
    "plus_eps": """
        def entropy(p):
            return float(-np.sum(p * np.log(p + {eps})))

        def cross_entropy(p, q):
            return float(-np.sum(p * np.log(q + {eps})))

        def kl_divergence(p, q):
            return float(np.sum(p * np.log((p + {eps}) / (q + {eps}))))

        def binary_entropy(p):
            return -p * np.log(p + {eps}) - (1 - p) * np.log(1 - p + {eps})
    """,
}


def module_with(tmp_path: Path, form: str, eps: str) -> Path:
    path = tmp_path / f"guarded_{form}.py"
    body = textwrap.dedent(FORMS[form]).format(eps=eps)
    path.write_text("import numpy as np\nfrom reference import *  # noqa: F403\n" + body)
    return path


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_guard_of_at_most_1e10_passes_with_a_note(run_suite, tmp_path: Path, form: str) -> None:
    result = run_suite(f"--impl={module_with(tmp_path, form, '1e-10')}", "-m", "information")
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.OK, out[-3000:]
    assert "what a guard of log does" in out, out[-3000:]
    noted = {line.split(":")[1].strip() for line in out.splitlines() if line.startswith("note:")}
    assert {"entropy", "binary_entropy"} <= noted, noted


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_guard_of_1e6_fails_the_information_area(run_suite, tmp_path: Path, form: str) -> None:
    result = run_suite(f"--impl={module_with(tmp_path, form, '1e-6')}", "-m", "information")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    failed = failed_areas(result)
    assert failed.get("information", 0) >= 4, failed


def test_the_report_names_each_note_by_its_function(run_suite, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    path = module_with(tmp_path, "tutorial_clip", "1e-10")
    run_suite(f"--impl={path}", "-m", "information", f"--report={report}")
    page = report.read_text()
    assert "<li>note: entropy: " in page and "): None" not in page
