"""The HTML page of ``--report``: a header with the verdict, a summary per area (checks passed,
points when grading, run time), every failed check's message, the figures, and every check.

Every value on it is escaped, and its images are embedded as data URIs: it loads nothing else,
so it opens offline anywhere. ``render`` builds it from the ``Row`` of each check and the
figures drawn (``conformance.report.drawing.Drawn``); ``conformance.report.plugin`` collects
those during the run and writes the page.
"""

from __future__ import annotations

import base64
import datetime
import html
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Row:
    """One check, as the page shows it."""

    nodeid: str
    check: str
    area: str
    description: str
    outcome: str = "not run"  # passed, failed, skipped, not run
    seconds: float = 0.0
    text: str = ""
    points: float | None = None
    max_points: float | None = None


STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1400px; padding: 0 1.5em; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
.meta { color: #555; margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #f5f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #1a7f37; font-weight: 600; }
.failed { color: #cf222e; font-weight: 600; }
.skipped, .not-run { color: #9a6700; font-weight: 600; }
.verdict { font-size: 1.15em; margin: 0.6em 0; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto;
      font-size: 13px; white-space: pre-wrap; word-break: break-word; }
figure { margin: 1.2em 0 2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #333; max-width: 70em; }
.problems { color: #cf222e; }
details { margin: 0.4em 0; }
summary { cursor: pointer; font-weight: 600; }
"""


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _outcome(outcome: str) -> str:
    return f'<span class="{outcome.replace(" ", "-")}">{e(outcome)}</span>'


def render(config: pytest.Config, rows: list[Row], drawn: list[Any], figure_seconds: float) -> str:
    """The whole page; every value escaped, every image a data URI."""
    from conformance.core.implementation import impl

    graded = any(r.max_points is not None for r in rows)
    counts = defaultdict(int)
    for r in rows:
        counts[r.outcome] += 1
    total = len(rows)
    verdict = (
        f'<span class="passed">all {total} checks passed</span>'
        if total and counts["passed"] + counts["skipped"] == total
        else f'<span class="failed">{counts["failed"]} of {total} checks failed</span>'
        if counts["failed"]
        else f"{counts['passed']} of {total} checks passed"
    )
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>backprop-conformance report: {e(impl.name)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>backprop-conformance: {e(impl.name)}</h1>",
        f'<p class="meta">file {e(impl.file)} · {e(when)} · seed '
        f"{e(config.getoption('impl_seed'))}"
        + (" · graded in an isolated worker" if impl.remote is not None else "")
        + "</p>",
        f'<p class="verdict">{verdict}'
        + (f" · {counts['skipped']} skipped" if counts["skipped"] else "")
        + (f" · {counts['not run']} not run" if counts["not run"] else "")
        + "</p>",
        '<nav><a href="#summary">Summary</a> · <a href="#figures">Figures</a> · '
        '<a href="#failures">Failed checks</a> · <a href="#checks">Every check</a></nav>',
        "</header>",
        _diagnosis(config, rows),
        _summary(rows, graded),
        _figures(drawn, figure_seconds),
        _failures(rows),
        _all_checks(rows, graded),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _diagnosis(config: pytest.Config, rows: list[Row]) -> str:
    """The run's likely root causes, most fundamental first, and what was accepted with a
    note; in grading mode a hidden check's input and hint stay hidden."""
    from conformance.diagnosis.plugin import diagnosis_of
    from conformance.grading.scores import grading_of

    diagnosis, accepted = diagnosis_of(config)
    grading = grading_of(config)
    hidden = frozenset(c.check for c in grading.checks.values() if c.hidden) if grading else None
    lines = diagnosis.lines(hidden or frozenset())
    if not lines and not accepted:
        return ""
    items = "".join(f"<li>{e(line)}</li>" for line in lines)
    notes = "".join(f"<li>note: {e(f)}: {e(t)}</li>" for f, t in accepted)
    return (
        '<section id="diagnosis"><h2>Diagnosis</h2>'
        + (f"<p>Likely root causes, most fundamental first:</p><ol>{items}</ol>" if items else "")
        + (f'<ul class="notes">{notes}</ul>' if notes else "")
        + "</section>"
    )


def _by_area(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """The rows grouped by area, in the suite's order of areas (any others after)."""
    from conformance.contract import AREAS

    by_area: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_area[r.area].append(r)
    return [(a, by_area[a]) for a in [*AREAS, *sorted(set(by_area) - set(AREAS))] if by_area[a]]


def _summary(rows: list[Row], graded: bool) -> str:
    from conformance.contract import AREAS

    head = "<tr><th>area</th><th>what it checks</th><th>passed</th><th>failed</th>"
    head += "<th>skipped</th>" + ("<th>points</th>" if graded else "") + "<th>seconds</th></tr>"
    body = []
    for area, checks in _by_area(rows):
        n = {o: sum(r.outcome == o for r in checks) for o in ("passed", "failed", "skipped")}
        cells = [
            f'<td><a href="#area-{e(area)}">{e(area)}</a></td>',
            f"<td>{e(AREAS.get(area, ''))}</td>",
            f'<td class="num">{n["passed"]} / {len(checks)}</td>',
            f'<td class="num{" failed" if n["failed"] else ""}">{n["failed"]}</td>',
            f'<td class="num">{n["skipped"]}</td>',
        ]
        if graded:
            got = sum(r.points or 0.0 for r in checks)
            of = sum(r.max_points or 0.0 for r in checks)
            cells.append(f'<td class="num">{got:.2f} / {of:.2f}</td>')
        cells.append(f'<td class="num">{sum(r.seconds for r in checks):.2f}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    if graded:
        got = sum(r.points or 0.0 for r in rows)
        of = sum(r.max_points or 0.0 for r in rows)
        body.append(
            f'<tr><th colspan="5">score</th><td class="num"><b>{got:.2f} / {of:.2f}</b></td>'
            f'<td class="num">{sum(r.seconds for r in rows):.2f}</td></tr>'
        )
    return (
        '<section id="summary"><h2>Summary</h2><table>'
        + head
        + "".join(body)
        + "</table></section>"
    )


def _failures(rows: list[Row]) -> str:
    failed = [r for r in rows if r.outcome == "failed"]
    if not failed:
        return '<section id="failures"><h2>Failed checks</h2><p>None.</p></section>'
    items = [
        f'<article id="failure-{k}"><h3>{e(r.area)}: {e(r.check)}</h3>'
        + (f"<p>{e(r.description)}</p>" if r.description else "")
        + f"<pre>{e(r.text or 'failed')}</pre></article>"
        for k, r in enumerate(failed)
    ]
    return (
        f'<section id="failures"><h2>Failed checks ({len(failed)})</h2>'
        + "".join(items)
        + "</section>"
    )


def _figures(drawn: list[Any], seconds: float) -> str:
    if not drawn:
        return (
            '<section id="figures"><h2>Figures</h2>'
            "<p>Not drawn: the run was interrupted.</p></section>"
        )
    parts = [
        '<section id="figures"><h2>Figures</h2>',
        f'<p class="meta">Computed from the implementation under test, the reference drawn '
        f"faintly behind it ({seconds:.1f} s).</p>",
    ]
    for d in drawn:
        parts.append(f'<figure id="figure-{e(d.name)}">')
        parts.append(f"<h3>{e(d.title)}</h3>")
        if d.png:
            data = base64.b64encode(d.png).decode("ascii")
            parts.append(f'<img src="data:image/png;base64,{data}" alt="{e(d.title)}">')
        verdict = d.verdict()
        style = "failed" if d.differs else "passed"
        parts.append(f'<figcaption><b class="{style}">{e(verdict)}</b> {e(d.caption)}')
        if d.problems:
            listed = "".join(f"<li>{e(p)}</li>" for p in d.problems)
            parts.append(f'<ul class="problems">{listed}</ul>')
        parts.append("</figcaption></figure>")
    parts.append("</section>")
    return "".join(parts)


def _all_checks(rows: list[Row], graded: bool) -> str:
    parts = ['<section id="checks"><h2>Every check</h2>']
    for area, checks in _by_area(rows):
        failed = sum(r.outcome == "failed" for r in checks)
        parts.append(
            f'<details id="area-{e(area)}"{" open" if failed else ""}><summary>{e(area)}: '
            f"{sum(r.outcome == 'passed' for r in checks)} of {len(checks)} passed</summary>"
        )
        parts.append(
            "<table><tr><th>check</th><th>result</th>"
            + ("<th>points</th>" if graded else "")
            + "<th>seconds</th></tr>"
        )
        for r in checks:
            cells = f"<td>{e(r.check)}</td><td>{_outcome(r.outcome)}</td>"
            if graded:
                cells += f'<td class="num">{r.points or 0:.2f} / {r.max_points or 0:.2f}</td>'
            cells += f'<td class="num">{r.seconds:.3f}</td>'
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table></details>")
    parts.append("</section>")
    return "".join(parts)
