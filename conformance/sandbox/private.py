"""The worker's private folder: a copy of the submission that only its worker can read.

Each worker gets a fresh folder (mode 0700) owned by the uid it runs as. The submission's
folder is copied into it, so that the worker can read it whatever the original's permissions
(a job folder of the grader is 0700 root), and so that no other job's worker, and nothing the
submission does, changes what is graded. What is never copied: hidden files and caches, files
of kinds a submission does not import or read, anything over the size limits, and, where the
folder holds the kit itself (its checks, its reference) or a file the grader keeps private
(the points table, the results files), everything but the submission's own file.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

#: Kinds of file a submission imports or reads.
SUFFIXES = (".py", ".ipynb", ".txt", ".json", ".csv", ".npy", ".npz", ".toml", ".cfg", ".pkl")
MAX_FILE = 8 << 20
MAX_TOTAL = 64 << 20
MAX_FILES = 500
MAX_DEPTH = 4


@dataclass
class Copy:
    """A copied folder: where it came from, where the copy is, and what was left out."""

    source: Path
    copy: Path
    left_out: list[str] = field(default_factory=list)


def _holds(folder: Path, paths: list[Path]) -> bool:
    return any(p == folder or folder in p.parents for p in paths)


def copy_folder(
    source: Path, dest: Path, only: Path | None, private: list[Path], kit: list[Path]
) -> Copy:
    """Copy ``source`` to ``dest``: all of it within the limits, or (``only``) one file; only
    that file where the folder holds the kit or a private file of the grader."""
    copy = Copy(source, dest)
    dest.mkdir(parents=True, exist_ok=True)
    if _holds(source, kit) or _holds(source, private):
        if only is not None and only.parent == source:
            shutil.copyfile(only, dest / only.name)
        copy.left_out.append(
            f"{source}: it holds the kit or the grader's files, so only the "
            "submission's own file is copied"
        )
        return copy
    total = files = 0
    for folder, dirs, names in os.walk(source):
        here = Path(folder)
        depth = len(here.relative_to(source).parts)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d != "__pycache__"
            and depth < MAX_DEPTH
            # a virtual environment: the sandbox shows the Python it grades with, not this copy
            and not (here / d / "pyvenv.cfg").exists()
        )
        for name in sorted(names):
            path = here / name
            if name.startswith(".") or path.suffix not in SUFFIXES or path.resolve() in private:
                continue
            try:
                info = path.stat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if info.st_size > MAX_FILE or total + info.st_size > MAX_TOTAL or files >= MAX_FILES:
                copy.left_out.append(str(path))
                continue
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            total += info.st_size
            files += 1
    if only is not None and only.parent == source and not (dest / only.name).exists():
        shutil.copyfile(only, dest / only.name)  # the submission itself, whatever its size
    return copy


def hand_over(root: Path, uid: int | None) -> None:
    """Make ``root`` and everything in it the worker's: owned by ``uid`` (when the grader can
    give it), folders 0700 then files read-only to their owner."""
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if uid is not None:
                os.chown(path, uid, uid)
            path.chmod(0o400)
        if uid is not None:
            os.chown(folder, uid, uid)
        Path(folder).chmod(0o700)
