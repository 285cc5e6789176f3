"""The report (--report), the figures (--figures, python -m conformance.report): one valid,
self-contained page with every figure; figures computed from the implementation under test,
which for a broken one visibly leave the reference and for a correct one never do; a page
that a real browser opens; and nothing drawn or imported for a run that asked for neither."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import html5lib
import numpy as np
import pytest

from conftest import IMPLS, ROOT, SUITE

FIGURES = ("activations", "xor_loss", "binary_prediction", "entropy_connection", "gradient_errors")
AREAS = (
    "contract",
    "activations",
    "softmax",
    "information",
    "numerical_gradient",
    "gradients",
    "torch_parity",
    "training",
)
CORRECT = [ROOT / "reference" / "__init__.py", *sorted(IMPLS.glob("correct_*.py"))]


# -- reading a page --------------------------------------------------------------------------------


def parse(path: Path):
    """The page as an element tree; html5lib's strict mode raises on any parse error."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>"), text[:100]
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG that decodes completely."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()  # decodes every pixel: a truncated or corrupt image raises here
    return image.size


def embedded_images(tree) -> dict[str, bytes]:
    """Figure id → the PNG bytes of its image."""
    images = {}
    for figure in tree.iter("figure"):
        for img in figure.iter("img"):
            src = img.get("src", "")
            prefix = "data:image/png;base64,"
            assert src.startswith(prefix), src[:80]
            images[figure.get("id")] = base64.b64decode(src[len(prefix) :], validate=True)
    return images


def check_self_contained(tree) -> None:
    """Nothing is loaded from anywhere: no scripts, style sheets, frames, or outside links."""
    for tag in ("script", "link", "iframe", "object", "embed"):
        assert not list(tree.iter(tag)), f"the page has a <{tag}>"
    for element in tree.iter():
        for attr in ("src", "href"):
            value = element.get(attr)
            if value is not None:
                assert value.startswith(("data:", "#")), f"<{element.tag} {attr}={value[:60]}>"
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"


def text_of(element) -> str:
    return "".join(element.itertext())


def cells(tr) -> list[str]:
    """The texts of a table row's cells."""
    return [text_of(cell).strip() for cell in tr if cell.tag in ("th", "td")]


def section(tree, name: str):
    return next(s for s in tree.iter("section") if s.get("id") == name)


# -- the reference's report ------------------------------------------------------------------------


def test_reference_report_is_one_valid_page_with_every_figure(run_suite, tmp_path: Path) -> None:
    report, figures = tmp_path / "report.html", tmp_path / "figures"
    result = run_suite(f"--report={report}", f"--figures={figures}")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    assert f"wrote the report to {report}" in result.stdout.str()
    tree = parse(report)
    check_self_contained(tree)

    images = embedded_images(tree)
    assert set(images) == {f"figure-{name}" for name in FIGURES}
    for name, data in images.items():
        width, height = png_size(data)
        assert width >= 800 and height >= 300, (name, width, height)
        # --figures wrote the same images.
        assert (figures / f"{name.removeprefix('figure-')}.png").read_bytes() == data

    summary = section(tree, "summary")
    rows = [cells(tr) for tr in summary.iter("tr")][1:]
    assert [r[0] for r in rows] == list(AREAS)
    passed = result.parseoutcomes()["passed"]
    assert f"all {passed} checks passed" in text_of(tree.find(".//header"))
    for figure in tree.iter("figure"):
        caption = text_of(figure.find("figcaption"))
        assert "Yours lies on the reference throughout." in caption, caption
    assert "None." in text_of(section(tree, "failures"))
    assert len(list(section(tree, "checks").iter("tr"))) == passed + len(AREAS)


