"""The tutorial's figures for an implementation, as PNG files, without running the checks.

    python -m conformance.report [--impl NAME] [--layout rows] --out DIR

NAME is a module or a ``.py`` file (default: the reference). Each figure shows the
implementation's curves over the reference's, drawn faintly behind; the drawing itself is
``conformance.report.figures``, shared with ``pytest --report`` and ``--figures``. Needs matplotlib
(``pip install "backprop-conformance[plot]"``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.conventions import LAYOUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.report",
        description="Draw the tutorial's figures for an implementation (PNG files).",
    )
    parser.add_argument(
        "--impl",
        metavar="NAME",
        default=None,
        help="an importable module or a path to a .py file (default: the reference)",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUT.values,
        default=None,
        help="columns or rows (default: the module's own LAYOUT = ..., else columns)",
    )
    parser.add_argument(
        "--adapter",
        metavar="NAME",
        default=None,
        help="nnfs, cs231n or a .py file defining adapt(code): code in another API (none)",
    )
    parser.add_argument("--out", metavar="DIR", required=True, type=Path, help="folder to write")
    parser.add_argument(
        "--time-limit",
        metavar="SECONDS",
        type=float,
        default=120.0,
        help="per figure, for an implementation that hangs; 0 disables (default: 120)",
    )
    args = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(
            "error: drawing needs matplotlib: pip install 'backprop-conformance[plot]'",
            file=sys.stderr,
        )
        return 2
    if args.out.is_file():
        print(f"error: --out={args.out} is a file; give a folder", file=sys.stderr)
        return 2

    from conformance.core.implementation import ImplementationError, impl
    from conformance.report import figures

    try:
        impl.load(args.impl, Path.cwd(), {"layout": args.layout, "adapter": args.adapter})
    except ImplementationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for drawn in figures.draw_all(args.time_limit):
        for problem in drawn.problems:
            print(f"{drawn.name}: {problem}", file=sys.stderr)
        if drawn.png:
            path = args.out / f"{drawn.name}.png"
            path.write_bytes(drawn.png)
            print(path)
    return 0
