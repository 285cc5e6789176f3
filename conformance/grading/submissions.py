"""The submissions of a class run: what each one is (its files, the file to grade, why it
cannot be graded, what was left out) and the name of its row.

Read with the grader's rights, so taken as the worker's private copy takes them
(``conformance.sandbox.private``): never through a link that leads out of the submission,
never anything but regular files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from conformance.sandbox.private import read_regular, regular_file, submission_files


def collect(
    paths: Iterable[str], entry: str | None
) -> list[tuple[str, dict[str, bytes], str | None, str | None, list[str]]]:
    """(name, files, entry file, problem, files left out and why) for each submission path."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_file() or path.is_symlink():
            regular, why = regular_file(path, path.parent)
            if regular is None:
                problem = f"{raw}: {why}; grading does not follow it"
                found.append((path.stem, {}, None, problem, []))
            else:
                found.append((path.stem, {path.name: read_regular(regular)}, path.name, None, []))
            continue
        if not path.is_dir():
            found.append((path.name, {}, None, f"{raw}: no such file or folder", []))
            continue
        files, left_out = {}, []
        for rel, regular, why in submission_files(path):
            if regular is None:
                left_out.append(f"{rel} ({why})")
            else:
                files[str(rel)] = read_regular(regular)
        # A notebook is the entry when there is one (it may import the folder's modules, which
        # cannot import it); else the one .py file.
        notebooks = [k for k in files if k.endswith(".ipynb")]
        candidates = notebooks or [k for k in files if k.endswith(".py")]
        chosen, problem = None, None
        if entry is not None:
            chosen = entry if entry in files else None
            problem = None if chosen else f"{raw}: no {entry} in the folder"
        elif len(candidates) == 1:
            chosen = candidates[0]
        elif candidates:
            kind = "notebooks" if notebooks else ".py files"
            problem = f"{raw}: {len(candidates)} {kind}; say which one to grade with --entry FILE"
        else:
            problem = f"{raw}: no .py file or notebook in the folder"
        found.append((path.name, files, chosen, problem, left_out))
    return found


def row_names(paths: list[str]) -> list[str]:
    """A name for each submission (its row in grades.csv, its folder in the output): the file's
    stem or the folder's name where no other submission has it, else a longer form, until all
    differ: the name with its suffix, then the path from the submissions' common folder, then
    the whole path ("/" as "__"). Never a counter, which would depend on the order of the
    arguments and could give one student's row a name another student's file chose."""
    resolved = [Path(p).resolve() for p in paths]
    common = Path(os.path.commonpath(resolved)) if resolved else Path("/")
    forms = [
        lambda p: p.stem if not p.is_dir() else p.name,
        lambda p: p.name,
        lambda p: "__".join(p.relative_to(common).parts) if p != common else p.name,
        lambda p: "__".join(p.parts[1:]),
    ]
    level = [0] * len(paths)
    while True:
        names = [forms[level[i]](p) for i, p in enumerate(resolved)]
        seen: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            seen.setdefault(name, []).append(i)
        clashes = [i for group in seen.values() if len(group) > 1 for i in group]
        if not clashes or all(level[i] == len(forms) - 1 for i in clashes):
            return names
        for i in clashes:
            level[i] = min(level[i] + 1, len(forms) - 1)