def test_failed_checks_show_their_input_and_expected_against_got(run_suite, tmp_path) -> None:
    report = tmp_path / "report.html"
    impl = IMPLS / "broken_backward_no_mean.py"
    result = run_suite(f"--impl={impl}", "-m", "gradients", f"--report={report}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    tree = parse(report)
    failures = section(tree, "failures")
    articles = list(failures.iter("article"))
    assert len(articles) == result.parseoutcomes()["failed"] > 0
    for article in articles:
        text = text_of(article)
        assert "gradients: test_gradients::" in text
        assert "but should be" in text and "reproduce:" in text, text
        assert "np.array(" in text or "make_case(" in text, text  # the input, small or rebuilt
        assert "hint: " in text
    # The recognised pattern wherever the evidence shows it (not on a case where every
    # array has two entries or fewer: there it is the formula).
    assert sum("divide by m" in text_of(a) for a in articles) >= len(articles) / 2
    summary = {r[0]: r for r in map(cells, section(tree, "summary").iter("tr"))}
    assert summary["gradients"][3] == str(len(articles))  # the failed column
    caption = text_of(tree.find(".//figure[@id='figure-gradient_errors']"))
    assert "Off the reference" in caption and "beyond tolerance" in caption, caption


def test_grading_report_has_points_and_keeps_hidden_checks_hidden(run_suite, tmp_path) -> None:
    report, points = tmp_path / "report.html", tmp_path / "points.toml"
    points.write_text('[grading]\nhidden = ["test_gradients::*"]\n')
    impl = IMPLS / "broken_backward_no_mean.py"
    result = run_suite(
        f"--impl={impl}",
        "--grading",
        "--allow-import=reference",  # the broken implementation is built on it
        f"--points={points}",
        "-m",
        "gradients or contract",
        f"--report={report}",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    tree = parse(report)
    summary = section(tree, "summary")
    rows = {r[0]: r for r in map(cells, summary.iter("tr"))}
    assert "points" in rows["area"]
    got, _, of = rows["score"][1].split()
    assert float(of) == pytest.approx(25.0) and 0 < float(got) < float(of), rows["score"]
    for article in section(tree, "failures").iter("article"):
        text = text_of(article)
        assert "This check is hidden" in text and "reproduce:" not in text, text
    assert "graded in an isolated worker" in text_of(tree.find(".//header"))
    # Drawn through the worker: the figures exist, and show the bug.
    images = embedded_images(tree)
    assert set(images) == {f"figure-{name}" for name in FIGURES}
    caption = text_of(tree.find(".//figure[@id='figure-gradient_errors']"))
    assert "Off the reference" in caption, caption


# -- figures of other implementations --------------------------------------------------------------


@pytest.fixture
def draw() -> Iterator:
    """draw(path, name): that figure for the implementation in ``path``, drawn in-process."""
    from conformance.core.implementation import impl
    from conformance.report import figures

    def run(path: Path, name: str):
        impl.reset()
        impl.load(str(path), ROOT)
        return figures.FIGURES[name]()

    yield run
    impl.reset()


#: Broken implementations, and the figure in which each bug must show.
VISIBLE_BUGS = [
    ("broken_sigmoid_derivative_plus", "activations", "sigmoid_derivative(z)"),
    ("broken_tanh_derivative_no_square", "activations", "tanh_derivative(z)"),
    ("broken_sigmoid_derivative_of_activation", "entropy_connection", "sigmoid_derivative(z)"),
    ("broken_binary_entropy_one_term", "entropy_connection", "binary_entropy"),
    ("broken_cross_entropy_swapped", "binary_prediction", "cross_entropy(y, ŷ)"),
    ("broken_entropy_log2", "binary_prediction", "entropy(ŷ)"),
    ("broken_train_step_lr_halves_every_100", "xor_loss", "train_step losses"),
    ("broken_update_lr_squared", "xor_loss", "train_step losses"),
    ("broken_backward_sign_flipped", "xor_loss", "train_step losses"),
    ("broken_backward_W_not_transposed", "gradient_errors", "beyond tolerance"),
    ("broken_backward_no_relu_derivative", "gradient_errors", "beyond tolerance"),
]


@pytest.mark.parametrize("impl, name, curve", VISIBLE_BUGS, ids=[b[0] for b in VISIBLE_BUGS])
def test_a_broken_implementations_figure_leaves_the_reference(draw, impl, name, curve) -> None:
    drawn = draw(IMPLS / f"{impl}.py", name)
    assert drawn.differs, drawn.off
    assert curve in drawn.verdict(), drawn.verdict()
    assert png_size(drawn.png)[0] >= 800


@pytest.mark.parametrize(
    "path", CORRECT, ids=lambda p: "reference" if p.parent.name == "reference" else p.stem
)
def test_a_correct_implementations_figures_lie_on_the_reference(draw, path: Path) -> None:
    for name in FIGURES:
        drawn = draw(path, name)
        assert not drawn.problems, (name, drawn.problems)
        assert not drawn.differs, (name, drawn.off)


def test_a_hanging_or_missing_function_costs_only_its_curves(run_suite, tmp_path) -> None:
    impl = tmp_path / "hangs.py"
    impl.write_text(
        "from reference import *\n"
        "import reference\n"
        "del entropy\n"
        "def sigmoid(z):\n"
        "    while True:\n"
        "        pass\n"
    )
    report = tmp_path / "report.html"
    # 5 s: the hanging sigmoid costs two figures that much; the XOR figure's 2 × 5000 steps
    # take 0.4 s, and must fit on a loaded machine too.
    result = run_suite(f"--impl={impl}", "-m", "contract", "--impl-timeout=5", f"--report={report}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # entropy is missing
    tree = parse(report)
    captions = {f.get("id"): text_of(f.find("figcaption")) for f in tree.iter("figure")}
    assert set(captions) == {f"figure-{name}" for name in FIGURES}
    assert "time limit of 5s passed" in captions["figure-activations"]
    assert "time limit of 5s passed" in captions["figure-entropy_connection"]
    assert "defines no `entropy`" in captions["figure-binary_prediction"]
    assert "Yours lies on the reference throughout." in captions["figure-xor_loss"]
    assert len(embedded_images(tree)) == len(FIGURES)


# -- the command line and the cost of not asking ---------------------------------------------------


def run_python(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_figures_command_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    impl = IMPLS / "broken_sigmoid_derivative_plus.py"
    run = run_python("-m", "conformance.report", "--impl", str(impl), "--out", str(out), cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in FIGURES)
    assert run.stdout.split() == [str(out / f"{n}.png") for n in FIGURES]
    for path in out.iterdir():
        png_size(path.read_bytes())


def test_figures_command_refuses_a_missing_module_in_one_line(tmp_path: Path) -> None:
    run = run_python("-m", "conformance.report", "--impl", "nosuch", "--out", "x", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"error: --impl=nosuch: no module named 'nosuch' on the path (started in {tmp_path}); "
        "give a path to a .py file or an importable module"
    ]
    assert not (tmp_path / "x").exists()


def suite_args(*args: str) -> list[str]:
    return [str(SUITE), f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"), "-q", *args]


def test_a_run_without_a_report_draws_nothing(tmp_path: Path) -> None:
    # The report's own modules are imported in every run (the guard watches every module of
    # the kit); matplotlib, which only drawing needs, must not be.
    code = (
        "import sys, pytest\n"
        f"rc = pytest.main({suite_args('-m', 'contract', '-p', 'no:benchmark')!r})\n"
        "drawn = [m for m in ('matplotlib',) if m in sys.modules]\n"
        "print('IMPORTED', drawn)\n"
        "sys.exit(rc)\n"
    )
    run = run_python("-c", code, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "IMPORTED []" in run.stdout


def test_report_options_are_checked_before_the_run(tmp_path: Path) -> None:
    folder = run_python("-m", "pytest", *suite_args(f"--report={tmp_path}"), cwd=tmp_path)
    assert folder.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"--report={tmp_path} is a directory" in folder.stderr
    code = (
        "import sys, pytest\n"
        "sys.modules['matplotlib'] = None\n"  # as if not installed
        f"sys.exit(pytest.main({suite_args('--report=r.html')!r}))\n"
    )
    missing = run_python("-c", code, cwd=tmp_path)
    assert missing.returncode == pytest.ExitCode.USAGE_ERROR
    assert "pip install 'backprop-conformance[plot]'" in missing.stderr
    assert not (tmp_path / "r.html").exists()


# -- a real browser --------------------------------------------------------------------------------

#: Set where the browser must be there (CI installs Debian's chromium): the check then fails
#: instead of skipping.
REQUIRE_BROWSER = os.environ.get("CONFORMANCE_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if found is None:
        why = "headless Chromium (apt install chromium) and playwright are needed"
        if REQUIRE_BROWSER:
            pytest.fail(f"{why}, and CONFORMANCE_REQUIRE_BROWSER=1")
        pytest.skip(why)
    return found


def test_the_report_opens_in_headless_chromium(run_suite, tmp_path: Path) -> None:
    executable = chromium()
    report, shot = tmp_path / "report.html", tmp_path / "screenshot.png"
    impl = IMPLS / "broken_sigmoid_derivative_plus.py"
    run_suite(f"--impl={impl}", "-m", "activations or contract", f"--report={report}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda err: errors.append(str(err)))
            page.on("requestfailed", lambda request: errors.append(request.url[:80]))
            page.goto(report.as_uri(), wait_until="load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])"
            )
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    assert len(images) == len(FIGURES)
    assert all(complete and width >= 800 for _, complete, width in images), images

    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape[0] > 2000, pixels.shape  # the whole page, figures included
    assert pixels.std() > 10 and len(np.unique(pixels)) > 64, "the screenshot is blank"
